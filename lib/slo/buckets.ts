// Time buckets of charts, sparklines and the fleet heatmap (pure). The read path (lib/data/dashboard.ts
// measureBuckets) fetches hourly or daily rollup rows and the exact good/bad time of the buckets that
// rollups cannot answer; this file decides which those are and adds everything up.
//
// A grid is [first, first + count × bucketMs), epoch-aligned (UTC hours / days), cut to the range
// [startMs, endMs): the first bucket may start before the range and the last one end after it; both are
// measured exactly (rollups hold whole buckets), as is every bucket that touches maintenance (which is
// neither good nor bad time). A series' open tail (its last sample's span, not yet in any rollup) lands
// in the buckets it overlaps.
import { floorRatio } from './availability';
import { clipToRanges, measureSpans, type Range, type Span, type TimeTotals } from './timeline';
import { DAY_MS, HOUR_MS } from './units';

/** One bucket: measured good/bad time outside maintenance, availability floored (null = no data). */
export interface BucketPoint {
  /** Start of the bucket's part inside the range. */
  startMs: number;
  goodMs: number;
  badMs: number;
  availability: number | null;
  /** Mean and max probe latency of the samples in the whole bucket (rollups), null without latency. */
  latencyAvgMs: number | null;
  latencyMaxMs: number | null;
}

export interface BucketGrid {
  /** Range measured: [startMs, endMs) with endMs ≤ now. */
  startMs: number;
  endMs: number;
  bucketMs: number;
  /** Epoch-aligned start of bucket 0 (≤ startMs). */
  firstMs: number;
  count: number;
}

/** The grid over [startMs, endMs); bucketMs a whole number of hours. Empty (count 0) when endMs ≤ startMs. */
export function bucketGrid(startMs: number, endMs: number, bucketMs: number): BucketGrid {
  if (!(Number.isInteger(bucketMs) && bucketMs > 0 && bucketMs % HOUR_MS === 0)) throw new RangeError(`bucketMs must be whole hours, got ${bucketMs}`);
  const firstMs = Math.floor(startMs / bucketMs) * bucketMs;
  const count = endMs > startMs ? Math.ceil((endMs - firstMs) / bucketMs) : 0;
  return { startMs, endMs, bucketMs, firstMs, count };
}

/** Which rollup table answers whole buckets of this width. */
export function rollupTableFor(bucketMs: number): 'RollupDay' | 'RollupHour' {
  return bucketMs % DAY_MS === 0 ? 'RollupDay' : 'RollupHour';
}

/** Bucket k's part inside the range. */
export function bucketRange(g: BucketGrid, k: number): Range {
  return { startMs: Math.max(g.startMs, g.firstMs + k * g.bucketMs), endMs: Math.min(g.endMs, g.firstMs + (k + 1) * g.bucketMs) };
}

/** Index of the bucket holding t, or -1 outside the grid. */
export function bucketIndex(g: BucketGrid, tMs: number): number {
  const k = Math.floor((tMs - g.firstMs) / g.bucketMs);
  return k >= 0 && k < g.count ? k : -1;
}

/**
 * Buckets rollups cannot answer: cut by the range at either end, or touching maintenance. A last
 * bucket cut at `nowMs` (no data after it yet) needs no re-measure: its rollups plus the tail are exact.
 */
export function bucketsToMeasureExactly(g: BucketGrid, maintenance: readonly Range[], nowMs = Infinity): number[] {
  const out: number[] = [];
  for (let k = 0; k < g.count; k++) {
    const whole = { startMs: g.firstMs + k * g.bucketMs, endMs: g.firstMs + (k + 1) * g.bucketMs };
    const partial = whole.startMs < g.startMs || (whole.endMs > g.endMs && g.endMs < nowMs);
    if (partial || clipToRanges(bucketRange(g, k), maintenance).length > 0) out.push(k);
  }
  return out;
}

/** A rollup row as read (one series, one hour or day). */
export interface RollupCell {
  bucketStartMs: number;
  goodMs: number;
  badMs: number;
  latencyCount: number;
  latencySumMs: number;
  latencyMaxMs: number | null;
}

interface Acc extends TimeTotals {
  latencyCount: number;
  latencySumMs: number;
  latencyMaxMs: number | null;
}

/**
 * Adds everything up for one series: rollup rows into their buckets, the open tail, then the exact
 * totals of re-measured buckets replace what rollups and tail said there (`exact` already includes the
 * tail). Latency is the rollups' (of the whole bucket, also where the time was re-measured).
 */
export function assembleBuckets(g: BucketGrid, rows: readonly RollupCell[], tail: Span | null, exact: ReadonlyMap<number, TimeTotals>): BucketPoint[] {
  const acc: Acc[] = Array.from({ length: g.count }, () => ({ goodMs: 0, badMs: 0, unknownMs: 0, latencyCount: 0, latencySumMs: 0, latencyMaxMs: null }));
  for (const r of rows) {
    const k = bucketIndex(g, r.bucketStartMs);
    if (k < 0) continue;
    const a = acc[k]!;
    a.goodMs += r.goodMs;
    a.badMs += r.badMs;
    a.latencyCount += r.latencyCount;
    a.latencySumMs += r.latencySumMs;
    if (r.latencyMaxMs !== null) a.latencyMaxMs = Math.max(a.latencyMaxMs ?? 0, r.latencyMaxMs);
  }
  if (tail) {
    for (let k = Math.max(0, bucketIndex(g, Math.max(tail.startMs, g.firstMs))); k >= 0 && k < g.count && g.firstMs + k * g.bucketMs < tail.endMs; k++) {
      const t = measureSpans([tail], [bucketRange(g, k)]);
      acc[k]!.goodMs += t.goodMs;
      acc[k]!.badMs += t.badMs;
    }
  }
  for (const [k, t] of exact) {
    const a = acc[k];
    if (!a) continue;
    a.goodMs = t.goodMs;
    a.badMs = t.badMs;
  }
  return acc.map((a, k) => ({
    startMs: bucketRange(g, k).startMs,
    goodMs: a.goodMs,
    badMs: a.badMs,
    availability: a.goodMs + a.badMs > 0 ? floorRatio(a.goodMs, a.goodMs + a.badMs) : null,
    latencyAvgMs: a.latencyCount > 0 ? a.latencySumMs / a.latencyCount : null,
    latencyMaxMs: a.latencyCount > 0 ? a.latencyMaxMs : null,
  }));
}

/** The SLO windows' own bucket widths (about 30 points for a sparkline, 90–170 for a chart). */
const PRESET_BUCKETS: Record<number, { sparkline: number; chart: number }> = {
  [7 * DAY_MS]: { sparkline: 6 * HOUR_MS, chart: HOUR_MS },
  [28 * DAY_MS]: { sparkline: DAY_MS, chart: 6 * HOUR_MS },
  [30 * DAY_MS]: { sparkline: DAY_MS, chart: 6 * HOUR_MS },
  [90 * DAY_MS]: { sparkline: DAY_MS, chart: DAY_MS },
};

const WIDTHS = [1, 2, 3, 6, 12, 24, 48, 72, 168].map((h) => h * HOUR_MS);

/**
 * Bucket width for a range: the presets' own widths for 7/28/30/90 days, else the narrowest whole-hour
 * width that keeps at most `maxPoints` buckets (30 for sparklines, 170 for charts).
 */
export function chooseBucketMs(rangeMs: number, purpose: 'sparkline' | 'chart' | 'heatmap'): number {
  if (purpose === 'heatmap') return rangeMs >= 7 * DAY_MS ? DAY_MS : rangeMs >= 2 * DAY_MS ? 6 * HOUR_MS : HOUR_MS;
  const preset = PRESET_BUCKETS[rangeMs];
  if (preset) return preset[purpose];
  const maxPoints = purpose === 'sparkline' ? 30 : 170;
  return WIDTHS.find((w) => Math.ceil(rangeMs / w) <= maxPoints) ?? WIDTHS.at(-1)!;
}

/** "UTC day", "hour", "6 h". */
export function bucketLabel(bucketMs: number): string {
  if (bucketMs === DAY_MS) return 'UTC day';
  if (bucketMs % DAY_MS === 0) return `${bucketMs / DAY_MS} UTC days`;
  return bucketMs === HOUR_MS ? 'hour' : `${bucketMs / HOUR_MS} h`;
}
