// Error budget remaining as a bar. The fill is clamped to 0–100 %; the text says the real figure
// (negative = overspent). No data is drawn hatched, never as a full or empty budget.
import { formatDuration, formatPercent } from '@/lib/slo/format';
import type { ErrorBudget } from '@/lib/slo/budget';

export function budgetTone(remaining: number): 'ok' | 'low' | 'out' {
  return remaining > 0.5 ? 'ok' : remaining > 0 ? 'low' : 'out';
}

export function BudgetBar({ budget, testId = 'budget-bar' }: { budget: ErrorBudget | null; testId?: string }) {
  if (!budget || !budget.hasData) {
    return (
      <div className="budget">
        <div className="budget-bar budget-nodata" role="img" aria-label="Error budget: no data in this window" data-testid={testId} data-remaining="" />
        <span className="budget-text muted">no data: budget not measured</span>
      </div>
    );
  }
  const r = budget.remainingFraction;
  const width = Math.max(0, Math.min(1, r)) * 100;
  const text =
    r >= 0
      ? `${formatPercent(r, 1)} left (${formatDuration(budget.remainingBadMs)} of ${formatDuration(budget.allowedBadMs)})`
      : `overspent by ${formatDuration(-budget.remainingBadMs)} (${formatPercent(budget.consumedFraction, 0)} used of ${formatDuration(budget.allowedBadMs)})`;
  return (
    <div className="budget">
      <div className={`budget-bar budget-${budgetTone(r)}`} role="img" aria-label={`Error budget: ${text}`} data-testid={testId} data-remaining={String(r)}>
        <span className="budget-fill" style={{ width: `${width}%` }} />
      </div>
      <span className="budget-text">{text}</span>
    </div>
  );
}
