// State timeline segments (lib/slo/state-timeline.ts): exact segments, maintenance, no data, bins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binSegments, exactSegments, stateTotals, type TimelineInterval } from '@/lib/slo';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 10, 30, 10);

const iv = (a: number, b: number, status: TimelineInterval['status'], reason: string): TimelineInterval => ({ startMs: T0 + a, endMs: T0 + b, status, reason });

test('exactSegments: clipped to the range, gaps are no data, touching pieces merge, maintenance drawn over', () => {
  const intervals = [
    iv(-HOUR, 10 * MIN, 'up', 'ok'),
    iv(10 * MIN, 20 * MIN, 'up', 'ok'), // same state and reason: merged
    iv(20 * MIN, 27 * MIN, 'down', 'readyz failed: etcd'),
    iv(27 * MIN, 30 * MIN, 'up', 'ok'),
    // 30–35 min: no sample spoke for it (the collector was stopped)
    iv(35 * MIN, 2 * HOUR, 'unknown', '401 unauthorized'),
  ];
  const range = { startMs: T0, endMs: T0 + HOUR };
  const segs = exactSegments(intervals, range, [{ startMs: T0 + 40 * MIN, endMs: T0 + 45 * MIN, title: 'upgrade' }]);
  assert.deepEqual(
    segs.map((s) => [(s.startMs - T0) / MIN, (s.endMs - T0) / MIN, s.state, s.reason]),
    [
      [0, 20, 'up', 'ok'],
      [20, 27, 'down', 'readyz failed: etcd'],
      [27, 30, 'up', 'ok'],
      [30, 35, 'nodata', null],
      [35, 40, 'unknown', '401 unauthorized'],
      [40, 45, 'maintenance', 'upgrade'],
      [45, 60, 'unknown', '401 unauthorized'],
    ],
  );
  const t = stateTotals(segs);
  assert.deepEqual(t, { up: 23 * MIN, degraded: 0, down: 7 * MIN, unknown: 20 * MIN, maintenance: 5 * MIN, nodata: 5 * MIN });
  assert.equal(Object.values(t).reduce((a, b) => a + b, 0), HOUR, 'the segments cover the range exactly');
  assert.deepEqual(exactSegments([], range).map((s) => s.state), ['nodata']);
  assert.deepEqual(exactSegments(intervals, { startMs: T0, endMs: T0 }), []);
});

test('binSegments: the worst state of each bin (a short outage stays visible), breakdown kept, equal bins merge', () => {
  // 30 days of "up" with one 10-second outage and 1 minute of unknown.
  const D = 86_400_000;
  const range = { startMs: T0, endMs: T0 + 30 * D };
  const segs = exactSegments(
    [iv(0, 12 * D, 'up', 'ok'), iv(12 * D, 12 * D + 10 * S, 'down', 'readyz failed: etcd'), iv(12 * D + 10 * S, 20 * D, 'up', 'ok'), iv(20 * D, 20 * D + MIN, 'unknown', 'timeout'), iv(20 * D + MIN, 30 * D, 'up', 'ok')],
    range,
  );
  assert.equal(binSegments(segs, range, 10).length, 5, 'five exact segments fit in 10: unchanged');
  const bins = binSegments(segs, range, 3);
  // Bins of 10 days: [0,10) up, [10,20) down (10 s), [20,30) unknown (1 min).
  assert.deepEqual(
    bins.map((b) => [(b.startMs - T0) / D, (b.endMs - T0) / D, b.state, b.reason]),
    [
      [0, 10, 'up', 'ok'],
      [10, 20, 'down', 'readyz failed: etcd'],
      [20, 30, 'unknown', 'timeout'],
    ],
  );
  assert.deepEqual(bins[1]!.breakdown, { up: 10 * D - 10 * S, down: 10 * S });
  assert.deepEqual(stateTotals(bins), stateTotals(segs), 'binning loses no time');
  // Neighbouring bins of one state merge into one segment (with the breakdown summed).
  const upOnly = binSegments(exactSegments([iv(0, D, 'up', 'ok'), iv(D, D + 1, 'up', 'ok (x)')], { startMs: T0, endMs: T0 + 2 * D }), { startMs: T0, endMs: T0 + 2 * D }, 1);
  assert.deepEqual(upOnly.map((b) => [b.state, b.breakdown]), [['nodata', { up: D + 1, nodata: D - 1 }]]);
  assert.throws(() => binSegments(segs, range, 0), RangeError);
});
