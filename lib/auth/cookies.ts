// The session cookie: HttpOnly, SameSite=Lax, path /, Secure (and the __Host- prefix) when
// QUORUM_PUBLIC_URL is https. Its value is the session secret; the database holds only its hash.
import type { NextResponse } from 'next/server';
import type { AuthConfig } from '../env';
import { OIDC_STATE_COOKIE, sessionCookieName } from './request';

export function setSessionCookie(res: NextResponse, cfg: AuthConfig, value: string, expires: Date): void {
  res.cookies.set(sessionCookieName(cfg), value, { httpOnly: true, sameSite: 'lax', secure: cfg.secureCookies, path: '/', expires });
}

export function clearSessionCookie(res: NextResponse, cfg: AuthConfig): void {
  res.cookies.set(sessionCookieName(cfg), '', { httpOnly: true, sameSite: 'lax', secure: cfg.secureCookies, path: '/', maxAge: 0 });
}

/** Binds a pending OIDC sign-in to this browser (Lax: sent on the IdP's top-level redirect back). */
export function setOidcStateCookie(res: NextResponse, cfg: AuthConfig, state: string): void {
  res.cookies.set(OIDC_STATE_COOKIE, state, { httpOnly: true, sameSite: 'lax', secure: cfg.secureCookies, path: '/api/auth/oidc', maxAge: 600 });
}

export function clearOidcStateCookie(res: NextResponse, cfg: AuthConfig): void {
  res.cookies.set(OIDC_STATE_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure: cfg.secureCookies, path: '/api/auth/oidc', maxAge: 0 });
}
