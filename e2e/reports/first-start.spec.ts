// First start of a fresh installation: `npm start` prints a one-time setup link; opening it creates the
// first admin and signs them in; the link then stops working. Runs its own server (fresh data folder,
// port QUORUM_FIRST_START_E2E_PORT, default 3109) next to the reports server.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '../support/fixtures';

const PORT = Number(process.env.QUORUM_FIRST_START_E2E_PORT ?? 3109);

test('the setup link printed at first start creates the first admin once, then is refused', async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-first-start-'));
  let child: ChildProcess | undefined;
  try {
    child = spawn(path.resolve('node_modules/.bin/tsx'), ['scripts/start.ts', '--no-build', '--no-collector', '--port', String(PORT)], {
      env: { ...process.env, QUORUM_DATA_DIR: dataDir, DATABASE_URL: '', QUORUM_PUBLIC_URL: '', NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await expect.poll(() => /\/setup\?token=[A-Za-z0-9_-]{43}/.exec(out)?.[0] ?? null, { timeout: 90_000, message: 'the setup link is printed' }).not.toBeNull();
    expect(out).not.toMatch(/WARNING/);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/setup\?token=[A-Za-z0-9_-]{43})/.exec(out)![1]!;
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const page = await context.newPage();
    await page.goto(link);
    await expect(page.getByRole('heading', { name: 'Set up Quorum' })).toBeVisible();
    await page.getByLabel('Admin user name').fill('first-admin');
    await page.getByLabel('Password (at least 12 characters)').fill('the very first password');
    await page.getByLabel('Password again').fill('the very first password');
    await page.screenshot({ path: testInfo.outputPath('setup.png'), fullPage: true });
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await expect(page.getByTestId('signed-in-as')).toContainText('first-admin admin');
    // Used: the same link is refused now, in another browser too.
    const other = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const again = await other.newPage();
    await again.goto(link);
    await expect(again.getByRole('alert').filter({ hasText: 'This setup link is not valid' })).toBeVisible();
    const res = await again.request.post(`http://127.0.0.1:${PORT}/api/setup`, { headers: { origin: `http://127.0.0.1:${PORT}` }, data: { token: new URL(link).searchParams.get('token'), name: 'second', password: 'another long password' } });
    expect(res.status()).toBe(400);
    await context.close();
    await other.close();
  } finally {
    if (child?.pid) process.kill(-child.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
