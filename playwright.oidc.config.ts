import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH } from './e2e/support/playwright-base';

// OIDC sign-in against the real Dex (built from its Go module: `bash lab/build-tools.sh`), on loopback
// with TLS. Two web servers, started in order: Dex (scripts/e2e-dex.ts), then Quorum configured for it.
// Own ports (Dex QUORUM_DEX_PORT default 5556, Quorum QUORUM_OIDC_E2E_PORT default 3108) and data folder;
// no lab. Build first (`npx next build`).
//   npx playwright test -c playwright.oidc.config.ts
const PORT = Number(process.env.QUORUM_OIDC_E2E_PORT ?? 3108);
const DEX_PORT = Number(process.env.QUORUM_DEX_PORT ?? 5556);
const BASE_URL = `http://127.0.0.1:${PORT}`;
// Computed once in the main process, inherited by workers through the environment.
process.env.QUORUM_OIDC_E2E_DATA_DIR ??= path.resolve('test-results', `e2e-oidc-data-${new Date().toISOString().replace(/[:.]/g, '-')}`);
process.env.QUORUM_DEX_CLIENT_SECRET ??= randomBytes(24).toString('base64url');
process.env.QUORUM_DEX_PASSWORD ??= `dex-${randomBytes(12).toString('base64url')}`;
const DATA_DIR = process.env.QUORUM_OIDC_E2E_DATA_DIR;
const DEX_DIR = path.join(DATA_DIR, 'dex');
mkdirSync(DEX_DIR, { recursive: true });
process.env.QUORUM_E2E_CLI_DATA_DIR = DATA_DIR;
process.env.QUORUM_E2E_AUTH_DIR = path.join(DATA_DIR, 'auth');
process.env.QUORUM_DEX_ISSUER = `https://127.0.0.1:${DEX_PORT}/dex`;

export default defineConfig({
  testDir: './e2e/oidc',
  outputDir: './test-results/e2e-oidc',
  globalSetup: './e2e/support/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: 'list',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL: BASE_URL,
    // Dex's TLS certificate comes from the test's own CA, which Chromium does not know (Quorum's server
    // does: NODE_EXTRA_CA_CERTS below — that is the trust this test is about).
    ignoreHTTPSErrors: true,
    screenshot: 'only-on-failure',
    launchOptions: CHROMIUM_LAUNCH,
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: [
    {
      command: 'npx tsx scripts/e2e-dex.ts',
      url: `https://127.0.0.1:${DEX_PORT}/dex/.well-known/openid-configuration`,
      ignoreHTTPSErrors: true,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
      env: {
        QUORUM_DEX_DIR: DEX_DIR,
        QUORUM_DEX_PORT: String(DEX_PORT),
        QUORUM_DEX_CLIENT_SECRET: process.env.QUORUM_DEX_CLIENT_SECRET,
        QUORUM_DEX_PASSWORD: process.env.QUORUM_DEX_PASSWORD,
        QUORUM_DEX_REDIRECT_URI: `${BASE_URL}/api/auth/oidc/callback`,
      },
    },
    {
      command: 'npx tsx scripts/start.ts --no-collector --no-build',
      url: `${BASE_URL}/api/healthz`,
      reuseExistingServer: false,
      timeout: 180_000,
      stdout: 'pipe',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
      env: {
        QUORUM_DATA_DIR: DATA_DIR,
        PORT: String(PORT),
        NEXT_TELEMETRY_DISABLED: '1',
        DATABASE_URL: '',
        QUORUM_PUBLIC_URL: BASE_URL,
        QUORUM_OIDC_ISSUER: process.env.QUORUM_DEX_ISSUER,
        QUORUM_OIDC_CLIENT_ID: 'quorum',
        QUORUM_OIDC_CLIENT_SECRET: process.env.QUORUM_DEX_CLIENT_SECRET,
        QUORUM_OIDC_NAME: 'Dex',
        QUORUM_OIDC_ADMIN_GROUPS: 'sre-admins',
        QUORUM_OIDC_EDITOR_GROUPS: 'sre',
        QUORUM_OIDC_VIEWER_GROUPS: 'developers',
        NODE_EXTRA_CA_CERTS: path.join(DEX_DIR, 'ca.crt'),
      },
    },
  ],
});
