// Security headers. Pages get a CSP with a per-request nonce (proxy.ts; Next puts the nonce on its
// own scripts); every other response gets the static set from next.config.js.
//   script-src 'nonce-…' 'strict-dynamic': no inline or injected script runs
//   style-src 'unsafe-inline': React style attributes (charts, layout) need it; no nonce there, since
//     a nonce would make browsers ignore 'unsafe-inline'
//   frame-ancestors 'none' (and X-Frame-Options DENY): no clickjacking
export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** For responses that are not pages (API JSON, CSV): nothing may run or be framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** What proxy.ts adds to a page (the static set comes from next.config.js for every response). */
export function pageSecurityHeaders(nonce: string, https: boolean): Record<string, string> & { 'content-security-policy': string } {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
  return {
    'content-security-policy': csp,
    ...(https ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}
