// The real HA lab (profile ha), observed with independent tools: kubectl (admin kubeconfig), etcdctl, dig.
// Every test restores what it broke; the file ends with the lab healthy (other suites run against it).
// Run: npx tsx --test --test-concurrency=1 test/lab/lab.test.ts
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const state = path.resolve(process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state'));
const bin = (n: string): string => path.join(root, 'lab', '.bin', n);
const admin = path.join(state, 'admin.kubeconfig');
const NODE_IPS = ['10.213.0.11', '10.213.0.12', '10.213.0.13'];
const ETCD = NODE_IPS.map((ip) => `http://${ip}:2379`);
const LEASE_S = 8;
const RETRY_S = 2;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Json = Record<string, unknown>;
interface Run { code: number; stdout: string; stderr: string }

async function sh(cmd: string, args: string[], timeoutMs = 20_000): Promise<Run> {
  try {
    const { stdout, stderr } = await exec(cmd, args, { cwd: root, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

async function lab(...args: string[]): Promise<Json> {
  const r = await sh(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'lab', 'cli.ts'), ...args], 240_000);
  assert.equal(r.code, 0, `lab ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `lab ${args.join(' ')} must print exactly one line: ${r.stdout}`);
  return JSON.parse(lines[0] ?? '') as Json;
}

const kubectl = (...args: string[]): Promise<Run> => sh(bin('kubectl'), ['--kubeconfig', admin, '--request-timeout=5s', ...args]);
const etcdctl = (endpoints: string[], ...args: string[]): Promise<Run> => sh(bin('etcdctl'), ['--endpoints', endpoints.join(','), '--dial-timeout=1s', '--command-timeout=3s', ...args]);

async function dig(ip: string): Promise<string[]> {
  const r = await sh('dig', [`@${ip}`, 'kubernetes.default.svc.cluster.local', '+short', '+time=1', '+tries=1']);
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l));
}

/** /readyz?verbose of one apiserver (by node IP) or of the LB (undefined). Body on success and on 500. */
async function readyz(ip?: string): Promise<{ ok: boolean; text: string }> {
  const r = await kubectl(...(ip ? ['--server', `https://${ip}:6443`] : []), 'get', '--raw', '/readyz?verbose');
  return { ok: r.code === 0, text: r.stdout + r.stderr };
}

async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await sleep(300);
  }
  throw new Error(`${what}: not reached within ${ms} ms${last ? ` (last error: ${String(last)})` : ''}`);
}

interface LeaseSpec { holderIdentity?: string; acquireTime?: string; renewTime?: string; leaseDurationSeconds?: number; leaseTransitions?: number }
async function leaseSpec(name: string): Promise<LeaseSpec> {
  const r = await kubectl('-n', 'kube-system', 'get', 'lease', name, '-o', 'json');
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { spec: LeaseSpec }).spec;
}

/** A Lease with a live holder: non-empty, and its renewTime advances (a leader that crashed leaves a stale one). */
async function liveLease(name: string, ms = 60_000): Promise<LeaseSpec> {
  return until(`${name} Lease renewed by a live holder`, ms, async () => {
    const a = await leaseSpec(name);
    if (!a.holderIdentity || !a.renewTime || Date.now() - Date.parse(a.renewTime) > LEASE_S * 1000) return undefined;
    const b = await until(`${name} renewTime advances`, (RETRY_S + 2) * 1000, async () => {
      const x = await leaseSpec(name);
      return x.renewTime !== a.renewTime ? x : undefined;
    }).catch(() => undefined);
    return b && b.holderIdentity === a.holderIdentity ? b : undefined;
  });
}

interface MemberStatus { Endpoint: string; Status: { header: { member_id: string }; leader: string } }
async function etcdStatuses(endpoints = ETCD): Promise<MemberStatus[]> {
  const r = await etcdctl(endpoints, 'endpoint', 'status', '-w', 'json');
  if (!r.stdout.trim()) return [];
  return JSON.parse(r.stdout.replace(/:\s*(\d{15,})/g, ':"$1"')) as MemberStatus[];
}

async function healthyEtcdMembers(): Promise<number> {
  const r = await etcdctl(ETCD, 'endpoint', 'health', '-w', 'json');
  const list = JSON.parse(r.stdout || '[]') as Array<{ endpoint: string; health: boolean }>;
  return list.filter((m) => m.health).length;
}

before(async () => {
  const up = await lab('up', '--profile', 'ha');
  assert.equal(up.ready, true);
});

after(async () => {
  // Leave the lab as we found it: everything released and healthy.
  const up = await lab('up', '--profile', 'ha');
  assert.equal(up.ready, true);
});

test('up is idempotent and prints the JSON contract with absolute kubeconfig paths', async () => {
  const t = Date.now();
  const up = await lab('up', '--profile', 'ha');
  assert.equal(up.ready, true);
  assert.equal(up.profile, 'ha');
  const kc = up.kubeconfig as { admin: string; quorum: string };
  assert.equal(kc.admin, admin);
  assert.equal(kc.quorum, path.join(state, 'quorum.kubeconfig'));
  assert.ok(path.isAbsolute(kc.admin) && existsSync(kc.admin) && existsSync(kc.quorum));
  assert.equal(typeof up.startupMs, 'number');
  assert.ok(Date.now() - t < 30_000, 'an already-healthy lab answers quickly');
  assert.match(readFileSync(kc.quorum, 'utf8'), /server: https:\/\/127\.0\.0\.1:16443/);
});

test('three apiservers are ready on their node IPs and through haproxy; Lease holders are the three nodes', async () => {
  for (const ip of NODE_IPS) {
    const r = await readyz(ip);
    assert.ok(r.ok, `apiserver ${ip}: ${r.text}`);
    assert.match(r.text, /\[\+\]etcd ok/);
  }
  assert.ok((await readyz()).ok);
  const v = await kubectl('version', '-o', 'json');
  assert.match(v.stdout, /"gitVersion": "v1\.35\.4"/);
  // One apiserver identity Lease per replica (distinct hostnames via UTS namespaces).
  const ids = await kubectl('-n', 'kube-system', 'get', 'lease', '-l', 'apiserver.kubernetes.io/identity=kube-apiserver', '-o', 'jsonpath={range .items[*]}{.metadata.labels.kubernetes\\.io/hostname}{"\\n"}{end}');
  assert.deepEqual(ids.stdout.trim().split('\n').sort(), ['qlab-cp1', 'qlab-cp2', 'qlab-cp3']);
  for (const name of ['kube-scheduler', 'kube-controller-manager', 'cloud-controller-manager']) {
    const l = await leaseSpec(name);
    assert.ok(l.holderIdentity, `${name} has a holder`);
  }
});

test('the quorum identity is least-privilege: reads nodes, leases and /readyz, may not read secrets or write', async () => {
  const q = (...a: string[]): Promise<Run> => sh(bin('kubectl'), ['--kubeconfig', path.join(state, 'quorum.kubeconfig'), '--request-timeout=5s', ...a]);
  assert.match((await q('auth', 'whoami', '-o', 'json')).stdout, /system:monitoring/);
  assert.equal((await q('get', 'nodes')).code, 0);
  assert.equal((await q('-n', 'kube-system', 'get', 'leases')).code, 0);
  assert.equal((await q('-n', 'kube-system', 'get', 'endpointslices')).code, 0);
  assert.equal((await q('get', '--raw', '/readyz')).code, 0);
  assert.equal((await q('get', '--raw', '/metrics')).code, 0);
  assert.match((await q('get', 'secrets', '-A')).stderr, /forbidden/i);
  assert.match((await q('-n', 'default', 'delete', 'pod', '--all', '--dry-run=server')).stderr, /forbidden/i);
});

test('worker Nodes are Ready with capacity and zones; the real scheduler bound the load pods to them', async () => {
  const r = await kubectl('get', 'nodes', '-o', 'json');
  const nodes = (JSON.parse(r.stdout) as { items: Array<{ metadata: { name: string; labels: Record<string, string> }; status: { allocatable: Record<string, string>; conditions: Array<{ type: string; status: string }> } }> }).items;
  const workers = nodes.filter((n) => n.metadata.name.startsWith('qlab-w'));
  assert.ok(workers.length >= 3);
  for (const w of workers) {
    assert.ok(w.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'), `${w.metadata.name} Ready`);
    assert.ok(Number(w.status.allocatable.cpu) > 0);
  }
  assert.ok(new Set(workers.map((w) => w.metadata.labels['topology.kubernetes.io/zone'])).size >= 2);
  const pods = await until('load pods bound and Running', 60_000, async () => {
    const p = await kubectl('-n', 'default', 'get', 'pods', '-l', 'app=headroom-load', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {.status.phase}{"\\n"}{end}');
    const lines = p.stdout.trim().split('\n').filter(Boolean);
    return lines.length >= 6 && lines.every((l) => /^qlab-w\d Running$/.test(l)) ? lines : undefined;
  });
  assert.ok(pods.length >= 6);
});

test('kube-dns Service and its endpoints point at the CoreDNS node IPs; both replicas resolve', async () => {
  const svc = await kubectl('-n', 'kube-system', 'get', 'svc', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}');
  assert.equal(svc.stdout, '10.96.0.10');
  const es = await kubectl('-n', 'kube-system', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=kube-dns', '-o', 'jsonpath={.items[*].endpoints[*].addresses[*]}');
  assert.deepEqual(es.stdout.trim().split(/\s+/).sort(), ['10.213.0.11', '10.213.0.12']);
  for (const ip of ['10.213.0.11', '10.213.0.12']) assert.deepEqual(await dig(ip), ['10.96.0.1']);
});

test('etcd: three healthy members with exactly one leader', async () => {
  const list = await etcdctl(ETCD, 'member', 'list', '-w', 'json');
  const members = (JSON.parse(list.stdout.replace(/:\s*(\d{15,})/g, ':"$1"')) as { members: Array<{ name: string }> }).members;
  assert.deepEqual(members.map((m) => m.name).sort(), ['qlab-cp1', 'qlab-cp2', 'qlab-cp3']);
  assert.equal(await healthyEtcdMembers(), 3);
  const st = await etcdStatuses();
  assert.equal(st.length, 3);
  const leaders = new Set(st.map((s) => s.Status.leader));
  assert.equal(leaders.size, 1, 'all members agree on the leader');
  assert.equal(st.filter((s) => s.Status.header.member_id === s.Status.leader).length, 1);
});

test('etcd: one member down keeps quorum and ready apiservers; two down fail /readyz on etcd; restart recovers', { timeout: 200_000 }, async () => {
  const k3 = await lab('fault', 'kill', 'etcd', '--node', '3', '--no-restart');
  assert.equal(k3.action, 'kill');
  assert.equal(k3.component, 'etcd');
  assert.equal(k3.node, 3);
  assert.match(String(k3.at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  try {
    await until('member 3 unhealthy', 10_000, async () => (await healthyEtcdMembers()) === 2);
    assert.equal((await etcdctl(ETCD.slice(0, 2), 'put', 'qlab-test', 'one-down')).code, 0, 'writes still commit with 2 of 3');
    await sleep(3000);
    for (const ip of NODE_IPS) {
      const r = await readyz(ip);
      assert.ok(r.ok, `apiserver ${ip} stays ready with one etcd member down: ${r.text}`);
    }
    await lab('fault', 'kill', 'etcd', '--node', '2', '--no-restart');
    const lost = await until('LB /readyz reports etcd failing', 60_000, async () => {
      const r = await readyz();
      return !r.ok && /\[-\]etcd failed/.test(r.text) ? r.text : undefined;
    });
    assert.match(lost, /\[-\]etcd failed/);
    // Still the apiservers' own answer once haproxy has marked every apiserver not ready (fall 2 × 1 s):
    // the LB falls back to live apiservers instead of resetting connections.
    await sleep(5000);
    const later = await readyz();
    assert.equal(later.ok, false);
    assert.match(later.text, /\[-\]etcd failed/, later.text);
    assert.notEqual((await etcdctl(ETCD.slice(0, 1), 'put', 'qlab-test', 'no-quorum')).code, 0, 'no write without quorum');
  } finally {
    await lab('fault', 'start', 'etcd', '--node', '2');
    await lab('fault', 'start', 'etcd', '--node', '3');
  }
  await until('three healthy etcd members', 60_000, async () => (await healthyEtcdMembers()) === 3);
  for (const ip of NODE_IPS) await until(`apiserver ${ip} ready again`, 90_000, async () => (await readyz(ip)).ok);
  assert.equal((await etcdctl(ETCD, 'get', 'qlab-test', '--print-value-only')).stdout.trim(), 'one-down');
  // Leaders that could not renew while etcd had no quorum stepped down; wait for live holders again.
  await liveLease('kube-scheduler');
  await liveLease('kube-controller-manager');
});

/** client-go's wait.JitterUntil factor: a candidate retries every retryPeriod × [1, 2.2). */
const JITTER = 1.2;

interface Failover { gapMs: number; fromKillMs: number; from: string; to: string; lastRenew: string; acquire: string; before: LeaseSpec; after: LeaseSpec; sawRelease: boolean }

/**
 * Faults the Lease holder and watches the Lease (kubectl get -w) so the old holder's LAST renewTime is seen:
 * failover gap = new holder's acquireTime − old holder's last renewTime (both written by the apiserver clock).
 */
async function failover(component: 'kube-scheduler' | 'kube-controller-manager', action: 'kill' | 'stop'): Promise<Failover> {
  const before = await liveLease(component);
  const lines: string[] = [];
  const watch = spawn(bin('kubectl'), ['--kubeconfig', admin, '-n', 'kube-system', 'get', 'lease', component, '-w', '-o',
    'jsonpath={.spec.holderIdentity}|{.spec.renewTime}|{.spec.acquireTime}{"\\n"}'], { stdio: ['ignore', 'pipe', 'ignore'] });
  watch.stdout.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  await until('watch delivers the current Lease', 10_000, async () => lines.length > 0);
  // GETs every 250 ms add observations beside the watch (belt and braces); the latest old-holder renewTime wins.
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const l = await leaseSpec(component).catch(() => undefined);
      if (l) lines.push(`${l.holderIdentity ?? ''}|${l.renewTime ?? ''}|${l.acquireTime ?? ''}`);
      await sleep(250);
    }
  })();
  const ev = await lab('fault', action, component, '--leader', '--no-restart');
  try {
    assert.equal(ev.action, action);
    assert.equal(`qlab-cp${String(ev.node)}`, String(before.holderIdentity).split('_')[0], 'the fault hit the Lease holder');
    const after = await until(`${component} Lease taken by another replica`, 40_000, async () => {
      const l = await leaseSpec(component);
      return l.holderIdentity && l.holderIdentity !== before.holderIdentity ? l : undefined;
    });
    await until('watch saw the new holder', 10_000, async () => lines.some((l) => l.startsWith(String(after.holderIdentity))));
    const rows = lines.map((l) => l.split('|') as [string, string, string]);
    const lastRenew = rows.filter((r) => r[0] === before.holderIdentity).map((r) => r[1]).concat(String(before.renewTime)).sort().pop() ?? '';
    const acquire = String(after.acquireTime);
    return {
      gapMs: Date.parse(acquire) - Date.parse(lastRenew), fromKillMs: Date.parse(acquire) - Date.parse(String(ev.at)),
      from: String(before.holderIdentity), to: String(after.holderIdentity), lastRenew, acquire, before, after,
      sawRelease: rows.some((r) => r[0] === ''),
    };
  } finally {
    polling = false;
    await poller;
    watch.kill('SIGTERM');
    await lab('fault', 'start', component, '--node', String(ev.node));
  }
}

const crashBoundMs = (LEASE_S + (1 + JITTER) * RETRY_S) * 1000 + 1000;
let crashGapMs = 0;
test('kube-scheduler leader crash (SIGKILL): another replica takes the Lease after the lease duration, within lease + retry (jittered)', { timeout: 120_000 }, async () => {
  const r = await failover('kube-scheduler', 'kill');
  crashGapMs = r.gapMs;
  console.log(`kube-scheduler crash failover: ${r.from} → ${r.to}: last renew ${r.lastRenew} → acquire ${r.acquire} = gap ${r.gapMs} ms (${r.fromKillMs} ms after the kill)`);
  assert.notEqual(r.to.split('_')[0], r.from.split('_')[0], 'a replica on another node took over');
  assert.equal(r.sawRelease, false, 'a crashed leader does not release');
  // A follower may only take over once its own observation of the last renew is a lease duration old …
  assert.ok(r.gapMs >= LEASE_S * 1000 - 500, `gap ${r.gapMs} ms shorter than the ${LEASE_S}s lease`);
  assert.ok(r.fromKillMs >= (LEASE_S - RETRY_S) * 1000 - 500, `takeover ${r.fromKillMs} ms after the kill: the last renew was at most one retry period before it`);
  // … and it retries every retry period (client-go jitters it up to ×2.2). The kill is after the last
  // renew, so the time from the kill is a lower bound of the gap and must be inside the bound too.
  assert.ok(r.fromKillMs <= crashBoundMs, `crash failover ${r.fromKillMs} ms after the kill > lease ${LEASE_S}s + retry ${RETRY_S}s×${1 + JITTER} + 1 s`);
  assert.ok(r.gapMs <= crashBoundMs + RETRY_S * 1000, `crash failover gap ${r.gapMs} ms (last renew → acquire)`);
  assert.ok((r.after.leaseTransitions ?? 0) > (r.before.leaseTransitions ?? 0), 'leaseTransitions grew');
});

test('kube-scheduler graceful stop (SIGTERM) releases the Lease: taken over faster than a crash', { timeout: 120_000 }, async () => {
  assert.ok(crashGapMs > 0, 'the crash test ran first');
  const r = await failover('kube-scheduler', 'stop');
  console.log(`kube-scheduler graceful failover: ${r.from} → ${r.to}: ${r.fromKillMs} ms after SIGTERM (crash gap: ${crashGapMs} ms); release seen: ${r.sawRelease}`);
  assert.equal(r.sawRelease, true, 'the stopping leader wrote an empty holderIdentity (ReleaseOnCancel)');
  assert.ok(r.fromKillMs < crashGapMs, `graceful ${r.fromKillMs} ms < crash ${crashGapMs} ms`);
  assert.ok(r.fromKillMs <= (1 + JITTER) * RETRY_S * 1000 + 1500, `graceful takeover ${r.fromKillMs} ms within one jittered retry period`);
  assert.ok((r.after.leaseTransitions ?? 0) > (r.before.leaseTransitions ?? 0));
});

test('kube-controller-manager leader crash: another replica takes its Lease within lease + retry (jittered)', { timeout: 120_000 }, async () => {
  const r = await failover('kube-controller-manager', 'kill');
  console.log(`kube-controller-manager crash failover: ${r.from} → ${r.to}: gap ${r.gapMs} ms (${r.fromKillMs} ms after the kill)`);
  assert.notEqual(r.to.split('_')[0], r.from.split('_')[0]);
  assert.ok(r.gapMs >= LEASE_S * 1000 - 500, `gap ${r.gapMs} ms`);
  assert.ok(r.fromKillMs <= crashBoundMs, `${r.fromKillMs} ms after the kill`);
  assert.ok((r.after.leaseTransitions ?? 0) > (r.before.leaseTransitions ?? 0));
});

test('CoreDNS: with one replica killed the other still resolves kubernetes.default; pause/resume too', { timeout: 60_000 }, async () => {
  const k = await lab('fault', 'kill', 'coredns', '--node', '1', '--no-restart');
  try {
    assert.equal(k.component, 'coredns');
    assert.deepEqual(await dig('10.213.0.11'), [], 'the killed replica does not answer');
    assert.deepEqual(await dig('10.213.0.12'), ['10.96.0.1']);
  } finally {
    await lab('fault', 'start', 'coredns', '--node', '1');
  }
  await until('replica 1 answers again', 20_000, async () => (await dig('10.213.0.11')).includes('10.96.0.1'));
  const p = await lab('fault', 'pause', 'coredns', '--node', '2');
  try {
    assert.equal(p.action, 'pause');
    assert.deepEqual(await dig('10.213.0.12'), [], 'a paused (SIGSTOP) replica does not answer');
    assert.deepEqual(await dig('10.213.0.11'), ['10.96.0.1']);
  } finally {
    const r = await lab('fault', 'resume', 'coredns', '--node', '2');
    assert.equal(r.pid, p.pid, 'resume targets the same process');
  }
  await until('replica 2 answers after resume', 10_000, async () => (await dig('10.213.0.12')).includes('10.96.0.1'));
});

test('partition cuts node 3 off (its apiserver unreachable, the LB stays ready); heal brings it back', { timeout: 150_000 }, async () => {
  const p = await lab('fault', 'partition', '3');
  try {
    assert.equal(p.action, 'partition');
    assert.equal(p.partitioned, true);
    assert.equal((await readyz('10.213.0.13')).ok, false, 'node 3 is unreachable');
    await until('the LB stays ready through nodes 1 and 2', 20_000, async () => (await readyz()).ok);
    const st = await etcdStatuses(ETCD.slice(0, 2));
    assert.equal(st.length, 2);
  } finally {
    await lab('fault', 'heal', '3');
  }
  await until('node 3 apiserver ready after heal', 90_000, async () => (await readyz('10.213.0.13')).ok);
  await until('three healthy etcd members after heal', 30_000, async () => (await healthyEtcdMembers()) === 3);
});

test('a killed process is restarted by the supervisor after the stated delay (no --no-restart)', { timeout: 90_000 }, async () => {
  const k = await lab('fault', 'kill', 'kube-apiserver', '--node', '2');
  assert.equal(k.restart, true);
  await until('apiserver 2 down', 5000, async () => !(await readyz('10.213.0.12')).ok);
  await until('apiserver 2 ready again', 75_000, async () => (await readyz('10.213.0.12')).ok);
  const s = await lab('status', '--json');
  const proc = (s.processes as Array<{ id: string; pid: number; alive: boolean; restarts: number }>).find((p) => p.id === 'kube-apiserver@2');
  assert.ok(proc?.alive);
  assert.notEqual(proc?.pid, k.pid, 'a new process');
});

test('status --json agrees with etcdctl and kubectl; every fault is in events.jsonl', async () => {
  // A leader whose local apiserver was just killed may have stepped down and be in its 2 s restart delay.
  const s = await until('every supervised process alive', 30_000, async () => {
    const x = await lab('status', '--json');
    return (x.processes as Array<{ alive: boolean }>).every((p) => p.alive) ? x : undefined;
  });
  const procs = s.processes as Array<{ component: string; alive: boolean }>;
  assert.ok(procs.length >= 16, `${procs.length} processes`);
  const st = await etcdStatuses();
  const leaderId = st[0]?.Status.leader;
  const leaderEp = st.find((x) => x.Status.header.member_id === leaderId)?.Endpoint;
  const etcd = s.etcd as { leader: string; members: Array<{ name: string; endpoint: string }> };
  assert.equal(etcd.members.find((m) => m.name === etcd.leader)?.endpoint, leaderEp);
  const leases = s.leases as Record<string, { holder: string }>;
  assert.equal(leases['kube-scheduler']?.holder, (await leaseSpec('kube-scheduler')).holderIdentity);
  assert.equal((s.lb as { url: string }).url, 'https://127.0.0.1:16443');
  const events = readFileSync(path.join(state, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json);
  for (const a of ['kill', 'stop', 'start', 'pause', 'resume', 'partition', 'heal']) assert.ok(events.some((e) => e.action === a), `event ${a} logged`);
  assert.ok(events.every((e) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(String(e.at))));
});
