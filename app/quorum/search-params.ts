// URL state of "Quorum itself": ?window=7d|28d|30d|90d (default 7d), validated like the overview's.
import type { DashboardWindow } from '@/lib/data/dashboard';
import { OverviewSearchParams } from '../(overview)/search-params';

export const QUORUM_DEFAULT_WINDOW: DashboardWindow = '7d';

export function parseQuorumWindow(raw: Record<string, string | string[] | undefined>): { window: DashboardWindow; error: string | null } {
  const r = OverviewSearchParams.shape.window.safeParse(raw.window);
  if (!r.success) return { window: QUORUM_DEFAULT_WINDOW, error: r.error.issues[0]?.message ?? 'invalid window' };
  return { window: r.data ?? QUORUM_DEFAULT_WINDOW, error: null };
}
