// lib/env.ts: the one validated read of the environment — defaults, every variable's refusal naming it,
// and the memo following changed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DEFAULT_CLUSTER_OBJECT_LIMIT, collectorIntervalMs, loadCliConfig, loadEnv, sampleCapMs } from '@/lib/env';
import { QuorumError } from '@/lib/errors';

test('defaults', () => {
  const e = loadEnv({});
  assert.equal(e.dataDir, path.resolve('./data'));
  assert.deepEqual(e.db, { provider: 'sqlite', file: path.resolve('./data/quorum.db'), timeouts: { callMs: 3000, connectMs: 3000, lockMs: 2000, idleInTransactionMs: 30_000 } });
  assert.deepEqual(e.retention, { rawRetentionMs: 14 * 86_400_000, rollupRetentionMs: 400 * 86_400_000 });
  assert.equal(e.clusterDomain, 'cluster.local');
  assert.deepEqual(e.web, { host: '127.0.0.1', port: 3000, shutdownTimeoutMs: 25_000 });
  assert.deepEqual({ ...e.ha, name: 'x' }, { name: 'x', ownershipIntervalMs: 2000, sessionTimeoutMs: 10_000, healthPort: null });
  assert.ok(e.ha.name.length > 0, 'the collector name defaults to the host name');
  assert.equal(e.selfRegister.enabled, false);
  assert.equal(collectorIntervalMs(e), 10_000);
  assert.equal(sampleCapMs(e), 30_000);
  assert.equal(e.collector.objectLimit, DEFAULT_CLUSTER_OBJECT_LIMIT);
  assert.equal(loadEnv({ QUORUM_CLUSTER_OBJECT_LIMIT: '60000' }).collector.objectLimit, 60_000);
  assert.equal(loadEnv({ QUORUM_COLLECTOR_INTERVAL_SECONDS: '1' }).collector.probeTimeoutMs, 1000, 'a 1 s interval gets 1 s probes');
});

test('database timeouts and pool', () => {
  const e = loadEnv({ DATABASE_URL: 'postgres://u:secret@db.example:5432/q?schema=quorum', QUORUM_DB_TIMEOUT_MS: '5000', QUORUM_DB_CONNECT_TIMEOUT_MS: '1000', QUORUM_DB_LOCK_TIMEOUT_MS: '250', QUORUM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '60000', QUORUM_DB_POOL_MAX: '4' });
  assert.equal(e.db.provider, 'postgresql');
  assert.deepEqual(e.db.timeouts, { callMs: 5000, connectMs: 1000, lockMs: 250, idleInTransactionMs: 60_000 });
  assert.ok(e.db.provider === 'postgresql' && e.db.poolMax === 4 && e.db.schema === 'quorum' && !e.db.redacted.includes('secret'));
  assert.deepEqual(e.shadowDatabaseUrls, ['postgres://u:secret@db.example:5432/q?schema=quorum']);
});

test('a bad value is refused, naming the variable and the rule', () => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ QUORUM_DB_TIMEOUT_MS: 'abc' }, /^QUORUM_DB_TIMEOUT_MS=abc is invalid: expected a whole number of ms from 200 to 600000$/],
    [{ QUORUM_DB_LOCK_TIMEOUT_MS: '-1' }, /^QUORUM_DB_LOCK_TIMEOUT_MS=-1 is invalid/],
    [{ QUORUM_DB_CONNECT_TIMEOUT_MS: '1.5' }, /^QUORUM_DB_CONNECT_TIMEOUT_MS=1\.5 is invalid/],
    [{ QUORUM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '10' }, /^QUORUM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS=10 is invalid/],
    [{ QUORUM_COLLECTOR_CONCURRENCY: '0' }, /^QUORUM_COLLECTOR_CONCURRENCY=0 is invalid: expected a whole number from 1 to 1024$/],
    [{ QUORUM_COLLECTOR_INTERVAL_SECONDS: '7' }, /must divide a minute/],
    [{ QUORUM_RAW_RETENTION_DAYS: '30', QUORUM_ROLLUP_RETENTION_DAYS: '20' }, /QUORUM_ROLLUP_RETENTION_DAYS \(20\) must not be shorter than QUORUM_RAW_RETENTION_DAYS \(30\)/],
    [{ QUORUM_CLUSTER_DOMAIN: 'bad domain!' }, /QUORUM_CLUSTER_DOMAIN is invalid/],
    [{ PORT: '70000' }, /^PORT=70000 is invalid/],
    [{ DATABASE_URL: 'mysql://x@y/z' }, /DATABASE_URL is invalid: scheme "mysql:" is not supported/],
    [{ QUORUM_DB_POOL_MAX: '0', DATABASE_URL: 'postgres://x@y/z' }, /^QUORUM_DB_POOL_MAX=0 is invalid/],
    ...['lots', '99', '1.5', '20000000'].map((v): [Record<string, string>, RegExp] => [{ QUORUM_CLUSTER_OBJECT_LIMIT: v }, new RegExp(`^QUORUM_CLUSTER_OBJECT_LIMIT=${v.replace('.', '\\.')} is invalid: expected a whole number from 100 to 10000000$`)]),
    [{ QUORUM_COLLECTOR_NAME: 'has space' }, /^QUORUM_COLLECTOR_NAME=has space is invalid/],
    [{ QUORUM_COLLECTOR_OWNERSHIP_INTERVAL_MS: '5000', QUORUM_COLLECTOR_SESSION_TIMEOUT_MS: '10000' }, /QUORUM_COLLECTOR_SESSION_TIMEOUT_MS \(10000\) must be at least 3 × QUORUM_COLLECTOR_OWNERSHIP_INTERVAL_MS \(5000\)/],
    [{ QUORUM_COLLECTOR_OWNERSHIP_INTERVAL_MS: '50' }, /^QUORUM_COLLECTOR_OWNERSHIP_INTERVAL_MS=50 is invalid/],
    [{ QUORUM_SHUTDOWN_TIMEOUT_MS: 'soon' }, /^QUORUM_SHUTDOWN_TIMEOUT_MS=soon is invalid/],
    [{ QUORUM_SELF_REGISTER: 'maybe' }, /^QUORUM_SELF_REGISTER=maybe is invalid/],
    [{ QUORUM_SELF_REGISTER: 'true' }, /QUORUM_SELF_REGISTER is invalid: needs KUBERNETES_SERVICE_HOST/],
    [{ QUORUM_SELF_REGISTER: 'true', KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: 'https' }, /KUBERNETES_SERVICE_PORT is invalid: "https" is not a TCP port/],
  ];
  for (const [src, re] of bad) assert.throws(() => loadEnv(src), (e: unknown) => e instanceof QuorumError && e.errorClass === 'internal' && re.test(e.message), JSON.stringify(src));
});

test('the memo follows changed values of the same object', () => {
  const src: Record<string, string | undefined> = { QUORUM_COLLECTOR_INTERVAL_SECONDS: '5' };
  assert.equal(loadEnv(src).collector.intervalSeconds, 5);
  assert.equal(loadEnv(src), loadEnv(src), 'same values: the same parsed object');
  src.QUORUM_COLLECTOR_INTERVAL_SECONDS = '30';
  assert.equal(loadEnv(src).collector.intervalSeconds, 30);
});

test('collector HA, self-registration and shutdown settings', () => {
  const e = loadEnv({ QUORUM_COLLECTOR_NAME: 'quorum-collector-7d9f', QUORUM_COLLECTOR_OWNERSHIP_INTERVAL_MS: '1000', QUORUM_COLLECTOR_SESSION_TIMEOUT_MS: '5000', QUORUM_SHUTDOWN_TIMEOUT_MS: '0' });
  assert.deepEqual(e.ha, { name: 'quorum-collector-7d9f', ownershipIntervalMs: 1000, sessionTimeoutMs: 5000, healthPort: null });
  assert.equal(loadEnv({ QUORUM_COLLECTOR_HEALTH_PORT: '9464' }).ha.healthPort, 9464);
  assert.equal(e.web.shutdownTimeoutMs, 0);
  const s = loadEnv({ QUORUM_SELF_REGISTER: 'true', KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443', QUORUM_SELF_CLUSTER_NAME: 'home', QUORUM_SERVICEACCOUNT_DIR: '/tmp/sa' }).selfRegister;
  assert.deepEqual(s, { enabled: true, name: 'home', serviceAccountDir: '/tmp/sa', apiHost: 'fd00::1', apiPort: 6443 });
  assert.equal(loadEnv({ KUBERNETES_SERVICE_PORT: 'tcp://10.0.0.1:443' }).selfRegister.enabled, false, 'a pod environment without self-registration is not validated');
});

test('the CLI variables: QUORUM_URL, QUORUM_TOKEN, QUORUM_NEW_SECRET_KEY (unset and empty are the same)', () => {
  assert.deepEqual(loadCliConfig({}), { serverUrl: null, token: null, newSecretKeyText: null });
  assert.deepEqual(loadCliConfig({ QUORUM_URL: '  ', QUORUM_TOKEN: '', QUORUM_NEW_SECRET_KEY: '' }), { serverUrl: null, token: null, newSecretKeyText: null });
  assert.deepEqual(loadCliConfig({ QUORUM_URL: ' https://quorum.example.com ', QUORUM_TOKEN: 'qrm_abc', QUORUM_NEW_SECRET_KEY: 'k' }), { serverUrl: 'https://quorum.example.com', token: 'qrm_abc', newSecretKeyText: 'k' });
});
