// HTTP/2 against the real lab (lib/net/transport.ts), under the lab lock:
// - the lab's path negotiates h2: through haproxy (TCP mode: ALPN reaches the apiserver) and to each
//   replica directly; one cluster's probes and watches use one session per endpoint;
// - an apiserver replica restarted (SIGTERM: GOAWAY, shutdown, refused while it is down, the supervisor
//   starts it again): that replica's /readyz probe reads `down` with a classified network reason in
//   between — never `unknown` (a collector-side class) — and `up` again on a new session; the watch
//   through the LB resumes;
// - an expired service-account token (signed with the lab's own key) reads 401 `unauthorized` over h2,
//   for a probe and a watch; the same token with a future expiry is accepted;
// - etcd: our own TLS etcd (the lab's binary, client-certificate auth, on loopback) answers /health, status
//   and the member list over h2 on one session; the lab's plain-HTTP etcd stays on HTTP/1.1.
// `flock /work/lab.lock npx tsx --test test/lab/h2.test.ts`. Leaves the lab in its standard state.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lab } from '../support/lab-cli';
import { labState } from '../support/lab-quorum';

process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
const { connect } = await import('@/lib/k8s/client');
const { startInformer } = await import('@/lib/k8s/informer');
const { probeHealth } = await import('@/lib/probes/apiserver');
const { startLeaseTracker } = await import('@/lib/collector/leases');
const { QuorumError } = await import('@/lib/errors');
const { createEtcdClient } = await import('@/lib/etcd/client');
const { probeEtcd } = await import('@/lib/probes/etcd');
type ProbeResult = import('@/lib/types').ProbeResult;

const kubeconfigText = readFileSync(path.join(labState, 'quorum.kubeconfig'), 'utf8');
const REPLICAS = [11, 12, 13].map((n) => `https://10.213.0.${n}:6443`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ctx = (conn: Awaited<ReturnType<typeof connect>>) => ({ conn, timeoutMs: 3000, signal: new AbortController().signal, now: Date.now });

after(async () => {
  // Standard state: every apiserver answering (the supervisor restarts the stopped one).
  const conn = await connect(kubeconfigText);
  for (const r of REPLICAS) {
    for (let i = 0; ; i++) {
      const res = await probeHealth(ctx(conn), 'readyz', 'apiserver-replicas', r, r);
      if (res.status === 'up') break;
      if (i > 300) throw new Error(`${r} not ready after the test: ${res.reason}`);
      await sleep(500);
    }
  }
  conn.close();
});

test('the lab negotiates h2 through haproxy and to each replica: one session per endpoint for the probes and the watches', async () => {
  const conn = await connect(kubeconfigText);
  const inf = startInformer(conn, { name: 'kubernetes EndpointSlices', path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', labelSelector: 'kubernetes.io/service-name=kubernetes', project: (o) => o });
  // The collector's leader-election watch (kube-system, identity Leases left out server-side) on the same session.
  const tracker = startLeaseTracker(conn, { onFailover: () => undefined });
  await Promise.all([inf.synced, tracker.synced]);
  assert.equal(inf.state.phase, 'synced');
  const held = tracker.view(Date.now()).filter((v) => v.holder !== null).map((v) => v.lease);
  for (const l of ['kube-system/kube-scheduler', 'kube-system/kube-controller-manager']) assert.ok(held.includes(l), `${l} held: ${held.join(', ')}`);
  const lb = await Promise.all([conn.get('/livez?verbose', { timeoutMs: 5000 }), conn.get('/readyz?verbose', { timeoutMs: 5000 })]);
  const replicas = await Promise.all(REPLICAS.map((b) => conn.get('/readyz?verbose', { timeoutMs: 5000, baseUrl: b })));
  assert.deepEqual([...lb, ...replicas].map((r) => [r.status, r.protocol]), Array(5).fill([200, 'h2']));
  assert.deepEqual(conn.transportStats(), { h2Sessions: 4, h1Endpoints: 0, dials: 4 }, 'the LB (2 requests + 2 watches) and 3 replicas: 4 TLS connections');
  inf.stop();
  tracker.stop();
  conn.close();
});

test('an apiserver replica restarted (SIGTERM → GOAWAY, down, started again): its probe reads down with a classified reason, then up on a new session; the LB watch resumes', async () => {
  const conn = await connect(kubeconfigText);
  const target = REPLICAS[1]!;
  const probe = (): Promise<ProbeResult> => probeHealth(ctx(conn), 'readyz', 'apiserver-replicas', target, target);
  const inf = startInformer(conn, { name: 'leases', path: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', project: (o) => o });
  await inf.synced;
  assert.equal((await probe()).status, 'up');
  const dials0 = conn.transportStats().dials;
  const fault = await lab('fault', 'stop', 'kube-apiserver', '--node', '2');
  assert.equal(fault.signal, 'SIGTERM');
  const seen: ProbeResult[] = [];
  // Probe every 250 ms until it was not up and is up again (cap 180 s: the apiserver's restart and readiness).
  const end = Date.now() + 180_000;
  for (;;) {
    const r = await probe();
    seen.push(r);
    if (r.status === 'up' && seen.some((s) => s.status !== 'up')) break;
    assert.ok(Date.now() < end, `no recovery within 180 s; last: ${r.reason}`);
    await sleep(250);
  }
  const notUp = seen.filter((s) => s.status !== 'up');
  const reasons = [...new Set(notUp.map((s) => s.reason.replace(/\d+ ms/g, 'N ms')))];
  console.log(`[h2] ${seen.length} probes, ${notUp.length} not up: ${reasons.join(' | ')}`);
  assert.ok(notUp.length > 0);
  const firstDown = seen.findIndex((s) => s.status === 'down');
  assert.ok(firstDown >= 0, `never down: ${reasons.join(' | ')}`);
  seen.forEach((s, i) => {
    if (s.status === 'up') return;
    const cls = s.detail?.errorClass;
    // A starting apiserver answers 403 until its RBAC caches have synced (the probe's existing reading of a 403: unknown);
    // anything else not up is down with a network class or a failing readyz — never a TLS or transport misreading.
    if (s.status === 'unknown' && cls === 'forbidden' && i > firstDown) return;
    assert.equal(s.status, 'down', `${s.reason} (all: ${reasons.join(' | ')})`);
    assert.ok(cls === undefined ? /readyz (failed|answered)/.test(s.reason) : cls === 'unreachable' || cls === 'timeout', `${cls}: ${s.reason}`);
  });
  assert.ok(conn.transportStats().dials > dials0, 'the replica is reached on a new session after the restart');
  // The watch through the LB: synced at the end (it resumed or relisted if its session was the restarted replica's).
  for (let i = 0; inf.state.phase !== 'synced'; i++) {
    assert.ok(i < 240, `lease watch not synced again: ${inf.state.reason}`);
    await sleep(250);
  }
  const lb = await conn.get('/readyz?verbose', { timeoutMs: 5000 });
  assert.deepEqual([lb.status, lb.protocol], [200, 'h2']);
  inf.stop();
  conn.close();
});

/** A service-account token signed with the lab's key (lab/pki sa.key), as the apiserver issues them. */
function saToken(expSeconds: number, uid: string): string {
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const iss = 'https://kubernetes.default.svc.cluster.local';
  const body = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iss, aud: [iss], sub: 'system:serviceaccount:default:default', iat: now - 7200, nbf: now - 7200, exp: now + expSeconds, 'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'default', uid } } })}`;
  const sig = createSign('RSA-SHA256').update(body).sign(readFileSync(path.join(labState, 'pki', 'sa.key')));
  return `${body}.${sig.toString('base64url')}`;
}
const tokenKubeconfig = (token: string): string => {
  const ca = /certificate-authority-data:\s*(\S+)/.exec(kubeconfigText)?.[1] ?? '';
  return JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:16443', 'certificate-authority-data': ca } }], users: [{ name: 'u', user: { token } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], 'current-context': 'c' });
};

test('an expired service-account token: 401 unauthorized over h2 for a probe and a watch; the same token unexpired is accepted', async () => {
  const admin = await connect(readFileSync(path.join(labState, 'admin.kubeconfig'), 'utf8'));
  const sa = JSON.parse((await admin.get('/api/v1/namespaces/default/serviceaccounts/default', { timeoutMs: 5000 })).body) as { metadata: { uid: string } };
  admin.close();
  const uid = sa.metadata.uid;
  const expired = await connect(tokenKubeconfig(saToken(-3600, uid)));
  const r = await probeHealth(ctx(expired), 'readyz', 'apiserver-readyz');
  assert.deepEqual([r.status, r.detail?.errorClass, r.detail?.httpStatus], ['unknown', 'unauthorized', 401], r.reason);
  const raw = await expired.get('/readyz', { timeoutMs: 5000 });
  assert.equal(raw.protocol, 'h2');
  const w = await expired.stream('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?watch=1', { signal: new AbortController().signal, timeoutMs: 5000, idleTimeoutMs: 30_000 }, () => undefined).then(() => null, (e: unknown) => e);
  assert.ok(w instanceof QuorumError && w.errorClass === 'unauthorized', String(w));
  expired.close();
  const valid = await connect(tokenKubeconfig(saToken(600, uid)));
  const ok = await valid.get('/readyz', { timeoutMs: 5000 });
  assert.deepEqual([ok.status, ok.protocol], [200, 'h2'], ok.body);
  valid.close();
});

test('etcd: a TLS etcd answers /health, status and the member list over h2 on one session; the lab\'s plain-HTTP etcd stays HTTP/1.1', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quorum-h2-etcd-'));
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const pem = (f: string): string => readFileSync(path.join(dir, f), 'utf8');
  writeFileSync(path.join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  writeFileSync(path.join(dir, 'client.cnf'), 'extendedKeyUsage=clientAuth\n');
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=quorum-h2-ca', '-keyout', 'ca.key', '-out', 'ca.crt');
  for (const [n, ext] of [['server', 'san.cnf'], ['client', 'client.cnf']] as const) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=quorum-h2-${n}`, '-keyout', `${n}.key`, '-out', `${n}.csr`);
    ssl('x509', '-req', '-in', `${n}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', `${n}.crt`);
  }
  // Ports 3410/3411 of this suite's range (loopback only).
  const url = 'https://127.0.0.1:3410';
  const etcd = spawn(path.join(import.meta.dirname, '..', '..', 'lab', '.bin', 'etcd'), [
    '--name', 'h2', '--data-dir', path.join(dir, 'data'), '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', 'http://127.0.0.1:3411', '--initial-advertise-peer-urls', 'http://127.0.0.1:3411', '--initial-cluster', 'h2=http://127.0.0.1:3411',
    '--client-cert-auth', '--trusted-ca-file', path.join(dir, 'ca.crt'), '--cert-file', path.join(dir, 'server.crt'), '--key-file', path.join(dir, 'server.key'), '--log-level', 'error',
  ], { stdio: 'ignore' });
  try {
    const client = createEtcdClient({ endpoints: [url], certPem: pem('client.crt'), keyPem: pem('client.key'), caPem: pem('ca.crt') });
    let summary = '';
    for (let i = 0; i < 100; i++) {
      const [s] = await probeEtcd(client, { timeoutMs: 2000, signal: new AbortController().signal, now: Date.now });
      summary = `${s?.status}: ${s?.reason}`;
      if (s?.status === 'up') break;
      await sleep(300);
    }
    assert.match(summary, /^up: 1\/1 healthy/);
    const answers = await Promise.all([
      client.request(url, '/health', { method: 'GET', timeoutMs: 5000 }),
      client.request(url, '/v3/maintenance/status', { method: 'POST', timeoutMs: 5000 }),
      client.request(url, '/v3/cluster/member/list', { method: 'POST', timeoutMs: 5000 }),
    ]);
    assert.deepEqual(answers.map((a) => [a.status, a.protocol]), Array(3).fill([200, 'h2']));
    assert.deepEqual(client.transportStats(), { h2Sessions: 1, h1Endpoints: 0, dials: 1 });
    client.close();
    // Without the client certificate etcd refuses the handshake: classified, as over HTTP/1.1.
    const anonymous = createEtcdClient({ endpoints: [url], caPem: pem('ca.crt') });
    const err = await anonymous.request(url, '/health', { method: 'GET', timeoutMs: 5000 }).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof QuorumError && err.errorClass === 'tls-other', String(err));
    anonymous.close();
  } finally {
    etcd.kill('SIGTERM');
    await new Promise((r) => etcd.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
  const labEtcd = createEtcdClient({ endpoints: ['http://10.213.0.11:2379'] });
  const plain = await labEtcd.request('http://10.213.0.11:2379', '/health', { method: 'GET', timeoutMs: 5000 });
  assert.deepEqual([plain.status, plain.protocol], [200, 'http/1.1']);
  labEtcd.close();
});
