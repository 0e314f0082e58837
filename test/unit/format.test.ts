import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readinessOf, toChartPoints, toStatusSlots } from '@/components/chart-points';
import { formatAge, formatAvailability, formatCoverage, formatLatency, formatTime, statusLabel } from '@/lib/format';

test('formatAvailability floors to hundredths and never shows 100 % for a shortfall', () => {
  const cases: Array<[number | null, string]> = [
    [null, '—'],
    [Number.NaN, '—'],
    [1, '100.00 %'],
    [0, '0.00 %'],
    [0.9993, '99.93 %'],
    [0.99999, '99.99 %'],
    [0.999999999, '99.99 %'],
    [0.5, '50.00 %'],
    [0.12345, '12.34 %'],
    [1.2, '100.00 %'],
    [-0.1, '0.00 %'],
  ];
  for (const [input, expected] of cases) assert.equal(formatAvailability(input), expected, String(input));
});

test('formatCoverage floors to whole percent and shows a sliver as "< 1 %"', () => {
  assert.equal(formatCoverage(null), '—');
  assert.equal(formatCoverage(0), '0 %');
  assert.equal(formatCoverage(0.004), '< 1 %');
  assert.equal(formatCoverage(0.999), '99 %');
  assert.equal(formatCoverage(1), '100 %');
});

test('formatLatency, formatTime, formatAge, statusLabel', () => {
  assert.equal(formatLatency(null), '—');
  assert.equal(formatLatency(4.04), '4.0 ms');
  assert.equal(formatLatency(123.6), '124 ms');
  assert.equal(formatLatency(12_345), '12.3 s');
  assert.equal(formatTime('2026-11-26T19:05:03.120Z'), '2026-11-26 19:05:03 UTC');
  assert.equal(formatTime('not a date'), '—');
  const now = Date.parse('2026-11-26T20:00:00Z');
  assert.equal(formatAge('2026-11-26T19:59:48Z', now), '12 s ago');
  assert.equal(formatAge('2026-11-26T19:55:00Z', now), '5 min ago');
  assert.equal(formatAge('2026-11-26T17:00:00Z', now), '3 h ago');
  assert.equal(formatAge('2026-11-23T20:00:00Z', now), '3 d ago');
  assert.equal(formatAge(null, now), '—');
  assert.equal(statusLabel(null), 'no data yet');
  assert.equal(statusLabel('down'), 'down');
});

test('toChartPoints sorts, keeps small series, buckets large ones by worst status and max latency', () => {
  const pts = toChartPoints([
    { t: '2026-11-26T00:00:10Z', status: 'down', latencyMs: null },
    { t: '2026-11-26T00:00:00Z', status: 'up', latencyMs: 5 },
  ]);
  assert.deepEqual(pts, [
    { t: Date.parse('2026-11-26T00:00:00Z'), status: 'up', latencyMs: 5, readiness: 1 },
    { t: Date.parse('2026-11-26T00:00:10Z'), status: 'down', latencyMs: null, readiness: 0 },
  ]);
  const many = Array.from({ length: 10 }, (_, i) => ({
    t: new Date(Date.parse('2026-11-26T00:00:00Z') + i * 1000).toISOString(),
    status: i === 3 ? ('degraded' as const) : ('up' as const),
    latencyMs: i,
  }));
  const b = toChartPoints(many, 2);
  assert.equal(b.length, 2);
  assert.deepEqual(b.map((p) => [p.status, p.latencyMs]), [['degraded', 4], ['up', 9]]);
  assert.equal(readinessOf('unknown'), null);
});

test('toStatusSlots places points in their slot, worst wins, empty slots are null', () => {
  const start = 0;
  const end = 4000;
  const p = (t: number, status: 'up' | 'down' | 'unknown') => ({ t, status, latencyMs: 1, readiness: readinessOf(status) });
  assert.deepEqual(toStatusSlots([p(0, 'up'), p(999, 'down'), p(2500, 'unknown'), p(4000, 'down'), p(-1, 'down')], start, end, 4), [
    'down',
    null,
    'unknown',
    null,
  ]);
});
