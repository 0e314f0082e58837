// Exact values for lib/slo/timeline.ts, lib/slo/policy.ts, lib/slo/evaluate.ts, report periods and floorRatio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floorRatio } from '@/lib/slo/availability';
import { evaluateSlo } from '@/lib/slo/evaluate';
import { COMPOSITE_COMPONENT, DEFAULT_SLO_POLICY, componentId, expandMaintenance, resolvePolicy } from '@/lib/slo/policy';
import { SloInputError } from '@/lib/slo/errors';
import { currentReportPeriod, formatReportPeriod, parseReportPeriod, reportPeriodBounds, reportPeriodLabel } from '@/lib/slo/targets';
import {
  DAY_BUCKET_MS, HOUR_BUCKET_MS, advanceSeries, bucketize, clipToRanges, measureSpans, mergeRanges, openTail, planRanges, reasonKey, subtractRanges, totalMs, type TimelineSample,
} from '@/lib/slo/timeline';
import type { Status } from '@/lib/types';

const S = 1000;
const MIN = 60 * S;
const H = HOUR_BUCKET_MS;
const D = DAY_BUCKET_MS;
const smp = (t: number, status: Status, reason = status === 'up' ? 'ok' : 'bad', latencyMs: number | null = null): TimelineSample => ({ t, status, reason, latencyMs });

test('floorRatio: integer math, 0.9993 stays 0.9993 (the float quotient was 0.999299)', () => {
  assert.equal(floorRatio(9993, 10_000), 0.9993);
  assert.equal(floorRatio(99_930, 100_000), 0.9993);
  assert.equal(floorRatio(82_100_000, 82_520_000), 0.99491);
  assert.equal(floorRatio(1, 3), 0.333333);
  assert.equal(floorRatio(-1, 3), -0.333334); // floors towards −∞
  assert.equal(floorRatio(0.5, 1.5), 0.333333); // non-integers: float path
  assert.equal(floorRatio(0.9993, 1), 0.9993); // float path corrected by one unit
  assert.throws(() => floorRatio(1, 0), RangeError);
  assert.throws(() => floorRatio(Number.NaN, 1), RangeError);
});

test('reasonKey masks numbers so renew ages do not split intervals', () => {
  assert.equal(reasonKey('held by a, renewed 1.2 s ago (lease 15 s)'), 'held by a, renewed # s ago (lease # s)');
  assert.equal(reasonKey('readyz failed: etcd'), 'readyz failed: etcd');
});

test('advanceSeries: spans until the next sample, capped; coalesced intervals; the last sample stays open', () => {
  const r = advanceSeries(null, [smp(0, 'up'), smp(10 * S, 'up'), smp(20 * S, 'down', 'readyz failed: etcd'), smp(30 * S, 'up'), smp(100 * S, 'up'), smp(110 * S, 'up')], 30 * S);
  assert.deepEqual(r.spans, [
    { startMs: 0, endMs: 10 * S, status: 'up' },
    { startMs: 10 * S, endMs: 20 * S, status: 'up' },
    { startMs: 20 * S, endMs: 30 * S, status: 'down' },
    { startMs: 30 * S, endMs: 60 * S, status: 'up' }, // 70 s gap: only 30 s attributed
    { startMs: 100 * S, endMs: 110 * S, status: 'up' },
  ]);
  assert.deepEqual(r.intervals, [
    { startMs: 0, endMs: 20 * S, status: 'up', reason: 'ok', samples: 2 },
    { startMs: 20 * S, endMs: 30 * S, status: 'down', reason: 'readyz failed: etcd', samples: 1 },
    { startMs: 30 * S, endMs: 60 * S, status: 'up', reason: 'ok', samples: 1 }, // a gap beyond the cap ends an interval
    { startMs: 100 * S, endMs: 110 * S, status: 'up', reason: 'ok', samples: 2 }, // open: attributed up to the last sample
  ]);
  assert.deepEqual(r.cursor, { lastAtMs: 110 * S, lastStatus: 'up', openStartMs: 100 * S, openReason: 'ok', openSamples: 2 });
  assert.equal(r.late, 0);
});

test('advanceSeries continues from a cursor: extends the open interval, late samples are counted and skipped', () => {
  const cursor = { lastAtMs: 110 * S, lastStatus: 'up' as const, openStartMs: 100 * S, openReason: 'ok', openSamples: 2 };
  const r = advanceSeries(cursor, [smp(120 * S, 'up'), smp(105 * S, 'down'), smp(110 * S, 'up')], 30 * S);
  assert.equal(r.late, 2);
  assert.deepEqual(r.spans, [{ startMs: 110 * S, endMs: 120 * S, status: 'up' }]);
  assert.deepEqual(r.intervals, [{ startMs: 100 * S, endMs: 120 * S, status: 'up', reason: 'ok', samples: 3 }]);
  assert.throws(() => advanceSeries(null, [], 30 * S), RangeError);
  assert.throws(() => advanceSeries(null, [smp(0, 'up')], 0), RangeError);
});

test('openTail: the last sample speaks until min(last + cap, now)', () => {
  assert.deepEqual(openTail({ lastAtMs: 100, lastStatus: 'down' }, 30, 115), { startMs: 100, endMs: 115, status: 'down' });
  assert.deepEqual(openTail({ lastAtMs: 100, lastStatus: 'up' }, 30, 1000), { startMs: 100, endMs: 130, status: 'up' });
  assert.equal(openTail({ lastAtMs: 100, lastStatus: 'up' }, 30, 100), null);
});

test('bucketize splits spans at hour boundaries and counts samples and latency by sample time', () => {
  const spans = [{ startMs: H - 20 * S, endMs: H + 10 * S, status: 'down' as const }, { startMs: H + 10 * S, endMs: H + 20 * S, status: 'unknown' as const }];
  const b = bucketize(spans, [smp(H - 20 * S, 'down', 'x', 40), smp(H + 10 * S, 'unknown', 'x', null), smp(H + 20 * S, 'up', 'ok', 12)], H);
  assert.deepEqual(b, [
    { bucketStartMs: 0, goodMs: 0, badMs: 20 * S, unknownMs: 0, samples: 1, badSamples: 1, latencyCount: 1, latencySumMs: 40, latencyMinMs: 40, latencyMaxMs: 40 },
    { bucketStartMs: H, goodMs: 0, badMs: 10 * S, unknownMs: 10 * S, samples: 2, badSamples: 0, latencyCount: 1, latencySumMs: 12, latencyMinMs: 12, latencyMaxMs: 12 },
  ]);
  assert.equal(bucketize(spans, [], D)[0]!.badMs, 30 * S);
});

test('ranges: merge, subtract, clip, total, measure', () => {
  assert.deepEqual(mergeRanges([{ startMs: 5, endMs: 8 }, { startMs: 0, endMs: 2 }, { startMs: 2, endMs: 4 }, { startMs: 7, endMs: 9 }, { startMs: 3, endMs: 3 }]), [{ startMs: 0, endMs: 4 }, { startMs: 5, endMs: 9 }]);
  assert.deepEqual(subtractRanges({ startMs: 0, endMs: 100 }, [{ startMs: 10, endMs: 20 }, { startMs: 90, endMs: 120 }, { startMs: -5, endMs: 2 }]), [{ startMs: 2, endMs: 10 }, { startMs: 20, endMs: 90 }]);
  assert.deepEqual(clipToRanges({ startMs: 5, endMs: 25 }, [{ startMs: 0, endMs: 10 }, { startMs: 20, endMs: 30 }]), [{ startMs: 5, endMs: 10 }, { startMs: 20, endMs: 25 }]);
  assert.equal(totalMs([{ startMs: 2, endMs: 10 }, { startMs: 20, endMs: 90 }]), 78);
  assert.deepEqual(measureSpans([{ startMs: 0, endMs: 50, status: 'up' }, { startMs: 50, endMs: 60, status: 'down' }, { startMs: 60, endMs: 70, status: 'unknown' }], [{ startMs: 5, endMs: 55 }, { startMs: 65, endMs: 100 }]), { goodMs: 45, badMs: 5, unknownMs: 5 });
});

test('planRanges: whole days, whole hours, sub-hour edges', () => {
  const a = 10 * H + 20 * MIN;
  const b = D + 3 * H + 5 * MIN;
  assert.deepEqual(planRanges([{ startMs: a, endMs: b }]), {
    days: [],
    hours: [{ startMs: 11 * H, endMs: D + 3 * H }], // no whole day inside: one run of hours
    edges: [{ startMs: a, endMs: 11 * H }, { startMs: D + 3 * H, endMs: b }],
  });
  assert.deepEqual(planRanges([{ startMs: 5 * MIN, endMs: 3 * D + H }]), {
    days: [{ startMs: D, endMs: 3 * D }],
    hours: [{ startMs: H, endMs: D }, { startMs: 3 * D, endMs: 3 * D + H }],
    edges: [{ startMs: 5 * MIN, endMs: H }],
  });
  assert.deepEqual(planRanges([{ startMs: 10 * MIN, endMs: 20 * MIN }]), { days: [], hours: [], edges: [{ startMs: 10 * MIN, endMs: 20 * MIN }] });
});

test('componentId and resolvePolicy: component override, probe override, cluster default, built-in 99.9 % / 30 d', () => {
  assert.equal(componentId('apiserver-readyz', 'endpoint'), 'apiserver-readyz');
  assert.equal(componentId('leader-election', 'kube-scheduler'), 'leader-election/kube-scheduler');
  assert.deepEqual(DEFAULT_SLO_POLICY, { component: '*', objective: 0.999, window: '30d' });
  assert.deepEqual(resolvePolicy([], COMPOSITE_COMPONENT), { component: 'control-plane', objective: 0.999, window: '30d', source: 'built-in', coverageFloor: 0.75 });
  const pols = [
    { component: '*', objective: 0.995, window: 'month' as const },
    { component: 'dns', objective: 0.99, window: '7d' as const },
    { component: 'leader-election/kube-scheduler', objective: 0.9, window: '28d' as const },
  ];
  assert.deepEqual(resolvePolicy(pols, 'control-plane'), { component: 'control-plane', objective: 0.995, window: 'month', source: 'cluster', coverageFloor: 0.75 });
  assert.deepEqual(resolvePolicy(pols, 'dns/kube-dns'), { component: 'dns/kube-dns', objective: 0.99, window: '7d', source: 'component', coverageFloor: 0.75 });
  assert.deepEqual(resolvePolicy(pols, 'leader-election/kube-scheduler'), { component: 'leader-election/kube-scheduler', objective: 0.9, window: '28d', source: 'component', coverageFloor: 0.75 });
  assert.throws(() => resolvePolicy([{ component: '*', objective: 1, window: '30d' }], 'x'), SloInputError);
});

test('expandMaintenance: one-off clipped, weekly over a month, daily until, merged', () => {
  const oct = { startMs: Date.UTC(2026, 9, 1), endMs: Date.UTC(2026, 10, 1) };
  // Every Tuesday 02:00–03:00 UTC from 2026-09-01 (a Tuesday): 4 Tuesdays in October 2026 (6, 13, 20, 27).
  const weekly = expandMaintenance([{ startMs: Date.UTC(2026, 8, 1, 2), durationMs: H, recurrence: 'weekly', untilMs: null }], oct);
  assert.deepEqual(weekly.map((r) => new Date(r.startMs).toISOString()), ['2026-10-06T02:00:00.000Z', '2026-10-13T02:00:00.000Z', '2026-10-20T02:00:00.000Z', '2026-10-27T02:00:00.000Z']);
  assert.equal(totalMs(weekly), 4 * H);
  // One-off across the start of the range is clipped; daily windows stop at untilMs; overlaps merge.
  const r = expandMaintenance(
    [
      { startMs: oct.startMs - H, durationMs: 2 * H, recurrence: 'none', untilMs: null },
      { startMs: oct.startMs + 30 * MIN, durationMs: H, recurrence: 'daily', untilMs: oct.startMs + 2 * D },
    ],
    oct,
  );
  assert.deepEqual(r, [{ startMs: oct.startMs, endMs: oct.startMs + 90 * MIN }, { startMs: oct.startMs + D + 30 * MIN, endMs: oct.startMs + D + 90 * MIN }]);
  assert.throws(() => expandMaintenance([{ startMs: 0, durationMs: 2 * D, recurrence: 'daily', untilMs: null }], oct), SloInputError);
  assert.throws(() => expandMaintenance([{ startMs: 0, durationMs: 0, recurrence: 'none', untilMs: null }], oct), SloInputError);
});

test('evaluateSlo: maintenance and unknown out of the denominator, budget from measured time', () => {
  const e = evaluateSlo({ objective: 0.99, windowMs: 31 * D, elapsedMs: 31 * D, maintenanceMs: 3600 * S, measured: { goodMs: 82_100 * S, badMs: 420 * S } });
  assert.equal(e.availability, 0.99491);
  assert.equal(e.coverage, 0.03085);
  assert.equal(e.unknownMs, (31 * 86_400 - 3600 - 82_520) * S);
  assert.equal(e.budget.allowedBadMs, 825_200);
  assert.equal(e.budget.remainingBadMs, 405_200);
  assert.equal(e.meetsObjective, true);
  const none = evaluateSlo({ objective: 0.999, windowMs: 30 * D, elapsedMs: 10 * D, maintenanceMs: 0, measured: { goodMs: 0, badMs: 0 } });
  assert.deepEqual([none.availability, none.coverage, none.meetsObjective, none.budget.allowedBadMs], [null, 0, null, 2_592_000]);
  const over = evaluateSlo({ objective: 0.999, windowMs: 30 * D, elapsedMs: 30 * D, maintenanceMs: 0, measured: { goodMs: 30 * D - 3 * MIN, badMs: 3 * MIN } });
  assert.equal(over.meetsObjective, true); // 3 min < 43.2 min
  assert.throws(() => evaluateSlo({ objective: 0.999, windowMs: D, elapsedMs: D, maintenanceMs: 2 * D, measured: { goodMs: 0, badMs: 0 } }), SloInputError);
  assert.throws(() => evaluateSlo({ objective: 0.999, windowMs: D, elapsedMs: D, maintenanceMs: H, measured: { goodMs: D, badMs: 0 } }), SloInputError);
});

test('report periods: parse, format, label, bounds, current', () => {
  assert.deepEqual(parseReportPeriod('2026-10'), { kind: 'month', year: 2026, index: 10 });
  assert.deepEqual(parseReportPeriod('2026-q4'), { kind: 'quarter', year: 2026, index: 4 });
  assert.throws(() => parseReportPeriod('2026-13'), SloInputError);
  assert.throws(() => parseReportPeriod('Q4'), SloInputError);
  assert.equal(formatReportPeriod({ kind: 'month', year: 2026, index: 3 }), '2026-03');
  assert.equal(formatReportPeriod({ kind: 'quarter', year: 2026, index: 4 }), '2026-Q4');
  assert.equal(reportPeriodLabel({ kind: 'month', year: 2026, index: 10 }), 'October 2026');
  assert.equal(reportPeriodLabel({ kind: 'quarter', year: 2026, index: 4 }), 'Q4 2026 (October–December)');
  assert.deepEqual(reportPeriodBounds({ kind: 'quarter', year: 2024, index: 1 }), { startMs: Date.UTC(2024, 0, 1), endMs: Date.UTC(2024, 3, 1), durationMs: 91 * D });
  assert.deepEqual(currentReportPeriod('quarter', new Date(Date.UTC(2026, 10, 5))), { kind: 'quarter', year: 2026, index: 4 });
  assert.deepEqual(currentReportPeriod('month', new Date(Date.UTC(2026, 10, 5))), { kind: 'month', year: 2026, index: 11 });
});
