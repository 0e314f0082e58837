// Failover statistics per Lease: counts by kind and gap percentiles over the MEASURED gaps only
// (an `unobserved` takeover has no gap and is never averaged in as zero or as a guess).

export interface FailoverLike {
  lease: string;
  kind: string;
  gapMs: number | null;
}

export interface FailoverStats {
  lease: string;
  count: number;
  crash: number;
  graceful: number;
  unobserved: number;
  /** Number of events with a measured gap (the base of the percentiles). */
  measured: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

/** Nearest-rank percentile (p in (0,100]) of an ascending list; null for an empty list. */
export function percentile(sortedAsc: readonly number[], p: number): number | null {
  if (sortedAsc.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  const rank = Math.ceil((p / 100) * sortedAsc.length);
  return sortedAsc[Math.min(sortedAsc.length, Math.max(1, rank)) - 1]!;
}

/** Stats per lease, sorted by lease name. */
export function failoverStats(events: readonly FailoverLike[]): FailoverStats[] {
  const by = new Map<string, FailoverLike[]>();
  for (const e of events) by.set(e.lease, [...(by.get(e.lease) ?? []), e]);
  return [...by.keys()].sort().map((lease) => {
    const list = by.get(lease)!;
    const gaps = list.flatMap((e) => (e.gapMs === null || !Number.isFinite(e.gapMs) ? [] : [e.gapMs])).sort((a, b) => a - b);
    return {
      lease,
      count: list.length,
      crash: list.filter((e) => e.kind === 'crash').length,
      graceful: list.filter((e) => e.kind === 'graceful').length,
      unobserved: list.filter((e) => e.kind === 'unobserved').length,
      measured: gaps.length,
      p50Ms: percentile(gaps, 50),
      p95Ms: percentile(gaps, 95),
      maxMs: gaps.length ? gaps[gaps.length - 1]! : null,
    };
  });
}
