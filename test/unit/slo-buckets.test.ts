// Bucket grid, exact re-measure choice, assembly and burn-down (lib/slo/buckets.ts, burn-down.ts): exact values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleBuckets, bucketGrid, bucketIndex, bucketLabel, bucketRange, bucketsToMeasureExactly, burnDown, chooseBucketMs, rollupTableFor } from '@/lib/slo';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 9, 10);

test('bucketGrid: epoch-aligned, cut to the range at both ends', () => {
  const g = bucketGrid(T0 + 10 * MIN, T0 + 3 * HOUR + 5 * MIN, HOUR);
  assert.deepEqual(g, { startMs: T0 + 10 * MIN, endMs: T0 + 3 * HOUR + 5 * MIN, bucketMs: HOUR, firstMs: T0, count: 4 });
  assert.deepEqual(bucketRange(g, 0), { startMs: T0 + 10 * MIN, endMs: T0 + HOUR });
  assert.deepEqual(bucketRange(g, 3), { startMs: T0 + 3 * HOUR, endMs: T0 + 3 * HOUR + 5 * MIN });
  assert.equal(bucketIndex(g, T0 + 2 * HOUR), 2);
  assert.equal(bucketIndex(g, T0 + 4 * HOUR), -1);
  assert.equal(bucketGrid(T0, T0, HOUR).count, 0);
  assert.throws(() => bucketGrid(T0, T0 + DAY, 30 * MIN), RangeError);
  assert.equal(rollupTableFor(DAY), 'RollupDay');
  assert.equal(rollupTableFor(6 * HOUR), 'RollupHour');
  // Partial first and last buckets, and the one touching maintenance, are re-measured exactly.
  assert.deepEqual(bucketsToMeasureExactly(g, [{ startMs: T0 + HOUR + 30 * MIN, endMs: T0 + HOUR + 40 * MIN }]), [0, 1, 3]);
  assert.deepEqual(bucketsToMeasureExactly(bucketGrid(T0, T0 + 2 * HOUR, HOUR), []), []);
  // Cut at now: nothing after it is stored yet, rollups + the open tail are exact.
  assert.deepEqual(bucketsToMeasureExactly(g, [], T0 + 3 * HOUR + 5 * MIN), [0]);
});

test('assembleBuckets: rollups, the open tail and exact buckets add up; latency from rollups', () => {
  const g = bucketGrid(T0 + 30 * MIN, T0 + 3 * HOUR, HOUR);
  const rows = [
    { bucketStartMs: T0, goodMs: 60 * MIN, badMs: 0, latencyCount: 360, latencySumMs: 3600, latencyMaxMs: 12 },
    { bucketStartMs: T0 + HOUR, goodMs: 53 * MIN, badMs: 7 * MIN, latencyCount: 360, latencySumMs: 7200, latencyMaxMs: 90 },
    { bucketStartMs: T0 + 5 * HOUR, goodMs: 1, badMs: 1, latencyCount: 1, latencySumMs: 1, latencyMaxMs: 1 }, // outside: ignored
  ];
  // The open tail: the last sample at 02:59:50 speaks until 03:00:00 (now) — 10 s of down time.
  const tail = { startMs: T0 + 3 * HOUR - 10_000, endMs: T0 + 3 * HOUR, status: 'down' as const };
  const exact = new Map([[0, { goodMs: 30 * MIN, badMs: 0, unknownMs: 0 }]]);
  const pts = assembleBuckets(g, rows, tail, exact);
  assert.deepEqual(pts, [
    { startMs: T0 + 30 * MIN, goodMs: 30 * MIN, badMs: 0, availability: 1, latencyAvgMs: 10, latencyMaxMs: 12 },
    { startMs: T0 + HOUR, goodMs: 53 * MIN, badMs: 7 * MIN, availability: 0.883333, latencyAvgMs: 20, latencyMaxMs: 90 },
    { startMs: T0 + 2 * HOUR, goodMs: 0, badMs: 10_000, availability: 0, latencyAvgMs: null, latencyMaxMs: null },
  ]);
});

test('chooseBucketMs: the presets keep their widths; other ranges get ≤ 30 / 170 points', () => {
  assert.equal(chooseBucketMs(7 * DAY, 'sparkline'), 6 * HOUR);
  assert.equal(chooseBucketMs(7 * DAY, 'chart'), HOUR);
  assert.equal(chooseBucketMs(30 * DAY, 'sparkline'), DAY);
  assert.equal(chooseBucketMs(30 * DAY, 'chart'), 6 * HOUR);
  assert.equal(chooseBucketMs(90 * DAY, 'chart'), DAY);
  assert.equal(chooseBucketMs(6 * HOUR, 'chart'), HOUR);
  assert.equal(chooseBucketMs(3 * DAY, 'sparkline'), 3 * HOUR);
  assert.equal(chooseBucketMs(14 * DAY, 'chart'), 2 * HOUR);
  assert.equal(chooseBucketMs(400 * DAY, 'chart'), 72 * HOUR);
  assert.equal(chooseBucketMs(30 * DAY, 'heatmap'), DAY);
  assert.equal(chooseBucketMs(3 * DAY, 'heatmap'), 6 * HOUR);
  assert.equal(chooseBucketMs(HOUR, 'heatmap'), HOUR);
  assert.equal(bucketLabel(DAY), 'UTC day');
  assert.equal(bucketLabel(HOUR), 'hour');
  assert.equal(bucketLabel(6 * HOUR), '6 h');
});

test('burnDown: remaining after each bucket, gaps without data, ends at the exact figure, says when it ran out', () => {
  const p = (startMs: number, goodMs: number, badMs: number) => ({ startMs, goodMs, badMs, availability: null, latencyAvgMs: null, latencyMaxMs: null });
  const points = [p(T0, 0, 0), p(T0 + HOUR, 3_000_000, 60_000), p(T0 + 2 * HOUR, 3_540_000, 60_000), p(T0 + 3 * HOUR, 1_000_000, 0)];
  const b = burnDown(points, { allowedBadMs: 100_000, bucketMs: HOUR, endMs: T0 + 3 * HOUR + 30 * MIN, finalRemaining: -0.2 });
  assert.deepEqual(b.points, [
    { t: T0 + HOUR, remaining: null },
    { t: T0 + 2 * HOUR, remaining: 0.4 },
    { t: T0 + 3 * HOUR, remaining: -0.2 },
    { t: T0 + 3 * HOUR + 30 * MIN, remaining: -0.2 },
    { t: T0 + 3 * HOUR + 30 * MIN, remaining: -0.2 },
  ]);
  assert.equal(b.exhaustedAtMs, T0 + 3 * HOUR);
  assert.equal(burnDown([], { allowedBadMs: 1, bucketMs: HOUR, endMs: T0, finalRemaining: 1 }).exhaustedAtMs, null);
  assert.throws(() => burnDown(points, { allowedBadMs: 0, bucketMs: HOUR, endMs: T0, finalRemaining: 1 }), RangeError);
});
