// etcd probed directly. Read-only against the lab's etcd (plain HTTP on 10.213.0.11-13:2379; three
// members, one leader, tolerance 1), checked against etcdctl as an independent observer; and against
// our OWN single-member etcd (the lab's etcd binary) serving HTTPS with client-certificate auth on
// loopback, registered through the CLI with --etcd-cert/--etcd-key/--etcd-ca.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(import.meta.dirname, '..', '..');
const labState = process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state');
const quorumKubeconfig = path.join(labState, 'quorum.kubeconfig');
const bin = path.join(root, 'lab', '.bin');
const LAB_ETCD = [11, 12, 13].map((n) => `http://10.213.0.${n}:2379`);
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-etcdtest-'));
process.env.QUORUM_DATA_DIR = dataDir;
// The lab's load balancer is 127.0.0.1:16443 (and this suite's own peers are on loopback): loopback
// targets are refused unless allowed explicitly (lib/net/outbound.ts, README "Security").
process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
delete process.env.DATABASE_URL;
delete process.env.QUORUM_SECRET_KEY;

const { migrate } = await import('@/lib/db/migrate');
const { closeDb } = await import('@/lib/db');
const { registerCluster } = await import('@/lib/clusters/register');
const { getCluster, loadClusterCredentials, loadClusterKubeconfig, listClusters, removeCluster } = await import('@/lib/data/clusters');
const { insertSamples, listSamples } = await import('@/lib/data/samples');
const { createCollector } = await import('@/lib/collector/collector');
const { ALL_PROBES } = await import('@/lib/probes');
const { createEtcdClient } = await import('@/lib/etcd/client');
const { probeEtcd } = await import('@/lib/probes/etcd');
const { QuorumError } = await import('@/lib/errors');

const exec = promisify(execFile);
const pki = mkdtempSync(path.join(os.tmpdir(), 'quorum-etcd-pki-'));
const etcdDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-etcd-data-'));
let own: ChildProcess | undefined;
let ownUrl = '';

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: pki, stdio: 'pipe' });
const pem = (f: string): string => readFileSync(path.join(pki, f), 'utf8');

before(async () => {
  assert.ok(existsSync(quorumKubeconfig), `lab is not up: ${quorumKubeconfig} missing`);
  assert.ok(existsSync(path.join(bin, 'etcd')), 'lab binaries missing: bash lab/build.sh');
  // A CA, a server certificate for 127.0.0.1 (also clientAuth: etcd's gRPC gateway dials its own gRPC
  // server with it), a client certificate; and an unrelated CA.
  writeFileSync(path.join(pki, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  writeFileSync(path.join(pki, 'client.cnf'), 'extendedKeyUsage=clientAuth\n');
  for (const ca of ['ca', 'other-ca']) ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=quorum-test-${ca}`, '-keyout', `${ca}.key`, '-out', `${ca}.crt`);
  for (const [n, ext] of [['server', 'san.cnf'], ['client', 'client.cnf']] as const) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=quorum-test-${n}`, '-keyout', `${n}.key`, '-out', `${n}.csr`);
    ssl('x509', '-req', '-in', `${n}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', `${n}.crt`);
  }
  const [cport, pport] = [await freePort(), await freePort()];
  ownUrl = `https://127.0.0.1:${cport}`;
  own = spawn(path.join(bin, 'etcd'), [
    '--name', 'qtest-etcd', '--data-dir', path.join(etcdDir, 'data'),
    '--listen-client-urls', ownUrl, '--advertise-client-urls', ownUrl,
    '--listen-peer-urls', `http://127.0.0.1:${pport}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${pport}`,
    '--initial-cluster', `qtest-etcd=http://127.0.0.1:${pport}`, '--initial-cluster-state', 'new',
    '--client-cert-auth', '--trusted-ca-file', path.join(pki, 'ca.crt'),
    '--cert-file', path.join(pki, 'server.crt'), '--key-file', path.join(pki, 'server.key'),
    '--log-level', 'error',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  own.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const client = createEtcdClient({ endpoints: [ownUrl], certPem: pem('client.crt'), keyPem: pem('client.key'), caPem: pem('ca.crt') });
  const until = Date.now() + 30_000;
  for (;;) {
    const [s] = await probeEtcd(client, { timeoutMs: 1000, signal: AbortSignal.timeout(5000), now: Date.now });
    if (s?.status === 'up') break;
    assert.ok(Date.now() < until && own.exitCode === null, `own etcd not healthy: ${s?.reason}; stderr: ${err.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  client.close();
  await migrate({ quiet: true });
});

after(async () => {
  if (own && own.exitCode === null) {
    own.kill('SIGTERM');
    await new Promise((r) => own!.once('exit', r));
  }
  await closeDb();
  for (const d of [dataDir, pki, etcdDir]) rmSync(d, { recursive: true, force: true });
});

const logs: Array<Record<string, unknown>> = [];
const collector = () =>
  createCollector(
    { intervalSeconds: 10, probeTimeoutMs: 3000, concurrency: 4, bufferLimit: 10_000 },
    { listClusters, loadKubeconfig: loadClusterKubeconfig, loadCredentials: loadClusterCredentials, insertSamples, probes: ALL_PROBES, now: Date.now, log: (l) => logs.push(l), bufferDir: path.join(dataDir, 'buffer') },
  );

interface Facts { members: Array<{ id: string; name: string; healthy: boolean }>; healthy: number; majority: number; toleranceNow: number; toleranceDesign: number; hasQuorum: boolean; leader: string | null; leaderName: string | null; raftTerm: number }

test('the lab etcd, read directly: 3 members, 3 healthy, one leader (the one etcdctl names), tolerance 1', async () => {
  const c = await registerCluster({ name: 'lab-etcd', kubeconfigText: readFileSync(quorumKubeconfig, 'utf8'), etcd: { endpoints: LAB_ETCD } });
  assert.equal(c.etcdTest?.status, 'up', c.etcdTest?.reason);
  const col = collector();
  const since = new Date(Date.now() - 1000);
  await col.runOnce();
  await col.stop();
  const rows = await listSamples({ clusterId: c.id, since, probe: 'etcd' });
  const summary = rows.find((r) => r.target === 'etcd');
  assert.ok(summary, JSON.stringify(rows));
  assert.equal(summary.status, 'up', summary.reason);
  const f = summary.detail!.facts as unknown as Facts;
  assert.equal(f.members.length, 3);
  assert.deepEqual(f.members.map((m) => m.name), ['qlab-cp1', 'qlab-cp2', 'qlab-cp3']);
  assert.deepEqual([f.healthy, f.majority, f.toleranceDesign, f.toleranceNow, f.hasQuorum], [3, 2, 1, 1, true]);
  assert.match(summary.reason, /^3\/3 healthy; tolerates 1 failure; leader qlab-cp[123]$/);
  const per = rows.filter((r) => r.target !== 'etcd').sort((a, b) => a.target.localeCompare(b.target));
  assert.deepEqual(per.map((r) => [r.target, r.status]), LAB_ETCD.map((e) => [e, 'up']));
  assert.equal(per.filter((r) => /^healthy leader;/.test(r.reason)).length, 1, per.map((r) => r.reason).join(' | '));

  // Independent observer: etcdctl.
  const { stdout } = await exec(path.join(bin, 'etcdctl'), ['--endpoints', LAB_ETCD.join(','), 'endpoint', 'status', '-w', 'json'], { timeout: 15_000 });
  // etcdctl prints uint64 ids as JSON numbers (beyond 2^53): read them as text.
  const st = JSON.parse(stdout.replace(/"(leader|member_id|cluster_id)":(\d+)/g, '"$1":"$2"')) as Array<{ Endpoint: string; Status: { header: { member_id: number | string }; leader: number | string; raftTerm: number | string } }>;
  const leaders = new Set(st.map((s) => String(s.Status.leader)));
  assert.equal(leaders.size, 1, 'etcdctl sees one leader');
  assert.equal(f.leader, [...leaders][0], 'Quorum names the leader etcdctl names');
  assert.equal(f.raftTerm, Math.max(...st.map((s) => Number(s.Status.raftTerm))));
  const leaderRow = per.find((r) => /^healthy leader;/.test(r.reason))!;
  const etcdctlLeaderEndpoint = st.find((s) => String(s.Status.header.member_id) === f.leader)!.Endpoint;
  assert.equal(leaderRow.target, etcdctlLeaderEndpoint);
  assert.equal(await removeCluster(c.id), true);
});

test('one registered lab endpoint: the other members are found in the member list and probed at their client URLs', async () => {
  const c = await registerCluster({ name: 'lab-etcd-one', kubeconfigText: readFileSync(quorumKubeconfig, 'utf8'), etcd: { endpoints: [LAB_ETCD[1]!] }, skipTest: true });
  const col = collector();
  const since = new Date(Date.now() - 1000);
  await col.runOnce();
  await col.stop();
  const rows = await listSamples({ clusterId: c.id, since, probe: 'etcd' });
  const summary = rows.find((r) => r.target === 'etcd')!;
  assert.equal(summary.status, 'up', summary.reason);
  assert.equal((summary.detail!.facts as unknown as Facts).healthy, 3);
  const per = rows.filter((r) => r.target !== 'etcd');
  assert.deepEqual(per.map((r) => [r.target, (r.detail!.facts as { registered: boolean }).registered]).sort(), [[LAB_ETCD[0], false], [LAB_ETCD[1], true], [LAB_ETCD[2], false]]);
  assert.equal(await removeCluster(c.id), true);
});

test('our own etcd over HTTPS with client-certificate auth, registered through the CLI; wrong CA and missing client certificate classified', { timeout: 120_000 }, async () => {
  // CLI: --etcd-endpoint with --etcd-cert/--etcd-key/--etcd-ca (the kubeconfig is the lab's, quorum identity).
  await closeDb(); // the CLI migrates the same SQLite file: release this process's handle first
  const { stdout } = await exec(path.join(root, 'node_modules', '.bin', 'tsx'), [
    path.join(root, 'scripts', 'quorum.ts'), 'cluster', 'add', '--name', 'own-etcd', '--kubeconfig', quorumKubeconfig,
    '--etcd-endpoint', ownUrl, '--etcd-cert', path.join(pki, 'client.crt'), '--etcd-key', path.join(pki, 'client.key'), '--etcd-ca', path.join(pki, 'ca.crt'),
  ], { cwd: root, env: { ...process.env, QUORUM_DATA_DIR: dataDir }, timeout: 60_000 });
  assert.match(stdout, /added cluster "own-etcd".*; etcd up \(1\/1 healthy; tolerates 0 failures; leader qtest-etcd\)/);
  const c = (await getCluster('own-etcd'))!;
  const creds = await loadClusterCredentials(c.id);
  assert.deepEqual(creds.etcd, { endpoints: [ownUrl], certPem: pem('client.crt'), keyPem: pem('client.key'), caPem: pem('ca.crt') });
  assert.equal(await loadClusterKubeconfig(c.id), creds.kubeconfig);
  const col = collector();
  const since = new Date(Date.now() - 1000);
  await col.runOnce();
  await col.stop();
  const [summary] = (await listSamples({ clusterId: c.id, since, probe: 'etcd' })).filter((r) => r.target === 'etcd');
  assert.equal(summary?.status, 'up', summary?.reason);
  assert.deepEqual([(summary!.detail!.facts as unknown as Facts).toleranceDesign, (summary!.detail!.facts as unknown as Facts).majority], [0, 1]);

  const kc = readFileSync(quorumKubeconfig, 'utf8');
  const refused = (cls: string, re: RegExp) => (e: unknown): boolean => {
    assert.ok(e instanceof QuorumError, String(e));
    assert.equal(e.errorClass, cls, e.message);
    assert.match(e.message, re);
    return true;
  };
  await assert.rejects(
    registerCluster({ name: 'own-etcd-wrong-ca', kubeconfigText: kc, etcd: { endpoints: [ownUrl], certPem: pem('client.crt'), keyPem: pem('client.key'), caPem: pem('other-ca.crt') } }),
    refused('tls-ca', /not signed by the registered etcd CA/),
  );
  await assert.rejects(registerCluster({ name: 'own-etcd-no-cert', kubeconfigText: kc, etcd: { endpoints: [ownUrl], caPem: pem('ca.crt') } }), refused('tls-other', /TLS|certificate/i));
  // Stored anyway, the collector classifies it every cycle: unknown (our side), never down.
  const nocert = await registerCluster({ name: 'own-etcd-no-cert', kubeconfigText: kc, etcd: { endpoints: [ownUrl], caPem: pem('ca.crt') }, skipTest: true });
  const col2 = collector();
  const since2 = new Date(Date.now() - 1000);
  await col2.runOnce();
  await col2.stop();
  const [s2] = (await listSamples({ clusterId: nocert.id, since: since2, probe: 'etcd' })).filter((r) => r.target === 'etcd');
  assert.equal(s2?.status, 'unknown', s2?.reason);
  assert.equal(s2?.detail?.errorClass, 'tls-other');
});
