// Collector high availability against the real lab: two, then three real collector processes
// (`tsx lib/collector/main.ts`, default 10 s cycles) on PostgreSQL (the shared cluster, a schema of
// this suite's own) share six registrations of the lab cluster. An independent observer
// (`kubectl get lease -w`, test/support/lease-observer.ts) records every Lease update meanwhile.
//   1. two collectors split the clusters 3/3; one is killed with SIGKILL at a random moment: the other
//      probes all six within 15 s (crash takeovers, gaps measured); it restarts: 3/3 again;
//   2. a third joins: 2/2/2 by graceful handovers; one of the three is killed with SIGKILL: its clusters
//      are probed by another within 15 s, recorded as crash takeovers with the measured gap;
//   3. a kube-scheduler leader kill is recorded once per cluster with kubectl's gap;
//   4. a scheduler takeover DURING an ownership handoff (the owner killed; its clusters' locks held by
//      the test until the new scheduler holds the Lease, so nobody watches them meanwhile) is
//      `unobserved` with a Lease-watch gap for the clusters that changed hands — never a made-up gap —
//      and measured, as kubectl saw it, for the others;
//   5. the killed collector restarts on its own data folder and replays its buffer;
//   6. over the whole run: exactly one sample per cluster, component and cycle, and every Lease
//      takeover kubectl saw recorded once per cluster.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Observer, liveHolder, micros, newHolderAfter, quorumKubeconfig, takeovers } from '../support/lease-observer';
import { advisoryKey } from '@/lib/db/session';
import { lab } from '../support/lab-cli';

const root = path.resolve(import.meta.dirname, '..', '..');
const PG_URL = process.env.QUORUM_TEST_PG_URL;
const SCHEMA = `ha_${randomBytes(5).toString('hex')}`;
const INTERVAL_MS = 10_000;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'quorum-ha-'));
const env: Record<string, string> = {
  DATABASE_URL: `${PG_URL}${PG_URL?.includes('?') ? '&' : '?'}schema=${SCHEMA}`,
  QUORUM_SECRET_KEY: randomBytes(32).toString('hex'),
  QUORUM_OUTBOUND_ALLOW_LOOPBACK: '1', // the lab's load balancer is 127.0.0.1:16443
  QUORUM_DB_POOL_MAX: '3',
};
Object.assign(process.env, env, { QUORUM_DATA_DIR: path.join(tmp, 'test') });

const { migrate } = await import('@/lib/db/migrate');
const { closeDb } = await import('@/lib/db');
const { recentTimes } = await import('@/lib/slo/timeline');
const { createCluster } = await import('@/lib/data/clusters');
const { resolveContext, toMinimalKubeconfig } = await import('@/lib/k8s/kubeconfig');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const db = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${SCHEMA}` });

interface Collector {
  name: string;
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  out: () => string;
}

const running = new Map<string, Collector>();

function startCollector(name: string): Collector {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'lib', 'collector', 'main.ts')], {
    cwd: root,
    env: { ...process.env, ...env, QUORUM_DATA_DIR: path.join(tmp, name), QUORUM_COLLECTOR_NAME: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let out = '';
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-100_000);
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const t = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (t.startsWith('{')) lines.push(JSON.parse(t) as Record<string, unknown>);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-100_000)));
  const c = { name, child, lines, out: () => out };
  running.set(name, c);
  return c;
}

async function kill9(c: Collector): Promise<number> {
  const at = Date.now();
  c.child.kill('SIGKILL');
  await new Promise((r) => c.child.once('exit', r));
  running.delete(c.name);
  return at;
}

async function until<T>(what: string, ms: number, fn: () => Promise<T | null | undefined | false>): Promise<T> {
  const t = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t > ms) assert.fail(`not within ${ms} ms: ${what}; collectors: ${[...running.values()].map((c) => `${c.name}: ${c.out().slice(-600)}`).join(' | ')}`);
    await sleep(250);
  }
}

/** Current owners: collector name → cluster ids (live rows only). */
async function owners(): Promise<Map<string, string[]>> {
  const r = await db.query<{ collectorName: string; clusterId: string }>('SELECT "collectorName","clusterId" FROM "ClusterOwner" WHERE "releasedAt" IS NULL ORDER BY "clusterId"');
  const m = new Map<string, string[]>();
  for (const row of r.rows) m.set(row.collectorName, [...(m.get(row.collectorName) ?? []), row.clusterId]);
  return m;
}

const shares = (m: Map<string, string[]>, names: string[]): number[] => names.map((n) => m.get(n)?.length ?? 0);

/** The newest apiserver-readyz sample time (ms) of each cluster (rows are runs: their last samples). */
async function newestReadyz(): Promise<Map<string, number>> {
  const r = await db.query<{ clusterId: string; ms: string }>(`SELECT "clusterId", max("runLastAtMs")::text AS ms FROM "Sample" WHERE "probe" = 'apiserver-readyz' GROUP BY "clusterId"`);
  return new Map(r.rows.map((x) => [x.clusterId, Number(x.ms)]));
}

/** Waits until every cluster has a readyz sample newer than `afterMs` (each probed once more). */
async function allProbedAfter(clusterIds: string[], afterMs: number, ms = 40_000): Promise<void> {
  await until(`every cluster probed after ${new Date(afterMs).toISOString()}`, ms, async () => {
    const n = await newestReadyz();
    return clusterIds.every((id) => (n.get(id) ?? 0) > afterMs);
  });
}

let observer: Observer;
let clusterIds: string[] = [];
let testStart = 0;
const names = { a: 'ha-alpha', b: 'ha-bravo', c: 'ha-charlie' };
let victim = '';
const measured: Record<string, { reprobeMs: number[]; gapMs: number[]; probeGapMs: number[] }> = {};

before(async () => {
  assert.ok(PG_URL, 'QUORUM_TEST_PG_URL is needed (scripts/pg-test-setup.sh prints it)');
  await lab('up', '--profile', 'ha');
  assert.ok(existsSync(quorumKubeconfig), `${quorumKubeconfig} missing`);
  await migrate({ quiet: true });
  const resolved = resolveContext(readFileSync(quorumKubeconfig, 'utf8'));
  const kubeconfigYaml = toMinimalKubeconfig(resolved);
  for (let i = 1; i <= 6; i++) clusterIds.push((await createCluster({ name: `ha-lab-${i}`, server: resolved.server, context: resolved.context, labels: { ha: 'test' }, kubeconfigYaml })).id);
  clusterIds = clusterIds.sort();
  await closeDb();
  await db.connect();
  observer = new Observer();
  testStart = Date.now();
});

after(async () => {
  for (const c of running.values()) {
    c.child.kill('SIGCONT');
    c.child.kill('SIGKILL');
  }
  observer?.stop();
  await db.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
  await db.end().catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * SIGKILLs `victim` at a random moment of the cycle and checks the takeover: its clusters probed again by
 * a survivor within 15 s, one crash takeover per cluster with the measured gaps, the survivors' shares even.
 */
async function killAndCheck(victimName: string, survivors: string[], label: string): Promise<void> {
  const theirs = (await owners()).get(victimName)!;
  assert.ok(theirs.length > 0, `${victimName} owns clusters`);
  await sleep(Math.floor(Math.random() * INTERVAL_MS)); // a random moment of the cycle
  const killedAt = await kill9(running.get(victimName)!);
  const reprobed = await until(`${victimName}'s clusters probed again`, 30_000, async () => {
    const n = await newestReadyz();
    return theirs.every((id) => (n.get(id) ?? 0) > killedAt) && theirs.map((id) => n.get(id)! - killedAt);
  });
  // The first sample after the kill is the new owner's (the killed one probed nothing after it died).
  for (const ms of reprobed) assert.ok(ms <= 15_000, `re-probed ${ms} ms after the kill`);
  const rows = await until('first probes recorded on the takeovers', 20_000, async () => {
    const r = await db.query<{ kind: string; gapMs: number | null; probeGapMs: number | null; newCollector: string }>(
      'SELECT "kind","gapMs","probeGapMs","newCollector" FROM "CollectorTakeover" WHERE "previousCollector" = $1 AND "firstProbeAt" IS NOT NULL AND EXTRACT(EPOCH FROM "acquiredAt") * 1000 > $2',
      [victimName, killedAt - 1000],
    );
    return r.rowCount === theirs.length && r.rows;
  });
  for (const t of rows) {
    assert.equal(t.kind, 'crash');
    assert.ok(survivors.includes(t.newCollector), `taken by a survivor, not ${t.newCollector}`);
    assert.ok(t.gapMs !== null && t.gapMs >= 0 && t.gapMs <= 5000, `ownership gap ${t.gapMs} ms (heartbeat every 2 s)`);
    assert.ok(t.probeGapMs !== null && t.probeGapMs <= 25_000, `unprobed for ${t.probeGapMs} ms`);
  }
  const even = survivors.map(() => clusterIds.length / survivors.length).join();
  const after = await until(`${even} among the survivors`, 30_000, async () => {
    const o = await owners();
    return shares(o, survivors).join() === even && o;
  });
  assert.equal(after.get(victimName), undefined);
  measured[label] ??= { reprobeMs: [], gapMs: [], probeGapMs: [] };
  const m = measured[label];
  m.reprobeMs.push(...reprobed);
  m.gapMs.push(...rows.map((r) => r.gapMs!));
  m.probeGapMs.push(...rows.map((r) => r.probeGapMs!));
  console.log(`[ha] ${label}: killed ${victimName}: its ${theirs.length} clusters re-probed after ${reprobed.map((x) => (x / 1000).toFixed(1)).join(', ')} s; ownership gaps ${rows.map((r) => r.gapMs).join(', ')} ms; unprobed ${rows.map((r) => ((r.probeGapMs ?? 0) / 1000).toFixed(1)).join(', ')} s`);
}

test('two collectors split six clusters 3/3; kill -9 of one at a random moment: the other probes all six within 15 s; it restarts: 3/3 again', { timeout: 180_000 }, async () => {
  startCollector(names.a);
  startCollector(names.b);
  await until('3/3', 60_000, async () => shares(await owners(), [names.a, names.b]).join() === '3,3');
  await allProbedAfter(clusterIds, Date.now());
  const [dead, survivor] = Math.random() < 0.5 ? [names.a, names.b] : [names.b, names.a];
  await killAndCheck(dead, [survivor], 'two collectors');
  startCollector(dead); // on its own data folder: its buffer replays
  await until('3/3 again', 60_000, async () => shares(await owners(), [names.a, names.b]).join() === '3,3');
  await allProbedAfter(clusterIds, Date.now());
});

test('a third collector joins: 2/2/2 by graceful handovers', { timeout: 180_000 }, async () => {
  const joinedAt = Date.now();
  startCollector(names.c);
  const m = await until('2/2/2', 60_000, async () => {
    const o = await owners();
    return shares(o, [names.a, names.b, names.c]).join() === '2,2,2' && o;
  });
  assert.deepEqual([...m.values()].flat().sort(), clusterIds, 'every cluster owned once');
  const moved = await db.query<{ kind: string; previousCollector: string; gapMs: number }>('SELECT "kind","previousCollector","gapMs" FROM "CollectorTakeover" WHERE "newCollector" = $1', [names.c]);
  assert.equal(moved.rowCount, 2);
  for (const t of moved.rows) {
    assert.equal(t.kind, 'graceful');
    assert.ok(t.gapMs >= 0 && t.gapMs < 10_000, `hand-over gap ${t.gapMs} ms`);
  }
  await allProbedAfter(clusterIds, joinedAt + INTERVAL_MS);
});

test('kill -9 of one of three collectors at a random moment: its clusters are probed by another within 15 s (crash takeovers, gap measured)', { timeout: 180_000 }, async () => {
  victim = [names.a, names.b, names.c][Math.floor(Math.random() * 3)]!;
  await killAndCheck(victim, [names.a, names.b, names.c].filter((n) => n !== victim), 'three collectors');
});

/** FailoverEvent rows of one Lease, per cluster. */
async function failoversOf(lease: string): Promise<Map<string, Array<{ kind: string; gapMs: number | null; newAcquireTime: string | null; newHolder: string }>>> {
  const r = await db.query<{ clusterId: string; kind: string; gapMs: number | null; newAcquireTime: string | null; newHolder: string }>('SELECT "clusterId","kind","gapMs","newAcquireTime","newHolder" FROM "FailoverEvent" WHERE "lease" = $1 ORDER BY "at"', [lease]);
  const m = new Map<string, Array<{ kind: string; gapMs: number | null; newAcquireTime: string | null; newHolder: string }>>();
  for (const x of r.rows) m.set(x.clusterId, [...(m.get(x.clusterId) ?? []), x]);
  return m;
}

test('a kube-scheduler leader kill is recorded once per cluster, whoever watches it, with kubectl\'s gap', { timeout: 180_000 }, async () => {
  const holder = await liveHolder(observer, 'kube-scheduler');
  await lab('fault', 'kill', 'kube-scheduler', '--leader');
  const next = await newHolderAfter(observer, 'kube-scheduler', holder);
  const seen = takeovers(observer.of('kube-scheduler')).find((t) => t.newHolder === next)!;
  const events = await until('every cluster recorded it', 60_000, async () => {
    const m = await failoversOf('kube-system/kube-scheduler');
    return clusterIds.every((id) => m.get(id)?.some((e) => e.newAcquireTime === seen.newAcquireTime)) && m;
  });
  for (const id of clusterIds) {
    const mine = events.get(id)!.filter((e) => e.newAcquireTime === seen.newAcquireTime);
    assert.equal(mine.length, 1, `cluster ${id}: recorded ${mine.length} times`);
    assert.equal(mine[0]!.kind, 'crash');
    assert.ok(Math.abs(mine[0]!.gapMs! - seen.gapMs) <= 10, `gap ${mine[0]!.gapMs} ms vs kubectl ${seen.gapMs} ms`);
  }
});

test('a scheduler takeover during an ownership handoff is unobserved with a Lease-watch gap for the clusters that changed hands, measured for the others', { timeout: 240_000 }, async () => {
  // The killed collector comes back on its own data folder (its buffer replays), and shares are even again.
  startCollector(victim);
  await until('2/2/2 again', 60_000, async () => shares(await owners(), [names.a, names.b, names.c]).join() === '2,2,2');
  await allProbedAfter(clusterIds, Date.now());
  const o = await owners();
  const owner = [names.a, names.b, names.c][Math.floor(Math.random() * 3)]!;
  const handed = o.get(owner)!;
  const others = [...running.values()].filter((c) => c.name !== owner);
  const holder = await liveHolder(observer, 'kube-scheduler');
  // Nobody may take the owner's clusters until the Lease changed: the moment the owner dies, this test
  // takes their ownership locks itself (the others frozen for that moment, well under a second, so none
  // of them is quicker), keeps them while the scheduler leader is killed and replaced, then lets go.
  const blocker = new pg.Client({ connectionString: PG_URL });
  await blocker.connect();
  for (const c of others) c.child.kill('SIGSTOP');
  await kill9(running.get(owner)!);
  const keys = handed.map((id) => advisoryKey(SCHEMA, 'quorum-cluster-owner', id));
  await until('the dead owner\'s locks taken by the test', 5000, async () => {
    for (const k of keys) await blocker.query('SELECT pg_try_advisory_lock($1::bigint)', [k]);
    const held = await blocker.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()");
    return held.rows[0]!.n === keys.length;
  });
  for (const c of others) c.child.kill('SIGCONT');
  await lab('fault', 'kill', 'kube-scheduler', '--leader');
  const next = await newHolderAfter(observer, 'kube-scheduler', holder);
  const seen = takeovers(observer.of('kube-scheduler')).find((t) => t.newHolder === next)!;
  await blocker.end(); // the others take the dead owner's clusters now
  const events = await until('every cluster recorded the takeover', 90_000, async () => {
    const m = await failoversOf('kube-system/kube-scheduler');
    return clusterIds.every((id) => m.get(id)?.some((e) => e.newAcquireTime === seen.newAcquireTime)) && m;
  });
  const acquireMs = micros(seen.newAcquireTime) / 1000;
  for (const id of clusterIds) {
    const mine = events.get(id)!.filter((e) => e.newAcquireTime === seen.newAcquireTime);
    assert.equal(mine.length, 1, `recorded once for ${id}`);
    if (handed.includes(id)) {
      assert.equal(mine[0]!.kind, 'unobserved', `${id} changed hands while the Lease changed: nobody watched it`);
      assert.equal(mine[0]!.gapMs, null, 'never a made-up gap');
      const gaps = await db.query<{ s: string; e: string; reason: string }>(`SELECT (EXTRACT(EPOCH FROM "startedAt") * 1000)::bigint::text AS s, (EXTRACT(EPOCH FROM "endedAt") * 1000)::bigint::text AS e, "reason" FROM "LeaseWatchGap" WHERE "clusterId" = $1 AND "namespace" = 'kube-system'`, [id]);
      const covering = gaps.rows.find((g) => Number(g.s) <= acquireMs && Number(g.e) >= acquireMs);
      assert.ok(covering, `a Lease-watch gap of ${id} covers the takeover at ${seen.newAcquireTime}: ${JSON.stringify(gaps.rows)}`);
      assert.match(covering.reason, new RegExp(`collector ${owner} stopped .*took it over`));
    } else {
      assert.equal(mine[0]!.kind, 'crash', `${id}: its owner only froze; its watch saw it all`);
      assert.ok(Math.abs(mine[0]!.gapMs! - seen.gapMs) <= 10, `gap ${mine[0]!.gapMs} ms vs kubectl ${seen.gapMs} ms`);
    }
  }
  // The one killed last restarts too: all three collect again, 2/2/2.
  startCollector(owner);
  await until('2/2/2 at the end', 60_000, async () => shares(await owners(), [names.a, names.b, names.c]).join() === '2,2,2');
  await allProbedAfter(clusterIds, Date.now());
});

test('over the whole run: exactly one sample per cluster, component and cycle; every Lease takeover kubectl saw recorded once per cluster', { timeout: 120_000 }, async () => {
  // Let the last writes land.
  await sleep(3000);
  // Sample rows are runs (issue 16): each series' sample times are its cursor's (the last 101 samples: lastAtMs and
  // recentGaps); every sample is counted by its runs and by its minute rollups, and both counts must agree.
  const series = await db.query<{ clusterId: string; probe: string; target: string; lastAtMs: string; recentGaps: string; n: string; minuteSamples: string }>(
    `SELECT s."clusterId", s."probe", s."target", s."lastAtMs"::text AS "lastAtMs", s."recentGaps",
       (SELECT COALESCE(SUM(x."runSamples"), 0) FROM "Sample" x WHERE x."clusterId" = s."clusterId" AND x."probe" = s."probe" AND x."target" = s."target")::text AS n,
       (SELECT COALESCE(SUM(m."samples"), 0) FROM "RollupMinute" m WHERE m."seriesId" = s."id")::text AS "minuteSamples"
     FROM "Series" s`,
  );
  const bySlot = new Map<string, { clusterId: string; probe: string; target: string; slot: string; n: number }>();
  for (const x of series.rows) {
    assert.equal(x.n, x.minuteSamples, `${x.clusterId} ${x.probe}/${x.target}: runs and minute rollups count the same samples`);
    for (const t of recentTimes(Number(x.lastAtMs), x.recentGaps)) {
      const slot = String(Math.floor(t / INTERVAL_MS));
      const k = `${x.clusterId}|${x.probe}|${x.target}|${slot}`;
      const e = bySlot.get(k) ?? { clusterId: x.clusterId, probe: x.probe, target: x.target, slot, n: 0 };
      e.n++;
      bySlot.set(k, e);
    }
  }
  const r = { rows: [...bySlot.values()] };
  const twice = r.rows.filter((x) => x.n > 1);
  let worstMissing = 0;
  assert.deepEqual(twice, [], 'no cluster, component and cycle stored twice');
  assert.ok(r.rows.length > 6 * 10 * 10, `${r.rows.length} (cluster, component, cycle) samples`);
  // Cycles without a readyz sample per cluster: only around the handoffs.
  for (const id of clusterIds) {
    const slots = r.rows.filter((x) => x.clusterId === id && x.probe === 'apiserver-readyz').map((x) => Number(x.slot)).sort((a, b) => a - b);
    const missing = slots.at(-1)! - slots[0]! + 1 - slots.length;
    assert.ok(missing <= 8, `cluster ${id}: ${missing} cycles without a sample between its first and last (handoffs and the frozen collectors only)`);
    worstMissing = Math.max(worstMissing, missing);
  }
  for (const lease of ['kube-scheduler', 'kube-controller-manager'] as const) {
    const expected = takeovers(observer.of(lease)).filter((t) => micros(t.newAcquireTime) / 1000 > testStart + 30_000);
    const m = await failoversOf(`kube-system/${lease}`);
    for (const id of clusterIds) {
      const got = (m.get(id) ?? []).filter((e) => e.newAcquireTime && micros(e.newAcquireTime) / 1000 > testStart + 30_000);
      assert.deepEqual(got.map((e) => e.newAcquireTime).sort(), expected.map((e) => e.newAcquireTime).sort(), `${lease} on ${id}: every takeover once`);
    }
  }
  const f = (xs: number[]): string => (xs.length ? `${(Math.min(...xs) / 1000).toFixed(1)}–${(Math.max(...xs) / 1000).toFixed(1)} s` : 'n/a');
  console.log(`[ha] ${r.rows.length} (cluster, component, cycle) samples (each series' last 101), none twice; at most ${worstMissing} cycles without a readyz sample per cluster`);
  for (const [label, m] of Object.entries(measured)) console.log(`[ha] measured (${label}): re-probed after a kill -9 ${f(m.reprobeMs)}; ownership gap ${f(m.gapMs)}; unprobed ${f(m.probeGapMs)}`);
});
