// Next 16's proxy (formerly middleware) for PAGES only: Host allow-list, security headers with a
// per-request CSP nonce, and a redirect to /signin when no session cookie is present. It is an
// early, cheap gate — every page still checks the session itself (lib/auth/page.ts), and the API
// (and /metrics) is not matched here at all: app/api/_lib/guard.ts checks every API request (the proxy would buffer
// API bodies, and the streaming body limit belongs to the route).
import { NextResponse, type NextRequest } from 'next/server';
import { loadAuthConfig } from './lib/env';
import { checkHost, sessionCookieName } from './lib/auth/request';
import { pageSecurityHeaders } from './lib/auth/headers';

/** Pages anyone may open. */
const PUBLIC_PAGES = ['/signin', '/setup'];

export function proxy(req: NextRequest): NextResponse {
  const cfg = loadAuthConfig();
  const host = checkHost(req.headers.get('host'), cfg);
  if (!host.ok) return new NextResponse(`421 Misdirected Request: ${host.reason}\n`, { status: 421, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  const path = req.nextUrl.pathname;
  const isPublic = PUBLIC_PAGES.some((p) => path === p || path.startsWith(`${p}/`));
  if (!isPublic && !req.cookies.get(sessionCookieName(cfg))) {
    const signin = req.nextUrl.clone();
    signin.pathname = '/signin';
    signin.search = '';
    signin.searchParams.set('next', `${path}${req.nextUrl.search}`);
    return NextResponse.redirect(signin, 307);
  }
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const headers = pageSecurityHeaders(nonce, cfg.secureCookies);
  const requestHeaders = new Headers(req.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', headers['content-security-policy']);
  requestHeaders.set('x-quorum-path', `${path}${req.nextUrl.search}`);
  const res = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  return res;
}

export const config = {
  // /metrics is an API route for scrapers (token in the Authorization header), guarded like /api.
  matcher: [{ source: '/((?!api/|metrics$|_next/static|_next/image|favicon.ico|icon.svg).*)' }],
};
