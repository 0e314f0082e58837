import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { signedInUse, webAppServer } from './e2e/support/playwright-base';

// The /reports e2e test (issue 5): its own port (default 3107, never the shared 3100), its own fresh
// SQLite data folder seeded through the real write path by scripts/e2e-seed-report.ts, no collector
// and no lab. Build first (`npx next build`): the webServer below does not build. Loopback targets are
// NOT allowed here (the default outbound policy), so e2e/reports/hardening.spec.ts checks the refusal.
//   npx playwright test -c playwright.reports.config.ts
const PORT = Number(process.env.QUORUM_REPORTS_E2E_PORT ?? 3107);
if (!process.env.QUORUM_REPORTS_E2E_DATA_DIR) {
  process.env.QUORUM_REPORTS_E2E_DATA_DIR = path.resolve('test-results', `e2e-reports-data-${new Date().toISOString().replace(/[:.]/g, '-')}`);
}
const DATA_DIR = process.env.QUORUM_REPORTS_E2E_DATA_DIR;
mkdirSync(DATA_DIR, { recursive: true });
process.env.QUORUM_E2E_CLI_DATA_DIR = DATA_DIR;
process.env.QUORUM_E2E_AUTH_DIR = path.join(DATA_DIR, 'auth');

export default defineConfig({
  testDir: './e2e/reports',
  globalSetup: './e2e/support/global-setup.ts',
  outputDir: './test-results/e2e-reports',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: 'list',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  use: signedInUse(PORT, process.env.QUORUM_E2E_AUTH_DIR),
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: webAppServer(PORT, { QUORUM_DATA_DIR: DATA_DIR, DATABASE_URL: '' }, 10_000),
});
