// Playwright global setup (runs after the web server is up): real users and tokens through the real
// CLI, then a real sign-in through the sign-in page for each role; the browser state is saved for specs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium, type FullConfig } from '@playwright/test';
import { ROLES } from '../../lib/auth/roles';
import { E2E_USERS, authDir, storageStatePath, tokenPath } from './auth';
import { quorumCli } from './cli';

export default async function globalSetup(config: FullConfig): Promise<void> {
  const dataDir = process.env.QUORUM_E2E_CLI_DATA_DIR;
  if (!dataDir) throw new Error('QUORUM_E2E_CLI_DATA_DIR is not set by the Playwright config');
  const project = config.projects[0]!;
  const baseURL = project.use.baseURL!;
  mkdirSync(authDir(), { recursive: true });
  for (const role of ROLES) {
    const u = E2E_USERS[role];
    quorumCli(dataDir, ['user', 'add', u.name, '--role', role, '--password-stdin'], `${u.password}\n`);
    writeFileSync(tokenPath(role), quorumCli(dataDir, ['token', 'create', '--name', `e2e-${role}-token`, '--role', role]).trim(), { mode: 0o600 });
  }
  const browser = await chromium.launch(project.use.launchOptions);
  try {
    for (const role of ROLES) {
      const u = E2E_USERS[role];
      const context = await browser.newContext({ baseURL });
      const page = await context.newPage();
      await page.goto('/');
      await page.waitForURL(/\/signin\?next=%2F$/);
      await page.getByLabel('User name').fill(u.name);
      await page.getByLabel('Password', { exact: true }).fill(u.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/');
      await page.getByTestId('signed-in-as').filter({ hasText: u.name }).waitFor();
      await context.storageState({ path: storageStatePath(role) });
      await context.close();
    }
  } finally {
    await browser.close();
  }
}
