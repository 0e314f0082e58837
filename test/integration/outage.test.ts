// A DB outage loses nothing, and a collector restart during the outage loses nothing either.
// Real parts only: our OWN PostgreSQL 15 instance (initdb + pg_ctl in a temp folder, on a free port;
// stopped and started by this test), the real collector process (`tsx lib/collector/main.ts`) with
// the real probes, killed with SIGKILL mid-outage and replaced by a second process.
// The probed cluster points at a closed loopback port, so every probe really runs and really
// answers `down`/`unknown` within milliseconds — no lab needed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort, startOwnPg, type OwnPg } from '../support/own-pg';
import { storedSamples } from '../support/stored-samples';

const root = path.resolve(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-outage-data-'));
let own: OwnPg;
const pgStart = (): void => own.start();
const pgStop = (): void => own.stop();
const dbUrl = (): string => own.url('quorum_outage');

before(async () => {
  own = await startOwnPg('quorum-outage', ['quorum_outage']);
  process.env.DATABASE_URL = dbUrl();
  process.env.QUORUM_DATA_DIR = dataDir;
  process.env.QUORUM_SECRET_KEY = randomBytes(32).toString('hex');
});

after(async () => {
  for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  const { closeDb } = await import('@/lib/db');
  await closeDb().catch(() => undefined);
  own?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Proc {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  /** Resolves with the first log line (from now on) that matches. */
  waitFor(pred: (l: Record<string, unknown>) => boolean, ms: number, what: string): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

const spawned: ChildProcess[] = [];

function startCollector(): Proc {
  // node itself with tsx's loader, so child.pid IS the collector (the .bin/tsx wrapper would leave it orphaned on SIGKILL).
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'lib', 'collector', 'main.ts')], {
    cwd: root,
    env: { ...process.env, QUORUM_COLLECTOR_INTERVAL_SECONDS: '1', QUORUM_PROBE_TIMEOUT_MS: '500', QUORUM_DB_POOL_MAX: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.push(child);
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  let buf = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let l: Record<string, unknown>;
      try {
        l = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      lines.push(l);
      for (const w of [...waiters]) {
        if (w.pred(l)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(l);
        }
      }
    }
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    lines,
    exited,
    waitFor: (pred, ms, what) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`collector: no "${what}" within ${ms} ms; last lines: ${JSON.stringify(lines.slice(-4))}; stderr: ${err.slice(-800)}`)), ms);
        waiters.push({
          pred,
          resolve: (l) => {
            clearTimeout(t);
            resolve(l);
          },
        });
      }),
  };
}

const isCycle = (l: Record<string, unknown>): boolean => l.event === 'cycle';
const sumSamples = (p: Proc): number => p.lines.filter(isCycle).reduce((a, l) => a + Number(l.samples), 0);
/**
 * Samples the write path skipped because their cycle slot was already stored (lib/data/samples.ts
 * slotMs): with a 1 s interval the cycle main.ts runs at start and the first cron tick can fall in
 * one slot, and the second is then superseded — produced, logged, deliberately not stored.
 */
const sumSuperseded = (p: Proc): number => p.lines.filter((l) => l.event === 'samples-superseded').reduce((a, l) => a + Number(l.superseded), 0);

test('PostgreSQL down, collector SIGKILLed and restarted during the outage, PostgreSQL back: every sample stored exactly once', { timeout: 180_000 }, async (t) => {
  const { migrate } = await import('@/lib/db/migrate');
  const { createCluster } = await import('@/lib/data/clusters');
  const { closeDb } = await import('@/lib/db');
  await migrate({ quiet: true });
  const closed = await freePort();
  const kubeconfig = JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'cluster', cluster: { server: `https://127.0.0.1:${closed}`, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'user', user: { token: 'outage-test' } }],
    contexts: [{ name: 'c', context: { cluster: 'cluster', user: 'user' } }],
  });
  const cluster = await createCluster({ name: 'outage', server: `https://127.0.0.1:${closed}`, context: 'c', labels: {}, kubeconfigYaml: kubeconfig });
  await closeDb();

  // 1. Collector A writes while the DB is up.
  const a = startCollector();
  await a.waitFor((l) => isCycle(l) && Number(l.written) > 0 && Number(l.buffered) === 0, 30_000, 'a written cycle');
  await a.waitFor((l) => isCycle(l) && Number(l.written) > 0, 5_000, 'a second written cycle');

  // 2. The DB goes down: A keeps probing and buffers on disk.
  pgStop();
  const stoppedAt = Date.now();
  await a.waitFor((l) => isCycle(l) && typeof l.dbError === 'string' && Number(l.buffered) >= 15, 20_000, 'three buffered cycles');
  // 3. Crash A right after a cycle line (cycles take milliseconds, the next starts ~1 s later).
  const last = await a.waitFor(isCycle, 5_000, 'one more cycle');
  a.child.kill('SIGKILL');
  await a.exited;
  const bufferedByA = Number(last.buffered);
  assert.ok(bufferedByA >= 15, `A had ${bufferedByA} samples buffered`);
  const segs = readdirSync(path.join(dataDir, 'collector-buffer')).filter((f) => f.startsWith('seg-'));
  assert.ok(segs.length > 0, 'the buffer is on disk');

  // 4. Collector B starts while the DB is still down: it replays A's buffer, and probes the cluster A
  //    last listed, with the credentials envelope A kept (known-clusters.json): nothing to wait for.
  const b = startCollector();
  const replay = await b.waitFor((l) => l.event === 'buffer-replay', 30_000, 'buffer-replay');
  assert.equal(replay.samples, bufferedByA, 'B replays exactly what A had not written');
  assert.equal(replay.corrupt, 0);
  const bDown = await b.waitFor((l) => isCycle(l) && typeof l.dbError === 'string', 10_000, 'a cycle of B during the outage');
  assert.equal(bDown.clusters, 1, 'B probes the cluster A knew although the database is down');
  assert.equal(bDown.clustersFromCache, true);
  assert.ok(Number(bDown.samples) > 0);

  // 5. The DB returns: B writes the backlog, then keeps writing its own cycles.
  pgStart();
  const outageMs = Date.now() - stoppedAt;
  await b.waitFor((l) => isCycle(l) && Number(l.buffered) === 0 && Number(l.written) >= bufferedByA, 30_000, 'backlog written');
  await b.waitFor((l) => isCycle(l) && Number(l.written) > 0 && Number(l.clusters) === 1, 10_000, 'B probing again');
  b.child.kill('SIGTERM');
  assert.equal(await b.exited, 0);

  // Every sample either collector produced (their cycle lines) is in the database, once.
  const c = new pg.Client({ connectionString: dbUrl() });
  await c.connect();
  try {
    // Sample rows are runs: every sample's time from the series cursors, checked against the runs' and minutes' counts.
    const rows = (await storedSamples(async (sql, id) => (await c.query(sql, [id])).rows, cluster.id, '$1')).map((r) => ({ ...r, at: new Date(r.atMs) }));
    const superseded = sumSuperseded(a) + sumSuperseded(b);
    const produced = sumSamples(a) + sumSamples(b);
    t.diagnostic(`outage ${outageMs} ms; A buffered ${bufferedByA} samples before SIGKILL; B replayed them; stored ${rows.length}, produced ${produced}, superseded ${superseded} (a second cycle in one slot)`);
    // At most one cycle per collector start shares its slot with the next (7 probe results per cycle here).
    const perCycle = Math.max(...[...a.lines, ...b.lines].filter(isCycle).map((l) => Number(l.samples)));
    assert.ok(superseded <= 2 * perCycle, `superseded ${superseded} samples: more than one cycle per collector start (${perCycle} each)`);
    assert.equal(rows.length, produced - superseded, `database holds ${rows.length} samples, the collectors produced ${produced} of which ${superseded} were a second cycle in an already-stored slot`);
    const keys = rows.map((r) => `${r.probe}|${r.target}|${r.at.getTime()}`);
    assert.equal(new Set(keys).size, keys.length, 'no sample stored twice');
    // The outage is covered: readyz samples about one interval apart, except around A's crash → B's first probing cycle.
    const readyz = rows.filter((r) => r.probe === 'apiserver-readyz').map((r) => r.at.getTime());
    const during = readyz.filter((t) => t > stoppedAt && t < stoppedAt + outageMs);
    assert.ok(during.length >= 3, `${during.length} readyz samples taken while the DB was down are stored`);
    const gaps = readyz.slice(1).map((t, i) => t - readyz[i]!);
    const bigGaps = gaps.filter((g) => g > 1600);
    assert.ok(bigGaps.length <= 1, `only the restart leaves a gap; gaps > 1.6 s: ${JSON.stringify(bigGaps)}`);
    // (No lower bound: main.ts runs one cycle at start and then on the cron tick, which may come < 1 s later.)
  } finally {
    await c.end();
  }
  assert.deepEqual(readdirSync(path.join(dataDir, 'collector-buffer')).filter((f) => f.startsWith('seg-')), [], 'nothing left in the buffer');
});

test('a crash between the DB commit and the buffer acknowledgement does not store the batch twice', async () => {
  const { DiskBuffer } = await import('@/lib/collector/buffer');
  const { createCluster } = await import('@/lib/data/clusters');
  const { insertSamples, listSamples } = await import('@/lib/data/samples');
  const { getDb } = await import('@/lib/db');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quorum-ack-'));
  const cl = await createCluster({ name: 'ack-crash', server: 'https://127.0.0.1:1', context: 'c', labels: {}, kubeconfigYaml: 'apiVersion: v1' });
  const t0 = Date.now();
  const results = [0, 1, 2].map((i) => ({ probe: 'apiserver-readyz' as const, target: 'endpoint', status: 'up' as const, reason: 'ok', latencyMs: 5, at: t0 + i * 10_000 }));
  // Same key twice in one batch: since issue 16 the series cursor decides, so the second is late and
  // stored once (the rollups always counted it once; the raw rows now agree with them).
  results.push({ ...results[2]! });
  const first = DiskBuffer.open({ dir, maxBytes: 1 << 20, maxWeight: 1000 });
  first.append([{ kind: 'samples', clusterId: cl.id, payload: results }]);
  // The "process" writes and commits, then dies before acknowledging: no flush(), no close().
  await insertSamples(cl.id, results);
  const second = DiskBuffer.open({ dir, maxBytes: 1 << 20, maxWeight: 1000 });
  assert.equal(second.pending, 4, 'the committed batch is replayed');
  const flags: boolean[] = [];
  await second.flush(async (r, info) => {
    flags.push(info.maybeWritten);
    if (r.kind === 'samples') await insertSamples(r.clusterId, r.payload, { dedupe: info.maybeWritten });
  });
  assert.deepEqual(flags, [true]);
  // Runs: one readyz run of 3 samples (equal results), the times from the cursor.
  const stored = await listSamples({ clusterId: cl.id, since: new Date(t0 - 1) });
  assert.deepEqual(stored.map((s) => [Date.parse(s.at) - t0, Date.parse(s.lastAt) - t0, s.samples]), [[0, 20_000, 3]]);
  const times = async (): Promise<number[]> => {
    const db = await getDb();
    return (await storedSamples((sql, id) => db.prisma.$queryRawUnsafe(sql, id) as Promise<Array<Record<string, unknown>>>, cl.id, db.provider === 'sqlite' ? '?' : '$1')).map((r) => r.atMs - t0);
  };
  assert.deepEqual(await times(), [0, 10_000, 20_000]);
  // A batch with one new and one known sample: only the new one is added.
  await insertSamples(cl.id, [results[0]!, { ...results[0]!, at: t0 + 30_000 }], { dedupe: true });
  assert.deepEqual(await times(), [0, 10_000, 20_000, 30_000]);
  second.close();
  rmSync(dir, { recursive: true, force: true });
});
