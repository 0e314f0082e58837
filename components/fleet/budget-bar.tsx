// Error budget as a bar and a sentence (lib/slo/state.ts BudgetView, lib/format.ts budgetText).
//  - judged (ratio): the fill is the share left, clamped to 0–100 %; overspent says by how much, in time;
//  - below the coverage floor (absolute): a hatched bar and "25 s of downtime so far; 43.2 minutes
//    allowed per 30 days" — never a percentage of the few seconds measured so far.
import { budgetText, coverageText, formatPercent } from '@/lib/format';
import type { BudgetView } from '@/lib/slo/state';

export function budgetTone(remaining: number): 'ok' | 'low' | 'out' {
  return remaining > 0.5 ? 'ok' : remaining > 0 ? 'low' : 'out';
}

export function BudgetBar({ budget, period, testId = 'budget-bar', compact = false }: { budget: BudgetView | null; period: string; testId?: string; compact?: boolean }) {
  if (!budget) {
    return (
      <div className="budget">
        <div className="budget-bar budget-nodata" role="img" aria-label="Error budget: no data yet" data-testid={testId} data-remaining="" data-kind="none" />
        <span className="budget-text muted">no data yet</span>
      </div>
    );
  }
  const text = budgetText(budget, period);
  if (budget.kind === 'absolute') {
    return (
      <div className="budget">
        <div className="budget-bar budget-nodata" role="img" aria-label={`Error budget not judged yet: ${text}`} data-testid={testId} data-remaining="" data-kind="absolute" />
        <span className="budget-text" data-testid={`${testId}-text`}>
          {text}
        </span>
        {compact ? null : <span className="budget-text muted">{coverageText(budget)}</span>}
      </div>
    );
  }
  const r = budget.remainingFraction;
  const width = Math.max(0, Math.min(1, r)) * 100;
  return (
    <div className="budget">
      <div className={`budget-bar budget-${budgetTone(r)}`} role="img" aria-label={`Error budget: ${text}`} data-testid={testId} data-remaining={String(r)} data-kind="ratio">
        <span className="budget-fill" style={{ width: `${width}%` }} />
      </div>
      <span className="budget-text" data-testid={`${testId}-text`}>
        {compact && r >= 0 ? `${formatPercent(r, 1)} left` : text}
      </span>
    </div>
  );
}
