// Migrations under a lock, on both providers:
//   1. upgrade: for EVERY earlier migration, a database migrated up to it and populated with rows in
//      the tables that existed then (raw SQL, as that version would have stored them), then migrated
//      to the latest — every row is still there and the app reads it (the SQLite `auth` migration
//      redefines MaintenanceWindow by copying the table: the classic place to lose rows);
//   2. concurrent starts: four processes migrating an empty database at the same moment, with a last
//      migration that takes longer than the schema engine's own lock waits (PostgreSQL: its 10 s
//      advisory-lock timeout; SQLite: the file is busy after 2 s) — without Quorum's migration lock
//      the waiting starts fail ("timed out", "database busy"; checked by hand); with it all succeed,
//      one of them applies the migrations, each migration is recorded once.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { encodeCredentials } from '@/lib/clusters/credentials';
import { listClusters, loadClusterKubeconfig } from '@/lib/data/clusters';
import { listFailovers, listWatchGaps } from '@/lib/data/failovers';
import { insertSamples, latestSamples, listSamples } from '@/lib/data/samples';
import { listMaintenanceWindows, listSloPolicies } from '@/lib/data/slo';
import { listUsers } from '@/lib/data/auth';
import { migrate } from '@/lib/db/migrate';
import { LOCKFILE } from '@/lib/db/migrations';
import { migrationsDir, type Provider } from '@/lib/db/schema';
import { q, readSeries, sqliteTime } from '@/lib/data/sql';
import { withDb } from '@/lib/db';
import { encryptSecret } from '@/lib/secrets';
import { closedPortKubeconfig } from '../support/quorum-proc';
import { withEnv } from '../support/with-env';
import { PG_URL } from './provider-db';

const root = path.resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'quorum-migrations-'));
const schemas: string[] = [];
after(async () => {
  if (PG_URL && schemas.length) {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await c.end();
  }
  rmSync(tmp, { recursive: true, force: true });
});

interface Target {
  env: Record<string, string>;
  exec(sql: string, args?: unknown[]): Promise<void>;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

async function target(provider: Provider, tag: string): Promise<Target> {
  const key = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(path.join(tmp, `${tag}-`));
  if (provider === 'sqlite') {
    const file = path.join(dataDir, 'quorum.db');
    let h: Database.Database | null = null;
    const open = (): Database.Database => (h ??= new Database(file));
    return {
      env: { QUORUM_DATA_DIR: dataDir, QUORUM_SECRET_KEY: key, DATABASE_URL: '' },
      exec: async (sql, args = []) => void open().prepare(q('sqlite', sql)).run(...(args as unknown[])),
      count: async (t) => (open().prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n,
      close: async () => {
        h?.close();
        h = null;
      },
    };
  }
  const schema = `mig_${tag.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  let c: pg.Client | null = null;
  const client = async (): Promise<pg.Client> => {
    if (!c) {
      c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
      await c.connect();
    }
    return c;
  };
  return {
    env: { QUORUM_DATA_DIR: dataDir, QUORUM_SECRET_KEY: key, DATABASE_URL: `${PG_URL}${PG_URL!.includes('?') ? '&' : '?'}schema=${schema}` },
    exec: async (sql, args = []) => void (await (await client()).query(sql, args)),
    count: async (t) => Number((await (await client()).query(`SELECT count(*)::int AS n FROM "${t}"`)).rows[0].n),
    close: async () => {
      await c?.end();
      c = null;
    },
  };
}

/** A migrations folder holding the first `n` migrations of the real one. */
function prefixDir(provider: Provider, n: number): string {
  const src = migrationsDir(provider);
  const names = readdirSync(src).filter((d) => /^\d{14}_/.test(d)).sort();
  const dir = mkdtempSync(path.join(tmp, `prefix-${provider}-${n}-`));
  cpSync(path.join(src, LOCKFILE), path.join(dir, LOCKFILE));
  for (const d of names.slice(0, n)) {
    mkdirSync(path.join(dir, d));
    cpSync(path.join(src, d, 'migration.sql'), path.join(dir, d, 'migration.sql'));
  }
  return dir;
}

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

/**
 * Rows for the tables a migration created, as a Quorum of that version would have written them.
 * Returns the tables and how many rows each got.
 */
async function seed(provider: Provider, migration: string, t: Target, clusterId: string, key: Buffer): Promise<Record<string, number>> {
  const ts = (ms: number): string => (provider === 'sqlite' ? sqliteTime(ms) : new Date(ms).toISOString().replace('Z', ''));
  const bool = (b: boolean): unknown => (provider === 'sqlite' ? (b ? 1 : 0) : b);
  const name = migration.replace(/^\d+_/, '');
  switch (name) {
    case 'init': {
      const creds = encryptSecret(encodeCredentials({ kubeconfig: closedPortKubeconfig(9) }), clusterId, key);
      await t.exec('INSERT INTO "Cluster" ("id","name","server","context","labels","credentials","createdAt","updatedAt") VALUES ($1,$2,$3,$4,$5,$6,$7,$8)', [clusterId, 'legacy', 'https://127.0.0.1:9', 'c', '{"env":"prod"}', creds, ts(NOW), ts(NOW)]);
      for (let i = 0; i < 3; i++) {
        await t.exec('INSERT INTO "Sample" ("clusterId","probe","target","at","status","reason","latencyMs","detail") VALUES ($1,$2,$3,$4,$5,$6,$7,$8)', [clusterId, 'apiserver-readyz', 'endpoint', ts(NOW + i * 10_000), i === 1 ? 'down' : 'up', i === 1 ? 'readyz failed: etcd' : 'ok', 12 + i, '{"checks":[]}']);
      }
      return { Cluster: 1, Sample: 3 };
    }
    case 'failover_events':
      await t.exec('INSERT INTO "FailoverEvent" ("clusterId","lease","kind","previousHolder","newHolder","previousRenewTime","newAcquireTime","gapMs","leaseDurationSeconds","leaseTransitions","at","observedAt","dedupeKey") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)', [
        clusterId, 'kube-system/kube-scheduler', 'crash', 'cp1_a', 'cp2_b', '2026-11-20T12:00:01.000000Z', '2026-11-20T12:00:10.500000Z', 9500, 8, 3, ts(NOW + 10_500), ts(NOW + 11_000), `${clusterId}|k`,
      ]);
      await t.exec('INSERT INTO "LeaseWatchGap" ("clusterId","namespace","startedAt","endedAt","reason","dedupeKey") VALUES ($1,$2,$3,$4,$5,$6)', [clusterId, 'kube-system', ts(NOW), ts(NOW + 5000), 'collector was not running', `${clusterId}|g`]);
      return { FailoverEvent: 1, LeaseWatchGap: 1 };
    case 'slo_storage':
      await t.exec('INSERT INTO "SloPolicy" ("id","clusterId","component","objective","window","createdAt","updatedAt") VALUES ($1,$2,$3,$4,$5,$6,$7)', [randomUUID(), clusterId, '*', 0.995, 'month', ts(NOW), ts(NOW)]);
      await t.exec('INSERT INTO "MaintenanceWindow" ("id","clusterId","title","startMs","durationMs","recurrence","untilMs","createdAt") VALUES ($1,$2,$3,$4,$5,$6,$7,$8)', [randomUUID(), clusterId, 'patching', String(NOW), '3600000', 'weekly', null, ts(NOW)]);
      await t.exec('INSERT INTO "MaintenanceWindow" ("id","clusterId","title","startMs","durationMs","recurrence","untilMs","createdAt") VALUES ($1,$2,$3,$4,$5,$6,$7,$8)', [randomUUID(), null, 'fleet freeze', String(NOW), '60000', 'none', null, ts(NOW)]);
      // Two series cursors as the write path of that version kept them: one with raw rows (its last is
      // the 12:00:20 row), one whose raw rows are gone (retention): the sparse-tier migration backfills
      // lastReason/lastDetail/lastLatencyMs from the latest raw row, else from the open interval's reason.
      for (const [probe, target, reason] of [['apiserver-readyz', 'endpoint', 'ok'], ['leader-election', 'kube-system/kube-scheduler', 'held by cp1_a, renewed 1.2 s ago (lease 15 s)']] as const) {
        await t.exec('INSERT INTO "Series" ("clusterId","probe","target","lastAtMs","lastStatus","openStartMs","openReason","openSamples","capMs") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)', [clusterId, probe, target, String(NOW + 20_000), 'up', String(NOW + 20_000), reason, 1, 30_000]);
      }
      return { SloPolicy: 1, MaintenanceWindow: 2, Series: 2 };
    case 'cluster_settings':
      await t.exec('UPDATE "Cluster" SET "settings" = $1 WHERE "id" = $2', ['{"leases":["cert-manager/cert-manager-controller"],"dnsServers":[]}', clusterId]);
      return {};
    case 'auth':
      await t.exec('INSERT INTO "User" ("id","name","role","passwordHash","disabled","createdAt","updatedAt") VALUES ($1,$2,$3,$4,$5,$6,$7)', [randomUUID(), 'alice', 'admin', null, bool(false), ts(NOW), ts(NOW)]);
      await t.exec('INSERT INTO "AuditEvent" ("at","actor","actorKind","role","action","target") VALUES ($1,$2,$3,$4,$5,$6)', [ts(NOW), 'cli:root', 'cli', 'admin', 'cluster.create', 'cluster legacy']);
      return { User: 1, AuditEvent: 1 };
    case 'series_last_sample_minutes': {
      // Raw rows as main wrote them before Sample held runs (every sample a row, a late duplicate stored raw too),
      // with the cursors of that version: the sample_runs migration thins them to runs.
      const row = (probe: string, target: string, k: number, status: string, reason: string, latencyMs: number | null, detail: string | null): Promise<void> =>
        t.exec('INSERT INTO "Sample" ("clusterId","probe","target","at","status","reason","latencyMs","detail") VALUES ($1,$2,$3,$4,$5,$6,$7,$8)', [clusterId, probe, target, ts(RUNS_T0 + k * 10_000), status, reason, latencyMs, detail]);
      for (const [k, status, reason, latency] of LIVEZ_STREAM) await row('apiserver-livez', 'endpoint', k, status, reason, latency, '{"checks":[]}');
      for (const [k, holder, renew] of LEASE_STREAM) {
        await row('leader-election', 'kube-system/kube-controller-manager', k, 'up', `held by ${holder}, renewed ${renew} s ago (lease 15 s)`, null, JSON.stringify({ facts: { holder, renewAgeMs: Math.round(renew * 1000), transitions: 1 } }));
      }
      for (const [probe, target, k, reason, detail] of [
        ['apiserver-livez', 'endpoint', 9, 'ok', '{"checks":[]}'],
        ['leader-election', 'kube-system/kube-controller-manager', 5, 'held by cp2_b, renewed 0.4 s ago (lease 15 s)', JSON.stringify({ facts: { holder: 'cp2_b', renewAgeMs: 400, transitions: 1 } })],
      ] as const) {
        await t.exec('INSERT INTO "Series" ("clusterId","probe","target","lastAtMs","lastStatus","openStartMs","openReason","openSamples","capMs","lastReason","lastDetail","lastLatencyMs") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)', [
          clusterId, probe, target, String(RUNS_T0 + k * 10_000), 'up', String(RUNS_T0 + k * 10_000), reason, 1, 30_000, reason, detail, null,
        ]);
      }
      // Sample rows after the migration (the 3 of `init` stay, one run each): livez 4 runs; the Lease 2 runs by the write
      // path's rule, which PostgreSQL's SQL says exactly — SQLite masks each digit on its own ("1.2" ≠ "12"): 4 runs there.
      return { Sample: 3 + 4 + (provider === 'sqlite' ? 4 : 2), Series: 4 };
    }
    default:
      return {};
  }
}

const RUNS_T0 = NOW + 100_000;
/** k (× 10 s after RUNS_T0), status, reason, latency; k = 1 twice (the second a late duplicate, never rolled up); k 4 → 8 is a gap beyond the 30 s cap. */
const LIVEZ_STREAM: ReadonlyArray<readonly [number, string, string, number]> = [
  [0, 'up', 'ok', 5], [1, 'up', 'ok', 7], [1, 'down', 'late duplicate', 1], [2, 'up', 'ok', 9],
  [3, 'down', 'livez failed: etcd', 20], [4, 'down', 'livez failed: etcd', 21], [8, 'down', 'livez failed: etcd', 22], [9, 'up', 'ok', 6],
];
/** k, holder, renew age in s: the reason's digits and the detail's renewAgeMs change every sample, the holder once. */
const LEASE_STREAM: ReadonlyArray<readonly [number, string, number]> = [[0, 'cp1_a', 1.2], [1, 'cp1_a', 3.4], [2, 'cp1_a', 12], [3, 'cp1_a', 5.6], [4, 'cp2_b', 1.1], [5, 'cp2_b', 0.4]];

/** The raw rows of series_last_sample_minutes, thinned to runs by the sample_runs migration, read back and written on. */
async function checkThinned(provider: Provider, clusterId: string): Promise<void> {
  const iso = (k: number): string => new Date(RUNS_T0 + k * 10_000).toISOString();
  const livez = await listSamples({ clusterId, since: new Date(0), probe: 'apiserver-livez' });
  assert.deepEqual(
    livez.map((r) => [r.at, r.status, r.reason, r.samples, r.lastAt, r.latencyMs]),
    [[iso(0), 'up', 'ok', 3, iso(2), 5], [iso(3), 'down', 'livez failed: etcd', 2, iso(4), 20], [iso(8), 'down', 'livez failed: etcd', 1, iso(8), 22], [iso(9), 'up', 'ok', 1, iso(9), 6]],
    'livez: runs by status and the cap, the late duplicate gone',
  );
  const lease = await listSamples({ clusterId, since: new Date(0), probe: 'leader-election' });
  assert.equal(lease.reduce((a, r) => a + r.samples, 0), LEASE_STREAM.length, 'every Lease sample is in a run');
  assert.deepEqual(
    lease.map((r) => [r.at, r.samples, r.lastAt]),
    provider === 'postgresql' ? [[iso(0), 4, iso(3)], [iso(4), 2, iso(5)]] : [[iso(0), 2, iso(1)], [iso(2), 1, iso(2)], [iso(3), 1, iso(3)], [iso(4), 2, iso(5)]],
  );
  // The open run continues: a next equal sample (another latency) adds to it, no row.
  await insertSamples(clusterId, [{ probe: 'apiserver-livez', target: 'endpoint', at: RUNS_T0 + 100_000, status: 'up', reason: 'ok', latencyMs: 4, detail: { checks: [] } }]);
  const after = await listSamples({ clusterId, since: new Date(0), probe: 'apiserver-livez' });
  assert.deepEqual(after.map((r) => [r.samples, r.lastAt]).at(-1), [2, iso(10)]);
  assert.equal(after.length, 4);
  // The cursor kept the times of the samples before its last one (the late duplicate not among them).
  const [c] = await withDb((db) => readSeries(db, clusterId, ['apiserver-livez']));
  assert.equal(c?.recentGaps, '10000,10000,40000,10000,10000,10000,10000', 'k10 back to k0: 9, 8, 4, 3, 2, 1, 0');
}

function suite(provider: Provider): void {
  const all = readdirSync(migrationsDir(provider)).filter((d) => /^\d{14}_/.test(d)).sort();
  for (let n = 1; n < all.length; n++) {
    test(`a database populated at ${all[n - 1]} (${n} of ${all.length}) migrates to the latest with every row kept`, async () => {
      const t = await target(provider, `up${n}`);
      const clusterId = randomUUID();
      const key = Buffer.from(t.env.QUORUM_SECRET_KEY!, 'hex');
      const expected: Record<string, number> = {};
      try {
        await withEnv(t.env, async () => {
          for (let k = 1; k <= n; k++) {
            const r = await migrate({ quiet: true, migrationsDir: prefixDir(provider, k) });
            assert.deepEqual(r.applied, [all[k - 1]]);
            Object.assign(expected, await seed(provider, all[k - 1]!, t, clusterId, key));
          }
          await t.close(); // SQLite: the engine needs the file to itself
          const r = await migrate({ quiet: true });
          assert.deepEqual(r.applied, all.slice(n), 'exactly the later migrations');
          for (const [table, rows] of Object.entries(expected)) assert.equal(await t.count(table), rows, `${table} rows kept`);
          // The current app reads them.
          const [c] = await listClusters();
          assert.equal(c?.name, 'legacy');
          assert.deepEqual(c?.labels, { env: 'prod' });
          assert.deepEqual(c?.settings.leases, n >= 4 ? ['cert-manager/cert-manager-controller'] : []);
          assert.equal(JSON.parse(await loadClusterKubeconfig(clusterId)).clusters[0].cluster.server, 'https://127.0.0.1:9', 'credentials still decrypt');
          // Runs now (issue 16): each of these three samples is a run of its own.
          const samples = await listSamples({ clusterId, since: new Date(0), probe: 'apiserver-readyz' });
          assert.deepEqual(samples.map((s) => [s.status, s.samples, s.lastAt]), [['up', 1, new Date(NOW).toISOString()], ['down', 1, new Date(NOW + 10_000).toISOString()], ['up', 1, new Date(NOW + 20_000).toISOString()]]);
          if (n === all.length - 1) await checkThinned(provider, clusterId);
          if (expected.FailoverEvent) {
            const [f] = await listFailovers({ clusterId, since: new Date(0) });
            assert.equal(f?.gapMs, 9500);
            assert.equal((await listWatchGaps({ clusterId, since: new Date(0) })).length, 1);
          }
          if (expected.MaintenanceWindow) {
            const mw = await listMaintenanceWindows();
            assert.deepEqual(mw.map((m) => m.title).sort(), ['fleet freeze', 'patching']);
            assert.equal((await listSloPolicies())[0]?.objective, 0.995);
          }
          if (expected.User) assert.deepEqual((await listUsers()).map((u) => u.name), ['alice']);
          if (expected.Series) {
            const last = await latestSamples(clusterId, { nowMs: Number.MAX_SAFE_INTEGER });
            assert.deepEqual(
              last.filter((l) => l.probe === 'apiserver-readyz' || l.target === 'kube-system/kube-scheduler').map((l) => [l.probe, l.at.getTime() - NOW, l.status, l.reason, l.latencyMs, l.detail]).sort(),
              [
                ['apiserver-readyz', 20_000, 'up', 'ok', 14, '{"checks":[]}'],
                ['leader-election', 20_000, 'up', 'held by cp1_a, renewed 1.2 s ago (lease 15 s)', null, null],
              ],
              'series cursors keep their last sample (backfilled)',
            );
          }
          const again = await migrate({ quiet: true });
          assert.deepEqual(again.applied, [], 'a second start applies nothing');
        });
      } finally {
        await t.close();
      }
    });
  }

  test('four processes migrating an empty database at once, one migration slower than the engine\'s own lock waits: all succeed, one applies, each migration is recorded once', { timeout: 180_000 }, async () => {
    const t = await target(provider, 'concurrent');
    const dir = prefixDir(provider, all.length);
    const slow = path.join(dir, '29991231000000_slow');
    mkdirSync(slow);
    writeFileSync(
      path.join(slow, 'migration.sql'),
      provider === 'postgresql' ? 'SELECT pg_sleep(11);\n' : 'CREATE TABLE "slow" AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000) SELECT count(*) AS n FROM c;\n',
    );
    try {
      // Every process loads first, then all call migrate at the same wall-clock moment (no head start from load order).
      const startAt = Date.now() + 8000;
      const code = `const { migrate } = await import('@/lib/db/migrate'); await new Promise((r) => setTimeout(r, ${startAt} - Date.now()));
        try { await migrate({ quiet: false, migrationsDir: ${JSON.stringify(dir)} }); } catch (e) { console.error('[db] migration failed: ' + e.message); process.exitCode = 1; }`;
      const runs = await Promise.all(
        Array.from({ length: 4 }, () =>
          new Promise<{ code: number | null; out: string }>((resolve) => {
            const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, env: { ...process.env, ...t.env }, stdio: ['ignore', 'pipe', 'pipe'] });
            let out = '';
            child.stdout.on('data', (d: Buffer) => (out += d.toString()));
            child.stderr.on('data', (d: Buffer) => (out += d.toString()));
            child.on('close', (code) => resolve({ code, out }));
          }),
        ),
      );
      for (const r of runs) assert.equal(r.code, 0, r.out);
      const appliers = runs.filter((r) => /applied \d+ migration/.test(r.out));
      assert.equal(appliers.length, 1, runs.map((r) => r.out).join('\n---\n'));
      assert.equal(runs.filter((r) => /up to date/.test(r.out)).length, 3);
      assert.equal(await t.count('_prisma_migrations'), all.length + 1);
    } finally {
      await t.close();
    }
  });
}

describe('migrations on SQLite', () => suite('sqlite'));
describe('migrations on PostgreSQL', { skip: PG_URL ? false : 'QUORUM_TEST_PG_URL is not set' }, () => suite('postgresql'));
