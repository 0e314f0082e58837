// HA readiness: checks one cluster against the control-plane HA checklist, each item pass / warn /
// fail with the evidence it was judged on. Pure: judged from the components snapshot (latest
// samples) and the failover history; "no data" is a warn that says what would prove it, never a pass.
import type { ComponentState } from '../data/components';

export type Verdict = 'pass' | 'warn' | 'fail';

export interface ReadinessItem {
  id: 'control-plane-nodes' | 'etcd-members' | 'apiserver-endpoint' | 'kube-scheduler' | 'kube-controller-manager' | 'coredns' | 'worker-headroom' | 'worker-zones';
  title: string;
  verdict: Verdict;
  evidence: string;
}

export interface ReadinessInput {
  /** The registered API server URL. */
  server: string;
  components: readonly ComponentState[];
  /** Failovers in the look-back window (holders seen prove standby replicas exist). */
  failovers: ReadonlyArray<{ lease: string; previousHolder: string; newHolder: string }>;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** host part of "host:port" / "[v6]:port" / URL. */
export function hostOf(s: string): string {
  try {
    if (/^[a-z]+:\/\//i.test(s)) return new URL(s).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return s;
  }
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(s) ?? /^([^:]+)(?::\d+)?$/.exec(s);
  return m?.[1] ?? s;
}

/** "qlab-cp1_3f2a…" → "qlab-cp1": client-go identities are hostname_uuid. */
export function holderHost(identity: string): string {
  const i = identity.indexOf('_');
  return i > 0 ? identity.slice(0, i) : identity;
}

function find(cs: readonly ComponentState[], probe: string, target: string): ComponentState | undefined {
  return cs.find((c) => c.probe === probe && c.target === target && c.at !== null);
}

export function evaluateReadiness(input: ReadinessInput): ReadinessItem[] {
  const cs = input.components;
  const items: ReadinessItem[] = [];
  const replicas = find(cs, 'apiserver-replicas', 'replicas');
  const endpoints = strs(replicas?.facts?.endpoints);
  const cpHosts = [...new Set(endpoints.map(hostOf))];

  // 1. ≥ 3 control-plane nodes (apiserver replicas on distinct hosts, from the kubernetes EndpointSlice).
  if (!replicas || endpoints.length === 0) {
    items.push({ id: 'control-plane-nodes', title: '≥ 3 control-plane nodes', verdict: 'warn', evidence: 'no apiserver replica list yet (kubernetes EndpointSlice not read)' });
  } else {
    const n = cpHosts.length;
    items.push({
      id: 'control-plane-nodes',
      title: '≥ 3 control-plane nodes',
      verdict: n >= 3 ? 'pass' : 'fail',
      evidence: `${n} apiserver host${n === 1 ? '' : 's'} in the kubernetes EndpointSlice: ${cpHosts.join(', ')}`,
    });
  }

  // 2. odd etcd member count ≥ 3 (needs the direct etcd probe: the apiserver does not say how many members).
  const etcdDirect = cs.find((c) => c.component === 'etcd' && (c.probe as string) === 'etcd' && c.at !== null && c.facts);
  const members = etcdDirect ? (num(etcdDirect.facts?.members) ?? (Array.isArray(etcdDirect.facts?.members) ? (etcdDirect.facts!.members as unknown[]).length : null)) : null;
  if (members === null) {
    const viaApi = cs.find((c) => c.component === 'etcd' && c.target === 'readyz:etcd');
    items.push({
      id: 'etcd-members',
      title: 'odd etcd member count ≥ 3',
      verdict: 'warn',
      evidence: `member count unknown: register the etcd client endpoints to verify${viaApi ? ` (the apiserver reports etcd ${viaApi.status === 'up' ? 'ok' : viaApi.status})` : ''}`,
    });
  } else {
    items.push({
      id: 'etcd-members',
      title: 'odd etcd member count ≥ 3',
      verdict: members >= 3 && members % 2 === 1 ? 'pass' : 'fail',
      evidence: `${members} member${members === 1 ? '' : 's'}${members % 2 === 0 ? ' (even: no more failures tolerated than with one fewer)' : ''}`,
    });
  }

  // 3. apiservers behind one endpoint (LB/VIP), not one replica's own address.
  const serverHost = hostOf(input.server);
  if (cpHosts.length === 0) {
    items.push({ id: 'apiserver-endpoint', title: 'apiservers behind one endpoint (load balancer)', verdict: 'warn', evidence: `registered endpoint ${input.server}; replica list unknown` });
  } else if (cpHosts.includes(serverHost)) {
    items.push({ id: 'apiserver-endpoint', title: 'apiservers behind one endpoint (load balancer)', verdict: 'fail', evidence: `the registered endpoint ${input.server} is replica ${serverHost}: when it fails, clients lose the API` });
  } else {
    items.push({
      id: 'apiserver-endpoint',
      title: 'apiservers behind one endpoint (load balancer)',
      verdict: cpHosts.length >= 2 ? 'pass' : 'warn',
      evidence: `registered endpoint ${input.server} is none of the ${cpHosts.length} replica${cpHosts.length === 1 ? '' : 's'} (${cpHosts.join(', ')})`,
    });
  }

  // 4–5. scheduler and controller manager: a live leader and ≥ 2 replicas (holders seen on ≥ 2 hosts).
  for (const name of ['kube-scheduler', 'kube-controller-manager'] as const) {
    const lease = `kube-system/${name}`;
    const now = find(cs, 'leader-election', lease);
    const holder = typeof now?.facts?.holder === 'string' ? now.facts.holder : null;
    const hosts = new Set<string>();
    if (holder) hosts.add(holderHost(holder));
    for (const f of input.failovers.filter((x) => x.lease === lease)) {
      hosts.add(holderHost(f.previousHolder));
      hosts.add(holderHost(f.newHolder));
    }
    const live = now?.status === 'up';
    const title = `${name}: live leader, ≥ 2 replicas`;
    if (!now) items.push({ id: name, title, verdict: 'warn', evidence: 'Lease not seen yet' });
    else if (!live) items.push({ id: name, title, verdict: 'fail', evidence: `no live leader: ${now.reason}` });
    else if (hosts.size >= 2) items.push({ id: name, title, verdict: 'pass', evidence: `leader ${holder}; holders seen on ${hosts.size} hosts: ${[...hosts].sort().join(', ')}` });
    else items.push({ id: name, title, verdict: 'warn', evidence: `leader ${holder}; only one host ever seen holding the Lease (standby replicas show only when they take over)` });
  }

  // 6. CoreDNS ≥ 2 ready endpoints.
  const dns = find(cs, 'dns', 'kube-dns');
  const ready = num(dns?.facts?.ready);
  const answering = num(dns?.facts?.answering);
  if (!dns || ready === null) items.push({ id: 'coredns', title: 'CoreDNS ≥ 2 ready endpoints', verdict: 'warn', evidence: dns ? dns.reason : 'kube-dns not probed yet' });
  else items.push({ id: 'coredns', title: 'CoreDNS ≥ 2 ready endpoints', verdict: ready >= 2 && (answering ?? 0) >= 2 ? 'pass' : 'fail', evidence: `${ready} ready endpoint${ready === 1 ? '' : 's'} in kube-dns, ${answering ?? 0} answering` });

  // 7–8. workers: N+1 headroom and zones.
  const nodes = find(cs, 'nodes', 'workers');
  const f = nodes?.facts ?? null;
  if (!f || typeof f.survivesLargestNodeLoss !== 'boolean') {
    items.push({ id: 'worker-headroom', title: 'worker capacity survives losing the largest node', verdict: 'warn', evidence: nodes ? nodes.reason : 'nodes not probed yet' });
    items.push({ id: 'worker-zones', title: 'workers in more than one zone', verdict: 'warn', evidence: nodes ? nodes.reason : 'nodes not probed yet' });
  } else {
    items.push({
      id: 'worker-headroom',
      title: 'worker capacity survives losing the largest node',
      verdict: f.survivesLargestNodeLoss ? 'pass' : 'fail',
      evidence: `largest node ${typeof f.largestNode === 'string' ? f.largestNode : '?'}: ${f.survivesLargestNodeLoss ? 'its pods fit on the others' : 'its pods do not fit on the others'}`,
    });
    const zones = typeof f.zones === 'object' && f.zones !== null ? Object.keys(f.zones as Record<string, number>).filter((z) => z !== '(none)') : [];
    items.push({
      id: 'worker-zones',
      title: 'workers in more than one zone',
      verdict: zones.length >= 2 ? 'pass' : 'fail',
      evidence: zones.length ? `Ready workers in ${zones.length} zone${zones.length === 1 ? '' : 's'}: ${zones.sort().join(', ')}` : 'no topology.kubernetes.io/zone label on Ready workers',
    });
  }
  return items;
}
