// Issue 16, the sparse raw tier: Sample rows are RUNS of equal results (prisma/README.md). The same
// stream — outages with failing named checks, a degraded spell whose reason's digits change every
// sample, unknowns, a detail change without a status change, a Lease holder change, an etcd leader
// loss and a new leader, a collector gap beyond the cap, a late sample, replays of committed batches,
// a second (cut-off) collector's samples in written cycle slots — is written through the real write
// path, and every page read model must equal what EVERY sample gives (the expected figures are
// computed here from the accepted samples with main's own pure rules: lib/slo/availability, the
// chart's bucketing, toComponents, toRecent/unknownSince, etcdLeaderHistory): the cluster page (24 h
// availability, coverage, chart, History runs, failing named checks), components, alert facts, the
// etcd leader history, rollup reads; and after retention cut the stream in two, the figures of the
// window kept. Both providers (a SQLite file and the shared PostgreSQL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Provider } from '@/lib/db/schema';
import { forEachProvider, useProviderDb } from './provider-db';
import { DEFAULT_ALERT_SETTINGS } from '@/lib/alerts/settings';
import { staleAfterMs, toRecent, unknownSince } from '@/lib/alerts/facts';
import { loadAlertInputs } from '@/lib/data/alert-facts';
import { createCluster, listClusters } from '@/lib/data/clusters';
import { getComponents, toComponents } from '@/lib/data/components';
import { getEtcdHistory } from '@/lib/data/etcd';
import { getClusterDetail } from '@/lib/data/overview';
import { runRetention } from '@/lib/data/retention';
import { listSamples, writeSamples } from '@/lib/data/samples';
import { listSeries, measureSeries } from '@/lib/data/slo';
import { etcdLeaderHistory } from '@/lib/etcd/history';
import { availability } from '@/lib/slo/availability';
import { runsAvailability } from '@/lib/slo/runs';
import { startsRun, type LastSample } from '@/lib/slo/timeline';
import type { ProbeResult, Status } from '@/lib/types';

const S = 1000;
const MIN = 60 * S;
const CAP = 30 * S; // the default: 3 × the 10 s interval (lib/env sampleCapMs)
const SLOT = 10 * S;
const T0 = Date.UTC(2026, 10, 30, 23, 20); // 50 minutes across a UTC day
const CYCLES = 300;

const checks = (failing: string | null, extra = false): Array<{ name: string; ok: boolean; message?: string }> =>
  ['ping', 'etcd', ...(extra ? ['log'] : [])].map((name) => (name === failing ? { name, ok: false, message: `${name}: context deadline exceeded` } : { name, ok: true }));

function cycle(k: number, o: { offsetMs?: number; holder?: string } = {}): ProbeResult[] {
  if (k >= 200 && k < 206) return []; // the collector wrote nothing for a minute: beyond the cap
  const at = T0 + k * SLOT + (o.offsetMs ?? 0);
  const down = k >= 40 && k < 47;
  const degraded = k >= 100 && k < 110;
  const unknown = k >= 150 && k < 155;
  const readyz: ProbeResult = unknown
    ? { probe: 'apiserver-readyz', target: 'endpoint', status: 'unknown', reason: '401 Unauthorized: the token is no longer valid', latencyMs: null, at, detail: { errorClass: 'unauthorized' } }
    : {
        probe: 'apiserver-readyz',
        target: 'endpoint',
        status: down ? 'down' : degraded ? 'degraded' : 'up',
        // The degraded spell's reason carries a measurement: its digits change every sample.
        reason: down ? 'readyz failed: etcd' : degraded ? `readyz slow: etcd took ${1200 + k * 37} ms` : 'ok',
        latencyMs: 8 + ((k * 7) % 23),
        at,
        detail: { httpStatus: down ? 500 : 200, checks: checks(down || degraded ? 'etcd' : null) },
      };
  const livezDown = k >= 120 && k < 122;
  const livez: ProbeResult = {
    probe: 'apiserver-livez',
    target: 'endpoint',
    status: livezDown ? 'down' : 'up',
    reason: livezDown ? 'livez failed: ping' : 'ok',
    latencyMs: 3 + (k % 5),
    at,
    // From k 250 the apiserver lists one more check: another result, same status (a run of its own).
    detail: { httpStatus: livezDown ? 500 : 200, checks: checks(livezDown ? 'ping' : null, k >= 250) },
  };
  const holder = o.holder ?? (k < 170 ? 'cp1_a' : 'cp2_b');
  const lease: ProbeResult = {
    probe: 'leader-election',
    target: 'kube-system/kube-scheduler',
    status: 'up',
    reason: `held by ${holder}, renewed ${((k % 7) + 0.5).toFixed(1)} s ago (lease 15 s)`,
    latencyMs: null,
    at,
    detail: { facts: { holder, renewAgeMs: (k % 7) * 1000 + 500, leaseTransitions: k < 170 ? 3 : 4 } },
  };
  const leaderless = k >= 60 && k < 64;
  const etcd: ProbeResult = {
    probe: 'etcd',
    target: 'etcd',
    status: leaderless ? 'down' : 'up',
    reason: leaderless ? 'no leader' : `leader ${k < 60 ? 'etcd-1' : 'etcd-2'}, 3/3 healthy`,
    latencyMs: 4 + (k % 3),
    at,
    detail: {
      facts: {
        ...(leaderless ? {} : { leaderName: k < 60 ? 'etcd-1' : 'etcd-2' }),
        raftTerm: k < 60 ? 2 : 3,
        raftIndex: 1000 + k * 3,
        dbSize: 20_480 + k,
        members: ['etcd-1', 'etcd-2', 'etcd-3'].map((name) => (leaderless ? { name, healthy: false, reason: 'etcdserver: no leader' } : { name, healthy: true })),
      },
    },
  };
  return [readyz, livez, lease, etcd];
}

interface Batch {
  results: ProbeResult[];
  dedupe?: boolean;
}

function stream(): Batch[] {
  const out: Batch[] = [];
  for (let k = 0; k < CYCLES; k++) {
    const c = cycle(k);
    if (c.length === 0) continue;
    out.push({ results: c });
    if (k % 17 === 3) out.push({ results: c, dedupe: true }); // the same batch replayed after a lost answer
    if (k % 23 === 7) out.push({ results: cycle(k, { offsetMs: 4000, holder: 'cp9_z' }) }); // a cut-off collector, same cycle
    if (k === 130) out.push({ results: cycle(30).slice(0, 1) }); // late: long before the cursor
  }
  return out;
}

const key = (r: { probe: string; target: string }): string => `${r.probe}|${r.target}`;

/** The samples the write path keeps (the cursor's rule, shown equal to main's in cursor-dedupe.test.ts): after the series' last and in another cycle slot. */
function accepted(batches: readonly Batch[]): ProbeResult[] {
  const last = new Map<string, number>();
  const out: ProbeResult[] = [];
  for (const b of batches) {
    for (const r of b.results) {
      const l = last.get(key(r));
      if (l !== undefined && (r.at <= l || Math.floor(r.at / SLOT) === Math.floor(l / SLOT))) continue;
      last.set(key(r), r.at);
      out.push({ ...r, latencyMs: r.latencyMs === null ? null : Math.round(r.latencyMs) });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

const SEVERITY: Record<Status, number> = { up: 0, unknown: 1, degraded: 2, down: 3 };

/** main's chart bucketing (lib/data/overview.ts toSeries before issue 16) over every sample, on the minute-aligned window. */
function chart(samples: readonly ProbeResult[], startMs: number, endMs: number): Array<{ t: string; status: Status; latencyMs: number | null }> {
  const width = Math.ceil((24 * 60 * MIN) / 288);
  const buckets = new Map<number, { status: Status; latencyMs: number | null }>();
  for (const p of samples) {
    if (p.at < startMs || p.at >= endMs) continue;
    const idx = Math.floor((p.at - startMs) / width);
    const b = buckets.get(idx);
    if (!b) buckets.set(idx, { status: p.status, latencyMs: p.latencyMs });
    else {
      if (SEVERITY[p.status] > SEVERITY[b.status]) b.status = p.status;
      if (p.latencyMs !== null && (b.latencyMs === null || p.latencyMs > b.latencyMs)) b.latencyMs = p.latencyMs;
    }
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([idx, b]) => ({ t: new Date(startMs + idx * width).toISOString(), status: b.status, latencyMs: b.latencyMs }));
}

/** Runs of one series' samples by the write path's rule (startsRun). */
function runsOf(samples: readonly ProbeResult[]): Array<{ first: ProbeResult; last: ProbeResult; samples: number }> {
  const out: Array<{ first: ProbeResult; last: ProbeResult; samples: number }> = [];
  let prev: LastSample | null = null;
  for (const r of samples) {
    const detail = r.detail === undefined ? null : JSON.stringify(r.detail);
    if (startsRun(prev, { t: r.at, status: r.status, reason: r.reason, detail }, CAP)) out.push({ first: r, last: r, samples: 1 });
    else {
      const o = out[out.length - 1]!;
      o.last = r;
      o.samples++;
    }
    prev = { lastAtMs: r.at, lastStatus: r.status, lastReason: r.reason, lastDetail: detail };
  }
  return out;
}

const asRow = (r: ProbeResult, i: number, clusterId: string) => ({ id: i, clusterId, probe: r.probe, target: r.target, at: new Date(r.at), status: r.status, reason: r.reason, latencyMs: r.latencyMs, detail: r.detail === undefined ? null : JSON.stringify(r.detail) });

function suite(provider: Provider): void {
  let clusterId = '';
  useProviderDb(provider, 'quorum_sparse_eq', async () => {
    clusterId = (await createCluster({ name: 'sparse', server: 'https://127.0.0.1:6443', context: 'c', labels: {}, kubeconfigYaml: 'apiVersion: v1' })).id;
  });

  test('every page read model from runs equals what every sample gives; after retention, the window kept reads the same', async () => {
    const batches = stream();
    for (const b of batches) await writeSamples(clusterId, b.results, { capMs: CAP, slotMs: SLOT, ...(b.dedupe ? { dedupe: true } : {}) });
    const acc = accepted(batches);
    const of = (probe: string, target?: string): ProbeResult[] => acc.filter((r) => r.probe === probe && (target === undefined || r.target === target));
    const lastAt = acc[acc.length - 1]!.at;
    const nowMs = lastAt + 5 * S; // live: after every sample

    // The raw tier: runs, far fewer rows than samples, every sample in one.
    const runs = await listSamples({ clusterId, since: new Date(0), limit: 100_000 });
    assert.equal(runs.reduce((a, r) => a + r.samples, 0), acc.length);
    assert.ok(runs.length * 10 < acc.length, `${runs.length} runs of ${acc.length} samples`);
    for (const probe of ['apiserver-readyz', 'apiserver-livez', 'leader-election', 'etcd']) {
      const want = runsOf(of(probe)).map((r) => [new Date(r.first.at).toISOString(), new Date(r.last.at).toISOString(), r.samples, r.first.status, r.first.reason]);
      assert.deepEqual(runs.filter((r) => r.probe === probe).map((r) => [r.at, r.lastAt, r.samples, r.status, r.reason]), want, `${probe}: runs`);
    }

    // The cluster page.
    const d = (await getClusterDetail(clusterId, { now: new Date(nowMs) }))!;
    const dayStart = nowMs - 24 * 60 * MIN;
    const a = availability({ samples: of('apiserver-readyz').map((r) => ({ t: r.at, status: r.status })), startMs: dayStart, endMs: nowMs, intervalMs: 10 * S, maxGapMs: CAP });
    assert.deepEqual([d.availability24h, d.coverage24h], [a.availability, a.coverage], '24 h availability and coverage');
    const chartStart = Math.floor(dayStart / MIN) * MIN;
    assert.deepEqual(d.series, chart(of('apiserver-readyz'), chartStart, Math.floor(nowMs / MIN) * MIN + MIN), 'the 24 h chart');
    const hist = [...runsOf(of('apiserver-readyz')), ...runsOf(of('apiserver-livez'))]
      .map((r) => [r.first.probe, new Date(r.first.at).toISOString(), new Date(r.last.at).toISOString(), r.samples, r.first.status, r.first.reason])
      .sort((x, y) => String(y[1]).localeCompare(String(x[1])) || String(x[0]).localeCompare(String(y[0])))
      .slice(0, 50);
    const gotHist = d.history.map((h) => [h.probe, h.at, h.lastAt, h.samples, h.status, h.reason]).sort((x, y) => String(y[1]).localeCompare(String(x[1])) || String(x[0]).localeCompare(String(y[0])));
    assert.deepEqual(gotHist, hist, 'History: the runs of readyz and livez');
    // Failing named checks: episodes (stretches of consecutive failing samples) and the last failure, from every sample.
    for (const [probe, name] of [['apiserver-readyz', 'etcd'], ['apiserver-livez', 'ping']] as const) {
      const ss = of(probe, 'endpoint');
      const fails = (r: ProbeResult): boolean => (r.status === 'down' || r.status === 'degraded') && (r.detail?.checks ?? []).some((c) => c.name === name && !c.ok);
      let episodes = 0;
      for (let i = 0; i < ss.length; i++) if (fails(ss[i]!) && !(i > 0 && fails(ss[i - 1]!) && ss[i]!.at - ss[i - 1]!.at <= CAP)) episodes++;
      const lastFail = [...ss].reverse().find(fails)!;
      const h = d.checkHistory.find((c) => c.probe === probe && c.name === name);
      assert.deepEqual(h, { probe, name, okNow: true, lastFailedAt: new Date(lastFail.at).toISOString(), lastFailureMessage: `${name}: context deadline exceeded`, failures24h: episodes }, `${probe} ${name}`);
      assert.ok(episodes >= 1);
    }
    const latestReadyz = of('apiserver-readyz').at(-1)!;
    assert.deepEqual([d.readyz?.at, d.readyz?.reason, d.readyz?.latencyMs, d.status], [new Date(latestReadyz.at).toISOString(), latestReadyz.reason, latestReadyz.latencyMs, latestReadyz.status]);

    // Components: what main read — every sample of the last 10 minutes, newest first.
    const snap = await getComponents(clusterId, { now: new Date(nowMs) });
    const recentRows = acc.filter((r) => r.at >= nowMs - 10 * MIN && r.at <= nowMs).reverse().map((r, i) => asRow(r, i, clusterId));
    assert.deepEqual(snap.components, toComponents(recentRows, nowMs, snap.staleAfterMs), 'components');

    // Alert facts: each series' last forCycles + 1 samples, and since when the composite is unknown.
    const [cluster] = await listClusters();
    const [input] = await loadAlertInputs([cluster!], { nowMs, intervalMs: 10 * S, settings: DEFAULT_ALERT_SETTINGS });
    const stale = staleAfterMs(10 * S);
    const sinceMs = nowMs - ((DEFAULT_ALERT_SETTINGS.forCycles + 1) * 10 * S + stale);
    const wantSeries = [...new Set(acc.map(key))].sort().map((k) => {
      const [probe, target] = k.split('|') as [string, string];
      const recent = of(probe, target).filter((r) => r.at >= sinceMs && r.at <= nowMs).reverse().slice(0, DEFAULT_ALERT_SETTINGS.forCycles + 1).map((r) => toRecent({ at: new Date(r.at), status: r.status, reason: r.reason }, r.detail ?? null));
      return { probe, target, recent };
    });
    const sortByKey = <T extends { probe: string; target: string }>(xs: readonly T[]): T[] => [...xs].sort((x, y) => key(x).localeCompare(key(y)));
    // Within a run, volatile facts (a renew age, a raft index) are the run's first sample's: compare the rules' inputs without them.
    const ruleView = (xs: ReadonlyArray<{ probe: string; target: string; recent: ReadonlyArray<{ atMs: number; status: Status; reason: string; checks: unknown; facts: Readonly<Record<string, unknown>> }> }>) =>
      sortByKey(xs).map((s) => ({ ...s, recent: s.recent.map((r, i) => ({ atMs: r.atMs, status: r.status, reason: i === 0 ? r.reason : r.reason.replace(/\d+(?:\.\d+)?/g, '#'), checks: r.checks, facts: Object.fromEntries(Object.entries(r.facts).filter(([f]) => !['renewAgeMs', 'raftIndex', 'dbSize'].includes(f))) })) }));
    assert.deepEqual(ruleView(input!.facts.series), ruleView(wantSeries), 'alert facts: the last samples of every series');
    assert.deepEqual(sortByKey(input!.facts.series)[0]!.recent[0], wantSeries[0]!.recent[0], 'the newest sample exactly');
    const lookback = DEFAULT_ALERT_SETTINGS.noDataMinutes * MIN + stale;
    for (const at of [nowMs, T0 + 153 * SLOT, T0 + 160 * SLOT]) {
      // (at the live time only: a time in the past has no cursor times to read)
      if (at !== nowMs) continue;
      const composite = of('apiserver-readyz').filter((r) => r.at >= at - lookback && r.at <= at).map((r) => ({ atMs: r.at, status: r.status }));
      assert.equal(input!.facts.unknownSinceMs, unknownSince(composite, { nowMs: at, staleAfterMs: stale, lookbackMs: lookback, createdAtMs: Date.parse(cluster!.createdAt) }));
    }
    // An unknown composite now: a later cycle unknown, facts read again.
    const unknownAt = lastAt + 10 * S;
    await writeSamples(clusterId, [{ probe: 'apiserver-readyz', target: 'endpoint', status: 'unknown', reason: '401 Unauthorized: the token is no longer valid', latencyMs: null, at: unknownAt, detail: { errorClass: 'unauthorized' } }], { capMs: CAP, slotMs: SLOT });
    const [later] = await loadAlertInputs([cluster!], { nowMs: unknownAt + 5 * S, intervalMs: 10 * S, settings: DEFAULT_ALERT_SETTINGS });
    const composite2 = [...of('apiserver-readyz'), { at: unknownAt, status: 'unknown' as Status }].filter((r) => r.at >= unknownAt + 5 * S - lookback).map((r) => ({ atMs: r.at, status: r.status }));
    assert.equal(later!.facts.unknownSinceMs, unknownSince(composite2, { nowMs: unknownAt + 5 * S, staleAfterMs: stale, lookbackMs: lookback, createdAtMs: Date.parse(cluster!.createdAt) }));
    assert.equal(later!.facts.unknownSinceMs, unknownAt);

    // The etcd leader history, from a sample time inside a run (since) to now.
    const etcdPts = (since: number) => of('etcd', 'etcd').filter((r) => r.at >= since && r.at < nowMs).map((r) => ({ at: r.at, facts: (r.detail?.facts as Record<string, unknown>) ?? null }));
    for (const since of [T0, T0 + 20 * SLOT, T0 + 61 * SLOT]) {
      const h = await getEtcdHistory({ clusterId, since: new Date(since), until: new Date(nowMs) });
      const { samples: _n, ...got } = h;
      assert.deepEqual(got, etcdLeaderHistory(etcdPts(since), CAP, nowMs), `etcd history since +${(since - T0) / SLOT} cycles`);
    }
    const e0 = await getEtcdHistory({ clusterId, since: new Date(T0), until: new Date(nowMs) });
    assert.equal(e0.changes.length, 1);
    assert.equal(e0.leaderless.length, 1);

    // Rollup reads (the SLO figures of reports and the overview) equal every sample, for windows with odd edges.
    const series = await listSeries({ clusterIds: [clusterId] });
    for (const w of [{ startMs: T0 - MIN, endMs: nowMs }, { startMs: T0 + 41 * SLOT + 3 * S, endMs: T0 + 203 * SLOT + 7 * S }]) {
      const m = await measureSeries(series, () => [w], nowMs);
      for (const s of series) {
        const e = availability({ samples: of(s.probe, s.target).map((r) => ({ t: r.at, status: r.status })), startMs: w.startMs, endMs: w.endMs, intervalMs: 10 * S, maxGapMs: CAP });
        const got = m.get(s.id)!;
        assert.deepEqual([got.goodMs, got.badMs], [e.goodMs, e.badMs], `${s.component} rollups`);
      }
    }

    // Retention with its cutoff in the middle of the stream: runs that ended before it go, the ones that reach
    // past it stay whole (and the open ones always): every window after the cutoff reads as before.
    const cutoff = T0 + 145 * SLOT;
    const retentionMs = 14 * 24 * 60 * MIN;
    const r = await runRetention({ now: cutoff + retentionMs, rawRetentionMs: retentionMs, rollupRetentionMs: 400 * 24 * 60 * MIN, batchSize: 3, pauseMs: 0 });
    assert.ok(r.rawDeleted > 0);
    const kept = await listSamples({ clusterId, since: new Date(0), limit: 100_000 });
    assert.ok(kept.every((k) => Date.parse(k.lastAt) >= cutoff), 'only runs that ended before the cutoff went');
    assert.equal(kept.length, runs.filter((k) => Date.parse(k.lastAt) >= cutoff).length + 1, 'the runs reaching past the cutoff are all kept (+ the unknown sample written since)');
    for (const s of series) {
      const own = kept.filter((k) => k.probe === s.probe && k.target === s.target).map((k) => ({ atMs: Date.parse(k.at), lastAtMs: Date.parse(k.lastAt), samples: k.samples, status: k.status }));
      const w = { startMs: cutoff, endMs: nowMs };
      const e = availability({ samples: of(s.probe, s.target).map((x) => ({ t: x.at, status: x.status })), ...w, intervalMs: 10 * S, maxGapMs: CAP });
      assert.deepEqual(runsAvailability(own, { ...w, capMs: CAP }), { availability: e.availability, coverage: e.coverage, goodMs: e.goodMs, badMs: e.badMs }, `${s.component} after retention`);
    }
    const after = await getEtcdHistory({ clusterId, since: new Date(cutoff), until: new Date(nowMs) });
    const { samples: _m, ...gotAfter } = after;
    assert.deepEqual(gotAfter, etcdLeaderHistory(etcdPts(cutoff), CAP, nowMs), 'etcd history after retention');
  });
}

forEachProvider('sparse raw tier: runs read as every sample', suite);
