// `npm run quorum -- backup FILE` / `restore FILE` (lib/db/backup.ts) on real SQLite files, with another
// process writing through the collector's write path during the backup (and the real collector
// running beside a restore, which refuses). The October report of the seeded data (the
// e2e seed: a day with an etcd outage, a failover and a maintenance window, through the real write
// path) is the same, byte for byte in its JSON, from the restored copy in a fresh data folder. The key
// is not in the backup: the restore says so until the kept key is put in place. Restore refuses an
// existing database (unless --force), a running collector, a file that is not a Quorum database or is
// damaged; on PostgreSQL both commands refuse and print the pg_dump / pg_restore way.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { getReport } from '@/lib/data/reports';
import { parseReportPeriod } from '@/lib/slo/targets';
import { cli } from '../support/quorum-proc';
import { withEnv } from '../support/with-env';
import { PG_URL } from './provider-db';

const root = path.resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'quorum-backup-'));
const spawned: ChildProcess[] = [];
after(() => {
  for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

const folder = (name: string): Record<string, string> => ({ QUORUM_DATA_DIR: path.join(tmp, name), DATABASE_URL: '', QUORUM_SECRET_KEY: '' });
const NOW = new Date(Date.UTC(2026, 10, 15)); // a fixed "now" for both reports (the period is over)
const october = parseReportPeriod('2026-10');

async function reportJson(env: Record<string, string>): Promise<string[]> {
  return withEnv(env, async () => [JSON.stringify(await getReport({ clusterId: null, period: october, now: NOW })), JSON.stringify(await getReport({ clusterId: 'report-a', period: october, now: NOW }))]);
}

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** The real collector on `env`'s data folder, 1 s cycles; resolves once it has written a cycle. */
async function startCollector(env: Record<string, string>): Promise<{ stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'lib', 'collector', 'main.ts')], { cwd: root, env: { ...process.env, ...env, QUORUM_COLLECTOR_INTERVAL_SECONDS: '1', QUORUM_PROBE_TIMEOUT_MS: '300' }, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const t = Date.now();
  while (!/"event":"cycle"/.test(out)) {
    if (child.exitCode !== null || Date.now() - t > 60_000) throw new Error(`collector did not run a cycle: ${out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    } };
}

/**
 * A writer in another process through the collector's write path (insertSamples: raw rows, series
 * cursor, intervals and rollups in one transaction), for its own cluster, as fast as it can: the
 * backup is taken while it writes. (Not the collector itself: its cycles would add series — new report
 * rows — to the October clusters too, so no report could be compared byte for byte.)
 */
async function startWriter(env: Record<string, string>): Promise<{ writes: () => number; stop: () => Promise<void> }> {
  const code = `
    const { createCluster } = await import('@/lib/data/clusters');
    const { insertSamples } = await import('@/lib/data/samples');
    const c = await createCluster({ name: 'live-writer', server: 'https://10.9.0.2:6443', context: 'c', labels: {}, kubeconfigYaml: 'apiVersion: v1' });
    for (let i = 0; ; i++) {
      const at = Date.now();
      await insertSamples(c.id, ['apiserver-readyz', 'apiserver-livez', 'etcd'].map((probe) => ({ probe, target: 'endpoint', status: 'up', reason: 'ok', latencyMs: 5, at })), { capMs: 30000 });
      process.stdout.write('w');
      await new Promise((r) => setTimeout(r, 5));
    }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(child);
  let n = 0;
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (n += d.toString().split('w').length - 1));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const t = Date.now();
  while (n < 20) {
    if (child.exitCode !== null || Date.now() - t > 60_000) throw new Error(`writer did not write: ${err.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { writes: () => n, stop: async () => {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } };
}

/** In a consistent snapshot every series' cursor is the last sample of its newest run (both move in one transaction). */
function cursorsMatchSamples(file: string, clusterName: string): number {
  const h = new Database(file, { readonly: true });
  try {
    const rows = h
      .prepare(`SELECT s."probe", s."lastAtMs" AS cursor, (SELECT max(x."runLastAtMs") FROM "Sample" x WHERE x."clusterId" = s."clusterId" AND x."probe" = s."probe") AS newest
                FROM "Series" s JOIN "Cluster" c ON c."id" = s."clusterId" WHERE c."name" = ?`)
      .all(clusterName) as Array<{ probe: string; cursor: number; newest: number }>;
    for (const r of rows) assert.ok(Math.abs(Number(r.cursor) - Number(r.newest)) <= 1, `${r.probe}: cursor ${r.cursor} vs newest sample ${r.newest}`);
    return rows.length;
  } finally {
    h.close();
  }
}

test('backup while another process writes → restore into a fresh data folder → the same October report, byte for byte', { timeout: 240_000 }, async (t) => {
  const a = folder('a');
  for (const name of ['report-a', 'report-b']) {
    const seeded = await run([path.join(root, 'scripts', 'e2e-seed-report.ts'), name], a);
    assert.equal(seeded.code, 0, seeded.out);
  }
  const writer = await startWriter(a);
  const before = await reportJson(a);
  assert.match(before[1]!, /"availability"/);
  const file = path.join(tmp, 'quorum-backup.db');
  const writesBefore = writer.writes();
  const b = await cli(['backup', file], a);
  const during = writer.writes() - writesBefore;
  await writer.stop();
  t.diagnostic(`${b.out.trim()} — ${during} write transactions committed meanwhile`);
  assert.ok(during > 0, 'the writer kept writing while the backup ran');
  assert.equal((await reportJson(a))[0], before[0], 'the writer does not change the October reports');
  assert.equal(cursorsMatchSamples(file, 'live-writer'), 3, 'the backup is one consistent snapshot');
  assert.equal(b.code, 0, b.out);
  assert.match(b.out, /backed up .*quorum\.db → .*quorum-backup\.db: [\d.]+ MiB, 3 clusters, \d+ raw samples, \d+ migrations \(last \d+_\w+\), integrity ok/);
  assert.match(b.out, /encrypted with key [0-9a-f]{16}\. The key is NOT in the backup: keep .*secret\.key apart from it/);
  assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('quorum-backup')), ['quorum-backup.db'], 'one self-contained file (no -wal, no .partial)');
  assert.equal((await cli(['backup', file], a)).code, 1, 'a backup never overwrites a file');

  // A fresh data folder without the key: restored, but it says the key is missing.
  const c = folder('c');
  const r1 = await cli(['restore', file], c);
  assert.equal(r1.code, 1, r1.out);
  assert.match(r1.out, /restored .*quorum\.db from .*quorum-backup\.db: .*3 clusters/);
  assert.match(r1.out, /error \[keys\]: restored, but the key does not open its credentials/);
  copyFileSync(path.join(a.QUORUM_DATA_DIR!, 'secret.key'), path.join(c.QUORUM_DATA_DIR!, 'secret.key'));
  const keys = await cli(['keys', 'check'], c);
  assert.equal(keys.code, 0, keys.out);
  assert.match(keys.out, /3 of 3 clusters. credentials decrypt/);

  const restored = await reportJson(c);
  assert.equal(restored[0], before[0], 'fleet report JSON identical');
  assert.equal(restored[1], before[1], 'cluster report JSON identical');

  // Restore again: refused while the database exists; --force keeps the old one beside it.
  const again = await cli(['restore', file], c);
  assert.equal(again.code, 1);
  assert.match(again.out, /exists; restore into an empty data folder, or add --force/);
  const col = await startCollector(c);
  const busy = await cli(['restore', '--force', file], c);
  assert.equal(busy.code, 1);
  assert.match(busy.out, /a collector runs on .*quorum\.db \(process \d+ on .*\); stop Quorum first/);
  await col.stop();
  const forced = await cli(['restore', '--force', file], c);
  assert.equal(forced.code, 0, forced.out);
  assert.match(forced.out, /the previous database is .*quorum\.db\.before-restore-/);
  assert.equal((await reportJson(c))[1], before[1]);
});

test('restore refuses what is not a Quorum database, or is damaged, and touches nothing', { timeout: 60_000 }, async () => {
  const d = folder('d');
  const text = path.join(tmp, 'not-a-db.txt');
  writeFileSync(text, 'hello');
  const r = await cli(['restore', text], d);
  assert.equal(r.code, 1);
  assert.match(r.out, /is not a SQLite database/);
  const good = path.join(tmp, 'quorum-backup.db');
  assert.ok(existsSync(good));
  const bad = path.join(tmp, 'damaged.db');
  const bytes = readFileSync(good);
  bytes.fill(0x5a, 4096 * 2, 4096 * 6); // pages 3–6 overwritten
  writeFileSync(bad, bytes);
  const dmg = await cli(['restore', bad], d);
  assert.equal(dmg.code, 1);
  assert.match(dmg.out, /(is damaged: integrity_check says|is not a Quorum database|malformed)/);
  assert.ok(!existsSync(path.join(d.QUORUM_DATA_DIR!, 'quorum.db')), 'nothing restored');
});

test('on PostgreSQL, backup and restore refuse and say how: pg_dump / pg_restore, the key kept apart', { skip: PG_URL ? false : 'QUORUM_TEST_PG_URL is not set', timeout: 60_000 }, async () => {
  const env = { DATABASE_URL: `${PG_URL}${PG_URL!.includes('?') ? '&' : '?'}schema=quorum_backup_howto`, QUORUM_SECRET_KEY: 'a'.repeat(64) };
  for (const args of [['backup', path.join(tmp, 'x.dump')], ['restore', path.join(tmp, 'x.dump')]]) {
    const r = await cli(args, env);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /this Quorum uses PostgreSQL .*schema quorum_backup_howto/);
    assert.match(r.out, /pg_dump --format=custom --schema=quorum_backup_howto/);
    assert.match(r.out, /pg_restore --clean --if-exists --no-owner --schema=quorum_backup_howto/);
    assert.match(r.out, /QUORUM_SECRET_KEY\) is not in the dump/);
  }
  assert.ok(!existsSync(path.join(tmp, 'x.dump')));
});
