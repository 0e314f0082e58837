// SLO storage and math against real databases (a SQLite file and QUORUM_TEST_PG_URL): a known day of
// history written through the real write path (insertSamples) — an outage of 7 min, a maintenance of
// 1 h (with downtime inside it), an unknown gap of 5 min — then availability, budget and report rows
// checked to the second, rollup reads checked equal to a raw scan, and retention checked to keep
// the figures once raw rows are gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getDb } from '@/lib/db';
import type { Provider } from '@/lib/db/schema';
import { forEachProvider, useProviderDb } from './provider-db';
import { createCluster, removeCluster } from '@/lib/data/clusters';
import { getReport, reportToCsv } from '@/lib/data/reports';
import { runRetention } from '@/lib/data/retention';
import { insertSamples, listSamples, writeSamples } from '@/lib/data/samples';
import { createMaintenanceWindow, evaluatePeriod, listSeries, measureSeries, setSloPolicy } from '@/lib/data/slo';
import { getFleet } from '@/lib/data/fleet';
import { getClusterDetail } from '@/lib/data/overview';
import { getComponents, toComponents } from '@/lib/data/components';
import { windowBounds } from '@/lib/slo/targets';
import { availability } from '@/lib/slo/availability';
import { runsAvailability } from '@/lib/slo/runs';
import { reasonKey } from '@/lib/slo/timeline';
import type { ProbeResult, Status } from '@/lib/types';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const CAP = 30 * S; // 3 × the 10 s interval
const T0 = Date.UTC(2026, 9, 10); // 2026-10-10T00:00:00Z
const T1 = T0 + DAY; // samples every 10 s in [T0, T1)
const OUTAGE = { from: T0 + 6 * HOUR, to: T0 + 6 * HOUR + 7 * MIN }; // readyz down: etcd
const MAINT = { from: T0 + 10 * HOUR, to: T0 + 11 * HOUR };
const DOWN_IN_MAINT = { from: T0 + 10 * HOUR + 10 * MIN, to: T0 + 10 * HOUR + 30 * MIN };
const GAP = { lastBefore: T0 + 15 * HOUR, nextAfter: T0 + 15 * HOUR + 5 * MIN + 30 * S }; // no data 15:00:30–15:05:30
const NOW = new Date(Date.UTC(2026, 10, 5)); // 2026-11-05: October is over

function readyzAt(t: number): ProbeResult | null {
  if (t > GAP.lastBefore && t < GAP.nextAfter) return null;
  const down = (t >= OUTAGE.from && t < OUTAGE.to) || (t >= DOWN_IN_MAINT.from && t < DOWN_IN_MAINT.to);
  return {
    probe: 'apiserver-readyz',
    target: 'endpoint',
    status: down ? 'down' : 'up',
    reason: down ? 'readyz failed: etcd' : 'ok',
    latencyMs: down ? 40 : 10 + ((t / (10 * S)) % 7),
    at: t,
    detail: { httpStatus: down ? 500 : 200 },
  };
}

function schedulerAt(t: number): ProbeResult {
  // The scheduler's Lease: reason text changes every sample (renew age) but stays one interval.
  const status: Status = t >= T0 + 20 * HOUR && t < T0 + 20 * HOUR + 30 * S ? 'down' : 'up';
  return {
    probe: 'leader-election',
    target: 'kube-scheduler',
    status,
    reason: status === 'up' ? `held by node-a, renewed ${((t / (10 * S)) % 7) + 0.5} s ago (lease 15 s)` : 'no holder: leadership released and not taken',
    latencyMs: null,
    at: t,
  };
}

function history(from: number, to: number): ProbeResult[] {
  const out: ProbeResult[] = [];
  for (let t = from; t < to; t += 10 * S) {
    const r = readyzAt(t);
    if (r) out.push(r);
    out.push(schedulerAt(t));
  }
  return out;
}

/** Runs of one series' samples (in time order) by the write path's rule here: status, reason with digits masked, a gap beyond the cap. */
function runsOf(samples: readonly ProbeResult[]): Array<[Status, string, string, number]> {
  const out: Array<[Status, string, string, number]> = [];
  let prev: ProbeResult | null = null;
  for (const r of samples) {
    const key = (x: ProbeResult): string => `${x.status}|${x.reason.replace(/\d+(?:\.\d+)?/g, '#')}|${JSON.stringify(x.detail ?? null)}`;
    if (!prev || r.at - prev.at > CAP || key(r) !== key(prev)) out.push([r.status, new Date(r.at).toISOString(), new Date(r.at).toISOString(), 1]);
    else {
      const o = out[out.length - 1]!;
      o[2] = new Date(r.at).toISOString();
      o[3]++;
    }
    prev = r;
  }
  return out;
}

function providerSuite(provider: Provider): void {
  let clusterId = '';

  useProviderDb(provider, 'quorum_slo', async () => {
    clusterId = (await createCluster({ name: 'slo-alpha', server: 'https://127.0.0.1:6443', context: 'alpha', labels: {}, kubeconfigYaml: 'apiVersion: v1' })).id;
  });

  test('the known day goes in through insertSamples: per cycle, then in hour batches, one duplicate is late', async () => {
    const all = history(T0, T1);
    // First 30 minutes one collector cycle per call (as the live collector writes), the rest per hour.
    const firstCut = T0 + 30 * MIN;
    const early = all.filter((r) => r.at < firstCut);
    for (let i = 0; i < early.length; i += 2) await insertSamples(clusterId, early.slice(i, i + 2), { capMs: CAP });
    for (let h = firstCut; h < T1; h += HOUR) await insertSamples(clusterId, all.filter((r) => r.at >= h && r.at < h + HOUR), { capMs: CAP });
    const dup = await writeSamples(clusterId, [readyzAt(T0 + 5 * HOUR)!], { capMs: CAP });
    // Decided by the series cursor without reading raw rows (issue 16): neither stored nor rolled up.
    assert.deepEqual(dup, { written: 0, late: 1, superseded: 0 }, 'a sample at or before its series cursor is late: skipped');
    // Sample rows are runs (issue 16): readyz up, down (outage), up, down (in maintenance), up to the gap, up after it
    // (a gap beyond the cap starts a run); the latency changes every sample and splits nothing.
    const raw = await listSamples({ clusterId, since: new Date(T0), until: new Date(T1), probe: 'apiserver-readyz', limit: 100_000 });
    assert.deepEqual(raw.map((r) => [r.status, r.at, r.lastAt, r.samples]), runsOf(all.filter((r) => r.probe === 'apiserver-readyz')));
    assert.equal(raw.reduce((a, r) => a + r.samples, 0), 8640 - 32); // 32 samples missing in the gap; the late duplicate is not stored
    assert.equal(raw.length, 6);
    // The scheduler's reason has another renew age every sample (digits masked): 3 runs (up, down 30 s, up).
    const sched = await listSamples({ clusterId, since: new Date(T0), until: new Date(T1), probe: 'leader-election', limit: 100_000 });
    assert.deepEqual(sched.map((r) => [r.status, r.at, r.lastAt, r.samples]), runsOf(all.filter((r) => r.probe === 'leader-election')));
    assert.equal(sched.length, 3);
  });

  test('the series cursor keeps the last sample exactly, and RollupMinute equals the samples per minute', async () => {
    const db = await getDb();
    const cursors = (await db.prisma.$queryRawUnsafe(`SELECT "probe","target","lastAtMs","lastStatus","lastReason","lastDetail","lastLatencyMs" FROM "Series" WHERE "clusterId" = $1`.replace('$1', db.provider === 'sqlite' ? '?' : '$1'), clusterId)) as Array<Record<string, unknown>>;
    assert.equal(cursors.length, 2);
    for (const c of cursors) {
      // Compared with the samples written (raw rows are runs now).
      const rows = history(T0, T1).filter((r) => r.probe === String(c.probe)).map((r) => ({ ...r, latencyMs: r.latencyMs === null ? null : Math.round(r.latencyMs) }));
      const last = rows[rows.length - 1]!;
      assert.deepEqual(
        [Number(c.lastAtMs), c.lastStatus, c.lastReason, c.lastDetail === null ? null : JSON.parse(String(c.lastDetail)), c.lastLatencyMs === null ? null : Number(c.lastLatencyMs)],
        [last.at, last.status, last.reason, last.detail ?? null, last.latencyMs],
        `${String(c.probe)}: cursor = its last sample`,
      );
      const minutes = new Map<number, number[]>();
      for (const r of rows) {
        const m = Math.floor(r.at / MIN) * MIN;
        const e = minutes.get(m) ?? [0, 0, 0, 0, 0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
        e[0]!++;
        if (r.status === 'down') e[1]!++;
        if (r.status === 'degraded') e[2]!++;
        if (r.status === 'unknown') e[3]!++;
        if (r.latencyMs !== null) {
          e[4]!++;
          e[5]! += r.latencyMs;
          e[6] = Math.min(e[6]!, r.latencyMs);
          e[7] = Math.max(e[7]!, r.latencyMs);
        }
        minutes.set(m, e);
      }
      const stored = (await db.prisma.$queryRawUnsafe(
        `SELECT m."bucketStartMs", m."samples", m."badSamples", m."degradedSamples", m."unknownSamples", m."latencyCount", m."latencySumMs", m."latencyMinMs", m."latencyMaxMs"
         FROM "RollupMinute" m JOIN "Series" s ON s."id" = m."seriesId" WHERE s."clusterId" = ${db.provider === 'sqlite' ? '?' : '$1'} AND s."probe" = ${db.provider === 'sqlite' ? '?' : '$2'} ORDER BY 1`,
        clusterId,
        String(c.probe),
      )) as Array<Record<string, unknown>>;
      const want = [...minutes.entries()].sort((a, b) => a[0] - b[0]).map(([m, e]) => [m, e[0], e[1], e[2], e[3], e[4], e[5], e[4] ? e[6] : null, e[4] ? e[7] : null]);
      const got = stored.map((r) => [Number(r.bucketStartMs), Number(r.samples), Number(r.badSamples), Number(r.degradedSamples), Number(r.unknownSamples), Number(r.latencyCount), Number(r.latencySumMs), r.latencyMinMs === null ? null : Number(r.latencyMinMs), r.latencyMaxMs === null ? null : Number(r.latencyMaxMs)]);
      assert.equal(got.length, want.length, `${String(c.probe)}: one minute row per minute with samples`);
      assert.deepEqual(got, want, `${String(c.probe)}: minute rollups = the samples per minute`);
    }
  });

  test('pages read the cursor: components and the latest readyz equal what every sample gives, also for a time in the past', async () => {
    // T1: after every sample (the cursors). T1 − 5 min + 5 s: a time in the past among the cursor's last 100 sample
    // times (as when a sample is written while a page is read): the sample before it, from its run.
    for (const nowMs of [T1, T1 - 5 * MIN + 5 * S]) {
      // What main read: every sample of the last 10 minutes, newest first — from the samples written.
      const rows = history(T0, T1)
        .filter((r) => r.at >= nowMs - 10 * MIN && r.at <= nowMs)
        .reverse()
        .map((r, i) => ({ id: i, clusterId, probe: r.probe, target: r.target, at: new Date(r.at), status: r.status, reason: r.reason, latencyMs: r.latencyMs === null ? null : Math.round(r.latencyMs), detail: r.detail === undefined ? null : JSON.stringify(r.detail) }));
      const snap = await getComponents(clusterId, { now: new Date(nowMs) });
      assert.ok(snap.components.some((c) => c.probe === 'apiserver-readyz' && c.at !== null));
      const want = toComponents(rows, nowMs, snap.staleAfterMs);
      const latest = rows.find((r) => r.probe === 'apiserver-readyz')!;
      const detail = (await getClusterDetail(clusterId, { now: new Date(nowMs) }))!;
      if (nowMs === T1) {
        assert.deepEqual(snap.components, want, `components at ${new Date(nowMs).toISOString()}`);
        assert.deepEqual([detail.readyz?.at, detail.readyz?.reason, detail.readyz?.latencyMs, detail.lastSampleAt], [latest.at.toISOString(), latest.reason, latest.latencyMs, latest.at.toISOString()]);
      } else {
        // In the past: the time, status and staleness exactly; the reason but for its digits (the run's first), the
        // latency unknown (runs keep the first sample's only) — lib/data/samples.ts latestSamples.
        const shape = (c: (typeof want)[number]): unknown[] => [c.probe, c.target, c.at, c.status, c.stale, reasonKey(c.reason)];
        assert.deepEqual(snap.components.map(shape), want.map(shape), `components at ${new Date(nowMs).toISOString()}`);
        assert.ok(snap.components.every((c) => c.at === null || c.latencyMs === null));
        assert.deepEqual([detail.readyz?.at, detail.readyz?.reason, detail.readyz?.latencyMs, detail.lastSampleAt], [latest.at.toISOString(), latest.reason, null, latest.at.toISOString()]);
      }
    }
  });

  test('coalesced intervals: the outage is one interval to the second; renew-age reasons do not split intervals', async () => {
    const db = await getDb();
    const rows = (await db.prisma.$queryRawUnsafe(
      `SELECT s."probe", i."startMs", i."endMs", i."status", i."reason", i."samples" FROM "StatusInterval" i JOIN "Series" s ON s."id" = i."seriesId" ORDER BY s."probe", i."startMs"`,
    )) as Array<Record<string, unknown>>;
    const iv = rows.map((r) => ({ probe: String(r.probe), start: Number(r.startMs), end: Number(r.endMs), status: String(r.status), reason: String(r.reason), samples: Number(r.samples) }));
    const readyz = iv.filter((r) => r.probe === 'apiserver-readyz');
    assert.deepEqual(
      readyz.map((r) => [r.start - T0, r.end - T0, r.status, r.samples]),
      [
        [0, OUTAGE.from - T0, 'up', 2160],
        [OUTAGE.from - T0, OUTAGE.to - T0, 'down', 42],
        [OUTAGE.to - T0, DOWN_IN_MAINT.from - T0, 'up', 1458],
        [DOWN_IN_MAINT.from - T0, DOWN_IN_MAINT.to - T0, 'down', 120],
        [DOWN_IN_MAINT.to - T0, GAP.lastBefore + CAP - T0, 'up', 1621], // ends 30 s after the last sample before the gap
        [GAP.nextAfter - T0, T1 - 10 * S - T0, 'up', 3207], // open: attributed up to the last sample
      ],
    );
    assert.equal(readyz[1]!.reason, 'readyz failed: etcd');
    const sched = iv.filter((r) => r.probe === 'leader-election');
    assert.deepEqual(sched.map((r) => [r.start - T0, r.end - T0, r.status]), [
      [0, 20 * HOUR, 'up'],
      [20 * HOUR, 20 * HOUR + 30 * S, 'down'],
      [20 * HOUR + 30 * S, T1 - 10 * S - T0, 'up'],
    ]);
  });

  test('rollup reads and the raw runs equal every sample for windows with arbitrary edges', async () => {
    const series = await listSeries({ clusterIds: [clusterId] });
    assert.deepEqual(series.map((s) => s.component).sort(), ['apiserver-readyz', 'leader-election/kube-scheduler']);
    const raw = history(T0, T1);
    const runs = await listSamples({ clusterId, since: new Date(T0 - HOUR), until: new Date(T1 + HOUR), limit: 100_000 });
    const windows = [
      { startMs: T0 - HOUR, endMs: T1 + HOUR },
      { startMs: T0 + 17 * MIN + 13 * S, endMs: T1 - 3 * HOUR - 2 * MIN - 7 * S },
      { startMs: T0 + 15 * HOUR - 7 * S, endMs: T0 + 15 * HOUR + 9 * MIN + 1 * S },
      { startMs: T0 + 6 * HOUR + 3 * MIN, endMs: T0 + 6 * HOUR + 3 * MIN + 1 },
    ];
    for (const w of windows) {
      const m = await measureSeries(series, () => [w], T1 + DAY);
      for (const s of series) {
        // Every sample written (the late duplicate was not stored), and the raw tier's runs: both give the rollups' figure.
        const pts = raw.filter((r) => r.probe === s.probe && r.target === s.target).map((r) => ({ t: r.at, status: r.status }));
        const a = availability({ samples: pts, startMs: w.startMs, endMs: w.endMs, intervalMs: 10 * S, maxGapMs: CAP });
        const own = runs.filter((r) => r.probe === s.probe && r.target === s.target).map((r) => ({ atMs: Date.parse(r.at), lastAtMs: Date.parse(r.lastAt), samples: r.samples, status: r.status }));
        const fromRuns = runsAvailability(own, { startMs: w.startMs, endMs: w.endMs, capMs: CAP });
        const got = m.get(s.id)!;
        const what = `${s.component} in [${new Date(w.startMs).toISOString()}, ${new Date(w.endMs).toISOString()})`;
        assert.deepEqual([got.goodMs, got.badMs], [a.goodMs, a.badMs], what);
        assert.deepEqual([fromRuns.goodMs, fromRuns.badMs, fromRuns.availability, fromRuns.coverage], [a.goodMs, a.badMs, a.availability, a.coverage], `runs: ${what}`);
      }
    }
  });

  test('October 2026 with 1 h maintenance and a 99 % policy: availability, coverage and budget to the second', async () => {
    await setSloPolicy({ clusterId, component: '*', objective: 0.99, window: 'month' });
    await createMaintenanceWindow({ clusterId, title: 'etcd defrag', startMs: MAINT.from, durationMs: MAINT.to - MAINT.from });
    const series = (await listSeries({ clusterIds: [clusterId], probe: 'apiserver-readyz' }))[0]!;
    const oct = { startMs: Date.UTC(2026, 9, 1), endMs: Date.UTC(2026, 10, 1) };
    const r = (await evaluatePeriod({ series: [series], period: oct, nowMs: NOW.getTime(), maintenance: [{ id: 'm', clusterId, title: 'm', startMs: MAINT.from, durationMs: HOUR, recurrence: 'none', untilMs: null }], policies: [{ component: '*', objective: 0.99, window: 'month' }] })).get(series.id)!;
    // Covered: [T0, T1 + 20 s) minus the 300 s gap = 86,120 s; minus 3,600 s maintenance = 82,520 s measured.
    assert.equal(r.badMs, 420 * S);
    assert.equal(r.goodMs, 82_100 * S);
    assert.equal(r.maintenanceMs, 3600 * S);
    assert.equal(r.unknownMs, (31 * 86_400 - 3600 - 82_520) * S);
    assert.equal(r.availability, 0.99491); // 82,100 / 82,520 = 0.994910276…, floored
    assert.equal(r.coverage, 0.030850); // 82,520 / 2,674,800 = 0.0308509…
    assert.equal(r.budget.allowedBadMs, 825_200); // 1 % of the 82,520 s measured
    assert.equal(r.budget.consumedBadMs, 420_000);
    assert.equal(r.budget.remainingBadMs, 405_200);
    assert.equal(r.meetsObjective, true);
  });

  test('report for October: composite and components, outage rows to the second, maintenance excluded, CSV', async () => {
    const report = (await getReport({ clusterId, period: { kind: 'month', year: 2026, index: 10 }, now: NOW }))!;
    assert.equal(report.clusters.length, 1);
    const c = report.clusters[0]!;
    assert.equal(c.name, 'slo-alpha');
    const composite = c.rows.find((row) => row.component === 'control-plane')!;
    assert.equal(composite.objective, 0.99);
    assert.equal(composite.goodMs, 82_100 * S);
    assert.equal(composite.badMs, 420 * S);
    assert.equal(composite.availability, 0.99491);
    assert.equal(composite.budgetUsedFraction, 420_000 / 825_200);
    const sched = c.rows.find((row) => row.component === 'leader-election/kube-scheduler')!;
    assert.equal(sched.badMs, 30 * S);
    // Outages outside maintenance, to the second; the downtime inside maintenance is listed apart.
    assert.deepEqual(
      c.outages.map((o) => [o.component, o.startAt, o.endAt, o.durationMs, o.reason]),
      [
        ['control-plane', new Date(OUTAGE.from).toISOString(), new Date(OUTAGE.to).toISOString(), 420 * S, 'readyz failed: etcd'],
        ['leader-election/kube-scheduler', new Date(T0 + 20 * HOUR).toISOString(), new Date(T0 + 20 * HOUR + 30 * S).toISOString(), 30 * S, 'no holder: leadership released and not taken'],
      ],
    );
    assert.deepEqual(
      c.maintenance.map((m) => [m.title, m.startAt, m.endAt, m.durationMs, m.downDuringMs]),
      [['etcd defrag', new Date(MAINT.from).toISOString(), new Date(MAINT.to).toISOString(), HOUR, 20 * MIN]],
    );
    const csv = reportToCsv(report);
    assert.match(csv, /^section,cluster,component,/);
    assert.match(csv, /\noutage,slo-alpha,control-plane,2026-10-10T06:00:00\.000Z,2026-10-10T06:07:00\.000Z,420,readyz failed: etcd/);
  });

  test('fleet overview (rollups): the composite per cluster over its policy window', async () => {
    // The fleet read model (lib/data/fleet.ts; it replaced getFleetSlo) over the calendar month.
    const fleet = await getFleet({ range: windowBounds('month', NOW), now: NOW });
    assert.equal(fleet.rows.length, 1);
    // November 1–5 has no samples: no measured time, the budget is nominal.
    assert.equal(fleet.rows[0]!.slo!.availability, null);
    assert.equal(fleet.rows[0]!.state, 'insufficient-data');
    const octNow = new Date(Date.UTC(2026, 9, 31, 12));
    const oct = await getFleet({ range: windowBounds('30d', octNow), now: octNow });
    assert.equal(oct.rows[0]!.slo!.badMs, 420 * S);
    assert.equal(oct.rows[0]!.slo!.goodMs, 82_100 * S);
    // Each cluster over its own policy window (what getFleetSlo did without a window).
    const own = await getFleet({ range: 'policy', now: octNow });
    assert.equal(own.rows[0]!.slo!.badMs, 420 * S);
  });

  test('a report on the running month: its fleet table judges the budget as the cluster section does (calendar, not rolling)', async () => {
    // Asked on Oct 20: 1 measured day of 19 elapsed is below the 75 % coverage floor, so the budget is
    // shown in absolute time with "judged in". Calendar: measured + x ≥ 0.75 × (included + x) needs
    // x = (0.75 × 1,638,000 s − 82,520 s) / 0.25 = 4,583,920 s, past the month's end: null. The fleet read
    // model once judged the same row as a rolling window (1,145,980 s) because getFleet got bare bounds.
    const oct20 = new Date(Date.UTC(2026, 9, 20));
    const r = (await getReport({ clusterId, period: { kind: 'month', year: 2026, index: 10 }, now: oct20 }))!;
    const section = r.clusters[0]!.rows.find((row) => row.component === 'control-plane')!;
    assert.equal(section.budget.kind, 'absolute');
    assert.equal(section.budget.kind === 'absolute' ? section.budget.judgedInMs : 'ratio', null);
    assert.deepEqual(r.fleetRows[0]!.budget, section.budget);
    assert.equal(r.fleetRows[0]!.state, section.state);
  });

  test("the cluster page's 24 h figure uses the write path's cap: a 30 s gap is covered there as in the SLO", async () => {
    // One hour every 10 s with two samples missing (a 30 s gap = the 3-interval cap): the rollups count it
    // all; the Checks tab once capped at 2 intervals and showed 10 s less coverage than the header.
    const own = await createCluster({ name: 'slo-gap', server: 'https://127.0.0.1:6444', context: 'gap', labels: {}, kubeconfigYaml: 'apiVersion: v1' });
    try {
      const start = Date.UTC(2026, 10, 4, 11);
      const end = start + HOUR;
      const rows: ProbeResult[] = [];
      for (let t = start; t < end; t += 10 * S) {
        if (t === start + 30 * MIN + 10 * S || t === start + 30 * MIN + 20 * S) continue;
        rows.push({ probe: 'apiserver-readyz', target: 'endpoint', status: 'up', reason: 'ok', latencyMs: 10, at: t });
      }
      await insertSamples(own.id, rows, { capMs: CAP });
      const now = new Date(end);
      const detail = (await getClusterDetail(own.id, { now }))!;
      const row = (await getFleet({ range: { startMs: end - DAY, endMs: end }, now, clusterIds: [own.id] })).rows[0]!;
      assert.equal(row.slo!.coverage, 0.041666); // 3,600 s of 86,400 s, floored
      assert.deepEqual([detail.availability24h, detail.coverage24h], [row.slo!.availability, row.slo!.coverage]);
    } finally {
      assert.equal(await removeCluster(own.id), true);
    }
  });

  test('retention deletes raw rows in batches; the figures stay the same from rollups and intervals', async () => {
    const before = await getReport({ clusterId, period: { kind: 'month', year: 2026, index: 10 }, now: NOW });
    const db = await getDb();
    const countMinutes = async (): Promise<number> => Number(((await db.prisma.$queryRawUnsafe(`SELECT count(*) AS n FROM "RollupMinute"`)) as Array<{ n: unknown }>)[0]!.n);
    const minutes = await countMinutes();
    assert.ok(minutes > 2 * 1440 - 10, `${minutes} minute rows for 2 series × 1 day (readyz has a 5-minute gap)`);
    // Raw rows are runs, deleted by their LAST sample — but never a series' open run, however old (a healthy
    // series may have one run for weeks): 9 runs, the 2 open ones stay.
    const r = await runRetention({ now: T1 + 20 * DAY, rawRetentionMs: 14 * DAY, rollupRetentionMs: 400 * DAY, batchSize: 1000, pauseMs: 0 });
    assert.equal(r.rawDeleted, 6 + 3 - 2);
    assert.equal(r.minutesDeleted, minutes, 'minute rollups are kept as long as raw rows');
    assert.equal(await countMinutes(), 0);
    assert.equal(r.hoursDeleted + r.daysDeleted + r.intervalsDeleted, 0);
    assert.equal(r.batches, 1 + (Math.floor(minutes / 1000) + 1) + 3, 'raw 1, minutes in 1000s, hours, days, intervals');
    const open = await listSamples({ clusterId, since: new Date(0), limit: 10 });
    assert.deepEqual(open.map((x) => [x.probe, x.lastAt]).sort(), [['apiserver-readyz', new Date(T1 - 10 * S).toISOString()], ['leader-election', new Date(T1 - 10 * S).toISOString()]]);
    const after = await getReport({ clusterId, period: { kind: 'month', year: 2026, index: 10 }, now: NOW });
    assert.deepEqual(after, before);
    const old = await runRetention({ now: T1 + 401 * DAY, rawRetentionMs: 14 * DAY, rollupRetentionMs: 400 * DAY, batchSize: 1000, pauseMs: 0 });
    assert.equal(old.hoursDeleted, 48);
    assert.equal(old.daysDeleted, 2); // 2 series × Oct 10 (the last sample's open tail is in no rollup)
    assert.equal(old.intervalsDeleted, 9);
  });

  test('removing the cluster removes its series, rollups and intervals', async () => {
    assert.equal(await removeCluster(clusterId), true);
    const db = await getDb();
    for (const t of ['Series', 'RollupHour', 'RollupDay', 'StatusInterval', 'SloPolicy', 'MaintenanceWindow']) {
      const [row] = (await db.prisma.$queryRawUnsafe(`SELECT COUNT(*) AS n FROM "${t}"`)) as Array<{ n: unknown }>;
      assert.equal(Number(row!.n), 0, t);
    }
  });
}

forEachProvider('SLO storage and reports', providerSuite);
