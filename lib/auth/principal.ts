// Who is asking: a signed-in user (session cookie) or an API token (Authorization: Bearer qrm_…).
// Used by the API guard and by pages; the database is asked every time (sessions are shared by every
// web replica and a revoked token stops working at once). Only when the database cannot answer
// (down, hung, locked, read-only: a transient DbError) is the answer this process got for the same
// credential within the last STALE_OK_MS reused, so a signed-in user sees "database unavailable"
// instead of being sent to sign in, and /api/healthz still gives its detail to the operator's token.
// Nothing that needs the database works meanwhile anyway; a revocation needs the database too.
import { createHash } from 'node:crypto';
import { DbError } from '../db/errors';
import type { AuthConfig } from '../env';
import { authenticateToken, getSession } from '../data/auth';
import type { Actor } from '../data/audit';
import type { Role } from './roles';

export interface Principal {
  kind: 'user' | 'token';
  /** User name, or the token's name. */
  name: string;
  role: Role;
  userId: string | null;
  tokenId: string | null;
  /** SHA-256 of the session cookie (to sign out). */
  sessionHash: string | null;
  /** For the audit log. */
  actor: Actor;
}

export type Credential = { via: 'bearer'; token: string } | { via: 'cookie'; value: string } | { via: 'none' };

/** The credential a request carries. A bearer header wins over a cookie (no ambient authority then). */
export function credentialOf(headers: Headers, cookieValue: string | undefined): Credential {
  const auth = headers.get('authorization');
  if (auth !== null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return { via: 'bearer', token: m?.[1] ?? '' };
  }
  if (cookieValue) return { via: 'cookie', value: cookieValue };
  return { via: 'none' };
}

const STALE_OK_MS = 10 * 60_000;
const STALE_MAX_ENTRIES = 1000;
/** sha256(credential) → the last principal the database confirmed for it, and when. */
const confirmed = new Map<string, { principal: Principal; at: number }>();

export async function authenticate(cred: Credential, cfg: AuthConfig, clientAddress: string | null, now = Date.now()): Promise<Principal | null> {
  if (cred.via === 'none') return null;
  const key = createHash('sha256').update(`${cred.via}:${cred.via === 'bearer' ? cred.token : cred.value}`).digest('hex');
  try {
    const p = await lookup(cred, cfg, clientAddress);
    if (p) {
      confirmed.delete(key);
      confirmed.set(key, { principal: p, at: now });
      if (confirmed.size > STALE_MAX_ENTRIES) confirmed.delete(confirmed.keys().next().value!);
    } else confirmed.delete(key);
    return p;
  } catch (e) {
    const last = confirmed.get(key);
    if (e instanceof DbError && e.transient && last && now - last.at < STALE_OK_MS) return { ...last.principal, actor: { ...last.principal.actor, clientAddress } };
    throw e;
  }
}

async function lookup(cred: Credential, cfg: AuthConfig, clientAddress: string | null): Promise<Principal | null> {
  if (cred.via === 'bearer') {
    const t = await authenticateToken(cred.token);
    if (!t) return null;
    return { kind: 'token', name: t.name, role: t.role, userId: null, tokenId: t.id, sessionHash: null, actor: { name: `token:${t.name}`, kind: 'token', role: t.role, clientAddress } };
  }
  if (cred.via === 'cookie') {
    const s = await getSession(cred.value, { idleMs: cfg.sessionIdleMs, maxMs: cfg.sessionMaxMs });
    if (!s) return null;
    const u = s.user;
    return { kind: 'user', name: u.name, role: u.role, userId: u.id, tokenId: null, sessionHash: s.sessionHash, actor: { name: u.name, kind: 'user', role: u.role, clientAddress } };
  }
  return null;
}
