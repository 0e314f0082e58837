// Sign-in, roles, tokens and the audit log, end to end in Chromium against the real server. Users and
// tokens come from the real CLI (support/global-setup.ts); every sign-in goes through the sign-in page.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from '@playwright/test';
import { E2E_USERS, apiToken, storageStatePath } from './support/auth';
import { expect, test, type Page, type TestInfo } from './support/fixtures';
import { expectAccessible, shots } from './support/page-checks';

const KUBECONFIG_PATH = path.resolve(process.env.QUORUM_E2E_KUBECONFIG ?? 'lab/.state/quorum.kubeconfig');
const CLUSTER = 'access-e2e';
let clusterId = '';

test.describe.configure({ mode: 'serial' });

async function as(browser: Browser, role: 'viewer' | 'editor' | 'admin'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ storageState: storageStatePath(role) });
  return { context, page: await context.newPage() };
}

async function signIn(page: Page, name: string, password: string): Promise<void> {
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test.beforeAll(async ({ request }) => {
  if (!existsSync(KUBECONFIG_PATH)) throw new Error(`lab kubeconfig not found at ${KUBECONFIG_PATH}: run \`npm run lab -- up\` (QUORUM_E2E_KUBECONFIG)`);
  const res = await request.post('/api/clusters', { data: { name: CLUSTER, kubeconfig: readFileSync(KUBECONFIG_PATH, 'utf8'), labels: 'env=lab' } });
  expect(res.status(), await res.text()).toBe(201);
  clusterId = ((await res.json()) as { cluster: { id: string } }).cluster.id;
});

test.afterAll(async ({ request }) => {
  if (clusterId) expect((await request.delete(`/api/clusters/${clusterId}`)).status()).toBe(200);
});

test('anonymous: every page sends the browser to the sign-in page, which comes back after signing in', async ({ browser }, testInfo) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  const pages = ['/', '/reports', '/reports?period=2026-10', '/settings', '/settings/audit', '/settings/access', '/clusters/new', `/clusters/${clusterId}`, `/clusters/${clusterId}/failovers`, `/clusters/${clusterId}/slo`, `/clusters/${clusterId}/outages`, `/clusters/${clusterId}/checks`, `/clusters/${clusterId}/history`, `/clusters/${clusterId}/settings`, '/clusters/no-such-cluster', '/forbidden'];
  for (const p of pages) {
    const res = await page.goto(p);
    expect(res?.status(), p).toBe(200);
    expect(new URL(page.url()).pathname, p).toBe('/signin');
    expect(new URL(page.url()).searchParams.get('next'), p).toBe(p);
    await expect(page.getByRole('heading', { name: 'Sign in to Quorum' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
    await expect(page.getByText(CLUSTER)).toHaveCount(0);
  }
  // A wrong password is refused with a classified error, next to the form.
  await page.goto('/signin?next=%2Fsettings');
  await signIn(page, E2E_USERS.viewer.name, 'not the password at all');
  await expect(page.getByRole('alert').filter({ hasText: 'unauthenticated: wrong user name or password' })).toBeVisible();
  await shots(page, testInfo, 'signin');
  await expectAccessible(page);
  // The right one lands on the page that was asked for.
  await signIn(page, E2E_USERS.viewer.name, E2E_USERS.viewer.password);
  await page.waitForURL((u) => u.pathname === '/settings');
  await expect(page.getByTestId('signed-in-as')).toContainText(`${E2E_USERS.viewer.name} viewer`);
  await context.close();
});

test('viewer: reads everything, sees no control that changes anything, and the API answers 403', async ({ browser, request }) => {
  const { context, page } = await as(browser, 'viewer');
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Clusters' }).locator(`tr[data-cluster="${CLUSTER}"]`)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Add cluster' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Users & tokens' })).toHaveCount(0);
  await page.goto(`/clusters/${clusterId}/settings`);
  await expect(page.getByRole('heading', { level: 1, name: `${CLUSTER}: settings` })).toBeVisible();
  for (const form of ['Labels', 'Probe settings', 'SLO policy', 'Maintenance window']) await expect(page.getByRole('form', { name: form })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Remove|Save/ })).toHaveCount(0);
  await expect(page.getByText('Your role (viewer) can read these settings; editors change them.')).toBeVisible();
  await page.goto('/settings');
  await expect(page.getByRole('form', { name: 'Fleet-wide maintenance window' })).toHaveCount(0);
  await page.goto('/clusters/new');
  await expect(page).toHaveURL(/\/forbidden\?need=admin$/);
  await expect(page.getByRole('alert').filter({ hasText: 'needs the admin role' })).toBeVisible();
  await page.goto('/settings/access');
  await expect(page).toHaveURL(/\/forbidden\?need=admin$/);

  // The API enforces the same with the viewer's session (same-origin, as the browser would send it)…
  const origin = new URL(page.url()).origin;
  const viaSession = await page.request.post('/api/maintenance', { headers: { origin }, data: { cluster: null, title: 'viewer try', start: '2030-01-01T00:00:00Z', durationMinutes: 5 } });
  expect(viaSession.status()).toBe(403);
  expect(((await viaSession.json()) as { error: { class: string } }).error.class).toBe('permission-denied');
  // …and with a viewer token.
  const viewerToken = { authorization: `Bearer ${apiToken('viewer')}` };
  for (const [method, url, data] of [
    ['POST', '/api/maintenance', { cluster: null, title: 'x', start: '2030-01-01T00:00:00Z', durationMinutes: 5 }],
    ['PATCH', `/api/clusters/${clusterId}`, { labels: 'env=hacked' }],
    ['DELETE', `/api/clusters/${clusterId}`, undefined],
    ['POST', '/api/tokens', { name: 'x', role: 'admin' }],
    ['GET', '/api/users', undefined],
  ] as const) {
    const res = await request.fetch(url, { method, headers: viewerToken, ...(data ? { data } : {}) });
    expect(res.status(), `${method} ${url}`).toBe(403);
    expect(((await res.json()) as { error: { class: string; message: string } }).error.message).toMatch(/needs the (editor|admin) role; token "e2e-viewer-token" has the viewer role/);
  }
  const read = await request.get(`/api/clusters/${clusterId}`, { headers: viewerToken });
  expect(read.status()).toBe(200);
  expect(((await read.json()) as { cluster: { labels: Record<string, string> } }).cluster.labels).toEqual({ env: 'lab' });
  await context.close();
});

test('editor: changes SLO settings; a window that starts in the past is stored as retroactive with its author, everywhere it shows', async ({ browser, request }, testInfo) => {
  const { context, page } = await as(browser, 'editor');
  await page.goto(`/clusters/${clusterId}/settings`);
  await expect(page.getByRole('button', { name: 'Remove cluster' })).toHaveCount(0); // clusters are admin-only
  const form = page.getByRole('form', { name: 'Maintenance window' });
  const start = new Date(Date.now() - 3 * 3_600_000).toISOString().slice(0, 16);
  await form.getByLabel('Title').fill('=cmd|quiet outage');
  await form.getByLabel('Start (UTC)').fill(start);
  await form.getByLabel('Duration (minutes)').fill('90');
  await expect(form.getByRole('note')).toContainText('retroactive');
  await form.getByRole('button', { name: 'Add maintenance' }).click();
  await expect(form.getByText('Maintenance window saved.')).toBeVisible();
  const row = page.getByTestId('maintenance-table').getByRole('row', { name: /=cmd\|quiet outage/ });
  await expect(row).toContainText(`retroactive · ${E2E_USERS.editor.name}`);
  await expect(row).toContainText(`${E2E_USERS.editor.name} (editor)`);
  // Cluster page: named in the SLO card (the SLO tab), with its author.
  await page.goto(`/clusters/${clusterId}/slo?window=7d`);
  await expect(page.getByTestId('retroactive-maintenance')).toContainText(`“=cmd|quiet outage”`);
  await expect(page.getByTestId('retroactive-maintenance')).toContainText(`retroactive · ${E2E_USERS.editor.name}`);
  await screenshotPage(page, testInfo, 'cluster-retroactive');
  // Report of this month: the maintenance row carries the mark; JSON and CSV too.
  const month = new Date().toISOString().slice(0, 7);
  await page.goto(`/reports?cluster=${clusterId}&period=${month}`);
  await expect(page.getByRole('row', { name: /=cmd\|quiet outage/ }).first()).toContainText(`retroactive · ${E2E_USERS.editor.name}`);
  const json = (await (await request.get(`/api/reports?cluster=${clusterId}&period=${month}`)).json()) as { clusters: Array<{ maintenance: Array<{ title: string; retroactive: boolean; createdBy: string }> }> };
  expect(json.clusters[0]!.maintenance.find((m) => m.title === '=cmd|quiet outage')).toMatchObject({ retroactive: true, createdBy: E2E_USERS.editor.name });
  const csv = await (await request.get(`/api/reports/csv?cluster=${clusterId}&period=${month}`)).text();
  // The title starts with "=": neutralised with a leading ' so a spreadsheet shows it as text.
  expect(csv).toContain(`maintenance,${CLUSTER},,`);
  expect(csv).toContain(`,"'=cmd|quiet outage [retroactive, created by e2e-editor]",`);
  // Editors may not register clusters or manage access (API).
  const origin = new URL(page.url()).origin;
  expect((await page.request.post('/api/clusters', { headers: { origin }, data: { name: 'x', kubeconfig: 'x' } })).status()).toBe(403);
  expect((await page.request.get('/api/users')).status()).toBe(403);
  await context.close();
});

async function screenshotPage(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
}

test('admin: users and tokens — a token is shown once, reads the API, and stops working when revoked', async ({ page, request, playwright, baseURL }, testInfo) => {
  await page.goto('/settings/access');
  await expect(page.getByRole('heading', { level: 1, name: 'Users & tokens' })).toBeVisible();
  const users = page.getByTestId('users-table');
  for (const u of Object.values(E2E_USERS)) await expect(users).toContainText(u.name);
  // Add a user in the UI, then give them the editor role.
  const add = page.getByRole('form', { name: 'Add a user' });
  await add.getByLabel('User name').fill('e2e-carol');
  await add.getByLabel('Password (empty: single sign-on only)').fill('carol has a long password');
  await add.getByRole('button', { name: 'Add user' }).click();
  await expect(add.getByText('User e2e-carol added.')).toBeVisible();
  await page.reload();
  await page.getByLabel('Role of e2e-carol').selectOption('editor');
  await expect(page.getByText('Role changed.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Role of e2e-carol')).toHaveValue('editor');

  // Create a token: shown once.
  const create = page.getByRole('form', { name: 'Create an API token' });
  await create.getByLabel('Token name').fill('e2e scraper');
  await create.getByLabel('Role').selectOption('viewer');
  await create.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByTestId('new-token');
  await expect(shown).toContainText('shown only once');
  const token = (await shown.locator('code').first().textContent())!.trim();
  expect(token).toMatch(/^qrm_[A-Za-z0-9_-]{43}$/);
  await shots(page, testInfo, 'access');
  await expectAccessible(page);

  const anon = await playwright.request.newContext({ ...(baseURL ? { baseURL } : {}), storageState: { cookies: [], origins: [] } });
  const withToken = { headers: { authorization: `Bearer ${token}` } };
  expect((await anon.get('/api/clusters', withToken)).status()).toBe(200);
  await page.reload();
  const tokenRow = page.getByTestId('tokens-table').getByRole('row', { name: /e2e scraper/ });
  await expect(tokenRow).toContainText('active');
  await expect(tokenRow).not.toContainText(token); // only the prefix is ever shown again
  await expect(tokenRow).toContainText(token.slice(0, 10));
  await tokenRow.getByRole('button', { name: 'Revoke token e2e scraper' }).click();
  await tokenRow.getByRole('button', { name: 'Yes, revoke token e2e scraper' }).click();
  await expect(tokenRow).toContainText(`revoked`);
  const after = await anon.get('/api/clusters', withToken);
  expect(after.status()).toBe(401);
  expect(((await after.json()) as { error: { class: string } }).error.class).toBe('unauthenticated');
  // Last-used time was recorded before the revocation.
  const list = (await (await request.get('/api/tokens')).json()) as { tokens: Array<{ name: string; lastUsedAt: string | null; revokedBy: string | null }> };
  expect(list.tokens.find((t) => t.name === 'e2e scraper')).toMatchObject({ revokedBy: E2E_USERS.admin.name });
  expect(list.tokens.find((t) => t.name === 'e2e scraper')?.lastUsedAt).not.toBeNull();
  await anon.dispose();
  // Remove the user again (the last admin can never be removed: the API refuses).
  const carol = (await (await request.get('/api/users')).json()) as { users: Array<{ id: string; name: string }> };
  expect((await request.delete(`/api/users/${carol.users.find((u) => u.name === 'e2e-carol')!.id}`)).status()).toBe(200);
});

test('the audit log lists every change with who, role, before → after and the client address; filter and CSV', async ({ page, request }, testInfo) => {
  await page.goto('/settings/audit');
  const table = page.getByTestId('audit-table');
  await expect(table).toContainText('maintenance.create-retroactive');
  await expect(table).toContainText('token.revoke');
  await expect(table).toContainText('user.role');
  await expect(table.getByRole('row', { name: /user\.role/ }).first()).toContainText('{"role":"viewer","disabled":false} → {"role":"editor","disabled":false}');
  await expect(table.getByRole('row', { name: /cluster\.create/ }).first()).toContainText('token:e2e-admin-token');
  await expect(table.getByRole('row', { name: /auth\.sign-in-failed/ }).first()).toContainText('127.0.0.1');
  await page.getByLabel('Who (exact)').fill(E2E_USERS.editor.name);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/actor=e2e-editor/);
  const rows = table.getByRole('row');
  await expect(rows.nth(1)).toContainText(E2E_USERS.editor.name);
  for (const r of await table.locator('tbody tr').all()) await expect(r).toContainText(E2E_USERS.editor.name);
  await shots(page, testInfo, 'audit');
  await expectAccessible(page);
  const csv = await (await request.get('/api/audit/csv?action=maintenance.')).text();
  expect(csv.split('\n')[0]).toBe('at,actor,actor_kind,role,action,target,before,after,client_address');
  expect(csv).toContain(',e2e-editor,user,editor,maintenance.create-retroactive,');
  // Bad filters are a 400 with a class, never a 500.
  const bad = await request.get('/api/audit?since=yesterday');
  expect(bad.status()).toBe(400);
  expect(((await bad.json()) as { error: { class: string } }).error.class).toBe('bad-request');
});

test('sign-out ends the session in the database: the old cookie no longer works', async ({ browser, playwright, baseURL }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto('/signin');
  await signIn(page, E2E_USERS.editor.name, E2E_USERS.editor.password);
  await page.waitForURL((u) => u.pathname === '/');
  const cookie = (await context.cookies()).find((c) => c.name === 'quorum-session');
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe('Lax');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((u) => u.pathname === '/signin');
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin\?next=%2F$/);
  // Replaying the old cookie: refused (the session row is gone, not just the browser's copy).
  const replay = await playwright.request.newContext({ ...(baseURL ? { baseURL } : {}), storageState: { cookies: [], origins: [] }, extraHTTPHeaders: { cookie: `quorum-session=${cookie!.value}` } });
  const me = await replay.get('/api/auth/me');
  expect(me.status()).toBe(401);
  await replay.dispose();
  await context.close();
});
