// POST /api/auth/logout: ends this browser's session (the row is deleted; the cookie cleared).
import { NextResponse } from 'next/server';
import { deleteSession } from '@/lib/data/auth';
import { clearSessionCookie } from '@/lib/auth/cookies';
import { sessionCookieName } from '@/lib/auth/request';
import { audit, publicRoute } from '../../_lib/guard';

export const dynamic = 'force-dynamic';

export const POST = publicRoute(async (req, _p, { cfg, principal }) => {
  const cookie = req.cookies.get(sessionCookieName(cfg))?.value;
  if (cookie) await deleteSession(cookie);
  if (principal?.kind === 'user') await audit(principal, { action: 'auth.sign-out', target: `user ${principal.name}` });
  const res = NextResponse.json({ signedOut: true });
  clearSessionCookie(res, cfg);
  return res;
});
