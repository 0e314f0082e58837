import { statusLabel } from '@/lib/format';
import type { Status } from '@/lib/types';

const ICON: Record<Status | 'nodata', string> = {
  up: '●',
  degraded: '◐',
  down: '✕',
  unknown: '?',
  nodata: '○',
};

/** Status pill. `null` = no sample stored yet, which looks different from "unknown" and "down". */
export function StatusBadge({ status, testId }: { status: Status | null; testId?: string }) {
  const key = status ?? 'nodata';
  return (
    <span className={`status status-${key}`} data-status={key} data-testid={testId}>
      <span aria-hidden="true">{ICON[key]}</span>
      {statusLabel(status)}
    </span>
  );
}
