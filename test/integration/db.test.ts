// The database layer against real databases: a SQLite file in a temp folder and a real PostgreSQL
// (QUORUM_TEST_PG_URL, e.g. postgres://quorum:quorum@127.0.0.1:5432/quorum_test; scripts/pg-test-setup.sh
// prepares it). Each provider gets its own folder / PostgreSQL schema and removes it afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DbError, checkDb, closeDb, getDb } from '@/lib/db';
import { migrate } from '@/lib/db/migrate';
import { migrationsDir, type Provider } from '@/lib/db/schema';
import { createCluster, getCluster, listClusters, loadClusterKubeconfig, removeCluster } from '@/lib/data/clusters';
import { getClusterDetail } from '@/lib/data/overview';
import { getFleet } from '@/lib/data/fleet';
import { insertSamples, insertSamplesCounted, listSamples } from '@/lib/data/samples';
import { QuorumError } from '@/lib/errors';
import { SecretError } from '@/lib/secrets';
import { withEnv } from '../support/with-env';
import { dropProviderDb } from './provider-db';
import type { ProbeResult, Status } from '@/lib/types';

const PG_URL = process.env.QUORUM_TEST_PG_URL;
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

const isDbError = (kind: DbError['kind'], re?: RegExp) => (e: unknown): boolean =>
  e instanceof DbError && e.kind === kind && (re ? re.test(e.message) : true) && !/\n\s+at /.test(e.message);
/** Bad input is the caller's error (QuorumError invalid-input), not a database error. */
const isInvalidInput = (re: RegExp) => (e: unknown): boolean => e instanceof QuorumError && e.errorClass === 'invalid-input' && re.test(e.message);

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function readyz(at: number, status: Status, failing: string[] = []): ProbeResult {
  const checks = ['ping', 'etcd', 'informer-sync'].map((name) => (failing.includes(name) ? { name, ok: false, message: 'reason withheld' } : { name, ok: true }));
  return {
    probe: 'apiserver-readyz',
    target: 'endpoint',
    status,
    reason: failing.length ? `readyz failed: ${failing.join(', ')}` : status === 'up' ? 'ok' : status,
    latencyMs: status === 'up' ? 12.6 : 40,
    at,
    detail: { httpStatus: failing.length ? 500 : 200, checks },
  };
}

function providerSuite(provider: Provider): void {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `quorum-it-${provider}-`));
  const pgSchema = `quorum_it_${randomBytes(6).toString('hex')}`;
  const saved = { DATABASE_URL: process.env.DATABASE_URL, QUORUM_DATA_DIR: process.env.QUORUM_DATA_DIR, QUORUM_SECRET_KEY: process.env.QUORUM_SECRET_KEY };
  const migrationNames = readdirSync(migrationsDir(provider)).filter((n) => /^\d{14}_/.test(n)).sort();

  before(async () => {
    await closeDb();
    process.env.QUORUM_DATA_DIR = dataDir;
    if (provider === 'postgresql') {
      process.env.DATABASE_URL = `${PG_URL}${PG_URL!.includes('?') ? '&' : '?'}schema=${pgSchema}`;
      process.env.QUORUM_SECRET_KEY = randomBytes(32).toString('hex');
    } else {
      delete process.env.DATABASE_URL;
      delete process.env.QUORUM_SECRET_KEY; // embedded default: key file in the data folder
    }
  });

  after(() => dropProviderDb({ provider, pgSchema, dataDir, saved }));

  test('before migrating, reads fail as "not migrated", not with a stack dump', async () => {
    await assert.rejects(listClusters(), isDbError('not-migrated', /npm run db:migrate/));
  });

  test('migrations apply from empty, a second run applies nothing, _prisma_migrations matches the files', async () => {
    const first = await migrate({ quiet: true });
    assert.equal(first.provider, provider);
    assert.deepEqual(first.applied, migrationNames);
    const second = await migrate({ quiet: true });
    assert.deepEqual(second.applied, []);
    assert.equal(second.total, migrationNames.length);
    const db = await getDb();
    assert.equal(db.provider, provider);
    const rows = (await db.prisma.$queryRawUnsafe(
      'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    )) as Array<{ migration_name: string; checksum: string; finished_at: unknown; rolled_back_at: unknown; applied_steps_count: unknown }>;
    assert.deepEqual(rows.map((r) => r.migration_name), migrationNames);
    for (const r of rows) {
      const sql = readFileSync(path.join(migrationsDir(provider), r.migration_name, 'migration.sql'));
      assert.equal(r.checksum, createHash('sha256').update(sql).digest('hex'), `checksum of ${r.migration_name}`);
      assert.notEqual(r.finished_at, null);
      assert.equal(r.rolled_back_at, null);
      assert.equal(Number(r.applied_steps_count), 1);
    }
    if (provider === 'sqlite') {
      const [mode] = (await db.prisma.$queryRawUnsafe('PRAGMA journal_mode')) as Array<{ journal_mode: string }>;
      assert.equal(mode?.journal_mode, 'wal');
    }
  });

  test('checkDb reports the provider and a latency', async () => {
    const h = await checkDb();
    assert.equal(h.ok, true, h.error);
    assert.equal(h.provider, provider);
    assert.ok(h.latencyMs >= 0 && h.latencyMs < 3000);
    assert.equal(h.error, undefined);
  });

  test('clusters: create, list, get by id and by name, duplicate name, encrypted credentials, remove', async () => {
    const kubeconfig = `apiVersion: v1\nkind: Config\n# token-${randomBytes(4).toString('hex')}\n`;
    const a = await createCluster({ name: 'it-alpha', server: 'https://127.0.0.1:6443', context: 'alpha', labels: { env: 'test', tier: 'gold' }, kubeconfigYaml: kubeconfig });
    assert.match(a.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual({ ...a, id: 'x', createdAt: 'x', updatedAt: 'x' }, { id: 'x', name: 'it-alpha', server: 'https://127.0.0.1:6443', context: 'alpha', labels: { env: 'test', tier: 'gold' }, settings: { leases: [], dnsServers: [] }, createdAt: 'x', updatedAt: 'x' });
    assert.ok(!Number.isNaN(Date.parse(a.createdAt)));
    assert.ok(!('credentials' in a), 'a summary never carries credentials');
    const b = await createCluster({ name: 'it-beta', server: 'https://127.0.0.2:6443', context: 'beta', labels: {}, kubeconfigYaml: 'apiVersion: v1 # beta' });
    try {
      assert.deepEqual((await listClusters()).map((c) => c.name), ['it-alpha', 'it-beta']);
      assert.deepEqual(await getCluster(a.id), a);
      assert.deepEqual(await getCluster('it-alpha'), a);
      assert.equal(await getCluster('nope'), null);
      assert.equal(await getCluster(''), null);
      await assert.rejects(
        createCluster({ name: 'it-alpha', server: 'https://x', context: 'c', labels: {}, kubeconfigYaml: 'k' }),
        (e: unknown) => isDbError('conflict', /a cluster named "it-alpha" already exists/)(e) && (e as DbError).code === 'P2002',
      );
      assert.equal(await loadClusterKubeconfig(a.id), kubeconfig);
      const db = await getDb();
      const raw = (await db.prisma.cluster.findUnique({ where: { id: a.id } }))!;
      assert.ok(!Buffer.from(raw.credentials).includes(Buffer.from('apiVersion')), 'stored credentials are not plaintext');
      // Rows cannot be swapped: beta's envelope copied onto alpha does not decrypt as alpha.
      await db.prisma.$executeRawUnsafe(`UPDATE "Cluster" SET "credentials" = (SELECT "credentials" FROM "Cluster" WHERE "id" = '${b.id}') WHERE "id" = '${a.id}'`);
      // Classified for the collector and the overview since issue 10 (the SecretError is the cause).
      await assert.rejects(loadClusterKubeconfig(a.id), (e: unknown) => e instanceof QuorumError && e.errorClass === 'credentials-undecryptable' && e.cause instanceof SecretError && e.cause.kind === 'undecryptable');
      await assert.rejects(loadClusterKubeconfig('no-such-id'), isInvalidInput(/no cluster with id/));
    } finally {
      assert.equal(await removeCluster('it-alpha'), true);
      assert.equal(await removeCluster(b.id), true);
    }
    assert.equal(await removeCluster('it-alpha'), false);
    assert.deepEqual(await listClusters(), []);
  });

  test('samples: one batched transaction, filtered reads, removed clusters are discarded, bad input refused', async () => {
    const c = await createCluster({ name: 'it-samples', server: 'https://s', context: 's', labels: {}, kubeconfigYaml: 'k' });
    try {
      const t0 = Date.UTC(2026, 0, 1, 0, 0, 0);
      const batch: ProbeResult[] = [];
      for (let i = 0; i < 1200; i++) batch.push(readyz(t0 + i * 1000, i % 100 === 0 ? 'down' : 'up', i % 100 === 0 ? ['etcd'] : []));
      batch.push({ probe: 'apiserver-livez', target: 'endpoint', status: 'unknown', reason: '401 unauthorized', latencyMs: null, at: t0 + 500, detail: { errorClass: 'unauthorized' } });
      assert.equal(await insertSamplesCounted(c.id, batch), 1201);
      // Sample rows are runs since issue 16: readyz is down 1 s, up 99 s, twelve times (24 runs), livez one sample.
      const all = await listSamples({ clusterId: c.id, since: new Date(t0), limit: 100_000 });
      assert.equal(all.length, 25);
      assert.equal(all.reduce((a, r) => a + r.samples, 0), 1201, 'every sample is in a run');
      assert.deepEqual(all.map((s) => s.at), [...all.map((s) => s.at)].sort(), 'oldest first');
      const first = all[0]!;
      assert.equal(first.at, new Date(t0).toISOString());
      assert.deepEqual([first.status, first.samples, first.lastAt], ['down', 1, new Date(t0).toISOString()]);
      assert.equal(first.latencyMs, 40);
      assert.deepEqual(first.detail?.checks?.find((k) => k.name === 'etcd'), { name: 'etcd', ok: false, message: 'reason withheld' });
      const up = all.find((r) => r.probe === 'apiserver-readyz' && r.status === 'up')!;
      assert.deepEqual([up.at, up.samples, up.lastAt], [new Date(t0 + 1000).toISOString(), 99, new Date(t0 + 99_000).toISOString()]);
      const livez = await listSamples({ clusterId: c.id, since: new Date(t0), probe: 'apiserver-livez' });
      assert.deepEqual(livez.map((s) => [s.status, s.reason, s.latencyMs, s.detail, s.samples]), [['unknown', '401 unauthorized', null, { errorClass: 'unauthorized' }, 1]]);
      // Runs that overlap [since, until): the up run from t0 + 1 s began before the window.
      const windowed = await listSamples({ clusterId: c.id, since: new Date(t0 + 10_000), until: new Date(t0 + 110_000), probe: 'apiserver-readyz' });
      assert.deepEqual(windowed.map((r) => [r.at, r.status, r.samples]), [[new Date(t0 + 1000).toISOString(), 'up', 99], [new Date(t0 + 100_000).toISOString(), 'down', 1], [new Date(t0 + 101_000).toISOString(), 'up', 99]]);
      assert.equal(windowed[0]!.latencyMs, 13, 'latency stored as whole ms');
      assert.equal((await listSamples({ clusterId: c.id, since: new Date(t0), limit: 7 })).length, 7);
      await assert.rejects(listSamples({ clusterId: c.id, since: new Date('nope') }), isInvalidInput(/since must be a valid Date/));
      await assert.rejects(insertSamples(c.id, [{ ...readyz(t0, 'up'), status: 'sideways' as Status }]), isInvalidInput(/not one of up, degraded, down, unknown/));
      assert.equal((await listSamples({ clusterId: c.id, since: new Date(t0), limit: 100_000 })).reduce((a, r) => a + r.samples, 0), 1201, 'a refused batch writes nothing');
      assert.equal(await insertSamplesCounted('00000000-0000-0000-0000-000000000000', [readyz(t0, 'up')]), 0);
      await insertSamples(c.id, []);
    } finally {
      await removeCluster(c.id);
    }
  });

  test('removing a cluster cascades to its samples', async () => {
    const c = await createCluster({ name: 'it-cascade', server: 'https://c', context: 'c', labels: {}, kubeconfigYaml: 'k' });
    const other = await createCluster({ name: 'it-keep', server: 'https://k', context: 'k', labels: {}, kubeconfigYaml: 'k' });
    try {
      const t0 = Date.now() - 60_000;
      // Two runs (a row each) for c, one for the other cluster.
      await insertSamples(c.id, [readyz(t0, 'up'), readyz(t0 + 10_000, 'down', ['etcd'])]);
      await insertSamples(other.id, [readyz(t0, 'up')]);
      const db = await getDb();
      const count = async (id: string): Promise<number> => {
        const [r] = (await db.prisma.$queryRawUnsafe(`SELECT COUNT(*) AS n FROM "Sample" WHERE "clusterId" = '${id}'`)) as Array<{ n: unknown }>;
        return Number(r?.n);
      };
      assert.equal(await count(c.id), 2);
      assert.equal(await removeCluster('it-cascade'), true);
      assert.equal(await count(c.id), 0);
      assert.equal(await count(other.id), 1);
    } finally {
      await removeCluster(other.id);
    }
  });

  test('overview and cluster detail: state from the latest readyz, exact 24 h availability, bounded series, check history', async () => {
    const now = new Date(Date.UTC(2026, 5, 1, 12, 0, 0));
    const nowMs = now.getTime();
    const c = await createCluster({ name: 'it-fleet', server: 'https://f', context: 'f', labels: { env: 'prod' }, kubeconfigYaml: 'k' });
    const empty = await createCluster({ name: 'it-empty', server: 'https://e', context: 'e', labels: {}, kubeconfigYaml: 'k' });
    try {
      // The last hour, every 10 s: 360 readyz samples, 36 of them down (etcd failing) → 0.9 exactly.
      const rs: ProbeResult[] = [];
      for (let i = 0; i < 360; i++) {
        const at = nowMs - 3_600_000 + i * 10_000;
        const down = i >= 100 && i < 136;
        rs.push(readyz(at, down ? 'down' : 'up', down ? ['etcd'] : []));
        rs.push({ probe: 'apiserver-livez', target: 'endpoint', status: 'up', reason: 'ok', latencyMs: 5, at, detail: { httpStatus: 200, checks: [{ name: 'ping', ok: true }] } });
      }
      // A sample after `now` must not count.
      rs.push(readyz(nowMs + 5_000, 'down', ['etcd']));
      await insertSamples(c.id, rs);

      // The fleet read model (it replaced getFleetOverview, which only tests used): current state from the
      // series cursor — here "as of" a past now, with a sample after it: the interval containing now.
      const day = { startMs: nowMs - 86_400_000, endMs: nowMs };
      const fleet = await getFleet({ range: day, now, sort: { key: 'name' } });
      assert.deepEqual(fleet.rows.map((f) => f.cluster.name), ['it-empty', 'it-fleet']);
      const e = fleet.rows[0]!;
      assert.deepEqual([e.status, e.lastSampleAt, e.slo, e.state, e.budget.kind], [null, null, null, 'insufficient-data', 'absolute']);
      assert.match(e.reason, /^no sample yet/);
      const f = fleet.rows[1]!;
      assert.equal(f.status, 'up');
      assert.equal(f.reason, 'ok');
      assert.equal(f.sinceMs, nowMs - 3_600_000 + 136 * 10_000, 'up again since the 137th sample');
      assert.equal(f.slo?.availability, 0.9);
      assert.equal(f.slo?.coverage, 0.041666); // 1 h of 24 h, floored
      assert.equal(f.state, 'insufficient-data', 'an hour of 24 is below the 75 % coverage floor');
      assert.deepEqual(f.cluster.labels, { env: 'prod' });
      assert.deepEqual(f.lastOutage, { startMs: nowMs - 3_600_000 + 100 * 10_000, endMs: nowMs - 3_600_000 + 136 * 10_000, durationMs: 360_000, reason: 'readyz failed: etcd', ongoing: false });
      // Live: with now after every sample, the cursor itself (no per-cluster query).
      const live = (await getFleet({ range: day, now: new Date(nowMs + 6_000), sort: { key: 'name' } })).rows[1]!;
      assert.equal(live.status, 'down');
      assert.equal(live.lastSampleAt, new Date(nowMs + 5_000).toISOString());

      // Stale: an hour later, the same data is "unknown: is the collector running?".
      const later = await getFleet({ range: day, now: new Date(nowMs + 3_600_000), sort: { key: 'name' } });
      assert.equal(later.rows[1]!.status, 'unknown');
      assert.match(later.rows[1]!.reason, /collector running/);

      const d = await getClusterDetail('it-fleet', { now });
      assert.ok(d);
      assert.equal(d.cluster.id, c.id);
      assert.equal(d.availability24h, 0.9);
      assert.equal(d.coverage24h, 0.041666);
      assert.equal(d.status, 'up');
      assert.equal(d.lastSampleAt, new Date(nowMs - 10_000).toISOString(), 'nothing after now');
      assert.ok(d.series.length > 0 && d.series.length <= 288, `series has ${d.series.length} points`);
      assert.equal(d.series.length, 12, 'one hour in 5-minute buckets');
      assert.ok(d.series.some((p) => p.status === 'down'));
      assert.ok(d.series.every((p, i, a) => i === 0 || p.t > a[i - 1]!.t));
      assert.deepEqual(d.readyz?.checks.map((k) => `${k.name}:${k.ok}`), ['ping:true', 'etcd:true', 'informer-sync:true']);
      assert.equal(d.livez?.status, 'up');
      // History lists runs of readyz and livez, newest first: readyz up (224 samples, to now − 10 s), down (36), up
      // (100); livez one run of 360. The sample after now is not in them.
      const at = (i: number): string => new Date(nowMs - 3_600_000 + i * 10_000).toISOString();
      assert.deepEqual(
        d.history.map((h) => [h.probe, h.status, h.at, h.lastAt, h.samples]),
        [
          ['apiserver-readyz', 'up', at(136), at(359), 224],
          ['apiserver-readyz', 'down', at(100), at(135), 36],
          // Two runs start at at(0): the later row (livez, written after readyz's runs) first.
          ['apiserver-livez', 'up', at(0), at(359), 360],
          ['apiserver-readyz', 'up', at(0), at(99), 100],
        ],
      );
      const etcd = d.checkHistory.find((h) => h.probe === 'apiserver-readyz' && h.name === 'etcd');
      assert.deepEqual(etcd, {
        probe: 'apiserver-readyz',
        name: 'etcd',
        okNow: true,
        lastFailedAt: new Date(nowMs - 3_600_000 + 135 * 10_000).toISOString(),
        lastFailureMessage: 'reason withheld',
        failures24h: 1, // one episode of 36 failing samples (runs count episodes, not samples: prisma/README.md)
      });
      const ping = d.checkHistory.find((h) => h.probe === 'apiserver-livez' && h.name === 'ping');
      assert.deepEqual(ping, { probe: 'apiserver-livez', name: 'ping', okNow: true, lastFailedAt: null, lastFailureMessage: null, failures24h: 0 });
      assert.equal(d.checkHistory[0]!.name, 'etcd', 'checks that failed come first');

      assert.equal(await getClusterDetail('no-such-cluster'), null);
      const de = await getClusterDetail(empty.id, { now });
      assert.deepEqual([de?.status, de?.readyz, de?.livez, de?.history, de?.checkHistory], ['unknown', null, null, [], []]);
    } finally {
      await removeCluster(c.id);
      await removeCluster(empty.id);
    }
  });
}

describe('SQLite (file in a temp folder)', () => providerSuite('sqlite'));

if (PG_URL) {
  describe('PostgreSQL (QUORUM_TEST_PG_URL)', () => providerSuite('postgresql'));
} else if (IN_CI) {
  test('PostgreSQL integration tests need QUORUM_TEST_PG_URL in CI', () => {
    assert.fail('QUORUM_TEST_PG_URL is not set (scripts/pg-test-setup.sh prints it)');
  });
} else {
  test('PostgreSQL integration tests', { skip: 'QUORUM_TEST_PG_URL is not set (run scripts/pg-test-setup.sh); CI fails instead of skipping' }, () => undefined);
}

describe('a database that is down or unusable gives a classified, readable error', () => {
  test('PostgreSQL on a closed port: unreachable ECONNREFUSED host:port', async () => {
    const port = await closedPort();
    await withEnv({ DATABASE_URL: `postgres://quorum:quorum@127.0.0.1:${port}/quorum_test`, QUORUM_SECRET_KEY: randomBytes(32).toString('hex') }, async () => {
      const want = new RegExp(`^database unreachable: ECONNREFUSED 127\\.0\\.0\\.1:${port}$`);
      const h = await checkDb();
      assert.equal(h.ok, false);
      assert.equal(h.provider, 'postgresql');
      assert.match(h.error ?? '', want);
      await assert.rejects(listClusters(), isDbError('unreachable', want));
      await assert.rejects(migrate({ quiet: true }), isDbError('unreachable', want));
    });
  });

  test('PostgreSQL with a wrong password: auth, and the password is not in the message', { skip: PG_URL ? false : 'QUORUM_TEST_PG_URL is not set' }, async () => {
    const u = new URL(PG_URL!);
    u.password = 'definitely-wrong-pw';
    await withEnv({ DATABASE_URL: u.href, QUORUM_SECRET_KEY: randomBytes(32).toString('hex') }, async () => {
      const h = await checkDb();
      assert.equal(h.ok, false);
      assert.match(h.error ?? '', /^database refused the credentials/);
      assert.ok(!(h.error ?? '').includes('definitely-wrong-pw'));
      await assert.rejects(listClusters(), isDbError('auth'));
    });
  });

  test('SQLite data folder that cannot be created: no-database with the path and errno', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'quorum-it-bad-'));
    try {
      const file = path.join(dir, 'a-file');
      writeFileSync(file, 'not a folder');
      await withEnv({ DATABASE_URL: undefined, QUORUM_DATA_DIR: path.join(file, 'data') }, async () => {
        const h = await checkDb();
        assert.equal(h.ok, false);
        assert.match(h.error ?? '', /^cannot create the folder for .*quorum\.db: ENOTDIR$/);
        await assert.rejects(migrate({ quiet: true }), isDbError('no-database', /ENOTDIR/));
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad DATABASE_URL values are refused by name', async () => {
    await withEnv({ DATABASE_URL: 'mysql://x@y/z' }, async () => {
      const h = await checkDb();
      assert.equal(h.ok, false);
      assert.match(h.error ?? '', /DATABASE_URL is invalid: scheme "mysql:" is not supported/);
    });
  });
});
