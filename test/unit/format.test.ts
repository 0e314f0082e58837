import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readinessOf, toChartPoints, toStatusSlots } from '@/components/chart-points';
import { componentLabel, componentName, formatAge, formatAvailability, formatCoverage, formatDay, formatLatency, formatPercent, formatRange, formatTime, formatTimeAfter, isValidTimeZone, statusLabel, timeTicks, toDateTimeLocal } from '@/lib/format';

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
    // lib/format.ts once rounded this up to "100.00 %" (an epsilon added before flooring).
    [0.99999999999, '99.99 %'],
    [0.00004, '< 0.01 %'],
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

test('one percentage formatter: lib/format re-exports lib/slo/format formatPercent', () => {
  assert.equal(formatPercent(0.99999999999, 3), '99.999 %');
  assert.equal(formatPercent(0.0000001, 2), '< 0.01 %');
  assert.equal(formatPercent(0, 2), '0.00 %');
  assert.equal(formatPercent(1, 1), '100.0 %');
});

test('componentName: one human name per series, from the component id', () => {
  const table: Array<[string, string, string]> = [
    ['control-plane', 'endpoint', 'Control plane (composite)'],
    ['apiserver-readyz', 'endpoint', 'API server endpoint /readyz'],
    ['apiserver-livez', 'endpoint', 'API server endpoint /livez'],
    ['apiserver-replicas', 'replicas', 'API server replicas'],
    ['apiserver-replicas', '10.213.0.12:6443', 'API server 10.213.0.12'],
    ['apiserver-replicas', '[fd00::12]:6443', 'API server fd00::12'],
    ['apiserver-replicas', '10.0.0.5:8443', 'API server 10.0.0.5:8443'],
    ['leader-election', 'kube-system/kube-controller-manager', 'kube-controller-manager Lease'],
    ['leader-election', 'cert-manager/cert-manager-controller', 'cert-manager-controller Lease (cert-manager)'],
    ['dns', 'kube-dns', 'CoreDNS (kube-dns)'],
    ['dns', '10.213.0.11:53', 'CoreDNS 10.213.0.11'],
    ['dns', 'server:10.96.0.10:53', 'DNS server 10.96.0.10 (yours)'],
    ['nodes', 'workers', 'Worker nodes'],
    ['etcd', 'etcd', 'etcd cluster'],
    ['etcd', 'https://10.213.0.11:2379', 'etcd endpoint 10.213.0.11'],
    ['etcd', 'readyz:etcd-readiness', 'etcd via /readyz [etcd-readiness]'],
    ['something-new', 'x', 'something-new x'],
  ];
  for (const [probe, target, name] of table) assert.equal(componentName(probe, target), name, `${probe}/${target}`);
  assert.equal(componentLabel('leader-election/kube-system/kube-scheduler'), 'kube-scheduler Lease');
  assert.equal(componentLabel('apiserver-replicas/10.213.0.13:6443'), 'API server 10.213.0.13');
  assert.equal(componentLabel('control-plane'), 'Control plane (composite)');
  assert.equal(componentLabel('apiserver-readyz'), 'API server endpoint /readyz');
});

test('times in UTC or the zone the browser chose; the zone is validated', () => {
  const t = Date.UTC(2026, 10, 26, 19, 5, 3);
  assert.equal(formatTime(t), '2026-11-26 19:05:03 UTC');
  assert.equal(formatTime(t, 'Europe/Berlin'), '2026-11-26 20:05:03 GMT+1');
  assert.equal(formatTime(Date.UTC(2026, 6, 1, 12), 'Europe/Berlin'), '2026-07-01 14:00:00 GMT+2');
  assert.equal(formatTime(t, 'America/New_York'), '2026-11-26 14:05:03 EST');
  assert.equal(formatDay(t, 'Asia/Tokyo'), '11-27');
  assert.equal(formatDay(t, 'UTC', true), '11-26 19:05');
  assert.equal(toDateTimeLocal(t, 'Europe/Berlin'), '2026-11-26T20:05');
  assert.equal(formatRange(t, t + 3_600_000), '2026-11-26 19:05 – 20:05 UTC');
  assert.equal(formatRange(t, t + 86_400_000, 'Europe/Berlin'), '2026-11-26 20:05 – 2026-11-27 20:05 GMT+1');
  assert.equal(isValidTimeZone('Europe/Berlin'), true);
  assert.equal(isValidTimeZone('UTC'), true);
  assert.equal(isValidTimeZone('Mars/Olympus'), false);
  assert.equal(isValidTimeZone('<script>'), false);
  assert.equal(isValidTimeZone(''), false);
});

test('timeTicks: round steps inside the domain, at most the number asked for, never outside it', () => {
  const t0 = Date.UTC(2026, 11, 1, 13, 24, 51);
  const hour = timeTicks(t0, t0 + 3_600_000 + 90_000);
  assert.deepEqual(hour.map((t) => new Date(t).toISOString().slice(11, 16)), ['13:30', '13:45', '14:00', '14:15']);
  const week = timeTicks(Date.UTC(2026, 10, 24, 14, 25), Date.UTC(2026, 11, 1, 14, 25));
  assert.deepEqual(week.map((t) => new Date(t).toISOString().slice(5, 10)), ['11-25', '11-27', '11-29', '12-01']);
  for (const [a, b, most] of [[t0, t0 + 61_000, 6], [t0, t0 + 86_400_000 * 90, 6], [t0, t0 + 5 * 3_600_000, 3]] as const) {
    const ticks = timeTicks(a, b, most);
    assert.ok(ticks.length >= 1 && ticks.length <= most, `${ticks.length} ticks for ${b - a} ms`);
    assert.ok(ticks.every((t) => t >= a && t <= b));
  }
  assert.deepEqual(timeTicks(t0, t0), []);
  assert.deepEqual(timeTicks(t0, t0 - 1), []);
});

test('formatTimeAfter: a run\'s last sample beside its first — the clock on the same day (in the display zone), else the full time', () => {
  const first = '2026-11-26T22:59:50.000Z';
  assert.equal(formatTimeAfter('2026-11-26T23:00:10.000Z', first), '23:00:10');
  assert.equal(formatTimeAfter('2026-11-27T00:00:10.000Z', first), '2026-11-27 00:00:10 UTC');
  // 23:59:50 and 00:00:10 in Berlin (GMT+1) are on two days there.
  assert.equal(formatTimeAfter('2026-11-26T23:00:10.000Z', first, 'Europe/Berlin'), '2026-11-27 00:00:10 GMT+1');
  assert.equal(formatTimeAfter('nope', first), '—');
});
