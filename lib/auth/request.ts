// Request checks shared by the web server (scripts/web-server.ts), proxy.ts (pages) and the API guard
// (app/api/_lib/guard.ts). Pure functions over headers and the validated config.
//
// - Host allow-list (DNS rebinding): a page served under an attacker's host name would otherwise be
//   same-origin with the attacker's script. Accepted: QUORUM_PUBLIC_URL's host, QUORUM_ALLOWED_HOSTS,
//   and this machine's own names (loopback, its host name, its interface addresses) — never a name
//   someone else controls.
// - Cross-site request forgery: a request that rides on the session cookie and changes something
//   must carry an Origin equal to ours (browsers always send it on POST/PUT/PATCH/DELETE), and a body
//   must be application/json (which a cross-site HTML form cannot send without a CORS preflight).
import os from 'node:os';
import { isIP } from 'node:net';
import type { AuthConfig } from '../env';

const SESSION_COOKIE_SECURE = '__Host-quorum-session';
const SESSION_COOKIE_PLAIN = 'quorum-session';
export const OIDC_STATE_COOKIE = 'quorum-oidc-state';

export function sessionCookieName(cfg: AuthConfig): string {
  return cfg.secureCookies ? SESSION_COOKIE_SECURE : SESSION_COOKIE_PLAIN;
}

/** Host header → lowercase host[:port], or null when it is not a plausible host. */
function normaliseHost(raw: string | null | undefined): string | null {
  const h = (raw ?? '').trim().toLowerCase();
  if (h === '' || h.length > 300 || !/^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(:\d{1,5})?$/.test(h)) return null;
  return h;
}

const hostnameOf = (host: string): string => (host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0]!);

let localNames: Set<string> | undefined;

/** Names this machine answers to: loopback, its host name, every interface address. */
function localHostNames(): Set<string> {
  if (!localNames) {
    const names = new Set<string>(['localhost', '::1', os.hostname().toLowerCase()]);
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase().replace(/%.*$/, ''));
    localNames = names;
  }
  return localNames;
}

export type HostCheck = { ok: true; host: string } | { ok: false; reason: string };

/**
 * Accepted: QUORUM_PUBLIC_URL's host, QUORUM_ALLOWED_HOSTS, and this machine's own names (loopback,
 * host name, interface addresses) — a rebinding attack needs a name the attacker controls, never one of these.
 */
export function checkHost(rawHost: string | null | undefined, cfg: AuthConfig, local: ReadonlySet<string> = localHostNames()): HostCheck {
  const host = normaliseHost(rawHost);
  if (!host) return { ok: false, reason: 'missing or malformed Host header' };
  if (cfg.allowedHosts.includes(host) || cfg.allowedHosts.includes(hostnameOf(host))) return { ok: true, host };
  if (cfg.publicUrl && host === cfg.publicUrl.host.toLowerCase()) return { ok: true, host };
  const name = hostnameOf(host);
  if (name.endsWith('.localhost') || /^127\./.test(name) || local.has(name)) return { ok: true, host };
  return {
    ok: false,
    reason: cfg.publicUrl
      ? `Host "${host}" is not ${cfg.publicUrl.host} (QUORUM_PUBLIC_URL) or one of QUORUM_ALLOWED_HOSTS`
      : `Host "${host}" is not one of this server's names; set QUORUM_PUBLIC_URL (and QUORUM_ALLOWED_HOSTS) to the address users type`,
  };
}

/** The origins a same-origin request may come from: the Host it was sent to (already allow-listed), and the public URL. */
function expectedOrigins(host: string, cfg: AuthConfig): string[] {
  return [...(cfg.publicUrl ? [cfg.publicUrl.origin] : []), `http://${host}`, `https://${host}`];
}

const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type CsrfCheck = { ok: true } | { ok: false; errorClass: 'csrf' | 'unsupported-media-type'; reason: string };

/**
 * For a mutation: a cookie-authenticated request needs a same-origin Origin (and no cross-site
 * Sec-Fetch-Site); every request with a body needs Content-Type application/json.
 */
export function checkMutation(req: { method: string; headers: Headers }, host: string, cfg: AuthConfig, via: 'bearer' | 'cookie' | 'none'): CsrfCheck {
  if (!MUTATING_METHODS.has(req.method)) return { ok: true };
  if (via !== 'bearer') {
    const origin = req.headers.get('origin');
    if (!origin) return { ok: false, errorClass: 'csrf', reason: 'a change made with a browser session needs an Origin header (or use an API token: Authorization: Bearer …)' };
    if (!expectedOrigins(host, cfg).includes(origin.toLowerCase())) return { ok: false, errorClass: 'csrf', reason: `cross-origin request refused (Origin ${origin.slice(0, 200)})` };
    const site = req.headers.get('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') return { ok: false, errorClass: 'csrf', reason: `cross-site request refused (Sec-Fetch-Site ${site})` };
  }
  const hasBody = req.method !== 'DELETE' || (req.headers.get('content-length') ?? '0') !== '0' || req.headers.has('transfer-encoding');
  if (hasBody) {
    const ct = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (ct !== 'application/json') return { ok: false, errorClass: 'unsupported-media-type', reason: `a request body must be application/json (got ${ct || 'no Content-Type'})` };
  }
  return { ok: true };
}

/**
 * The client's address. scripts/web-server.ts overwrites X-Forwarded-For with the socket's peer
 * unless QUORUM_TRUST_PROXY is set; behind a trusted proxy the last hop it appended is used.
 */
export function clientAddress(headers: Headers): string | null {
  const xff = headers.get('x-forwarded-for');
  if (!xff) return null;
  const last = xff.split(',').map((s) => s.trim()).filter(Boolean).at(-1) ?? '';
  const bare = last.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return isIP(bare) ? bare : null;
}

/** A post-sign-in destination: a same-site path only (never //evil, never a URL). */
export function safeReturnTo(raw: string | null | undefined): string {
  const v = raw ?? '';
  if (!v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\') || v.length > 2000 || /[\r\n]/.test(v)) return '/';
  if (v.startsWith('/signin') || v.startsWith('/api/auth')) return '/';
  return v;
}
