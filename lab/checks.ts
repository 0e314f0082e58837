// Observations of the running lab from the root namespace: apiserver /readyz per node and via the LB,
// etcd members/leader (etcdctl), leader-election Leases, CoreDNS answers (dig). Used by up/status/fault.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { caPem, tokenFor } from './pki';
import { type KubeTarget, type Lease, request } from './kube';
import { BIN_DIR, LB_URL, type Profile, PORTS, WORKERS, dnsNodes, nodesFor } from './topology';

const run = promisify(execFile);

function target(server: string): KubeTarget {
  return { server, token: tokenFor('admin'), ca: caPem() };
}

export interface ReadyzResult { url: string; ok: boolean; status: number; detail: string }
export async function readyz(server: string): Promise<ReadyzResult> {
  try {
    const r = await request(target(server), 'GET', '/readyz?verbose', undefined, { timeoutMs: 3000 });
    const failing = r.body.split('\n').filter((l) => l.startsWith('[-]')).join('; ');
    return { url: server, ok: r.status === 200, status: r.status, detail: r.status === 200 ? 'ok' : failing || r.body.slice(0, 200) };
  } catch (e) {
    return { url: server, ok: false, status: 0, detail: (e as Error).message };
  }
}

export interface EtcdMember { name: string; id: string; endpoint: string; reachable: boolean; isLeader: boolean; raftTerm: string | null }
export interface EtcdStatus { members: EtcdMember[]; leader: string | null }

/** Big uint64 ids lose precision as JS numbers: quote them before JSON.parse. */
const parseBig = <T>(s: string): T => JSON.parse(s.replace(/:\s*(\d{15,})/g, ':"$1"')) as T;

export async function etcdStatus(profile: Profile): Promise<EtcdStatus> {
  const etcdctl = path.join(BIN_DIR, 'etcdctl');
  const nodes = nodesFor(profile);
  const members = await Promise.all(nodes.map(async (n): Promise<EtcdMember> => {
    const endpoint = `http://${n.ip}:${PORTS.etcdClient}`;
    try {
      const { stdout } = await run(etcdctl, ['--endpoints', endpoint, '--command-timeout=2s', '--dial-timeout=1s', 'endpoint', 'status', '-w', 'json'], { timeout: 5000 });
      const st = parseBig<Array<{ Status: { header: { member_id: string; raft_term: string }; leader: string } }>>(stdout)[0];
      if (!st) throw new Error('etcdctl printed no status');
      const id = String(st.Status.header.member_id);
      const leader = String(st.Status.leader);
      return { name: n.name, id, endpoint, reachable: true, isLeader: leader !== '0' && leader === id, raftTerm: String(st.Status.header.raft_term) };
    } catch {
      return { name: n.name, id: '', endpoint, reachable: false, isLeader: false, raftTerm: null };
    }
  }));
  return { members, leader: members.find((m) => m.isLeader)?.name ?? null };
}

/** True when a quorum-backed read succeeds (linearizable get through any member). */
async function etcdHasLeader(profile: Profile): Promise<boolean> {
  const eps = nodesFor(profile).map((n) => `http://${n.ip}:${PORTS.etcdClient}`).join(',');
  try {
    await run(path.join(BIN_DIR, 'etcdctl'), ['--endpoints', eps, '--command-timeout=2s', '--dial-timeout=1s', 'get', 'qlab-probe'], { timeout: 5000 });
    return (await etcdStatus(profile)).leader !== null;
  } catch {
    return false;
  }
}

export interface LeaseView { name: string; namespace: string; holder: string | null; renewTime: string | null; acquireTime: string | null; leaseDurationSeconds: number | null; leaseTransitions: number | null; held: boolean }
export async function lease(namespace: string, name: string): Promise<LeaseView> {
  const empty: LeaseView = { name, namespace, holder: null, renewTime: null, acquireTime: null, leaseDurationSeconds: null, leaseTransitions: null, held: false };
  try {
    const r = await request(target(LB_URL), 'GET', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`, undefined, { timeoutMs: 3000 });
    if (r.status !== 200) return empty;
    const s = r.json<Lease>().spec;
    const fresh = !!s.renewTime && Date.parse(s.renewTime) + (s.leaseDurationSeconds ?? 0) * 1000 > Date.now();
    return { name, namespace, holder: s.holderIdentity || null, renewTime: s.renewTime ?? null, acquireTime: s.acquireTime ?? null,
      leaseDurationSeconds: s.leaseDurationSeconds ?? null, leaseTransitions: s.leaseTransitions ?? null, held: !!s.holderIdentity && fresh };
  } catch {
    return empty;
  }
}

export interface DnsAnswer { node: string; ip: string; port: number; answers: string[]; ok: boolean }
async function dig(ip: string, name = 'kubernetes.default.svc.cluster.local'): Promise<string[]> {
  try {
    const { stdout } = await run('dig', [`@${ip}`, '-p', String(PORTS.dns), name, '+short', '+time=1', '+tries=1'], { timeout: 4000 });
    return stdout.split('\n').map((l) => l.trim()).filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l));
  } catch {
    return [];
  }
}
export async function dnsStatus(profile: Profile): Promise<DnsAnswer[]> {
  return Promise.all(dnsNodes(profile).map(async (n) => {
    const answers = await dig(n.ip);
    return { node: n.name, ip: n.ip, port: PORTS.dns, answers, ok: answers.includes('10.96.0.1') };
  }));
}

async function workersReady(): Promise<string[]> {
  try {
    const r = await request(target(LB_URL), 'GET', '/api/v1/nodes', undefined, { timeoutMs: 3000 });
    if (r.status !== 200) return WORKERS.map((w) => w.name);
    const items = r.json<{ items: Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }> }>().items;
    return WORKERS.filter((w) => !items.some((i) => i.metadata.name === w.name && i.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))).map((w) => w.name);
  } catch {
    return WORKERS.map((w) => w.name);
  }
}

/** Everything `up` waits for. Returns the list of what is not (yet) ready; empty = ready. */
export async function notReady(profile: Profile): Promise<string[]> {
  const nodes = nodesFor(profile);
  const [apis, lb, etcdOk, sched, kcm, dns, workers] = await Promise.all([
    Promise.all(nodes.map((n) => readyz(`https://${n.ip}:${PORTS.apiserver}`))),
    readyz(LB_URL), etcdHasLeader(profile), lease('kube-system', 'kube-scheduler'), lease('kube-system', 'kube-controller-manager'),
    dnsStatus(profile), workersReady(),
  ]);
  const out: string[] = [];
  apis.forEach((a, i) => { if (!a.ok) out.push(`kube-apiserver on ${nodes[i]?.name} /readyz: ${a.status || ''} ${a.detail}`.trim()); });
  if (!lb.ok) out.push(`haproxy ${LB_URL} /readyz: ${lb.detail}`);
  if (!etcdOk) out.push('etcd: no leader / no quorum');
  if (!sched.held) out.push('Lease kube-system/kube-scheduler not held');
  if (!kcm.held) out.push('Lease kube-system/kube-controller-manager not held');
  for (const d of dns) if (!d.ok) out.push(`coredns on ${d.node} (${d.ip}:53) does not answer kubernetes.default.svc.cluster.local`);
  if (workers.length) out.push(`worker Nodes not Ready: ${workers.join(', ')}`);
  return out;
}
