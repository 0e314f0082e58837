// Bad clusters next to the healthy lab: each is classified with the right error class and reason,
// and the real collector (createCollector on its cron schedule, the real probes, a real SQLite
// file) keeps the healthy cluster's samples on their interval while the bad ones time out.
//   (a) blackholes: a loopback listener that accepts and never answers; and an address inside a
//       network namespace this test creates (`qtest-*`, never `qlab*`) whose route back drops packets
//   (b) a local HTTPS server (self-signed certificate, trusted by its kubeconfig) answering HTML
//   (c) the real lab apiserver with a different CA in the kubeconfig
// The lab is used read-only with the least-privilege `quorum` identity. Needs root for (a)'s netns.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';

const root = path.resolve(import.meta.dirname, '..', '..');
const labState = process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state');
const quorumKubeconfig = path.join(labState, 'quorum.kubeconfig');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-badinput-'));
process.env.QUORUM_DATA_DIR = dataDir;
// The lab's load balancer is 127.0.0.1:16443 (and this suite's own peers are on loopback): loopback
// targets are refused unless allowed explicitly (lib/net/outbound.ts, README "Security").
process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
delete process.env.DATABASE_URL;
delete process.env.QUORUM_SECRET_KEY;

const { migrate } = await import('@/lib/db/migrate');
const { closeDb, getDb } = await import('@/lib/db');
const { storedSamples } = await import('../support/stored-samples');
const { registerCluster } = await import('@/lib/clusters/register');
const { listClusters, loadClusterKubeconfig } = await import('@/lib/data/clusters');
const { insertSamples, listSamples } = await import('@/lib/data/samples');
const { createCollector } = await import('@/lib/collector/collector');
const { ALL_PROBES } = await import('@/lib/probes');
const { QuorumError } = await import('@/lib/errors');

const INTERVAL_S = 5;
const TIMEOUT_MS = 2000;
const CYCLES = 6;

const suffix = randomBytes(2).toString('hex');
const NETNS = `qtest-bh-${suffix}`;
const VETH_HOST = `qtbh${suffix}a`;
const VETH_NS = `qtbh${suffix}b`;
// A /30 of our own; the lab uses 10.213.0.0/24.
const HOST_IP = '10.254.213.1';
const NS_IP = '10.254.213.2';

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
const held: net.Socket[] = [];
let blackhole: net.Server;
let html: https.Server;
let selfSignedPem = '';
let blackholePort = 0;
let htmlPort = 0;
let netnsMade = false;

function kubeconfigWith(over: { server?: string; caPem?: string }): string {
  const doc = parse(readFileSync(quorumKubeconfig, 'utf8')) as { clusters: Array<{ cluster: Record<string, unknown> }> };
  const c = doc.clusters[0]!.cluster;
  if (over.server) c.server = over.server;
  if (over.caPem) c['certificate-authority-data'] = Buffer.from(over.caPem).toString('base64');
  return stringify(doc);
}

before(async () => {
  assert.ok(existsSync(quorumKubeconfig), `lab is not up: ${quorumKubeconfig} missing (npm run lab -- up, or QUORUM_LAB_STATE)`);
  // (a) loopback blackhole: accepts, never says a word.
  blackhole = net.createServer((s) => held.push(s));
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', () => r()));
  blackholePort = (blackhole.address() as net.AddressInfo).port;
  // (a) an address in our own netns whose replies are dropped by a blackhole route.
  sh('ip', ['netns', 'add', NETNS]);
  netnsMade = true;
  sh('ip', ['link', 'add', VETH_HOST, 'type', 'veth', 'peer', 'name', VETH_NS]);
  sh('ip', ['link', 'set', VETH_NS, 'netns', NETNS]);
  sh('ip', ['addr', 'add', `${HOST_IP}/30`, 'dev', VETH_HOST]);
  sh('ip', ['link', 'set', VETH_HOST, 'up']);
  sh('ip', ['netns', 'exec', NETNS, 'ip', 'addr', 'add', `${NS_IP}/30`, 'dev', VETH_NS]);
  sh('ip', ['netns', 'exec', NETNS, 'ip', 'link', 'set', VETH_NS, 'up']);
  sh('ip', ['netns', 'exec', NETNS, 'ip', 'link', 'set', 'lo', 'up']);
  sh('ip', ['netns', 'exec', NETNS, 'ip', 'route', 'add', 'blackhole', `${HOST_IP}/32`]);
  // (b) HTTPS answering HTML, with a self-signed certificate for 127.0.0.1.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quorum-badinput-tls-'));
  sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=not-kubernetes', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')]);
  selfSignedPem = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  html = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: selfSignedPem }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>');
  });
  await new Promise<void>((r) => html.listen(0, '127.0.0.1', () => r()));
  htmlPort = (html.address() as net.AddressInfo).port;
  rmSync(dir, { recursive: true, force: true });
  await migrate({ quiet: true });
});

after(async () => {
  for (const s of held) s.destroy();
  blackhole?.close();
  html?.close();
  html?.closeAllConnections();
  if (netnsMade) {
    try { sh('ip', ['link', 'del', VETH_HOST]); } catch { /* gone with the netns */ }
    sh('ip', ['netns', 'del', NETNS]);
  }
  await closeDb();
  rmSync(dataDir, { recursive: true, force: true });
});

const rejectsWith = (cls: string, re: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof QuorumError, `not a QuorumError: ${String(e)}`);
  assert.equal(e.errorClass, cls, e.message);
  assert.match(e.message, re);
  return true;
};

test('registration classifies each bad cluster: timeout, timeout, not-kubernetes, tls-ca', async () => {
  const t0 = Date.now();
  await assert.rejects(registerCluster({ name: 'bh-loopback', kubeconfigText: kubeconfigWith({ server: `https://127.0.0.1:${blackholePort}` }), timeoutMs: 1500 }), rejectsWith('timeout', /no answer within 1500 ms/));
  await assert.rejects(registerCluster({ name: 'bh-netns', kubeconfigText: kubeconfigWith({ server: `https://${NS_IP}:6443` }), timeoutMs: 1500 }), rejectsWith('timeout', /no answer within 1500 ms/));
  assert.ok(Date.now() - t0 < 1500 * 2 + 1500, 'each blackhole gives up at its timeout');
  await assert.rejects(
    registerCluster({ name: 'html', kubeconfigText: kubeconfigWith({ server: `https://127.0.0.1:${htmlPort}`, caPem: selfSignedPem }) }),
    rejectsWith('not-kubernetes', /not a Kubernetes API: GET \/version answered HTTP 200 \(text\/html\)/),
  );
  await assert.rejects(registerCluster({ name: 'wrong-ca', kubeconfigText: kubeconfigWith({ caPem: selfSignedPem }) }), rejectsWith('tls-ca', /not signed by the cluster's CA/));
});

test('the collector on its schedule: bad clusters classified every cycle, the healthy lab keeps its interval', { timeout: 120_000 }, async (t) => {
  const healthy = await registerCluster({ name: 'lab-healthy', kubeconfigText: readFileSync(quorumKubeconfig, 'utf8') });
  assert.equal(healthy.test?.readyz?.status, 'up', `the lab is not healthy: ${JSON.stringify(healthy.test)}`);
  const bad = {
    'bh-loopback': await registerCluster({ name: 'bh-loopback', kubeconfigText: kubeconfigWith({ server: `https://127.0.0.1:${blackholePort}` }), skipTest: true }),
    'bh-netns': await registerCluster({ name: 'bh-netns', kubeconfigText: kubeconfigWith({ server: `https://${NS_IP}:6443` }), skipTest: true }),
    html: await registerCluster({ name: 'html', kubeconfigText: kubeconfigWith({ server: `https://127.0.0.1:${htmlPort}`, caPem: selfSignedPem }), skipTest: true }),
    'wrong-ca': await registerCluster({ name: 'wrong-ca', kubeconfigText: kubeconfigWith({ caPem: selfSignedPem }), skipTest: true }),
  };
  const cycles: Array<Record<string, unknown>> = [];
  let resolveDone: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const col = createCollector(
    { intervalSeconds: INTERVAL_S, probeTimeoutMs: TIMEOUT_MS, concurrency: 8, bufferLimit: 100_000 },
    {
      listClusters, loadKubeconfig: loadClusterKubeconfig, insertSamples, probes: ALL_PROBES, now: Date.now,
      bufferDir: path.join(dataDir, 'collector-buffer'),
      log: (l) => {
        if (l.event !== 'cycle') return;
        cycles.push(l);
        if (cycles.length === CYCLES) resolveDone();
      },
    },
  );
  const started = Date.now();
  col.start();
  await done;
  await col.stop();
  const since = new Date(started - 1000);

  for (const c of cycles) {
    assert.equal(c.clusters, 5);
    assert.equal(c.dbError, undefined);
    assert.equal(c.buffered, 0);
    assert.ok(Number(c.ms) < INTERVAL_S * 1000, `a cycle took ${String(c.ms)} ms, longer than the interval`);
  }
  // Rows are runs (issue 16): every sample's time comes from the series cursor, each latency from the minute rollups.
  const readyz = async (id: string) => (await listSamples({ clusterId: id, since, probe: 'apiserver-readyz' })).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const db = await getDb();
  const query = (sql: string, id: string): Promise<Array<Record<string, unknown>>> => db.prisma.$queryRawUnsafe(sql, id) as Promise<Array<Record<string, unknown>>>;
  const readyzTimes = async (id: string): Promise<number[]> => (await storedSamples(query, id, db.provider === 'sqlite' ? '?' : '$1')).filter((x) => x.probe === 'apiserver-readyz').map((x) => x.atMs);

  // Healthy: exactly one readyz sample per cycle, `up`, about one interval apart, fast.
  const ok = await readyz(healthy.id);
  const okTimes = await readyzTimes(healthy.id);
  assert.equal(okTimes.length, CYCLES, `${okTimes.length} healthy readyz samples for ${CYCLES} cycles`);
  assert.equal(ok.reduce((a, r) => a + r.samples, 0), CYCLES);
  const gaps = okTimes.slice(1).map((x, i) => x - okTimes[i]!);
  const maxLatency = Number((await query(`SELECT MAX(m."latencyMaxMs") AS m FROM "RollupMinute" m JOIN "Series" s ON s."id" = m."seriesId" WHERE s."clusterId" = ${db.provider === 'sqlite' ? '?' : '$1'} AND s."probe" = 'apiserver-readyz'`, healthy.id))[0]?.m ?? 1e9);
  t.diagnostic(`healthy readyz gaps (ms): ${gaps.join(', ')}; highest latency: ${maxLatency} ms; cycle ms: ${cycles.map((c) => c.ms).join(', ')}`);
  for (const g of gaps) assert.ok(Math.abs(g - INTERVAL_S * 1000) <= 750, `healthy samples ${g} ms apart, interval ${INTERVAL_S * 1000} ms`);
  for (const s of ok) assert.equal(s.status, 'up', s.reason);
  assert.ok(maxLatency < 1000, `healthy readyz latency up to ${maxLatency} ms next to blackholes`);
  const healthyProbes = new Set((await listSamples({ clusterId: healthy.id, since })).map((s) => s.probe));
  for (const p of ['apiserver-livez', 'apiserver-readyz', 'apiserver-replicas', 'dns', 'nodes']) assert.ok(healthyProbes.has(p), `healthy cluster has ${p} samples`);

  // Each bad cluster: one readyz sample per cycle, classified.
  const expect: Record<keyof typeof bad, { status: string; errorClass: string; reason: RegExp; latency: 'null' | 'number' }> = {
    'bh-loopback': { status: 'down', errorClass: 'timeout', reason: new RegExp(`^timeout: no answer within ${TIMEOUT_MS} ms`), latency: 'null' },
    'bh-netns': { status: 'down', errorClass: 'timeout', reason: new RegExp(`^timeout: no answer within ${TIMEOUT_MS} ms`), latency: 'null' },
    html: { status: 'unknown', errorClass: 'not-kubernetes', reason: /^not a Kubernetes API: readyz answered HTTP 200 text\/html$/, latency: 'number' },
    'wrong-ca': { status: 'unknown', errorClass: 'tls-ca', reason: /^tls-ca: the server's certificate is not signed by the cluster's CA/, latency: 'null' },
  };
  for (const [name, c] of Object.entries(bad) as Array<[keyof typeof bad, (typeof bad)[keyof typeof bad]]>) {
    const rows = await readyz(c.id);
    assert.equal((await readyzTimes(c.id)).length, CYCLES, `${name}: readyz samples for ${CYCLES} cycles`);
    assert.equal(rows.reduce((a, r) => a + r.samples, 0), CYCLES, `${name}: every readyz sample is in a run`);
    for (const s of rows) {
      const e = expect[name];
      assert.equal(s.status, e.status, `${name}: ${s.reason}`);
      assert.equal(s.detail?.errorClass, e.errorClass, `${name}: ${JSON.stringify(s.detail)}`);
      assert.match(s.reason, e.reason, name);
      assert.equal(s.latencyMs === null ? 'null' : 'number', e.latency, `${name} latency ${s.latencyMs}`);
    }
    // Every other probe of a bad cluster also gives a classified sample, never a crash or a gap.
    const all = await listSamples({ clusterId: c.id, since });
    for (const s of all) {
      assert.ok(s.status !== 'up', `${name}/${s.probe} must not be up: ${s.reason}`);
      assert.ok(s.detail?.errorClass, `${name}/${s.probe} has an error class: ${JSON.stringify(s)}`);
    }
  }
  assert.equal((await listClusters()).length, 5);
});
