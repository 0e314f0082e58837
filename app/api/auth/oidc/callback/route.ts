// GET /api/auth/oidc/callback?code&state: the identity provider sends the browser back here.
import { NextResponse } from 'next/server';
import { completeOidcSignIn } from '@/lib/auth/oidc';
import { clearOidcStateCookie, setSessionCookie } from '@/lib/auth/cookies';
import { OIDC_STATE_COOKIE } from '@/lib/auth/request';
import { createSession, signInOidc } from '@/lib/data/auth';
import { QuorumError, describeError } from '@/lib/errors';
import { audit, publicRoute } from '../../../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = publicRoute(async (req, _p, { cfg, clientAddress }) => {
  const base = cfg.publicUrl ?? new URL(req.url);
  const fail = (message: string): NextResponse => {
    const signin = new URL('/signin', base);
    signin.searchParams.set('error', message.slice(0, 300));
    const res = NextResponse.redirect(signin, 303);
    clearOidcStateCookie(res, cfg);
    return res;
  };
  let done: Awaited<ReturnType<typeof completeOidcSignIn>>;
  try {
    done = await completeOidcSignIn(cfg, new URL(req.url), req.cookies.get(OIDC_STATE_COOKIE)?.value);
  } catch (e) {
    if (!(e instanceof QuorumError)) throw e;
    await audit({ name: 'unknown', kind: 'user', role: null, clientAddress }, { action: 'auth.sign-in-failed', target: 'oidc', after: { method: 'oidc', reason: e.message } });
    return fail(e.message);
  }
  const who = await signInOidc(done.identity, { autoProvision: cfg.oidc?.autoProvision ?? false });
  const actor = { name: done.identity.username, kind: 'user' as const, role: done.identity.role, clientAddress };
  if (!who.ok) {
    await audit(actor, { action: 'auth.sign-in-failed', target: `user ${done.identity.username}`, after: { method: 'oidc', reason: who.reason, groups: done.groups } });
    return fail(who.reason);
  }
  if (who.created) await audit(actor, { action: 'user.create', target: `user ${who.user.name}`, after: { role: who.user.role, oidc: true, via: 'auto-provisioning' } });
  else if (who.roleBefore !== who.user.role) await audit(actor, { action: 'user.role', target: `user ${who.user.name}`, before: { role: who.roleBefore }, after: { role: who.user.role, via: 'oidc groups' } });
  const s = await createSession(who.user.id, { method: 'oidc', clientAddress, userAgent: req.headers.get('user-agent'), idleMs: cfg.sessionIdleMs, maxMs: cfg.sessionMaxMs });
  await audit({ ...actor, name: who.user.name }, { action: 'auth.sign-in', target: `user ${who.user.name}`, after: { method: 'oidc', groups: done.groups } });
  try {
    const res = NextResponse.redirect(new URL(done.returnTo, base), 303);
    setSessionCookie(res, cfg, s.cookie, s.expiresAt);
    clearOidcStateCookie(res, cfg);
    return res;
  } catch (e) {
    return fail(describeError(e));
  }
});
