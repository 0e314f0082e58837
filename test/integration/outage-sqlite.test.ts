// The embedded database unavailable: a real SQLite file locked by another connection (an EXCLUSIVE
// transaction held open, as a long-running writer or a backup would), while the real collector
// (createCollector, the real probes, against a closed loopback port) runs cycles. Samples wait in the
// on-disk buffer and are written, once each, in order, when the lock is released.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-outage-sqlite-'));
process.env.QUORUM_DATA_DIR = dataDir;
delete process.env.DATABASE_URL;
delete process.env.QUORUM_SECRET_KEY;
// The stand-in API server below listens on loopback: allowed explicitly (lib/net/outbound.ts).
process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';

const { migrate } = await import('@/lib/db/migrate');
const { closeDb, getDb } = await import('@/lib/db');
const { storedSamples } = await import('../support/stored-samples');
const { createCluster, listClusters, loadClusterKubeconfig } = await import('@/lib/data/clusters');
const { insertSamples, listSamples } = await import('@/lib/data/samples');
const { createCollector } = await import('@/lib/collector/collector');
const { ALL_PROBES } = await import('@/lib/probes');

before(async () => {
  await migrate({ quiet: true });
});

after(async () => {
  await closeDb();
  rmSync(dataDir, { recursive: true, force: true });
});

test('SQLite locked by another connection: cycles buffer on disk, then every sample is written once, in order', { timeout: 120_000 }, async (t) => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const kubeconfig = JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'cluster', cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'user', user: { token: 't' } }],
    contexts: [{ name: 'c', context: { cluster: 'cluster', user: 'user' } }],
  });
  const cl = await createCluster({ name: 'locked', server: `https://127.0.0.1:${port}`, context: 'c', labels: {}, kubeconfigYaml: kubeconfig });
  const logs: Array<Record<string, unknown>> = [];
  const col = createCollector(
    { intervalSeconds: 10, probeTimeoutMs: 500, concurrency: 4, bufferLimit: 10_000 },
    { listClusters, loadKubeconfig: loadClusterKubeconfig, insertSamples, probes: ALL_PROBES, now: Date.now, log: (l) => logs.push(l), bufferDir: path.join(dataDir, 'collector-buffer') },
  );
  const first = await col.runOnce();
  assert.equal(first.written, first.samples);

  // Another connection takes an exclusive lock and keeps it.
  const other = new Database(path.join(dataDir, 'quorum.db'));
  other.exec('BEGIN EXCLUSIVE');
  let lockedCycles: Awaited<ReturnType<typeof col.runOnce>>[] = [];
  try {
    for (let i = 0; i < 2; i++) lockedCycles.push(await col.runOnce());
  } finally {
    other.exec('ROLLBACK');
    other.close();
  }
  for (const c of lockedCycles) {
    t.diagnostic(`locked cycle: ${c.dbError} (${c.ms} ms)`);
    assert.match(c.dbError ?? '', /locked|busy|timeout/i, JSON.stringify(c));
    assert.equal(c.written, 0);
  }
  assert.equal(lockedCycles[1]!.buffered, lockedCycles[0]!.samples + lockedCycles[1]!.samples);
  const after = await col.runOnce();
  assert.equal(after.buffered, 0);
  assert.equal(after.written, lockedCycles[0]!.samples + lockedCycles[1]!.samples + after.samples);
  await col.stop();
  lockedCycles = [first, ...lockedCycles, after];

  // Sample rows are runs: every sample's time from the series cursors (checked against the runs' and minutes' counts).
  const db = await getDb();
  const times = await storedSamples((sql, id) => db.prisma.$queryRawUnsafe(sql, id) as Promise<Array<Record<string, unknown>>>, cl.id, '?');
  assert.equal(times.length, lockedCycles.reduce((a, c) => a + c.samples, 0));
  const keys = times.map((r) => `${r.probe}|${r.target}|${r.atMs}`);
  assert.equal(new Set(keys).size, keys.length, 'no sample twice');
  assert.equal(times.filter((r) => r.probe === 'apiserver-readyz').length, 4, 'one readyz sample per cycle, the two locked ones included');
  const readyz = (await listSamples({ clusterId: cl.id, since: new Date(0) })).filter((r) => r.probe === 'apiserver-readyz');
  assert.equal(readyz.reduce((a, r) => a + r.samples, 0), 4);
  assert.ok(readyz.every((r) => r.status === 'down' && /^unreachable: connection refused/.test(r.reason)), JSON.stringify(readyz.map((r) => r.reason)));
});
