// @ts-check
// Security headers for every response (nosniff, referrer policy, no framing); API responses also get a
// CSP that lets nothing run. Pages get their CSP with a per-request nonce from proxy.ts. Keep this list
// in step with lib/auth/headers.ts STATIC_SECURITY_HEADERS (test/unit/security-headers.test.ts checks).
const STATIC_SECURITY_HEADERS = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and server-only packages stay outside the bundle.
  serverExternalPackages: ['better-sqlite3', 'pg', '@prisma/client', '@kubernetes/client-node', 'node-cron'],
  typescript: { tsconfigPath: './tsconfig.json' },
  async headers() {
    return [
      { source: '/:path*', headers: STATIC_SECURITY_HEADERS },
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" }] },
    ];
  },
};
export default nextConfig;
