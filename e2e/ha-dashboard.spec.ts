// The dashboard (issue 6) in Debian Chromium against `next start` and the REAL lab: register the lab,
// see the component grid (3 apiservers, leaders named), the fleet overview with its window picker,
// label filter and search, settings forms with classified errors, then take etcd quorum away
// (kill two members through the lab) and watch the overview turn the cluster down and the budget bar
// move; restore; download the month's report as CSV and find the outage in it. axe on every page;
// screenshots of every page (1280 px, dark, and a 390×844 phone) kept under test-results/.
// Runs after foundation.spec.ts (same server, serial) and removes its cluster at the end.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type TestInfo } from './support/fixtures';
import { DashboardPage } from './pages/dashboard-page';

test.describe.configure({ mode: 'serial' });

const COLLECTOR_INTERVAL_MS = 5_000; // playwright.config.ts webServer env
const KUBECONFIG_PATH = path.resolve(process.env.QUORUM_E2E_KUBECONFIG ?? 'lab/.state/quorum.kubeconfig');
const NAME = 'lab-dash';
let clusterId = '';

async function shot(page: Page, testInfo: TestInfo, name: string) {
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
}

async function expectAccessible(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

/** Light 1280 px, dark 1280 px, and a phone (390×844): screenshots plus an axe scan of each. */
async function shootAll(page: Page, testInfo: TestInfo, name: string) {
  await shot(page, testInfo, name);
  await expectAccessible(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, testInfo, `${name}-dark`);
  await expectAccessible(page);
  await page.emulateMedia({ colorScheme: 'light' });
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, testInfo, `${name}-phone`);
  await expectAccessible(page);
  if (size) await page.setViewportSize(size);
}

function lab(...args: string[]): Record<string, unknown> {
  const out = execFileSync(path.resolve('node_modules/.bin/tsx'), ['lab/cli.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  return line ? (JSON.parse(line) as Record<string, unknown>) : {};
}

test.use({ viewport: { width: 1280, height: 900 } });

test.beforeAll(async ({ request }) => {
  if (!existsSync(KUBECONFIG_PATH)) throw new Error(`lab kubeconfig not found at ${KUBECONFIG_PATH}: run \`npm run lab -- up\` (QUORUM_E2E_KUBECONFIG)`);
  const res = await request.post('/api/clusters', { data: { name: NAME, kubeconfig: readFileSync(KUBECONFIG_PATH, 'utf8'), labels: 'env=lab,tier=ha' } });
  expect(res.status(), await res.text()).toBe(201);
  clusterId = ((await res.json()) as { cluster: { id: string } }).cluster.id;
});

test.afterAll(async ({ request }) => {
  if (clusterId) await request.delete(`/api/clusters/${clusterId}`);
});

test('component grid: 3 apiservers behind the LB, Lease leaders named, etcd as far as known', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const d = new DashboardPage(page);
  await page.goto(`/clusters/${clusterId}`);
  const grid = d.componentGrid;
  await expect(async () => {
    await page.reload();
    await expect(grid.locator('[data-component="kube-apiserver"] [data-replica]')).toHaveCount(3, { timeout: 1_000 });
    await expect(grid.locator('[data-component="kube-scheduler"]')).toContainText(/Leader qlab-cp\d_/, { timeout: 1_000 });
  }).toPass({ timeout: 6 * COLLECTOR_INTERVAL_MS, intervals: [2_000] });
  const api = grid.locator('[data-component="kube-apiserver"]');
  await expect(api).toHaveAttribute('data-status', 'up');
  await expect(api.getByTestId('replicas-summary')).toHaveText('3 of 3 replicas ready');
  for (const ip of ['10.213.0.11', '10.213.0.12', '10.213.0.13']) await expect(api.locator(`[data-replica="${ip}:6443"]`)).toContainText('up');
  await expect(grid.locator('[data-component="kube-controller-manager"]')).toContainText(/Leader qlab-cp\d_/);
  await expect(grid.locator('[data-component="cloud-controller-manager"]')).toContainText(/Leader qlab-ccm_\d+/);
  await expect(grid.locator('[data-component="kube-scheduler"]')).toContainText(/lease 8 s/);
  const etcd = grid.locator('[data-component="etcd"]');
  // Until the direct etcd probe is registered, the grid says so instead of inventing a member count.
  const members = (await etcd.getByTestId('etcd-members').textContent()) ?? '';
  if (/^\d+ members,/.test(members)) {
    expect(members).toMatch(/^3 members, 3 healthy/);
  } else {
    expect(members).toContain('member count unknown — register etcd endpoints');
    await expect(etcd).toContainText('[+]etcd ok');
  }
  await expect(grid.locator('[data-component="coredns"]').getByTestId('dns-summary')).toHaveText('2 of 2 kube-dns endpoints ready, 2 answering');
  await expect(grid.locator('[data-component="nodes"]').getByTestId('nodes-summary')).toHaveText('3 of 3 Ready');
  // SLO cards from the rollups: composite availability, budget bar, SRE table, per-component charts.
  await expect(page.getByTestId('composite-availability')).toHaveText(/^\d{1,3}\.\d{3} %$/);
  await expect(page.getByTestId('slo-card').getByTestId('budget-bar')).toHaveAttribute('data-remaining', /^-?\d/);
  await expect(page.getByTestId('sre-table-card').locator('tr[data-period="month"]')).toContainText('43.2 minutes');
  await expect(page.getByTestId('component-availability-card').locator('[data-series="control-plane"]')).toBeVisible();
  // Latency per component from the rollups of the real samples (the lab answers in milliseconds).
  await expect(page.getByTestId('component-availability-card').locator('[data-series="control-plane"]').getByTestId('component-latency')).toContainText(/latency avg \d+ ms · max \d+ ms/);
  await expect(page.getByRole('img', { name: /^Latency of control-plane per / })).toBeVisible();
  await shootAll(page, testInfo, 'cluster');
});

test('overview: window in the URL, label filter and name search, budget bar and burn alerts', async ({ page }, testInfo) => {
  const d = new DashboardPage(page);
  await page.goto('/?window=7d');
  await expect(d.card(NAME)).toBeVisible();
  await expect(d.windowLink('7 days')).toHaveAttribute('aria-current', 'page');
  await expect(d.card(NAME).getByTestId('cluster-status')).toHaveAttribute('data-status', 'up');
  await expect(d.card(NAME).getByTestId('target')).toHaveText('99.9 %');
  await expect(d.card(NAME).getByTestId('availability')).toHaveText(/^\d{1,3}\.\d{3} %$/);
  await expect(d.card(NAME).getByTestId('burn-alerts')).toBeVisible();
  await expect(d.card(NAME).getByRole('img', { name: /^Availability of lab-dash per 6 h, last 7d/ })).toBeVisible();
  await d.windowLink('90 days').click();
  await expect(page).toHaveURL(/window=90d/);
  await expect(d.card(NAME).getByRole('img', { name: /per UTC day, last 90d/ })).toBeVisible();
  // Label filter (a GET form: the filter is part of the URL too).
  await page.getByRole('combobox', { name: 'Label' }).selectOption('tier=ha');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/label=tier%3Dha/);
  await expect(d.card(NAME)).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search by name' }).fill('no-such-cluster');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('heading', { name: 'No cluster matches' })).toBeVisible();
  await expect(d.clusterList).toHaveCount(0);
  await page.goto('/?window=bogus');
  await expect(page.getByRole('alert').filter({ hasText: 'invalid-input' })).toContainText('window must be one of 7d, 28d, 30d, 90d');
  await expect(d.windowLink('30 days')).toHaveAttribute('aria-current', 'page');
  await page.goto('/?window=7d');
  await shootAll(page, testInfo, 'overview');
});

test('settings: labels, SLO policy and maintenance forms with classified errors; the API validates too', async ({ page, request }, testInfo) => {
  await page.goto(`/clusters/${clusterId}/settings`);
  await expect(page.getByRole('heading', { level: 1, name: `${NAME}: settings` })).toBeVisible();
  // A bad label is refused next to the form, a good one saved.
  const labels = page.getByRole('form', { name: 'Labels' });
  await labels.getByRole('textbox', { name: 'Labels' }).fill('env=lab,tier=ha,bad label');
  await labels.getByRole('button', { name: 'Save labels' }).click();
  await expect(labels.getByRole('alert')).toContainText('must look like key=value');
  await labels.getByRole('textbox', { name: 'Labels' }).fill('env=lab,tier=ha,owner=sre');
  await labels.getByRole('button', { name: 'Save labels' }).click();
  await expect(labels.getByText('Labels saved.')).toBeVisible();
  expect(((await (await request.get(`/api/clusters/${clusterId}`)).json()) as { cluster: { labels: Record<string, string> } }).cluster.labels).toEqual({ env: 'lab', tier: 'ha', owner: 'sre' });
  // SLO policy: 100 % is refused (no budget), 99.95 % on the nodes component is stored.
  const policy = page.getByRole('form', { name: 'SLO policy' });
  await policy.getByRole('textbox', { name: 'Objective (%)' }).fill('100');
  await policy.getByRole('button', { name: 'Save policy' }).click();
  await expect(policy.getByRole('alert')).toContainText('invalid-input');
  await policy.getByRole('combobox', { name: 'Component' }).selectOption('nodes/workers');
  await policy.getByRole('textbox', { name: 'Objective (%)' }).fill('99.95');
  await policy.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByTestId('policies-table').getByRole('row', { name: /nodes\/workers/ })).toContainText('99.95 %');
  const pols = (await (await request.get(`/api/clusters/${clusterId}/slo-policies`)).json()) as { policies: Array<{ component: string; objective: number; window: string }> };
  expect(pols.policies).toEqual([expect.objectContaining({ component: 'nodes/workers', objective: 0.9995, window: '30d' })]);
  // Maintenance: a window next year (never overlapping this run's outage), then removed with confirmation.
  const maint = page.getByRole('form', { name: 'Maintenance window' });
  await maint.getByRole('button', { name: 'Add maintenance' }).click();
  await expect(maint.getByRole('alert')).toContainText('title is required');
  const next = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 16);
  await maint.getByRole('textbox', { name: 'Title' }).fill('e2e upgrade');
  await maint.getByLabel('Start (UTC)').fill(next);
  await maint.getByRole('button', { name: 'Add maintenance' }).click();
  await expect(page.getByTestId('maintenance-table').getByRole('row', { name: /e2e upgrade/ })).toBeVisible();
  await shootAll(page, testInfo, 'cluster-settings');
  await page.getByRole('button', { name: 'Remove maintenance e2e upgrade' }).click();
  await page.getByRole('button', { name: 'Yes, remove maintenance e2e upgrade' }).click();
  await expect(page.getByTestId('maintenance-table')).toHaveCount(0);
  // The API classifies bad input on its own.
  const bad = await request.put(`/api/clusters/${clusterId}/slo-policies`, { data: { component: '*', objective: 1 } });
  expect(bad.status()).toBe(400);
  expect(((await bad.json()) as { error: { class: string } }).error.class).toBe('bad-request');
  const badStart = await request.post('/api/maintenance', { data: { cluster: clusterId, title: 'x', start: 'tomorrow', durationMinutes: 5 } });
  expect(badStart.status()).toBe(400);
  expect(((await badStart.json()) as { error: { message: string } }).error.message).toContain('start must be an ISO time');
  expect((await request.post('/api/maintenance', { data: { cluster: 'no-such-cluster', title: 'x', start: '2030-01-01T00:00:00Z', durationMinutes: 5 } })).status()).toBe(404);
  expect((await request.delete(`/api/clusters/${clusterId}/slo-policies?component=nodes/workers`)).status()).toBe(200);
  await page.goto('/settings');
  await expect(page.getByRole('list', { name: 'Cluster settings' }).getByRole('link', { name: NAME })).toBeVisible();
  await shootAll(page, testInfo, 'settings');
});

test('two etcd members killed: the overview shows the cluster down and the budget bar moves; restored; the failovers page renders', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const d = new DashboardPage(page);
  await page.goto('/?window=7d');
  const bar = d.card(NAME).getByTestId('budget-bar');
  await expect(d.card(NAME).getByTestId('cluster-status')).toHaveAttribute('data-status', 'up');
  const before = Number(await bar.getAttribute('data-remaining'));
  expect(Number.isFinite(before)).toBe(true);
  const status = lab('status', '--json') as { processes?: Array<{ id: string; alive: boolean }> };
  const alive = (id: string) => status.processes?.find((p) => p.id === id)?.alive === true;
  const killed: string[] = [];
  try {
    for (const node of ['2', '3']) {
      // Kill only what is running; restore only what this test killed (the lab is shared).
      if (!alive(`etcd@${node}`)) continue;
      lab('fault', 'kill', 'etcd', '--node', node, '--no-restart');
      killed.push(node);
    }
    await expect(async () => {
      await page.reload();
      await expect(d.card(NAME).getByTestId('cluster-status')).toHaveAttribute('data-status', 'down', { timeout: 1_000 });
    }).toPass({ timeout: 90_000, intervals: [2_000] });
    await expect(d.card(NAME).getByTestId('cluster-reason')).toContainText('etcd');
    // Keep it down a little longer so the measured bad time grows past any rounding.
    await page.waitForTimeout(2 * COLLECTOR_INTERVAL_MS);
    await page.reload();
    const during = Number(await bar.getAttribute('data-remaining'));
    expect(during).toBeLessThan(before);
    await expect(d.card(NAME).getByTestId('availability')).not.toHaveText('100.000 %');
    await shot(page, testInfo, 'overview-down');
    await expectAccessible(page);
  } finally {
    for (const node of killed.reverse()) lab('fault', 'start', 'etcd', '--node', node);
  }
  await expect(async () => {
    await page.reload();
    await expect(d.card(NAME).getByTestId('cluster-status')).toHaveAttribute('data-status', 'up', { timeout: 1_000 });
  }).toPass({ timeout: 120_000, intervals: [3_000] });

  // The drill-down lists the outage of the composite with the etcd reason.
  await page.goto(`/clusters/${clusterId}?window=7d`);
  const outages = page.getByTestId('outages-table');
  await expect(outages.getByRole('row').filter({ hasText: 'control-plane' }).filter({ hasText: 'etcd' }).first()).toBeVisible();
  await expect(page.getByTestId('slo-card').getByTestId('budget-bar')).toHaveAttribute('data-remaining', /^-?\d/);
  await shot(page, testInfo, 'cluster-after-outage');

  await page.goto(`/clusters/${clusterId}/failovers?window=7d`);
  await expect(page.getByRole('heading', { level: 1, name: `${NAME}: leader-election failovers` })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Cluster sections' }).getByRole('link', { name: 'Failovers' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('failover-timeline-card')).toBeVisible();
  await shootAll(page, testInfo, 'failovers');
});

test('the month report downloads as CSV with the outage in it', async ({ page }, testInfo) => {
  const now = new Date();
  const period = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  await page.goto(`/reports?cluster=${clusterId}&period=${period}`);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download CSV' }).click();
  const file = testInfo.outputPath('report.csv');
  await (await download).saveAs(file);
  const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(','));
  const header = rows[0]!;
  const col = (n: string) => header.indexOf(n);
  const outage = rows.find((r) => r[col('section')] === 'outage' && r[col('cluster')] === NAME && r[col('component')] === 'control-plane');
  expect(outage, 'a control-plane outage row').toBeDefined();
  expect(Number(outage![col('duration_s')])).toBeGreaterThan(0);
  expect(outage!.join(',')).toContain('etcd');
  const slo = rows.find((r) => r[col('section')] === 'slo' && r[col('cluster')] === NAME && r[col('component')] === 'control-plane');
  expect(Number(slo![col('bad_s')])).toBeGreaterThan(0);
  await shootAll(page, testInfo, 'report');
});
