// URL state of a cluster's pages: ?window=7d|28d|30d|90d (default 30d), validated like the overview's.
import { DASHBOARD_WINDOWS, type DashboardWindow } from '@/lib/data/dashboard';
import { DEFAULT_WINDOW, OverviewSearchParams } from '../../(overview)/search-params';

/** ?window= of a windowed page (`fallback` when it is missing or bad; a bad one is said in `error`). */
export function parseWindowParam(raw: Record<string, string | string[] | undefined>, fallback: DashboardWindow): { window: DashboardWindow; error: string | null } {
  const r = OverviewSearchParams.shape.window.safeParse(raw.window);
  if (!r.success) return { window: fallback, error: r.error.issues[0]?.message ?? 'invalid window' };
  return { window: r.data ?? fallback, error: null };
}

export const parseClusterWindow = (raw: Record<string, string | string[] | undefined>): { window: DashboardWindow; error: string | null } => parseWindowParam(raw, DEFAULT_WINDOW);

export function windowHrefs(base: string): Record<DashboardWindow, string> {
  return Object.fromEntries(DASHBOARD_WINDOWS.map((w) => [w, `${base}?window=${w}`])) as Record<DashboardWindow, string>;
}
