// URL state of a cluster's pages: the time range (?window=7d|28d|30d|90d, default 30d, or
// ?from=…&to=…), validated like the overview's (app/(overview)/search-params.ts).
import { parseRangeParams } from '../../(overview)/search-params';
import { rangeParams, type TimeRange } from '@/lib/slo/range';

export function parseClusterRange(raw: Record<string, string | string[] | undefined>, nowMs: number): { range: TimeRange; error: string | null } {
  return parseRangeParams(raw, nowMs);
}

/** The range as a query string ("window=30d" or "from=…&to=…"). */
export function rangeQuery(range: Pick<TimeRange, 'query'>): URLSearchParams {
  return new URLSearchParams(rangeParams(range));
}
