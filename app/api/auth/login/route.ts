// POST /api/auth/login {"name","password"}: local sign-in. Rate-limited per user name and per client
// address in the database (every replica shares the count); failures are audited.
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { checkPassword, clearLoginFailures, createSession, loginRetryAfterMs, recordLoginFailure } from '@/lib/data/auth';
import { setSessionCookie } from '@/lib/auth/cookies';
import { errorResponse, readJson } from '../../_lib/respond';
import { audit, publicRoute } from '../../_lib/guard';

export const dynamic = 'force-dynamic';

const Body = z.object({ name: z.string().trim().min(1, 'name is required').max(200), password: z.string().min(1, 'password is required').max(1024) }).strict();

export const POST = publicRoute(async (req, _p, { cfg, clientAddress }) => {
  const body = await readJson(req, Body);
  if (!body.ok) return body.response;
  const keys = { user: body.data.name, address: clientAddress };
  const actor = { name: body.data.name.toLowerCase().slice(0, 80), kind: 'user' as const, role: null, clientAddress };
  const waitMs = await loginRetryAfterMs(keys);
  if (waitMs > 0) {
    const res = errorResponse('rate-limited', `too many failed sign-ins; try again in ${Math.ceil(waitMs / 60_000)} min`);
    res.headers.set('retry-after', String(Math.ceil(waitMs / 1000)));
    return res;
  }
  const check = await checkPassword(body.data.name, body.data.password);
  if (!check.ok) {
    await recordLoginFailure(keys);
    await audit(actor, { action: 'auth.sign-in-failed', target: `user ${actor.name}`, after: { method: 'password', reason: check.reason } });
    return errorResponse('unauthenticated', check.reason === 'disabled' ? 'this account is disabled' : 'wrong user name or password');
  }
  await clearLoginFailures(body.data.name);
  const s = await createSession(check.user.id, { method: 'password', clientAddress, userAgent: req.headers.get('user-agent'), idleMs: cfg.sessionIdleMs, maxMs: cfg.sessionMaxMs });
  await audit({ ...actor, name: check.user.name, role: check.user.role }, { action: 'auth.sign-in', target: `user ${check.user.name}`, after: { method: 'password' } });
  const res = NextResponse.json({ user: { name: check.user.name, role: check.user.role }, expiresAt: s.expiresAt.toISOString() });
  setSessionCookie(res, cfg, s.cookie, s.expiresAt);
  return res;
});
