import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// The alerting e2e test (issue 11): channels page, send test, delivery log, alerts page. Its own
// port (QUORUM_ALERTS_E2E_PORT, default 3110), its own fresh SQLite data folder, no collector and no
// lab: scripts/e2e-seed-alerts.ts writes samples and runs one real evaluation/dispatch pass.
// Loopback targets are allowed (QUORUM_OUTBOUND_ALLOW_LOOPBACK=1): the spec's receivers listen on
// 127.0.0.1 (QUORUM_ALERTS_E2E_RECEIVER_PORT, default 3111, and the next two).
// Build first (`npx next build`).   npx playwright test -c playwright.alerts.config.ts
const PORT = Number(process.env.QUORUM_ALERTS_E2E_PORT ?? 3110);
if (!process.env.QUORUM_ALERTS_E2E_DATA_DIR) {
  process.env.QUORUM_ALERTS_E2E_DATA_DIR = path.resolve('test-results', `e2e-alerts-data-${new Date().toISOString().replace(/[:.]/g, '-')}`);
}
const DATA_DIR = process.env.QUORUM_ALERTS_E2E_DATA_DIR;
mkdirSync(DATA_DIR, { recursive: true });
process.env.QUORUM_E2E_CLI_DATA_DIR = DATA_DIR;
process.env.QUORUM_E2E_AUTH_DIR = path.join(DATA_DIR, 'auth');

export default defineConfig({
  testDir: './e2e/alerts',
  globalSetup: './e2e/support/global-setup.ts',
  outputDir: './test-results/e2e-alerts',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: 'list',
  timeout: 120_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    storageState: path.join(process.env.QUORUM_E2E_AUTH_DIR, 'admin.json'),
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: 'npx tsx scripts/start.ts --no-collector --no-build',
    url: `http://127.0.0.1:${PORT}/api/healthz`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    env: { QUORUM_DATA_DIR: DATA_DIR, PORT: String(PORT), HOST: '127.0.0.1', NEXT_TELEMETRY_DISABLED: '1', DATABASE_URL: '', QUORUM_OUTBOUND_ALLOW_LOOPBACK: '1' },
  },
});
