// Every kube-apiserver replica, found from the `kubernetes` EndpointSlice and the apiserver identity
// Leases, probed directly (/readyz?verbose) when reachable. A summary sample says "2 of 3 ready".
import { outboundPolicy } from '../net/outbound';
import { QuorumError, describeError } from '../errors';
import { getJson } from '../k8s/json';
import { parseMicroTime } from '../failover/reducer';
import type { ProbeResult } from '../types';
import { probeHealth } from './apiserver';
import { readCaches } from './cache';
import type { Probe, ProbeContext } from './types';
import type { SliceInfo } from '../collector/cluster-watch';
import type { Informer } from '../k8s/informer';

interface EndpointSliceList {
  items?: Array<{
    endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean | null } }>;
    ports?: Array<{ name?: string; port?: number; protocol?: string }>;
  }>;
}
interface LeaseList { items?: Array<{ metadata?: { name?: string }; spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number } }> }

/** An identity lease counts as a live replica when renewed within this long (apiservers renew every 10 s). */
const IDENTITY_LIVE_MS = 60_000;

export interface ReplicaEndpoint { address: string; port: number; ready: boolean }

export function endpointsFromSlices(list: EndpointSliceList): ReplicaEndpoint[] {
  const out: ReplicaEndpoint[] = [];
  for (const slice of list.items ?? []) {
    const port = slice.ports?.find((p) => p.name === 'https')?.port ?? slice.ports?.[0]?.port ?? 443;
    for (const ep of slice.endpoints ?? []) {
      for (const address of ep.addresses ?? []) out.push({ address, port, ready: ep.conditions?.ready !== false });
    }
  }
  return out.sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }));
}

export function liveIdentities(list: LeaseList, nowMs: number): string[] {
  return (list.items ?? [])
    .filter((l) => {
      const renew = parseMicroTime(l.spec?.renewTime);
      return renew !== null && nowMs - renew / 1000 < IDENTITY_LIVE_MS;
    })
    .map((l) => l.spec?.holderIdentity ?? l.metadata?.name ?? '?')
    .sort();
}

/** The endpoints of the watched slices, recomputed only when the slices changed (not every cycle). */
const watched = new WeakMap<Informer<SliceInfo>, { version: number; endpoints: ReplicaEndpoint[] }>();
function watchedEndpoints(slices: Informer<SliceInfo>): ReplicaEndpoint[] {
  const m = watched.get(slices);
  if (m && m.version === slices.version) return m.endpoints;
  const endpoints = endpointsFromSlices({ items: [...slices.values()] });
  watched.set(slices, { version: slices.version, endpoints });
  return endpoints;
}

const hostPort = (e: ReplicaEndpoint): string => (e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`);

async function run(ctx: ProbeContext): Promise<ProbeResult[]> {
  const at = ctx.now();
  const opts = { timeoutMs: ctx.timeoutMs, signal: ctx.signal };
  let endpoints: ReplicaEndpoint[];
  let identities: string[] | null = null;
  const cantList = (status: ProbeResult['status'], message: string, errorClass: QuorumError['errorClass']): ProbeResult[] => [
    { probe: 'apiserver-replicas', target: 'replicas', status, reason: `cannot list apiserver endpoints: ${message}`, latencyMs: null, at, detail: { errorClass } },
  ];
  const w = ctx.watches;
  if (w) {
    // Watched by the collector: no list per cycle.
    const read = await readCaches([w.apiSlices], ctx);
    if (!read.ok) return cantList(read.status, read.reason, read.errorClass);
    endpoints = watchedEndpoints(w.apiSlices);
    const ids = await readCaches([w.identities], ctx);
    identities = ids.ok ? liveIdentities({ items: [...w.identities.values()] }, Date.now()) : null; // optional evidence; RBAC may not allow it
  } else {
    try {
      endpoints = endpointsFromSlices(await getJson<EndpointSliceList>(ctx.conn, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes', opts));
    } catch (e) {
      const qe = e instanceof QuorumError ? e : new QuorumError('internal', describeError(e));
      return cantList(qe.errorClass === 'unreachable' || qe.errorClass === 'timeout' ? 'down' : 'unknown', qe.message, qe.errorClass);
    }
    try {
      identities = liveIdentities(await getJson<LeaseList>(ctx.conn, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?labelSelector=apiserver.kubernetes.io%2Fidentity%3Dkube-apiserver', opts), Date.now());
    } catch {
      identities = null; // optional evidence; RBAC may not allow it
    }
  }
  // At most QUORUM_OUTBOUND_MAX_TARGETS replicas are probed directly (the EndpointSlice is the cluster's word).
  const capped = outboundPolicy().cap(endpoints);
  const perReplica = await Promise.all(
    capped.kept.map((e) => probeHealth(ctx, 'readyz', 'apiserver-replicas', hostPort(e), `https://${hostPort(e)}`)),
  );
  const ready = perReplica.filter((r) => r.status === 'up');
  const notReady = perReplica.filter((r) => r.status !== 'up');
  const total = Math.max(endpoints.length, identities?.length ?? 0);
  let status: ProbeResult['status'];
  if (endpoints.length === 0) status = 'down';
  else if (ready.length === capped.kept.length && capped.dropped === 0 && (identities === null || identities.length <= endpoints.length)) status = 'up';
  else if (ready.length === 0 && notReady.every((r) => r.status === 'unknown')) status = 'unknown';
  else if (ready.length === 0) status = 'down';
  else status = 'degraded';
  const reason =
    endpoints.length === 0
      ? 'the kubernetes EndpointSlice lists no apiserver'
      : `${ready.length} of ${total} replicas ready` + (notReady.length ? `; not ready: ${notReady.map((r) => `${r.target} (${r.reason})`).join('; ')}` : '') +
        (identities !== null && identities.length > endpoints.length ? `; ${identities.length} live identity leases but ${endpoints.length} endpoints` : '') +
        (capped.dropped ? `; ${capped.dropped} more not probed (QUORUM_OUTBOUND_MAX_TARGETS=${outboundPolicy().config.maxTargetsPerCluster})` : '');
  const summary: ProbeResult = {
    probe: 'apiserver-replicas',
    target: 'replicas',
    status,
    reason,
    latencyMs: ready.length ? Math.max(...ready.map((r) => r.latencyMs ?? 0)) : null,
    at,
    detail: { facts: { endpoints: endpoints.map(hostPort), ready: ready.map((r) => r.target), identities, total } },
  };
  return [summary, ...perReplica];
}

export const apiserverReplicas: Probe = {
  id: 'apiserver-replicas',
  title: 'Each kube-apiserver replica (kubernetes EndpointSlice + identity Leases), /readyz directly',
  run,
};
