// The current state of every component of one cluster, from the last sample of each probe target (the series cursor):
// the API endpoint and its replicas, etcd (as the apiserver sees it, and directly when probed),
// each leader-election Lease, CoreDNS and the worker nodes. A sample older than the staleness
// bound is not "current": the component is `unknown` (is the collector running?), not its old status.
import { collectorIntervalMs } from '../env';
import type { LastSampleRow } from '../db';
import { PROBE_IDS, type HealthCheck, type ProbeId, type Status } from '../types';
import { latestSamples, parseDetail } from './samples';

export interface ComponentState {
  /** kube-apiserver, etcd, kube-scheduler, kube-controller-manager, cloud-controller-manager, coredns, nodes, or the Lease name. */
  component: string;
  probe: ProbeId;
  /** What was probed: "endpoint", "replicas", a Lease (namespace/name), a DNS server address, "workers", … */
  target: string;
  /** Short display label of the target, e.g. "endpoint /readyz", "10.213.0.11:6443". */
  label: string;
  /** How this state was obtained, for the reader: e.g. "readyz check etcd through the endpoint". */
  source: string;
  status: Status;
  reason: string;
  /** The sample this comes from (ISO), null when none is recent. */
  at: string | null;
  /** The latest sample is older than the staleness bound: status reads unknown (is the collector running?). */
  stale: boolean;
  latencyMs: number | null;
  facts: Record<string, unknown> | null;
}

export interface ComponentsSnapshot {
  clusterId: string;
  now: string;
  staleAfterMs: number;
  components: ComponentState[];
}

const ETCD_CHECKS = ['etcd', 'etcd-readiness'];

/** The Kubernetes component a check belongs to ("kube-apiserver", "coredns", "kube-scheduler"); the SLO's component id is lib/slo/policy.ts componentId. */
export function kubernetesComponentOf(probe: string, target: string): string {
  if (probe.startsWith('apiserver-')) return 'kube-apiserver';
  if (probe === 'leader-election') return target.slice(target.indexOf('/') + 1);
  if (probe === 'dns') return 'coredns';
  if (probe === 'nodes') return 'nodes';
  return probe;
}

function sourceOf(probe: string, target: string): string {
  switch (probe) {
    case 'apiserver-livez':
      return `/livez?verbose (${target})`;
    case 'apiserver-readyz':
      return `/readyz?verbose (${target})`;
    case 'apiserver-replicas':
      return 'each apiserver replica of the kubernetes EndpointSlice, /readyz directly';
    case 'leader-election':
      return `Lease ${target} (watched)`;
    case 'dns':
      return target === 'kube-dns' ? 'kube-dns Service endpoints, a real query to each' : target.startsWith('server:') ? `DNS query to ${target.slice(7)} (added by you)` : `DNS query to ${target}`;
    case 'nodes':
      return 'Node conditions, allocatable and pod requests';
    default:
      return `${probe} (${target})`;
  }
}

function labelOf(probe: string, target: string): string {
  if (probe === 'apiserver-livez') return `${target} /livez`;
  if (probe === 'apiserver-readyz') return `${target} /readyz`;
  if (probe === 'apiserver-replicas' && target !== 'replicas' && target !== '') return `${target} /readyz`;
  return target || '—';
}

function checksOf(detail: ReturnType<typeof parseDetail>): HealthCheck[] {
  const c = detail?.checks;
  return Array.isArray(c) ? c.filter((x): x is HealthCheck => typeof x === 'object' && x !== null && typeof x.name === 'string' && typeof x.ok === 'boolean') : [];
}

/**
 * Pure: the latest row per (probe, target) → component states. Probes with no recent row are listed
 * as unknown so a missing component is visible, never silently absent.
 */
export function toComponents(rows: readonly LastSampleRow[], nowMs: number, staleAfterMs: number, probes: readonly ProbeId[] = PROBE_IDS): ComponentState[] {
  const latest = new Map<string, LastSampleRow>();
  for (const r of rows) {
    const k = `${r.probe}\u0000${r.target}`;
    const cur = latest.get(k);
    if (!cur || r.at.getTime() > cur.at.getTime() || (r.at.getTime() === cur.at.getTime() && r.id > cur.id)) latest.set(k, r);
  }
  const out: ComponentState[] = [];
  for (const r of latest.values()) {
    const detail = parseDetail(r.detail);
    const stale = nowMs - r.at.getTime() > staleAfterMs;
    const base = {
      probe: r.probe as ProbeId,
      target: r.target,
      at: r.at.toISOString(),
      stale,
      latencyMs: r.latencyMs,
      facts: (detail?.facts as Record<string, unknown> | undefined) ?? null,
    };
    out.push({
      ...base,
      component: kubernetesComponentOf(r.probe, r.target),
      label: labelOf(r.probe, r.target),
      source: sourceOf(r.probe, r.target),
      status: stale ? 'unknown' : r.status,
      reason: stale ? `no sample since ${r.at.toISOString()}: is the collector running?` : r.reason,
    });
    // etcd as the apiserver sees it: its named readyz checks through the registered endpoint.
    if (r.probe === 'apiserver-readyz' && r.target === 'endpoint') {
      for (const c of checksOf(detail).filter((x) => ETCD_CHECKS.includes(x.name))) {
        out.push({
          ...base,
          facts: null,
          component: 'etcd',
          target: `readyz:${c.name}`,
          label: `[${c.name}] via /readyz`,
          source: `readyz check ${c.name} through the endpoint`,
          status: stale ? 'unknown' : c.ok ? 'up' : 'down',
          reason: stale ? `no sample since ${r.at.toISOString()}` : c.ok ? `[+]${c.name} ok` : `[-]${c.name} failed${c.message ? `: ${c.message}` : ''}`,
        });
      }
    }
  }
  for (const p of probes) {
    // Leases appear per Lease once watched; etcd is probed directly only when its endpoints were registered.
    if (p === 'leader-election' || (p as string) === 'etcd' || out.some((c) => c.probe === p)) continue;
    out.push({ component: kubernetesComponentOf(p, ''), probe: p, target: '', label: labelOf(p, ''), source: sourceOf(p, ''), status: 'unknown', reason: 'no sample yet', at: null, stale: false, latencyMs: null, facts: null });
  }
  const order = ['kube-apiserver', 'etcd', 'kube-scheduler', 'kube-controller-manager', 'cloud-controller-manager', 'coredns', 'nodes'];
  const rank = (c: string): number => (order.includes(c) ? order.indexOf(c) : order.length);
  return out.sort((a, b) => rank(a.component) - rank(b.component) || a.component.localeCompare(b.component) || a.probe.localeCompare(b.probe) || a.target.localeCompare(b.target));
}

/** A latest sample older than this is not "current": max(3 collector intervals, 60 s). */
export function staleAfterMs(interval: number = collectorIntervalMs()): number {
  return Math.max(3 * interval, 60_000);
}

/**
 * The current components of one cluster: the last sample of each series (its cursor, exact: status,
 * reason, detail and latency of that sample) within the last max(4 staleness bounds, 10 min);
 * older targets are gone.
 */
export async function getComponents(clusterId: string, opts: { now?: Date } = {}): Promise<ComponentsSnapshot> {
  const nowMs = (opts.now ?? new Date()).getTime();
  const stale = staleAfterMs();
  const rows = await latestSamples(clusterId, { nowMs, sinceMs: nowMs - Math.max(stale * 4, 10 * 60_000) });
  return { clusterId, now: new Date(nowMs).toISOString(), staleAfterMs: stale, components: toComponents(rows, nowMs, stale) };
}
