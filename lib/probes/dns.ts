// CoreDNS: the kube-dns endpoints, a real query for kubernetes.default.svc.<domain> to each one.
import { outboundPolicy } from '../net/outbound';
import { loadEnv } from '../env';
import { QuorumError, describeError } from '../errors';
import { queryA } from '../dns/query';
import { getJson } from '../k8s/json';
import type { ProbeResult } from '../types';
import { readCaches } from './cache';
import type { Probe, ProbeContext } from './types';

interface EndpointSliceList {
  items?: Array<{
    endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean | null }; targetRef?: { name?: string } }>;
    ports?: Array<{ name?: string; port?: number; protocol?: string }>;
  }>;
}

export interface DnsEndpoint { address: string; port: number; ready: boolean; pod?: string }

export function dnsEndpoints(list: EndpointSliceList): DnsEndpoint[] {
  const out: DnsEndpoint[] = [];
  for (const s of list.items ?? []) {
    const port = s.ports?.find((p) => p.protocol === 'UDP' || p.name === 'dns')?.port ?? 53;
    for (const ep of s.endpoints ?? []) {
      for (const address of ep.addresses ?? []) {
        out.push({ address, port, ready: ep.conditions?.ready !== false, ...(ep.targetRef?.name ? { pod: ep.targetRef.name } : {}) });
      }
    }
  }
  return out.sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }));
}

const DNS_QUERY_NAME = (domain = loadEnv().clusterDomain): string => `kubernetes.default.svc.${domain}`;

/** Each DNS server the user added (cluster settings): one sample each, target "server:IP:port". */
async function userServers(ctx: ProbeContext, at: number): Promise<ProbeResult[]> {
  const servers = ctx.settings?.dnsServers ?? [];
  const name = DNS_QUERY_NAME();
  return Promise.all(
    servers.map(async (server): Promise<ProbeResult> => {
      const r = await queryA(server, name, Math.min(ctx.timeoutMs, 3000));
      return { probe: 'dns', target: `server:${server}`, status: r.status, reason: r.reason, latencyMs: r.latencyMs, at, detail: { facts: { outcome: r.outcome, addresses: r.addresses, userGiven: true } } };
    }),
  );
}

async function run(ctx: ProbeContext): Promise<ProbeResult[]> {
  const [own, extra] = await Promise.all([kubeDns(ctx), userServers(ctx, ctx.now())]);
  return [...own, ...extra];
}

async function kubeDns(ctx: ProbeContext): Promise<ProbeResult[]> {
  const at = ctx.now();
  let eps: DnsEndpoint[];
  const cantList = (message: string, errorClass: QuorumError['errorClass']): ProbeResult[] => [
    { probe: 'dns', target: 'kube-dns', status: 'unknown', reason: `cannot list kube-dns endpoints: ${message}`, latencyMs: null, at, detail: { errorClass } },
  ];
  if (ctx.watches) {
    // Watched by the collector: no list per cycle.
    const read = await readCaches([ctx.watches.dnsSlices], ctx);
    if (!read.ok) return cantList(read.reason, read.errorClass);
    eps = dnsEndpoints({ items: [...ctx.watches.dnsSlices.values()] });
  } else {
    try {
      eps = dnsEndpoints(await getJson<EndpointSliceList>(ctx.conn, '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkube-dns', { timeoutMs: ctx.timeoutMs, signal: ctx.signal }));
    } catch (e) {
      const qe = e instanceof QuorumError ? e : new QuorumError('internal', describeError(e));
      return cantList(qe.message, qe.errorClass);
    }
  }
  const name = DNS_QUERY_NAME();
  const capped = outboundPolicy().cap(eps); // at most QUORUM_OUTBOUND_MAX_TARGETS endpoints queried
  const per: ProbeResult[] = await Promise.all(
    capped.kept.map(async (e): Promise<ProbeResult> => {
      const server = e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
      const r = await queryA(server, name, Math.min(ctx.timeoutMs, 3000));
      const notReady = !e.ready ? ' (endpoint not ready in kube-dns)' : '';
      return {
        probe: 'dns', target: server, status: r.status === 'up' && !e.ready ? 'degraded' : r.status,
        reason: r.reason + notReady, latencyMs: r.latencyMs, at,
        detail: { facts: { outcome: r.outcome, addresses: r.addresses, ready: e.ready, ...(e.pod ? { pod: e.pod } : {}) } },
      };
    }),
  );
  const answering = per.filter((p) => p.status === 'up');
  const readyCount = eps.filter((e) => e.ready).length;
  const status: ProbeResult['status'] = eps.length === 0 || answering.length === 0 ? 'down' : answering.length < capped.kept.length ? 'degraded' : 'up';
  const failing = per.filter((p) => p.status !== 'up');
  const reason = eps.length === 0
    ? 'kube-dns has no endpoints'
    : `${answering.length} of ${capped.kept.length} CoreDNS endpoints resolve ${name}` + (failing.length ? `; failing: ${failing.map((f) => `${f.target} (${f.reason})`).join('; ')}` : '') +
      (capped.dropped ? `; ${capped.dropped} more not queried (QUORUM_OUTBOUND_MAX_TARGETS)` : '');
  return [
    { probe: 'dns', target: 'kube-dns', status, reason, latencyMs: answering.length ? Math.max(...answering.map((a) => a.latencyMs ?? 0)) : null, at, detail: { facts: { endpoints: eps.length, ready: readyCount, answering: answering.length, name } } },
    ...per,
  ];
}

export const dnsProbe: Probe = { id: 'dns', title: 'CoreDNS: kube-dns endpoints and a real query to each', run };
