// A real DNS query to one server (ip or ip:port), classified: the CoreDNS probe's core.
import { Resolver } from 'node:dns/promises';
import { QuorumError } from '../errors';
import { outboundPolicy } from '../net/outbound';
import type { Status } from '../types';

export type DnsOutcome = 'denied' | 'ok' | 'nxdomain' | 'nodata' | 'servfail' | 'refused' | 'timeout' | 'unreachable' | 'error';

export interface DnsResult {
  server: string;
  name: string;
  outcome: DnsOutcome;
  status: Status;
  reason: string;
  addresses: string[];
  latencyMs: number | null;
}

function classifyDnsError(code: string | undefined): DnsOutcome {
  switch (code) {
    case 'ENOTFOUND': return 'nxdomain';
    case 'ENODATA': return 'nodata';
    case 'ESERVFAIL': return 'servfail';
    case 'EREFUSED': return 'refused';
    case 'ETIMEOUT':
    case 'ETIMEDOUT': return 'timeout';
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH': return 'unreachable';
    default: return 'error';
  }
}

/** Queries A records for `name` at `server`, one try, bounded by timeoutMs. */
export async function queryA(server: string, name: string, timeoutMs: number): Promise<DnsResult> {
  const address = /^\[([^\]]+)\](:\d+)?$/.exec(server)?.[1] ?? (server.split(':').length === 2 ? server.split(':')[0]! : server);
  try {
    outboundPolicy().assertAddress(address, 'DNS server');
  } catch (e) {
    const reason = e instanceof QuorumError ? e.message : String(e);
    return { server, name, outcome: 'denied', status: 'unknown', reason, addresses: [], latencyMs: null };
  }
  const resolver = resolverFor(server, timeoutMs);
  const started = performance.now();
  try {
    const addresses = await resolver.resolve4(name);
    const latencyMs = Math.round(performance.now() - started);
    return { server, name, outcome: 'ok', status: 'up', reason: `${name} → ${addresses.join(', ')}`, addresses, latencyMs };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const outcome = classifyDnsError(code);
    const latencyMs = outcome === 'timeout' || outcome === 'unreachable' ? null : Math.round(performance.now() - started);
    const what: Record<DnsOutcome, string> = {
      denied: 'refused by the outbound policy',
      ok: 'ok',
      nxdomain: `NXDOMAIN for ${name}`,
      nodata: `no A record for ${name}`,
      servfail: `SERVFAIL for ${name}`,
      refused: `query refused by ${server}`,
      timeout: `no answer from ${server} within ${timeoutMs} ms`,
      unreachable: `${server} unreachable (${code})`,
      error: `query failed (${code ?? String(e)})`,
    };
    return { server, name, outcome, status: 'down', reason: what[outcome], addresses: [], latencyMs };
  }
}

/**
 * One resolver (a c-ares channel) per server and timeout, kept: every cycle queries the same CoreDNS
 * endpoints, and a new channel per query (its initialisation, setServers) was most of the DNS probe's
 * CPU at hundreds of clusters. A shared channel is never cancelled (that would cancel other clusters'
 * queries to the same server); each query is bounded by the channel's timeout and `tries: 1`.
 */
const resolvers = new Map<string, Resolver>();
const MAX_RESOLVERS = 4096;
function resolverFor(server: string, timeoutMs: number): Resolver {
  const key = `${timeoutMs} ${server}`;
  let r = resolvers.get(key);
  if (r) {
    resolvers.delete(key); // re-inserted: the Map's order is least recently used first
  } else {
    r = new Resolver({ timeout: timeoutMs, tries: 1 });
    r.setServers([server]);
    if (resolvers.size >= MAX_RESOLVERS) resolvers.delete(resolvers.keys().next().value!);
  }
  resolvers.set(key, r);
  return r;
}
