// Every API route handler is wrapped by `route(permission, handler)`: Host allow-list, CSRF and
// content-type checks for mutations, authentication (session cookie or API token), the role check
// (403 permission-denied), then the handler; anything it throws becomes the JSON error envelope.
// proxy.ts does not run for /api (see its matcher): this is the one place API requests are checked.
import type { NextRequest } from 'next/server';
import { loadAuthConfig, type AuthConfig } from '@/lib/env';
import { writeAudit, type Actor, type AuditInput } from '@/lib/data/audit';
import { authenticate, credentialOf, type Principal } from '@/lib/auth/principal';
import { checkHost, checkMutation, clientAddress, sessionCookieName } from '@/lib/auth/request';
import { can, roleFor, type Permission } from '@/lib/auth/roles';
import { errorResponse, toErrorResponse } from './respond';

export interface RouteContext {
  cfg: AuthConfig;
  clientAddress: string | null;
  /** Null only on public routes. */
  principal: Principal | null;
}

type Handler<P> = (req: NextRequest, params: P, rc: RouteContext & { principal: Principal }) => Promise<Response>;
type PublicHandler<P> = (req: NextRequest, params: P, rc: RouteContext) => Promise<Response>;

async function run<P>(req: NextRequest, ctx: { params: Promise<P> }, permission: Permission | 'public', handler: PublicHandler<P>): Promise<Response> {
  try {
    const cfg = loadAuthConfig();
    const host = checkHost(req.headers.get('host'), cfg);
    if (!host.ok) return errorResponse('misdirected', host.reason);
    const cred = credentialOf(req.headers, req.cookies.get(sessionCookieName(cfg))?.value);
    if (permission !== 'public' && cred.via === 'none') return errorResponse('unauthenticated', 'sign in first (or send an API token: Authorization: Bearer …)');
    const csrf = checkMutation(req, host.host, cfg, cred.via);
    if (!csrf.ok) return errorResponse(csrf.errorClass, csrf.reason);
    const addr = clientAddress(req.headers);
    const principal = cred.via === 'none' ? null : await authenticate(cred, cfg, addr);
    if (permission !== 'public') {
      if (!principal) {
        return errorResponse('unauthenticated', cred.via === 'bearer' ? 'the API token is not valid (unknown, revoked or expired)' : 'your session has ended (signed out, expired or idle too long); sign in again');
      }
      if (!can(principal.role, permission)) {
        return errorResponse('permission-denied', `this needs the ${roleFor(permission)} role; ${principal.kind === 'token' ? `token "${principal.name}"` : `"${principal.name}"`} has the ${principal.role} role`);
      }
    }
    return await handler(req, (await ctx?.params) ?? ({} as P), { cfg, clientAddress: addr, principal });
  } catch (e) {
    return toErrorResponse(e);
  }
}

/** A route that needs a signed-in user or a token with `permission`. */
export function route<P = Record<string, never>>(permission: Permission, handler: Handler<P>) {
  return (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> =>
    run(req, ctx, permission, (r, p, rc) => handler(r, p, { ...rc, principal: rc.principal! }));
}

/** A route anyone may call (healthz, sign-in, setup); the principal is there when one was sent. */
export function publicRoute<P = Record<string, never>>(handler: PublicHandler<P>) {
  return (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => run(req, ctx, 'public', handler);
}

/** Records a change in the audit log under the caller's name, role and address. */
export function audit(p: Principal | Actor, e: AuditInput): Promise<void> {
  return writeAudit('actor' in p ? p.actor : p, e);
}
