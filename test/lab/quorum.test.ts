// Quorum against the real lab, with the least-privilege `quorum` identity (never admin).
// Needs `npm run lab -- up` (the test script starts it). Uses its own SQLite data folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { lab } from '../support/lab-cli';

const root = path.resolve(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-labtest-'));
process.env.QUORUM_DATA_DIR = dataDir;
// The lab's load balancer is 127.0.0.1:16443 (and this suite's own peers are on loopback): loopback
// targets are refused unless allowed explicitly (lib/net/outbound.ts, README "Security").
process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
delete process.env.DATABASE_URL;

const { migrate } = await import('@/lib/db/migrate');
const { closeDb } = await import('@/lib/db');
const { registerCluster } = await import('@/lib/clusters/register');
const { listClusters, loadClusterKubeconfig, removeCluster } = await import('@/lib/data/clusters');
const { insertSamples, listSamples } = await import('@/lib/data/samples');
const { createCollector } = await import('@/lib/collector/collector');
const { ALL_PROBES } = await import('@/lib/probes');
const { QuorumError } = await import('@/lib/errors');

const quorumKubeconfig = path.join(path.resolve(process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state')), 'quorum.kubeconfig');


const logs: Array<Record<string, unknown>> = [];
/** probeTimeoutMs: with etcd quorum lost the apiserver needs ~4 s to answer /readyz (its etcd check times out first). */
function collector(probeTimeoutMs = 3000) {
  return createCollector(
    { intervalSeconds: 10, probeTimeoutMs, concurrency: 8, bufferLimit: 10_000 },
    // Each collector its own buffer folder: these tests make several, one after another, in one process.
    { listClusters, loadKubeconfig: loadClusterKubeconfig, insertSamples, probes: ALL_PROBES, now: Date.now, log: (l) => logs.push(l), bufferDir: mkdtempSync(path.join(dataDir, 'buffer-')) },
  );
}

async function latest(clusterId: string, probe: string) {
  const rows = await listSamples({ clusterId, since: new Date(Date.now() - 10 * 60_000), probe });
  return rows.sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
}

/** Runs collector cycles until `pred` holds for the latest readyz sample, or the deadline passes. */
async function cycleUntil(c: ReturnType<typeof collector>, clusterId: string, pred: (s: { status: string; reason: string }) => boolean, deadlineMs: number) {
  const until = Date.now() + deadlineMs;
  let last: Awaited<ReturnType<typeof latest>>;
  while (Date.now() < until) {
    await c.runOnce();
    last = await latest(clusterId, 'apiserver-readyz');
    if (last && pred(last)) return last;
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.fail(`condition not reached in ${deadlineMs} ms; last readyz sample: ${JSON.stringify(last!)}`);
}

before(async () => {
  assert.ok(existsSync(quorumKubeconfig), `lab is not up: ${quorumKubeconfig} missing (run npm run lab -- up)`);
  await lab('up', '--profile', 'ha');
  await migrate({ quiet: true });
});

after(async () => {
  await closeDb();
});

test('the lab registers with the quorum identity and its readyz samples are up with named checks', async () => {
  const text = readFileSync(quorumKubeconfig, 'utf8');
  const c = await registerCluster({ name: 'lab', kubeconfigText: text, labels: { env: 'lab' } });
  assert.match(c.test?.version ?? '', /^v1\.35\./);
  assert.equal(c.test?.readyz?.allowed, true);
  const col = collector();
  const s = await cycleUntil(col, c.id, (x) => x.status === 'up', 30_000);
  assert.equal(s.reason, 'ok');
  const detail = s.detail as { checks?: Array<{ name: string; ok: boolean }> };
  assert.ok(detail.checks?.some((k) => k.name === 'etcd' && k.ok), JSON.stringify(detail));
  const livez = await latest(c.id, 'apiserver-livez');
  assert.equal(livez?.status, 'up');
  assert.ok((s.latencyMs ?? -1) >= 0);
});

test('killing a second etcd member turns readyz down with the etcd check named; restoring brings it back', { timeout: 300_000 }, async () => {
  const c = (await listClusters()).find((x) => x.name === 'lab');
  assert.ok(c);
  const col = collector(8000);
  const k2 = await lab('fault', 'kill', 'etcd', '--node', '2', '--no-restart');
  assert.equal(k2.action, 'kill');
  await cycleUntil(col, c.id, (x) => x.status === 'up', 30_000); // one member down: still quorum
  await lab('fault', 'kill', 'etcd', '--node', '3', '--no-restart');
  try {
    const down = await cycleUntil(col, c.id, (x) => x.status === 'down', 90_000);
    assert.match(down.reason, /etcd/);
  } finally {
    await lab('fault', 'start', 'etcd', '--node', '2');
    await lab('fault', 'start', 'etcd', '--node', '3');
  }
  const up = await cycleUntil(col, c.id, (x) => x.status === 'up', 120_000);
  assert.equal(up.reason, 'ok');
});

test('a wrong token is refused at registration (401) and, stored anyway, samples are unknown with reason 401', async () => {
  const text = readFileSync(quorumKubeconfig, 'utf8').replace(/token: .*/, 'token: not-the-right-token');
  await assert.rejects(registerCluster({ name: 'lab-badtoken', kubeconfigText: text }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'unauthorized');
  const c = await registerCluster({ name: 'lab-badtoken', kubeconfigText: text, skipTest: true });
  const col = collector();
  const s = await cycleUntil(col, c.id, (x) => x.status !== 'up', 20_000);
  assert.equal(s.status, 'unknown');
  assert.match(s.reason, /^401/);
  assert.equal(await removeCluster('lab-badtoken'), true);
});

test('a cluster that never answers does not delay the healthy one; both are classified', async () => {
  // A TCP server on loopback that accepts and then never says a word (a blackhole).
  const held: net.Socket[] = [];
  const server = net.createServer((s) => held.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const text = readFileSync(quorumKubeconfig, 'utf8').replace(/server: .*/, `server: https://127.0.0.1:${port}`);
  const hole = await registerCluster({ name: 'blackhole', kubeconfigText: text, skipTest: true });
  try {
    const col = collector();
    const t = Date.now();
    const summary = await col.runOnce();
    const elapsed = Date.now() - t;
    assert.equal(summary.clusters, 2);
    assert.ok(elapsed < 3000 + 2000, `cycle took ${elapsed} ms with a 3000 ms probe timeout`);
    const s = await latest(hole.id, 'apiserver-readyz');
    assert.equal(s?.status, 'down');
    assert.match(s?.reason ?? '', /^timeout/);
    const lab = (await listClusters()).find((x) => x.name === 'lab')!;
    const healthy = await latest(lab.id, 'apiserver-readyz');
    assert.equal(healthy?.status, 'up');
    assert.ok((healthy?.latencyMs ?? 1e9) < 1000, `healthy cluster latency ${healthy?.latencyMs} ms`);
  } finally {
    await removeCluster('blackhole');
    for (const s of held) s.destroy();
    server.close();
  }
});

