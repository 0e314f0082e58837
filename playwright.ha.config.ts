import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { signedInUse, webAppServer } from './e2e/support/playwright-base';

// "Quorum itself" (issue 15) in Debian Chromium: the web app on PostgreSQL (a schema of its own on
// QUORUM_TEST_PG_URL, dropped by the teardown) and two REAL collector processes against the REAL lab,
// started and killed by e2e/ha/quorum-itself.spec.ts. Its own port (default 3611). Build first
// (`npx next build`); needs the lab up (QUORUM_E2E_KUBECONFIG, like playwright.config.ts).
//   npx playwright test -c playwright.ha.config.ts
const PORT = Number(process.env.QUORUM_HA_E2E_PORT ?? 3611);
const PG_URL = process.env.QUORUM_TEST_PG_URL;
if (!PG_URL) throw new Error('playwright.ha.config.ts needs QUORUM_TEST_PG_URL (scripts/pg-test-setup.sh prints it)');
// Computed once in the main process; workers and the web server inherit it through the environment.
if (!process.env.QUORUM_HA_E2E_DATA_DIR) {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  process.env.QUORUM_HA_E2E_DATA_DIR = path.resolve('test-results', `e2e-ha-data-${stamp}`);
  process.env.QUORUM_HA_E2E_SCHEMA = `e2e_ha_${randomBytes(5).toString('hex')}`;
  process.env.QUORUM_HA_E2E_KEY = randomBytes(32).toString('hex');
}
const DATA_DIR = process.env.QUORUM_HA_E2E_DATA_DIR;
mkdirSync(DATA_DIR, { recursive: true });
const DB_ENV = {
  DATABASE_URL: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${process.env.QUORUM_HA_E2E_SCHEMA}`,
  QUORUM_SECRET_KEY: process.env.QUORUM_HA_E2E_KEY!,
};
process.env.QUORUM_E2E_CLI_DATA_DIR = DATA_DIR;
process.env.QUORUM_E2E_CLI_ENV = JSON.stringify(DB_ENV);
process.env.QUORUM_E2E_AUTH_DIR = path.join(DATA_DIR, 'auth');

export default defineConfig({
  testDir: './e2e/ha',
  globalSetup: './e2e/support/global-setup.ts',
  globalTeardown: './e2e/ha/teardown.ts',
  outputDir: './test-results/e2e-ha',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: 'list',
  timeout: 240_000,
  expect: { timeout: 15_000 },
  use: signedInUse(PORT, process.env.QUORUM_E2E_AUTH_DIR, { trace: 'retain-on-failure' }),
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: webAppServer(PORT, { ...DB_ENV, QUORUM_DATA_DIR: path.join(DATA_DIR, 'web'), QUORUM_OUTBOUND_ALLOW_LOOPBACK: '1', QUORUM_COLLECTOR_INTERVAL_SECONDS: '5' }, 30_000),
});
