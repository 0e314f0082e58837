// Error-budget burn-down (pure): the budget left after each bucket of the range, ending with the exact
// evaluation. Values stay true ratios (negative = overspent by that share); charts clamp at 0 and say
// when the budget ran out (`exhaustedAtMs`), so no axis ever runs to −35,110 %.
import type { BucketPoint } from './buckets';

export interface BurnDownPoint {
  /** End of the bucket (ms), at most the end of the measured range. */
  t: number;
  /** Budget left as a share of the allowed bad time (1 untouched, 0 exhausted, negative overspent); null = no data in that bucket. */
  remaining: number | null;
}

export interface BurnDown {
  points: BurnDownPoint[];
  /** End of the first bucket after which nothing was left (null: never ran out). */
  exhaustedAtMs: number | null;
}

/**
 * points: the range's buckets in order (lib/slo/buckets.ts); allowedBadMs > 0 the budget of the whole
 * range; endMs the end of the measured part (now, or the range's end); finalRemaining the exact
 * evaluation's remainingFraction, appended at endMs so the chart ends where the budget figure is.
 */
export function burnDown(points: readonly BucketPoint[], opts: { allowedBadMs: number; bucketMs: number; endMs: number; finalRemaining: number }): BurnDown {
  if (!(opts.allowedBadMs > 0)) throw new RangeError(`burnDown: allowedBadMs must be > 0, got ${opts.allowedBadMs}`);
  const out: BurnDownPoint[] = [];
  let bad = 0;
  let exhaustedAtMs: number | null = null;
  for (const p of points) {
    bad += p.badMs;
    const t = Math.min(opts.endMs, Math.floor(p.startMs / opts.bucketMs) * opts.bucketMs + opts.bucketMs);
    const remaining = p.goodMs + p.badMs > 0 ? (opts.allowedBadMs - bad) / opts.allowedBadMs : null;
    if (exhaustedAtMs === null && remaining !== null && remaining <= 0) exhaustedAtMs = t;
    out.push({ t, remaining });
  }
  out.push({ t: opts.endMs, remaining: opts.finalRemaining });
  if (exhaustedAtMs === null && opts.finalRemaining <= 0) exhaustedAtMs = opts.endMs;
  return { points: out, exhaustedAtMs };
}
