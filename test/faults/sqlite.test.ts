// SQLite under a long write lock, with the real `npm start` (web app + collector) on one file: another
// process holds BEGIN EXCLUSIVE for 60 s (a long writer, a backup). The collector keeps its schedule
// and buffers; pages, /api/healthz and the read API answer within 5 s (WAL: readers are not blocked);
// a write through the API is a classified 503 database-busy within 5 s; afterwards every cycle of the
// window is stored, none twice (compared with the collector's cycle log).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { freePort } from '../support/own-pg';
import { storedSeries } from '../support/stored-samples';
import { checkEveryCycleStoredOnce, isCycle, registerClosedPortCluster, signIn, startQuorum, timed, type LogLine, type QuorumProc, type SignedIn } from '../support/quorum-proc';

const PORT = 3312;
const INTERVAL_S = 2;
const HOLD_MS = 60_000;
const root = path.resolve(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-faults-sqlite-'));
const file = path.join(dataDir, 'quorum.db');
const env: Record<string, string> = { QUORUM_DATA_DIR: dataDir, QUORUM_COLLECTOR_INTERVAL_SECONDS: String(INTERVAL_S), QUORUM_PROBE_TIMEOUT_MS: '1000', QUORUM_OUTBOUND_ALLOW_LOOPBACK: '1' };
let quorum: QuorumProc | undefined;
let clusterId = '';
let auth: SignedIn;

before(async () => {
  delete process.env.DATABASE_URL;
  clusterId = await registerClosedPortCluster('faults-sqlite', env, await freePort());
  quorum = await startQuorum(PORT, env);
  auth = await signIn(quorum.base, env);
});

after(async () => {
  await quorum?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const written = (l: LogLine): boolean => isCycle(l) && Number(l.written) > 0 && Number(l.buffered) === 0 && l.dbError === undefined;

test('SQLite write-locked by another process for 60 s: cycles keep their schedule, web answers within 5 s, every cycle stored once afterwards', { timeout: 240_000 }, async (t) => {
  const q = quorum!;
  await q.waitFor(written, 60_000, 'a written cycle');
  await q.waitFor(written, 10_000, 'a second written cycle');

  const holder = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test', 'support', 'hold-sqlite-lock.ts'), file, String(HOLD_MS), 'EXCLUSIVE'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let holderOut = '';
  let releasedAtMs = 0;
  holder.stdout!.on('data', (d: Buffer) => {
    holderOut += d.toString();
    // When the lock really went (the request loop below notices only at its next round).
    if (!releasedAtMs && holderOut.includes('released')) releasedAtMs = Date.now();
  });
  const released = new Promise<void>((r) => holder.on('exit', () => r()));
  while (!holderOut.includes('locked')) {
    assert.equal(holder.exitCode, null, 'the lock holder started');
    await new Promise((r) => setTimeout(r, 50));
  }
  const lockedAt = Date.now();
  const answers: Array<{ what: string; status: number; ms: number; body: string; endedAtMs: number }> = [];
  while (!holderOut.includes('released')) {
    for (const [what, url, init] of [
      ['healthz', '/api/healthz', { headers: auth.api }],
      ['page /', '/', { headers: auth.page }],
      ['page cluster', `/clusters/${clusterId}`, { headers: auth.page }],
      ['api/clusters', '/api/clusters', { headers: auth.api }],
      ['POST maintenance', '/api/maintenance', { method: 'POST', headers: { ...auth.api, 'content-type': 'application/json' }, body: JSON.stringify({ cluster: null, title: 'fault test', start: '2026-12-01T02:00:00Z', durationMinutes: 60, recurrence: 'none' }) }],
    ] as const) {
      answers.push({ what, ...(await timed(`${q.base}${url}`, init as RequestInit)), endedAtMs: Date.now() });
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  await released;
  const releasedAt = releasedAtMs || Date.now();
  for (const a of answers) assert.ok(a.status !== 0 && a.ms < 5000, `${a.what} answered ${a.status} after ${a.ms} ms while SQLite was locked`);
  for (const what of ['healthz', 'page /', 'page cluster', 'api/clusters']) {
    assert.ok(answers.filter((a) => a.what === what).every((a) => a.status === 200), `${what} reads while a writer holds the lock (WAL): ${answers.filter((a) => a.what === what).map((a) => a.status).join(',')}`);
  }
  assert.ok(answers.some((a) => a.what === 'page /' && a.body.includes('faults-sqlite')), 'the overview lists the cluster');
  // Writes answered while the lock was held (a round can straddle the release: its last POST may then succeed, rightly).
  const posts = answers.filter((a) => a.what === 'POST maintenance' && a.endedAtMs < releasedAt);
  assert.ok(posts.length > 0, 'writes were tried while the lock was held');
  assert.ok(posts.every((a) => a.status === 503 && /"class":"database-busy"/.test(a.body) && /SQLite write lock/.test(a.body)), `writes: ${posts.map((a) => `${a.status} ${a.body.slice(0, 120)}`).join(' | ')}`);
  const hb = JSON.parse(answers.filter((a) => a.what === 'healthz').at(-1)!.body) as { collector: { buffered: number; dbError?: string } | null };
  assert.ok(hb.collector && hb.collector.buffered > 0 && /busy/.test(hb.collector.dbError ?? ''), `healthz shows the collector buffering: ${JSON.stringify(hb.collector)}`);
  t.diagnostic(`answers while locked: max ${Math.max(...answers.map((a) => a.ms))} ms over ${answers.length} requests`);

  const during = q.lines.filter((l) => isCycle(l) && Date.parse(String(l.startedAt)) >= lockedAt && Date.parse(String(l.startedAt)) < releasedAt);
  assert.ok(during.length >= Math.floor(HOLD_MS / 1000 / INTERVAL_S) - 2, `${during.length} cycles ran during the 60 s lock`);
  // A cycle gives the database what is left of its interval, never more (before: one cycle took 57 s); 1.5 intervals leaves room for a loaded machine.
  assert.ok(during.every((l) => Number(l.ms) < 1.5 * INTERVAL_S * 1000), `cycle durations while locked: ${during.map((l) => l.ms).join(',')}`);
  // (The first cycle of the window may report a write that finished just before the lock, the last one the backlog once it was released.)
  const inner = during.slice(1, -1);
  assert.ok(inner.every((l) => l.written === 0 && typeof l.dbError === 'string'), `nothing written while locked, each cycle says so: ${JSON.stringify(during.map((l) => [l.startedAt, l.written, l.buffered, String(l.dbError ?? '').slice(0, 40)]))}`);
  assert.ok(during.filter((l) => /database busy: another process holds the SQLite write lock/.test(String(l.dbError))).length >= during.length - 2, `cycles name the lock: ${during.map((l) => String(l.dbError).slice(0, 60)).join(' | ')}`);

  await q.waitFor((l) => written(l) && Date.parse(String(l.startedAt)) > releasedAt, 60_000, 'the backlog written after the lock');
  assert.equal(await q.stop(), 0);
  quorum = undefined;
  const h = new Database(file, { readonly: true });
  const rows = await storedSeries(async (sql, id) => (h.prepare(sql).all(id) as Array<Record<string, unknown>>), clusterId, '?');
  h.close();
  const r = checkEveryCycleStoredOnce(rows, q.lines.filter(isCycle), { fromMs: lockedAt, toMs: releasedAt, intervalMs: INTERVAL_S * 1000 });
  t.diagnostic(`lock ${Math.round((releasedAt - lockedAt) / 1000)} s: ${r.inWindow} cycles in the window, ${r.stored} readyz samples stored, ${rows.reduce((a, x) => a + x.samples, 0)} samples in all, none twice`);
  assert.ok(r.inWindow >= 28);
});
