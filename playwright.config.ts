import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// Playwright runs against `next start`; build first (`npm run build`), the webServer below does not build.
const PORT = Number(process.env.QUORUM_E2E_PORT ?? 3100);
const BASE_URL = `http://127.0.0.1:${PORT}`;
const COLLECTOR_INTERVAL_SECONDS = 5;

// A fresh SQLite data folder per run. Computed once in the main process and handed to workers via env.
// It sits beside (not inside) outputDir, which Playwright empties at the start of a run.
if (!process.env.QUORUM_E2E_DATA_DIR) {
  process.env.QUORUM_E2E_DATA_DIR = path.resolve('test-results', `e2e-data-${new Date().toISOString().replace(/[:.]/g, '-')}`);
}
const DATA_DIR = process.env.QUORUM_E2E_DATA_DIR;
mkdirSync(DATA_DIR, { recursive: true });
// Signed in for real (e2e/support/global-setup.ts): users and tokens made by the CLI in this database.
process.env.QUORUM_E2E_CLI_DATA_DIR = DATA_DIR;
process.env.QUORUM_E2E_AUTH_DIR = path.join(DATA_DIR, 'auth');

export default defineConfig({
  testDir: './e2e',
  // e2e/reports, e2e/oidc, e2e/alerts and e2e/ha have their own servers, ports and data:
  // playwright.reports.config.ts, playwright.oidc.config.ts, playwright.alerts.config.ts, playwright.ha.config.ts.
  testIgnore: ['reports/**', 'oidc/**', 'alerts/**', 'ha/**'],
  globalSetup: './e2e/support/global-setup.ts',
  outputDir: './test-results/e2e',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: 'list',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: BASE_URL,
    storageState: path.join(process.env.QUORUM_E2E_AUTH_DIR, 'admin.json'),
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: 'npx tsx scripts/start.ts',
    url: `${BASE_URL}/api/healthz`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    env: {
      QUORUM_DATA_DIR: DATA_DIR,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      QUORUM_COLLECTOR_INTERVAL_SECONDS: String(COLLECTOR_INTERVAL_SECONDS),
      NEXT_TELEMETRY_DISABLED: '1',
      // Force the embedded SQLite default even if the caller's shell points at PostgreSQL.
      DATABASE_URL: '',
      // The lab's load balancer is 127.0.0.1:16443: loopback targets must be allowed explicitly.
      QUORUM_OUTBOUND_ALLOW_LOOPBACK: '1',
    },
  },
});
