// Sign-in for pages (server components): every page calls requirePage() first. proxy.ts already
// redirected browsers without a session cookie; this is the real check (the session must exist in the
// database, be within its idle and absolute expiry, and the user enabled). Cached per request.
import { cache } from 'react';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { loadAuthConfig } from '../env';
import { authenticate, type Principal } from './principal';
import { clientAddress, safeReturnTo, sessionCookieName } from './request';
import { can, roleFor, type Permission } from './roles';

/** The signed-in user of this request, or null. */
export const currentPrincipal = cache(async (): Promise<Principal | null> => {
  const cfg = loadAuthConfig();
  const value = (await cookies()).get(sessionCookieName(cfg))?.value;
  if (!value) return null;
  return authenticate({ via: 'cookie', value }, cfg, clientAddress(await headers()));
});

/** The signed-in user with `permission`; else a redirect to /signin (or /forbidden for a weaker role). */
export async function requirePage(permission: Permission = 'read'): Promise<Principal> {
  const p = await currentPrincipal();
  if (!p) {
    const here = safeReturnTo((await headers()).get('x-quorum-path'));
    redirect(`/signin?next=${encodeURIComponent(here)}`);
  }
  if (!can(p.role, permission)) redirect(`/forbidden?need=${roleFor(permission)}`);
  return p;
}
