// GET /api/auth/oidc/start?next=/path: redirects to the identity provider (authorization code + PKCE).
import { NextResponse } from 'next/server';
import { beginOidcSignIn } from '@/lib/auth/oidc';
import { setOidcStateCookie } from '@/lib/auth/cookies';
import { safeReturnTo } from '@/lib/auth/request';
import { describeError } from '@/lib/errors';
import { publicRoute } from '../../../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = publicRoute(async (req, _p, { cfg }) => {
  const next = safeReturnTo(new URL(req.url).searchParams.get('next'));
  try {
    const { url, state } = await beginOidcSignIn(cfg, next);
    const res = NextResponse.redirect(url, 302);
    setOidcStateCookie(res, cfg, state);
    return res;
  } catch (e) {
    const signin = new URL('/signin', cfg.publicUrl ?? req.url);
    signin.searchParams.set('error', describeError(e).slice(0, 300));
    return NextResponse.redirect(signin, 303);
  }
});
