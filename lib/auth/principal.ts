// Who is asking: a signed-in user (session cookie) or an API token (Authorization: Bearer qrm_…).
// Used by the API guard and by pages; the database is asked every time (sessions are shared by every
// web replica and a revoked token stops working at once).
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

export async function authenticate(cred: Credential, cfg: AuthConfig, clientAddress: string | null): Promise<Principal | null> {
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
