// PostgreSQL under faults, with the real `npm start` (web app + collector) on our OWN throw-away
// PostgreSQL 15 (never the shared one):
//   1. every PostgreSQL process SIGSTOPped for 60 s (a hung server: sockets open, nothing answers) —
//      the collector keeps its schedule and buffers; /api/healthz and a page answer within 5 s, the web
//      server's /readyz says 503 `unavailable` (/livez 200) and 200 again after, it drains on SIGTERM;
//      afterwards every cycle of the window is stored, none twice (compared with the cycle log);
//   2. the database forced read-only (ALTER DATABASE … SET default_transaction_read_only = on, its
//      sessions terminated: 25006, 57P01) — records kept, written when it is writable again;
//   3. a real deadlock with the collector's write transaction (40P01) — retried, nothing lost.
// The probed cluster is a closed loopback port: every probe really runs and answers at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, startOwnPg, type OwnPg } from '../support/own-pg';
import { storedSeries, type StoredSeries } from '../support/stored-samples';
import { checkEveryCycleStoredOnce, isCycle, registerClosedPortCluster, signIn, startQuorum, timed, type LogLine, type QuorumProc, type SignedIn } from '../support/quorum-proc';

const PORT = Number(process.env.QUORUM_FAULTS_PG_PORT ?? 3311);
const INTERVAL_S = 2;
const DB = 'quorum_faults';
let own: OwnPg;
let quorum: QuorumProc | undefined;
/** Cycle lines of every Quorum process this file started (the database holds all their samples). */
const allCycles: LogLine[] = [];
let clusterId = '';
let auth: SignedIn;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-faults-pg-'));
const env: Record<string, string> = {};

before(async () => {
  own = await startOwnPg('quorum-faults', [DB]);
  // The collector's sessions look for deadlocks after 1 s (the test's own session waits longer, so
  // when a deadlock forms the collector's transaction is the one PostgreSQL aborts).
  await own.sql(`ALTER DATABASE ${DB} SET deadlock_timeout = '1s'`);
  Object.assign(env, {
    DATABASE_URL: own.url(DB),
    QUORUM_DATA_DIR: dataDir,
    QUORUM_SECRET_KEY: randomBytes(32).toString('hex'),
    QUORUM_COLLECTOR_INTERVAL_SECONDS: String(INTERVAL_S),
    QUORUM_PROBE_TIMEOUT_MS: '1000',
    // The probed cluster is on a loopback port, which the outbound policy refuses unless allowed.
    QUORUM_OUTBOUND_ALLOW_LOOPBACK: '1',
  });
  clusterId = await registerClosedPortCluster('faults-pg', env, await freePort());
  quorum = await startQuorum(PORT, env);
  auth = await signIn(quorum.base, env);
});

/** Stops Quorum (its shutdown flush writes what is left) and keeps its cycle lines. */
async function stopQuorum(q: QuorumProc): Promise<void> {
  assert.equal(await q.stop(), 0, q.output().slice(-2000));
  allCycles.push(...q.lines.filter(isCycle));
  if (quorum === q) quorum = undefined;
}

after(async () => {
  own?.signalAll('SIGCONT');
  await quorum?.stop();
  const { closeDb } = await import('@/lib/db');
  await closeDb().catch(() => undefined);
  own?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

const written = (l: LogLine): boolean => isCycle(l) && Number(l.written) > 0 && Number(l.buffered) === 0 && l.dbError === undefined;

/** What our database holds of the cluster's series (Sample rows are runs: counts, the cursor's last times, minute rollups). */
async function storedSamples(): Promise<StoredSeries[]> {
  const c = new pg.Client({ connectionString: own.url(DB) });
  await c.connect();
  try {
    return await storedSeries(async (sql, id) => (await c.query(sql, [id])).rows as Array<Record<string, unknown>>, clusterId, '$1');
  } finally {
    await c.end();
  }
}

test('PostgreSQL hung by SIGSTOP for 60 s: cycles keep their schedule, web answers within 5 s, every cycle stored once afterwards', { timeout: 240_000 }, async (t) => {
  const q = quorum!;
  await q.waitFor(written, 60_000, 'a written cycle');
  await q.waitFor(written, 10_000, 'a second written cycle');
  // The web server's Kubernetes probes (scripts/web-server.ts): ready while the database answers.
  const readyBefore = await timed(`${q.base}/readyz`);
  assert.equal(readyBefore.status, 200, readyBefore.body);

  const pids = own.signalAll('SIGSTOP');
  const stoppedAt = Date.now();
  t.diagnostic(`SIGSTOP ${pids.length} PostgreSQL processes`);
  const answers: Array<{ what: string; status: number; ms: number; body: string }> = [];
  try {
    while (Date.now() - stoppedAt < 60_000) {
      const h = await timed(`${q.base}/api/healthz`, { headers: auth.api });
      answers.push({ what: 'healthz', ...h });
      const p = await timed(`${q.base}/`, { headers: auth.page });
      answers.push({ what: 'page /', ...p });
      const a = await timed(`${q.base}/api/clusters`, { headers: auth.api });
      answers.push({ what: 'api/clusters', ...a });
      answers.push({ what: 'readyz', ...(await timed(`${q.base}/readyz`)) });
      answers.push({ what: 'livez', ...(await timed(`${q.base}/livez`)) });
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    own.signalAll('SIGCONT');
  }
  const resumedAt = Date.now();
  for (const a of answers) assert.ok(a.status !== 0 && a.ms < 5000, `${a.what} answered ${a.status} after ${a.ms} ms while PostgreSQL hung`);
  const health = answers.filter((a) => a.what === 'healthz');
  assert.ok(health.every((h) => h.status === 503), `healthz says 503 while hung: ${health.map((h) => h.status).join(',')}`);
  const hb = JSON.parse(health[health.length - 1]!.body) as { db: { ok: boolean; kind?: string }; collector: { buffered: number; dbError?: string; stale: boolean } | null };
  assert.match(hb.db.kind ?? '', /^(timeout|unreachable)$/);
  assert.ok(hb.collector && hb.collector.buffered > 0 && !hb.collector.stale, `healthz shows the collector buffering: ${JSON.stringify(hb.collector)}`);
  const api = answers.filter((a) => a.what === 'api/clusters');
  assert.ok(api.every((a) => a.status === 503 && /"class":"database-unavailable"/.test(a.body)), `GET /api/clusters: ${api.map((a) => `${a.status} ${a.body.slice(0, 80)}`).join(' | ')}`);
  // Readiness false while the database does not answer (the pod leaves the Service), liveness true (no restart).
  const ready = answers.filter((a) => a.what === 'readyz');
  assert.ok(ready.every((a) => a.status === 503 && (JSON.parse(a.body) as { status: string }).status === 'unavailable'), `/readyz while hung: ${ready.map((a) => `${a.status} ${a.body}`).join(' | ')}`);
  assert.ok(answers.filter((a) => a.what === 'livez').every((a) => a.status === 200), 'the process itself is alive: /livez 200');
  t.diagnostic(`answers while hung: max ${Math.max(...answers.map((a) => a.ms))} ms over ${answers.length} requests; page statuses ${[...new Set(answers.filter((a) => a.what === 'page /').map((a) => a.status))].join(',')}`);

  // The schedule held: one cycle per interval during the hang (node-cron skips a tick only when a cycle overruns it).
  const during = q.lines.filter((l) => isCycle(l) && Date.parse(String(l.startedAt)) >= stoppedAt && Date.parse(String(l.startedAt)) < resumedAt);
  assert.ok(during.length >= Math.floor(60 / INTERVAL_S) - 2, `${during.length} cycles ran during the 60 s hang`);
  // A cycle gives the database what is left of its interval, never more (before: one cycle took 57 s); 1.5 intervals leaves room for a loaded machine.
  assert.ok(during.every((l) => Number(l.ms) < 1.5 * INTERVAL_S * 1000), `cycle durations while hung: ${during.map((l) => l.ms).join(',')}`);
  assert.ok(during.some((l) => Number(l.buffered) > 0 && typeof l.dbError === 'string'));

  await q.waitFor((l) => written(l) && Date.parse(String(l.startedAt)) > resumedAt, 60_000, 'the backlog written after SIGCONT');
  let readyAfter = await timed(`${q.base}/readyz`);
  for (let i = 0; i < 30 && readyAfter.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    readyAfter = await timed(`${q.base}/readyz`);
  }
  assert.equal(readyAfter.status, 200, `ready again once the database answers: ${readyAfter.body}`);
  const fromMs = stoppedAt;
  const toMs = resumedAt;
  // Stop, so every cycle line there will ever be is in; the shutdown flush writes the rest.
  await stopQuorum(q);
  assert.match(q.output(), /"svc":"web","event":"stopped"/, 'the web server drained and stopped on SIGTERM');
  const rows = await storedSamples();
  const r = checkEveryCycleStoredOnce(rows, allCycles, { fromMs, toMs, intervalMs: INTERVAL_S * 1000 });
  t.diagnostic(`hang ${Math.round((toMs - fromMs) / 1000)} s: ${r.inWindow} cycles in the window, ${r.stored} readyz samples stored, ${rows.reduce((a, x) => a + x.samples, 0)} samples in all, none twice`);
  assert.ok(r.inWindow >= 28);
  quorum = await startQuorum(PORT, env);
});

test('PostgreSQL forced read-only (default_transaction_read_only, sessions terminated): records kept and written once it is writable', { timeout: 120_000 }, async (t) => {
  const q = quorum!;
  await q.waitFor(written, 30_000, 'a written cycle');
  const before = q.lines.length;
  await own.sql(`ALTER DATABASE ${DB} SET default_transaction_read_only = on`);
  await own.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${DB}' AND pid <> pg_backend_pid()`);
  const ro = await q.waitFor((l) => isCycle(l) && /read-only/.test(String(l.dbError)) && Number(l.buffered) > 0, 30_000, 'a cycle refused as read-only');
  t.diagnostic(`read-only: ${String(ro.dbError)}`);
  await q.waitFor((l) => isCycle(l) && Number(l.buffered) >= 3 * Number(ro.buffered), 30_000, 'more cycles buffered');
  await own.sql(`ALTER DATABASE ${DB} RESET default_transaction_read_only`);
  await own.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${DB}' AND pid <> pg_backend_pid()`);
  await q.waitFor(written, 30_000, 'the backlog written');
  const cycles = q.lines.slice(before).filter(isCycle);
  assert.ok(cycles.some((l) => /read-only/.test(String(l.dbError))));
  const roFrom = Date.parse(String(ro.startedAt));
  await stopQuorum(q);
  const rows = await storedSamples();
  const r = checkEveryCycleStoredOnce(rows, allCycles, { fromMs: roFrom, toMs: Date.now(), intervalMs: INTERVAL_S * 1000 });
  t.diagnostic(`${r.stored} readyz samples stored once each; ${r.inWindow} cycles since the first read-only refusal, each with its readyz sample`);
  quorum = await startQuorum(PORT, env);
});

test('a real deadlock with the collector write (40P01): the write is retried, nothing lost, nothing twice', { timeout: 180_000 }, async (t) => {
  const q = quorum!;
  await q.waitFor(written, 30_000, 'a written cycle');
  // Our session: the cluster's Series rows first, then its Cluster row — the collector's writer takes
  // them in the opposite order (Cluster row, then Series). Whichever attempt forms the cycle first,
  // PostgreSQL aborts the collector's transaction (its deadlock_timeout is 1 s, ours 60 s). An attempt
  // whose timing misses (the collector gave up on the lock first) is repeated.
  let deadlocks = 0;
  for (let attempt = 1; attempt <= 6 && deadlocks === 0; attempt++) {
    const me = new pg.Client({ connectionString: own.url(DB), application_name: 'quorum-fault-test' });
    await me.connect();
    try {
      await me.query("BEGIN; SET LOCAL deadlock_timeout = '60s'; SET LOCAL lock_timeout = '20s'");
      await me.query('SELECT "id" FROM "Series" WHERE "clusterId" = $1 FOR UPDATE', [clusterId]);
      // Wait until the collector's write waits for our Series rows…
      const until = Date.now() + 15_000;
      let waiting = false;
      while (!waiting && Date.now() < until) {
        const r = await me.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'quorum' AND wait_event_type = 'Lock'", [DB]);
        waiting = (r.rows[0] as { n: number }).n > 0;
        if (!waiting) await new Promise((r2) => setTimeout(r2, 20));
      }
      assert.ok(waiting, 'the collector write waits for the Series lock');
      // …then ask for the Cluster row it holds.
      await me.query('SELECT "id" FROM "Cluster" WHERE "id" = $1 FOR UPDATE', [clusterId]).catch((e: unknown) => t.diagnostic(`our side: ${String(e)}`));
    } finally {
      await me.query('ROLLBACK').catch(() => undefined);
      await me.end();
    }
    await q.waitFor(written, 30_000, 'writes resume');
    deadlocks = q.lines.filter((l) => /deadlock/.test(String(l.error ?? l.dbError ?? ''))).length;
    t.diagnostic(`attempt ${attempt}: ${deadlocks} deadlock line(s) in the collector log`);
  }
  assert.ok(deadlocks > 0, 'PostgreSQL detected a deadlock with the collector write');
  await stopQuorum(q);
  const rows = await storedSamples();
  const r = checkEveryCycleStoredOnce(rows, allCycles, { fromMs: 0, toMs: Date.now(), intervalMs: INTERVAL_S * 1000 });
  t.diagnostic(`${r.stored} readyz samples stored once each over ${r.inWindow} cycles of 3 runs`);
});
