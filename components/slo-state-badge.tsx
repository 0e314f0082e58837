// SLO state pill: met / at risk / breached / insufficient data. Text, icon and border differ (not colour
// alone); "insufficient data" is grey and never looks like "met".
import { SLO_STATE_LABELS, type SloState } from '@/lib/slo/state';

const ICON: Record<SloState, string> = { met: '✓', 'at-risk': '!', breached: '✕', 'insufficient-data': '…' };

export function SloStateBadge({ state, testId = 'slo-state', title }: { state: SloState; testId?: string; title?: string }) {
  return (
    <span className={`slo-state slo-${state}`} data-state={state} data-testid={testId} title={title}>
      <span aria-hidden="true">{ICON[state]}</span>
      {SLO_STATE_LABELS[state]}
    </span>
  );
}
