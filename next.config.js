// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and server-only packages stay outside the bundle.
  serverExternalPackages: ['better-sqlite3', 'pg', '@prisma/client', '@kubernetes/client-node', 'node-cron'],
  typescript: { tsconfigPath: './tsconfig.json' },
};
export default nextConfig;
