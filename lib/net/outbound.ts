// Outbound-target policy: which addresses Quorum may connect to when it talks to a registered
// cluster (API server and its replicas, etcd endpoints and members, DNS servers) or sends a
// notification (Alertmanager, Slack, webhook channels). A kubeconfig or a channel URL is user input,
// so without this a registration could make the server probe the cloud metadata service or
// anything on its own loopback (SSRF).
//
//   always denied   169.254.0.0/16 and fe80::/10 (link-local, cloud metadata), fd00:ec2::254 (AWS
//                   metadata over IPv6), multicast and broadcast
//   loopback        127.0.0.0/8, ::1, 0.0.0.0/8 and :: (which reach the local host) — denied unless
//                   QUORUM_OUTBOUND_ALLOW_LOOPBACK=1
//   deny list       QUORUM_OUTBOUND_DENY_CIDRS, always wins
//   allow list      QUORUM_OUTBOUND_ALLOW_CIDRS: when set, every other address is denied
//
// IPv4-mapped IPv6 addresses (::ffff:169.254.169.254) match the IPv4 rules (net.BlockList does that).
// A host NAME is resolved by `lookup` below, and the socket connects to the address that passed the
// check — there is no second resolution an attacker's DNS could answer differently (DNS rebinding).
import { BlockList, isIP, type LookupFunction } from 'node:net';
import dns from 'node:dns';
import { loadOutboundConfig, type OutboundConfig } from '../env';
import { QuorumError } from '../errors';

/** Error code carried by a refused lookup, so socket errors classify as `outbound-denied`. */
export const OUTBOUND_DENIED_CODE = 'QUORUM_OUTBOUND_DENIED';

export type OutboundKind = 'API server' | 'API server replica' | 'etcd endpoint' | 'DNS server' | 'notification channel';

export interface OutboundPolicy {
  readonly config: OutboundConfig;
  /** null when `address` (an IP literal) may be connected to, else why not. */
  denyReason(address: string): string | null;
  /** Throws QuorumError('outbound-denied') unless the IP literal is allowed. */
  assertAddress(address: string, kind: OutboundKind): void;
  /**
   * Validates a server URL before anything connects: http(s) only (http:// API servers only when
   * allowed), no userinfo, query or fragment, and an IP-literal host must pass the address check
   * (a name is checked by `lookup` when the socket connects). Returns the parsed URL.
   */
  checkUrl(url: string, kind: OutboundKind): URL;
  /** For http.Agent / tls.connect / undici `connect`: resolves, drops denied addresses, fails when none is left. */
  lookup: LookupFunction;
  /** Keeps at most maxTargetsPerCluster of `targets`; `dropped` is how many were left out. */
  cap<T>(targets: readonly T[]): { kept: T[]; dropped: number };
}

function subnetList(cidrs: readonly string[], what: string): BlockList {
  const bl = new BlockList();
  for (const c of cidrs) {
    const m = /^(.+)\/(\d{1,3})$/.exec(c.trim());
    const ip = m ? m[1]! : c.trim();
    const family = isIP(ip);
    if (family === 0) throw new QuorumError('invalid-input', `${what}: "${c}" is not an IP address or CIDR (e.g. 10.0.0.0/8, fd00::/8)`);
    const prefix = m ? Number(m[2]) : family === 4 ? 32 : 128;
    if (prefix > (family === 4 ? 32 : 128)) throw new QuorumError('invalid-input', `${what}: "${c}" has a prefix longer than the address`);
    bl.addSubnet(ip, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return bl;
}

const ALWAYS_DENIED = subnetList(['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128', '224.0.0.0/4', '255.255.255.255/32', 'ff00::/8'], 'built-in');
const LOOPBACK = subnetList(['127.0.0.0/8', '::1/128', '0.0.0.0/8', '::/128'], 'built-in');

const familyOf = (address: string): 'ipv4' | 'ipv6' | null => {
  const f = isIP(address);
  return f === 4 ? 'ipv4' : f === 6 ? 'ipv6' : null;
};

/** Host part of a URL without IPv6 brackets. */
const bareHost = (u: URL): string => u.hostname.replace(/^\[(.*)\]$/, '$1');

export function createOutboundPolicy(config: OutboundConfig): OutboundPolicy {
  const deny = subnetList(config.denyCidrs, 'QUORUM_OUTBOUND_DENY_CIDRS');
  const allow = config.allowCidrs.length > 0 ? subnetList(config.allowCidrs, 'QUORUM_OUTBOUND_ALLOW_CIDRS') : null;

  function denyReason(address: string): string | null {
    const family = familyOf(address);
    if (!family) return `"${address}" is not an IP address`;
    if (ALWAYS_DENIED.check(address, family)) return `${address} is a link-local, metadata or multicast address (never allowed)`;
    if (LOOPBACK.check(address, family) && !config.allowLoopback) return `${address} is a loopback address (set QUORUM_OUTBOUND_ALLOW_LOOPBACK=1 to allow)`;
    if (deny.check(address, family)) return `${address} is in QUORUM_OUTBOUND_DENY_CIDRS`;
    if (allow && !allow.check(address, family) && !(LOOPBACK.check(address, family) && config.allowLoopback)) return `${address} is not in QUORUM_OUTBOUND_ALLOW_CIDRS`;
    return null;
  }

  function assertAddress(address: string, kind: OutboundKind): void {
    const why = denyReason(address);
    if (why) throw new QuorumError('outbound-denied', `${kind} refused by the outbound policy: ${why}`);
  }

  function checkUrl(raw: string, kind: OutboundKind): URL {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new QuorumError('outbound-denied', `${kind} "${raw.slice(0, 200)}" is not a URL`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new QuorumError('outbound-denied', `${kind} must be https:// (got ${u.protocol})`);
    if (u.protocol === 'http:' && kind === 'API server' && !config.allowHttp) {
      throw new QuorumError('outbound-denied', `${kind} ${u.host} is plain http:// (credentials would cross the network unencrypted); use https:// or set QUORUM_OUTBOUND_ALLOW_HTTP=1`);
    }
    if (u.username || u.password) throw new QuorumError('outbound-denied', `${kind} URL must not carry a user name or password`);
    // A webhook URL may carry its token in the query (it is stored encrypted); a server URL may not.
    if (kind === 'notification channel') {
      if (u.hash) throw new QuorumError('outbound-denied', `${kind} URL must not carry a fragment`);
    } else if (u.search || u.hash) throw new QuorumError('outbound-denied', `${kind} URL must not carry a query or fragment`);
    const host = bareHost(u);
    if (isIP(host)) assertAddress(host, kind);
    else if (host === '' || host === 'localhost' || host.endsWith('.localhost')) {
      if (!config.allowLoopback) throw new QuorumError('outbound-denied', `${kind} "${host || raw}" is the local host (set QUORUM_OUTBOUND_ALLOW_LOOPBACK=1 to allow)`);
    }
    return u;
  }

  const lookup: LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) {
        callback(err, '', 4);
        return;
      }
      const list = addresses as dns.LookupAddress[];
      const ok = list.filter((a) => denyReason(a.address) === null);
      if (ok.length === 0) {
        const e = Object.assign(new Error(`${hostname} resolves only to denied addresses: ${list.map((a) => `${a.address} (${denyReason(a.address)})`).join('; ')}`), { code: OUTBOUND_DENIED_CODE, hostname });
        callback(e, '', 4);
        return;
      }
      if (options.all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, ok);
      else callback(null, ok[0]!.address, ok[0]!.family);
    });
  };

  function cap<T>(targets: readonly T[]): { kept: T[]; dropped: number } {
    const kept = targets.slice(0, config.maxTargetsPerCluster);
    return { kept, dropped: targets.length - kept.length };
  }

  return { config, denyReason, assertAddress, checkUrl, lookup, cap };
}

let cached: { key: string; policy: OutboundPolicy } | undefined;

/** The policy from the environment (re-read each call; rebuilt only when the settings change). */
export function outboundPolicy(): OutboundPolicy {
  const config = loadOutboundConfig();
  const key = JSON.stringify(config);
  if (!cached || cached.key !== key) cached = { key, policy: createOutboundPolicy(config) };
  return cached.policy;
}
