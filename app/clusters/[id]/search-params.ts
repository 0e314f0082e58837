// URL state of a cluster's pages: the time range (?window=7d|28d|30d|90d, default 30d, or
// ?from=…&to=…), validated like the overview's (app/(overview)/search-params.ts).
import { OverviewSearchParams, parseRangeParams } from '../../(overview)/search-params';
import { rangeParams, type RangePreset, type TimeRange } from '@/lib/slo/range';

export function parseClusterRange(raw: Record<string, string | string[] | undefined>, nowMs: number): { range: TimeRange; error: string | null } {
  return parseRangeParams(raw, nowMs);
}

/** The range as a query string ("window=30d" or "from=…&to=…"). */
export function rangeQuery(range: Pick<TimeRange, 'query'>): URLSearchParams {
  return new URLSearchParams(rangeParams(range));
}

/** ?window= alone, for the pages that take presets only (`fallback` when missing or bad; a bad one is said in `error`). */
export function parseWindowParam(raw: Record<string, string | string[] | undefined>, fallback: RangePreset): { window: RangePreset; error: string | null } {
  const r = OverviewSearchParams.shape.window.safeParse(raw.window);
  if (!r.success) return { window: fallback, error: r.error.issues[0]?.message ?? 'invalid window' };
  return { window: r.data ?? fallback, error: null };
}
