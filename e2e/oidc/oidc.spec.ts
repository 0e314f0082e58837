// OpenID Connect sign-in through the real Dex's own login page (scripts/e2e-dex.ts): authorization code
// + PKCE, the groups claim mapped to a role, auto-provisioned accounts, and a refusal for groups that
// map to no role.
import type { Browser, Page } from '@playwright/test';
import { expect, test } from '../support/fixtures';

test.describe.configure({ mode: 'serial' });

const PASSWORD = process.env.QUORUM_DEX_PASSWORD!;

async function signInWithDex(browser: Browser, email: string, next = '/'): Promise<Page> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(next);
  await expect(page).toHaveURL(/\/signin\?next=/);
  await page.getByRole('link', { name: 'Sign in with Dex' }).click();
  // Dex's own page, on Dex's origin.
  await page.waitForURL((u) => u.origin === new URL(process.env.QUORUM_DEX_ISSUER!).origin);
  await expect(page.getByRole('heading', { name: 'Log in to Your Account' })).toBeVisible();
  await page.locator('#login').fill(email);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#submit-login').click();
  return page;
}

test('an SRE admin signs in through Dex and lands on the page asked for, with the role mapped from the groups claim', async ({ browser, request }, testInfo) => {
  const page = await signInWithDex(browser, 'alice@example.com', '/settings/audit');
  await page.waitForURL((u) => u.pathname === '/settings/audit' && u.origin === new URL(testInfo.project.use.baseURL!).origin);
  await expect(page.getByTestId('signed-in-as')).toContainText('alice-sre admin');
  await expect(page.getByRole('link', { name: 'Users & tokens' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('oidc-admin-landed.png'), fullPage: true });
  // The account was provisioned on first sign-in, linked to the Dex subject, without a password.
  const users = (await (await request.get('/api/users')).json()) as { users: Array<{ name: string; role: string; oidc: boolean; local: boolean; email: string | null }> };
  expect(users.users.find((u) => u.name === 'alice-sre')).toMatchObject({ role: 'admin', oidc: true, local: false, email: 'alice@example.com' });
  const audit = (await (await request.get('/api/audit?actor=alice-sre')).json()) as { events: Array<{ action: string; after: string | null }> };
  expect(audit.events.map((e) => e.action)).toEqual(expect.arrayContaining(['auth.sign-in', 'user.create']));
  expect(audit.events.find((e) => e.action === 'auth.sign-in')?.after).toContain('"method":"oidc"');
  await page.context().close();
});

test('a developer gets the viewer role: no admin pages, and the API refuses changes', async ({ browser }) => {
  const page = await signInWithDex(browser, 'bob@example.com');
  await page.waitForURL((u) => u.pathname === '/');
  await expect(page.getByTestId('signed-in-as')).toContainText('bob-dev viewer');
  await expect(page.getByRole('link', { name: 'Users & tokens' })).toHaveCount(0);
  const origin = new URL(page.url()).origin;
  const res = await page.request.post('/api/maintenance', { headers: { origin }, data: { cluster: null, title: 'x', start: '2031-01-01T00:00:00Z', durationMinutes: 5 } });
  expect(res.status()).toBe(403);
  // Sign out: back to the sign-in page; the session is gone.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((u) => u.pathname === '/signin');
  expect((await page.request.get('/api/auth/me')).status()).toBe(401);
  await page.context().close();
});

test('groups that map to no role are refused with a message on the sign-in page; no account is made', async ({ browser, request }, testInfo) => {
  const page = await signInWithDex(browser, 'mallory@example.com');
  await page.waitForURL((u) => u.pathname === '/signin');
  await expect(page.getByRole('alert').filter({ hasText: 'none of your groups (marketing) grants a Quorum role' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('oidc-refused.png'), fullPage: true });
  const users = (await (await request.get('/api/users')).json()) as { users: Array<{ name: string }> };
  expect(users.users.map((u) => u.name)).not.toContain('mallory');
  await page.context().close();
});

test('a forged callback (state not started in this browser) is refused', async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto('/api/auth/oidc/callback?code=forged&state=forged');
  await expect(page).toHaveURL(/\/signin\?error=/);
  await expect(page.getByRole('alert').filter({ hasText: 'state mismatch' })).toBeVisible();
  await context.close();
});
