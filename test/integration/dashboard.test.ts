// The dashboard's read models (lib/data/fleet.ts getFleet, lib/data/dashboard.ts) against real
// databases: a known day written through the real write path — composite down 7 min (etcd), a 1 h
// maintenance with 20 min of downtime inside it — then the fleet row, buckets, burn alerts, burn-down,
// outages, the state timeline and the SRE table checked to the millisecond. dash-alpha's policy has a
// coverage floor of 10 % (a day of 7 is judged); dash-fresh, with 10 minutes of data and the default
// 75 % floor, is "insufficient data" with an absolute budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Provider } from '@/lib/db/schema';
import { forEachProvider, useProviderDb } from './provider-db';
import { createCluster } from '@/lib/data/clusters';
import { getClusterSlo, getSreTable, getStateTimeline } from '@/lib/data/dashboard';
import { getFleet } from '@/lib/data/fleet';
import { insertSamples } from '@/lib/data/samples';
import { insertFailoverEvents } from '@/lib/data/failovers';
import { createMaintenanceWindow, setSloPolicy } from '@/lib/data/slo';
import { chooseBucketMs, matchesFilter, presetRange } from '@/lib/slo';
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
    const fresh = (await createCluster({ name: 'dash-fresh', server: 'https://127.0.0.1:6445', context: 'c', labels: { env: 'dev' }, kubeconfigYaml: 'apiVersion: v1' })).id;
    // dash-fresh: registered 10 minutes before T1, down for 25 s of them.
    const freshResults: ProbeResult[] = [];
    for (let t = T1 - 10 * MIN; t < T1; t += 5 * S) {
      const down = t >= T1 - 5 * MIN && t < T1 - 5 * MIN + 25 * S;
      freshResults.push({ probe: 'apiserver-readyz', target: 'endpoint', status: down ? 'down' : 'up', reason: down ? 'readyz failed: etcd' : 'ok', latencyMs: 4, at: t });
    }
    await insertSamples(fresh, freshResults, { capMs: 15 * S });
    await insertFailoverEvents(clusterId, [
      { lease: 'kube-system/kube-scheduler', kind: 'crash', previousHolder: 'a', newHolder: 'b', previousRenewTime: null, newAcquireTime: null, gapMs: null, leaseDurationSeconds: 8, leaseTransitions: 1, observedAt: OUTAGE.from + 9_000 },
      { lease: 'kube-system/kube-scheduler', kind: 'crash', previousHolder: 'b', newHolder: 'a', previousRenewTime: null, newAcquireTime: null, gapMs: null, leaseDurationSeconds: 8, leaseTransitions: 2, observedAt: T0 - 30 * DAY },
    ]);
    await setSloPolicy({ clusterId, component: '*', objective: 0.999, window: '30d', coverageFloor: 0.1 });
    const all: ProbeResult[] = [];
    for (let t = T0; t < T1; t += 10 * S) all.push(readyzAt(t));
    for (let h = T0; h < T1; h += HOUR) await insertSamples(clusterId, all.filter((r) => r.at >= h && r.at < h + HOUR), { capMs: 30 * S });
    await createMaintenanceWindow({ clusterId, title: 'upgrade', startMs: MAINT.from, durationMs: MAINT.to - MAINT.from });
  });

  const fleet7d = (now: number, extra: Partial<Parameters<typeof getFleet>[0]> = {}) => getFleet({ range: presetRange('7d', now), now: new Date(now), bucketMs: chooseBucketMs(7 * DAY, 'sparkline'), ...extra });

  test('fleet row: composite over 7 days, worst state first, sparkline buckets add up, filter by label, name and state', async () => {
    const fleet = await fleet7d(T1);
    assert.deepEqual(fleet.rows.map((r) => r.cluster.name), ['dash-alpha', 'dash-fresh', 'dash-empty'], 'breached first, then insufficient data (most downtime first), never-sampled last');
    const a = fleet.rows[0]!;
    assert.equal(a.slo?.badMs, 7 * MIN);
    assert.equal(a.slo?.goodMs, DAY - HOUR - 7 * MIN);
    assert.equal(a.slo?.maintenanceMs, HOUR);
    assert.equal(a.slo?.budget.allowedBadMs, 82_800); // 0.1 % of the measured 23 h (rolling window, projected)
    assert.equal(a.slo?.budget.remainingBadMs, 82_800 - 420_000);
    assert.equal(a.slo?.meetsObjective, false);
    assert.equal(a.policy.coverageFloor, 0.1);
    assert.equal(a.state, 'breached');
    assert.deepEqual(a.budget, { kind: 'ratio', allowedBadMs: 82_800, remainingBadMs: 82_800 - 420_000, remainingFraction: (82_800 - 420_000) / 82_800, consumedFraction: 420_000 / 82_800 });
    assert.equal(a.status, 'up', 'the last sample (10 s before now) is fresh');
    assert.equal(a.sinceMs, DOWN_IN_MAINT.to, 'up since the downtime inside maintenance ended');
    assert.equal(a.bucketMs, 6 * HOUR);
    assert.equal(a.buckets.length, 28);
    assert.equal(a.buckets.reduce((s, p) => s + p.badMs, 0), 7 * MIN);
    assert.equal(a.buckets.reduce((s, p) => s + p.goodMs, 0), DAY - HOUR - 7 * MIN);
    const withData = a.buckets.filter((p) => p.availability !== null);
    assert.deepEqual(withData.map((p) => p.startMs - T0), [0, 6 * HOUR, 12 * HOUR, 18 * HOUR]);
    assert.equal(withData[1]!.badMs, 7 * MIN, 'the 06:00–12:00 bucket holds the outage; the downtime inside maintenance is left out');
    assert.equal(withData[1]!.goodMs, 6 * HOUR - HOUR - 7 * MIN);
    assert.equal(a.failovers, 1, 'one failover in the 7 days (the other is 30 days older)');
    assert.equal(a.lastFailoverAt, new Date(OUTAGE.from + 9_000).toISOString());
    assert.deepEqual(a.lastOutage, { startMs: OUTAGE.from, endMs: OUTAGE.to, durationMs: 7 * MIN, reason: 'readyz failed: etcd', ongoing: false }, 'the downtime inside maintenance is no outage');
    assert.equal(a.alerts.length, 4);
    assert.ok(a.alerts.every((x) => x.state === 'ok'), 'last hours all good: nothing fires at the end of the day');
    // A cluster 10 minutes old: not judged; the budget in absolute time against the whole window.
    const f = fleet.rows[1]!;
    assert.equal(f.state, 'insufficient-data');
    assert.equal(f.slo?.badMs, 25 * S);
    assert.deepEqual(f.budget, { kind: 'absolute', downtimeMs: 25 * S, allowedMs: 604_800, windowMs: 7 * DAY, coverage: 0.000992, coverageFloor: 0.75, judgedInMs: 0.75 * 7 * DAY - 10 * MIN });
    assert.deepEqual(f.lastOutage, { startMs: T1 - 5 * MIN, endMs: T1 - 5 * MIN + 25 * S, durationMs: 25 * S, reason: 'readyz failed: etcd', ongoing: false });
    assert.ok(f.alerts.every((x) => x.state !== 'firing'), JSON.stringify(f.alerts.map((x) => [x.state, x.longCoverage, x.shortCoverage])));
    assert.equal(f.alerts[0]!.state, 'no-data', 'the 14-minute window is covered 10 of 14 minutes: below the floor');
    assert.equal(f.alerts[0]!.longCoverage, 0.714285);
    const empty = fleet.rows[2]!;
    assert.equal(empty.status, null);
    assert.equal(empty.slo, null);
    assert.equal(empty.state, 'insufficient-data');
    assert.deepEqual(empty.buckets, []);
    assert.equal(empty.lastOutage, null);
    assert.deepEqual(fleet.labels, ['env=dev', 'env=prod']);
    assert.deepEqual(fleet.states, { breached: 1, 'at-risk': 0, 'insufficient-data': 2, met: 0 });
    assert.equal(fleet.newestSampleMs, T1 - 5 * S);
    assert.deepEqual((await fleet7d(T1, { filter: { label: 'env=dev' } })).rows.map((r) => r.cluster.name), ['dash-fresh', 'dash-empty']);
    assert.deepEqual((await fleet7d(T1, { filter: { q: 'ALPHA' } })).rows.map((r) => r.cluster.name), ['dash-alpha']);
    const onlyBreached = await fleet7d(T1, { filter: { states: ['breached'] } });
    assert.deepEqual(onlyBreached.rows.map((r) => r.cluster.name), ['dash-alpha']);
    assert.deepEqual(onlyBreached.states, fleet.states, 'the state counts are before the state filter');
    assert.deepEqual((await fleet7d(T1, { sort: { key: 'name', dir: 'desc' } })).rows.map((r) => r.cluster.name), ['dash-fresh', 'dash-empty', 'dash-alpha']);
    assert.equal(matchesFilter({ name: 'x', labels: { env: 'prod' } }, { label: 'env' }), true);
    assert.equal(matchesFilter({ name: 'x', labels: { env: 'prod' } }, { label: 'env=dev' }), false);
    // Each cluster over its own policy window (the metrics endpoint's view): alpha's 30 days.
    const policy = await getFleet({ range: 'policy', now: new Date(T1), clusterIds: [clusterId] });
    assert.equal(policy.rows[0]!.range.windowMs, 30 * DAY);
    assert.equal(policy.rows[0]!.slo?.badMs, 7 * MIN);
  });

  test('burn alerts fire at the end of the outage (7-day window: 14 m / 1 m page row at 14.4×)', async () => {
    const fleet = await fleet7d(OUTAGE.to);
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
    assert.equal(a.state, 'insufficient-data', '6 h of 7 days is below even a 10 % floor: the SLO is not judged, yet its page alert fires from its own covered windows');
  });

  test('cluster drill-down: outage list, maintenance, burn-down ends at the budget, SRE table actuals', async () => {
    const v = (await getClusterSlo(clusterId, { range: presetRange('7d', T1), now: new Date(T1) }))!;
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
    assert.equal(v.state, 'breached');
    assert.equal(v.budget?.kind, 'ratio');
    const points = v.burnDown!.points;
    const last = points.at(-1)!;
    assert.equal(last.t, T1);
    assert.equal(last.remaining, (82_800 - 420_000) / 82_800);
    const before = points.filter((p) => p.t === OUTAGE.from);
    assert.deepEqual(before.map((p) => p.remaining), [1], 'untouched until 06:00');
    assert.equal(points.filter((p) => p.t <= T0).every((p) => p.remaining === null), true, 'no data before the first sample: gaps, not 100 %');
    assert.equal(v.burnDown!.exhaustedAtMs, OUTAGE.from + HOUR, 'the 06:00–07:00 bucket spent it all');
    const sre = (await getSreTable(clusterId, { now: new Date(T1) }))!;
    assert.equal(sre.label, '99.9 %');
    const byPeriod = Object.fromEntries(sre.rows.map((r) => [r.period, r]));
    assert.equal(byPeriod.day!.allowedMs, 86_400);
    assert.equal(byPeriod.day!.actualBadMs, 7 * MIN);
    assert.equal(byPeriod.month!.allowedText, '43.2 minutes');
    assert.equal(byPeriod.month!.actualBadMs, 7 * MIN);
    assert.equal(byPeriod.hour!.actualBadMs, 0);
  });

  test('state timeline: the etcd outage at its place to the ms, maintenance drawn over the downtime inside it', async () => {
    const range = { startMs: T0 + 5 * HOUR, endMs: T0 + 12 * HOUR };
    const t = (await getStateTimeline(clusterId, { range, now: new Date(T1) }))!;
    assert.equal(t.components.length, 1);
    const c = t.components[0]!;
    assert.equal(c.component, 'control-plane');
    assert.equal(c.binned, false);
    assert.deepEqual(
      c.segments.map((s) => [s.startMs - T0, s.endMs - T0, s.state, s.reason]),
      [
        [5 * HOUR, OUTAGE.from - T0, 'up', 'ok'],
        [OUTAGE.from - T0, OUTAGE.to - T0, 'down', 'readyz failed: etcd'],
        [OUTAGE.to - T0, MAINT.from - T0, 'up', 'ok'],
        [MAINT.from - T0, MAINT.to - T0, 'maintenance', 'upgrade'],
        [MAINT.to - T0, 12 * HOUR, 'up', 'ok'],
      ],
    );
    assert.equal(c.totals.down, 7 * MIN);
    // 30 days with a 240-segment budget: exact (5 changes) — and a 1-bin budget shows the worst state.
    const month = (await getStateTimeline(clusterId, { range: presetRange('30d', T1), now: new Date(T1), maxSegments: 1 }))!;
    assert.deepEqual(month.components[0]!.segments.map((s) => s.state), ['down']);
    assert.equal(month.components[0]!.binned, true);
    assert.equal(month.components[0]!.totals.nodata, 29 * DAY, 'before the first sample: no data');
    // The open tail of a series that is down now extends its last interval until now.
    const fresh = (await getFleet({ range: presetRange('7d', T1), now: new Date(T1), filter: { q: 'fresh' } })).rows[0]!;
    const ft = (await getStateTimeline(fresh.cluster.id, { range: { startMs: T1 - 10 * MIN, endMs: T1 }, now: new Date(T1) }))!;
    assert.deepEqual(ft.components[0]!.segments.map((s) => [s.state, (s.endMs - s.startMs) / S]), [['up', 300], ['down', 25], ['up', 275]]);
  });
}

forEachProvider('dashboard read models', providerSuite);
