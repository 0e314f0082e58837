// Per-cluster probe settings: extra leader-election Leases (namespace/name) and extra DNS servers.
// Validated on the way in (CLI, API), parsed tolerantly on the way out (a bad row never breaks a page).
import { outboundPolicy } from '../net/outbound';
import { isIP } from 'node:net';
import { QuorumError } from '../errors';
import type { ClusterSettings } from '../types';

export const MAX_LEASES = 20;
const MAX_DNS_SERVERS = 10;

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/** "namespace/name" of a Lease, as Kubernetes names them; throws invalid-input with the rule broken. */
export function validateLeaseRef(ref: string): string {
  const t = ref.trim();
  const i = t.indexOf('/');
  const ns = i > 0 ? t.slice(0, i) : '';
  const name = i > 0 ? t.slice(i + 1) : '';
  if (!DNS_LABEL.test(ns) || !DNS_SUBDOMAIN.test(name)) {
    throw new QuorumError('invalid-input', `lease "${ref.slice(0, 300)}" must be namespace/name, e.g. kube-system/my-operator (lowercase DNS names)`);
  }
  return `${ns}/${name}`;
}

/** A DNS server address: IPv4, IPv4:port, [IPv6] or [IPv6]:port (no host names: resolving a DNS server by DNS would hide the failure). */
export function validateDnsServer(addr: string): string {
  const t = addr.trim();
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(t) ?? /^([^:\]]+)(?::(\d{1,5}))?$/.exec(t);
  const host = m?.[1] ?? '';
  const port = m?.[2] === undefined ? 53 : Number(m[2]);
  const v = isIP(host);
  if (!m || v === 0 || !(port >= 1 && port <= 65535)) {
    throw new QuorumError('invalid-input', `DNS server "${addr.slice(0, 100)}" must be an IP address with an optional port, e.g. 10.96.0.10 or 10.96.0.10:53 or [fd00::a]:53`);
  }
  return v === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function list(field: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return (v as string[]).map((x) => x.trim()).filter(Boolean);
  throw new QuorumError('invalid-input', `${field} must be a list of strings`);
}

/** Validates user input (arrays or comma-separated text); duplicates removed, order kept. */
export function validateSettings(input: { leases?: unknown; dnsServers?: unknown }): ClusterSettings {
  const leases = [...new Set(list('leases', input.leases).map(validateLeaseRef))];
  const dnsServers = [...new Set(list('dnsServers', input.dnsServers).map(validateDnsServer))];
  if (leases.length > MAX_LEASES) throw new QuorumError('invalid-input', `at most ${MAX_LEASES} extra leases per cluster (got ${leases.length})`);
  if (dnsServers.length > MAX_DNS_SERVERS) throw new QuorumError('invalid-input', `at most ${MAX_DNS_SERVERS} DNS servers per cluster (got ${dnsServers.length})`);
  return { leases, dnsServers };
}

/** Refuses DNS servers the outbound policy denies (when settings are written; reads stay lenient). */
export function assertSettingsAllowed(settings: ClusterSettings): ClusterSettings {
  const policy = outboundPolicy();
  for (const s of settings.dnsServers) policy.assertAddress(/^\[([^\]]+)\]/.exec(s)?.[1] ?? s.split(':')[0]!, 'DNS server');
  return settings;
}

/** Stored JSON → settings; anything malformed reads as no extra settings. */
export function parseSettingsJson(text: string | null | undefined): ClusterSettings {
  try {
    const raw = JSON.parse(text ?? '{}') as { leases?: unknown; dnsServers?: unknown };
    return validateSettings({ leases: raw?.leases, dnsServers: raw?.dnsServers });
  } catch {
    return { leases: [], dnsServers: [] };
  }
}
