// The dashboard's read models (lib/data/dashboard.ts) against real databases: a known day written
// through the real write path — composite down 7 min (etcd), a 1 h maintenance with 20 min of
// downtime inside it — then the fleet row, buckets, burn alerts, burn-down, outages and the SRE table
// checked to the millisecond.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeDb } from '@/lib/db';
import type { Provider } from '@/lib/db/schema';
import { forEachProvider, useProviderDb } from './provider-db';
import { createCluster } from '@/lib/data/clusters';
import { getClusterSlo, getFleetDashboard, getSreTable, matchesFilter } from '@/lib/data/dashboard';
import { insertSamples } from '@/lib/data/samples';
import { createMaintenanceWindow } from '@/lib/data/slo';
import type { ProbeResult } from '@/lib/types';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 9, 10);
const T1 = T0 + DAY;
const OUTAGE = { from: T0 + 6 * HOUR, to: T0 + 6 * HOUR + 7 * MIN };
const MAINT = { from: T0 + 10 * HOUR, to: T0 + 11 * HOUR };
const DOWN_IN_MAINT = { from: T0 + 10 * HOUR + 10 * MIN, to: T0 + 10 * HOUR + 30 * MIN };

function readyzAt(t: number): ProbeResult {
  const down = (t >= OUTAGE.from && t < OUTAGE.to) || (t >= DOWN_IN_MAINT.from && t < DOWN_IN_MAINT.to);
  return { probe: 'apiserver-readyz', target: 'endpoint', status: down ? 'down' : 'up', reason: down ? 'readyz failed: etcd' : 'ok', latencyMs: 10, at: t };
}

function providerSuite(provider: Provider): void {
  let clusterId = '';

  useProviderDb(provider, 'quorum_dash', async () => {
    clusterId = (await createCluster({ name: 'dash-alpha', server: 'https://127.0.0.1:6443', context: 'alpha', labels: { env: 'prod' }, kubeconfigYaml: 'apiVersion: v1' })).id;
    await createCluster({ name: 'dash-empty', server: 'https://127.0.0.1:6444', context: 'b', labels: { env: 'dev' }, kubeconfigYaml: 'apiVersion: v1' });
    const all: ProbeResult[] = [];
    for (let t = T0; t < T1; t += 10 * S) all.push(readyzAt(t));
    for (let h = T0; h < T1; h += HOUR) await insertSamples(clusterId, all.filter((r) => r.at >= h && r.at < h + HOUR), { capMs: 30 * S });
    await createMaintenanceWindow({ clusterId, title: 'upgrade', startMs: MAINT.from, durationMs: MAINT.to - MAINT.from });
  });

  test('fleet row: composite over 7 days, worst budget first, sparkline buckets add up, filter by label and name', async () => {
    const fleet = await getFleetDashboard({ window: '7d', now: new Date(T1) });
    assert.deepEqual(fleet.rows.map((r) => r.cluster.name), ['dash-alpha', 'dash-empty'], 'measured and overspent first, never-sampled last');
    const a = fleet.rows[0]!;
    assert.equal(a.slo?.badMs, 7 * MIN);
    assert.equal(a.slo?.goodMs, DAY - HOUR - 7 * MIN);
    assert.equal(a.slo?.maintenanceMs, HOUR);
    assert.equal(a.slo?.budget.allowedBadMs, 82_800); // 0.1 % of the measured 23 h (rolling window, projected)
    assert.equal(a.slo?.budget.remainingBadMs, 82_800 - 420_000);
    assert.equal(a.slo?.meetsObjective, false);
    assert.equal(a.status, 'up', 'the last sample (10 s before now) is fresh');
    assert.equal(a.sparklineBucketMs, 6 * HOUR);
    assert.equal(a.sparkline.length, 28);
    assert.equal(a.sparkline.reduce((s, p) => s + p.badMs, 0), 7 * MIN);
    assert.equal(a.sparkline.reduce((s, p) => s + p.goodMs, 0), DAY - HOUR - 7 * MIN);
    const withData = a.sparkline.filter((p) => p.availability !== null);
    assert.deepEqual(withData.map((p) => p.startMs - T0), [0, 6 * HOUR, 12 * HOUR, 18 * HOUR]);
    assert.equal(withData[1]!.badMs, 7 * MIN, 'the 06:00–12:00 bucket holds the outage; the downtime inside maintenance is left out');
    assert.equal(withData[1]!.goodMs, 6 * HOUR - HOUR - 7 * MIN);
    assert.equal(a.failovers, 0);
    assert.equal(a.alerts.length, 4);
    assert.ok(a.alerts.every((x) => x.state === 'ok'), 'last hours all good: nothing fires at the end of the day');
    const empty = fleet.rows[1]!;
    assert.equal(empty.status, null);
    assert.equal(empty.slo, null);
    assert.deepEqual(empty.sparkline, []);
    assert.deepEqual(fleet.labels, ['env=dev', 'env=prod']);
    assert.deepEqual((await getFleetDashboard({ window: '7d', now: new Date(T1), label: 'env=dev' })).rows.map((r) => r.cluster.name), ['dash-empty']);
    assert.deepEqual((await getFleetDashboard({ window: '7d', now: new Date(T1), q: 'ALPHA' })).rows.map((r) => r.cluster.name), ['dash-alpha']);
    assert.equal(matchesFilter({ name: 'x', labels: { env: 'prod' } }, { label: 'env' }), true);
    assert.equal(matchesFilter({ name: 'x', labels: { env: 'prod' } }, { label: 'env=dev' }), false);
  });

  test('burn alerts fire at the end of the outage (7-day window: 14 m / 1 m page row at 14.4×)', async () => {
    const fleet = await getFleetDashboard({ window: '7d', now: new Date(OUTAGE.to) });
    const a = fleet.rows.find((r) => r.cluster.name === 'dash-alpha')!;
    const page = a.alerts[0]!;
    assert.equal(page.longWindowMs, 14 * MIN);
    assert.equal(page.shortWindowMs, 1 * MIN);
    assert.equal(page.factor, 14.4);
    assert.equal(page.longErrorRatio, 0.5);
    assert.equal(page.shortErrorRatio, 1);
    assert.equal(page.state, 'firing');
    assert.equal(a.burnRate?.windowMs, 14 * MIN);
    assert.equal(a.burnRate?.value, 500);
    assert.equal(a.status, 'up', 'the sample at exactly 06:07 is the first one up again');
  });

  test('cluster drill-down: outage list, maintenance, burn-down ends at the budget, SRE table actuals', async () => {
    const v = (await getClusterSlo(clusterId, { window: '7d', now: new Date(T1) }))!;
    assert.deepEqual(
      v.outages.map((o) => [o.component, o.startAt, o.durationMs, o.reason]),
      [['control-plane', new Date(OUTAGE.from).toISOString(), 7 * MIN, 'readyz failed: etcd']],
    );
    assert.deepEqual(v.maintenance.map((m) => [m.startMs, m.endMs, m.title]), [[MAINT.from, MAINT.to, 'upgrade']]);
    assert.equal(v.bucketMs, HOUR);
    assert.equal(v.composite?.points.reduce((s, p) => s + p.badMs, 0), 7 * MIN);
    // Latency per bucket from the rollups: every readyz sample took 10 ms; hours before the data have none.
    const withLatency = v.composite!.points.filter((p) => p.latencyAvgMs !== null);
    assert.equal(withLatency.length, 24, 'one bucket per hour of the known day');
    assert.ok(withLatency.every((p) => p.latencyAvgMs === 10 && p.latencyMaxMs === 10), JSON.stringify(withLatency.slice(0, 2)));
    assert.ok(v.composite!.points.filter((p) => p.startMs + HOUR <= T0).every((p) => p.latencyAvgMs === null));
    const last = v.burnDown.at(-1)!;
    assert.equal(last.t, T1);
    assert.equal(last.remaining, (82_800 - 420_000) / 82_800);
    const before = v.burnDown.filter((p) => p.t === OUTAGE.from);
    assert.deepEqual(before.map((p) => p.remaining), [1], 'untouched until 06:00');
    assert.equal(v.burnDown.filter((p) => p.t <= T0).every((p) => p.remaining === null), true, 'no data before the first sample: gaps, not 100 %');
    const sre = (await getSreTable(clusterId, { now: new Date(T1) }))!;
    assert.equal(sre.label, '99.9 %');
    const byPeriod = Object.fromEntries(sre.rows.map((r) => [r.period, r]));
    assert.equal(byPeriod.day!.allowedMs, 86_400);
    assert.equal(byPeriod.day!.actualBadMs, 7 * MIN);
    assert.equal(byPeriod.month!.allowedText, '43.2 minutes');
    assert.equal(byPeriod.month!.actualBadMs, 7 * MIN);
    assert.equal(byPeriod.hour!.actualBadMs, 0);
  });
}

forEachProvider('dashboard read models', providerSuite);
