import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type TestInfo } from './support/fixtures';
import { AddClusterPage } from './pages/add-cluster-page';
import { ClusterPage } from './pages/cluster-page';
import { OverviewPage } from './pages/overview-page';

// Must match playwright.config.ts webServer.env.QUORUM_COLLECTOR_INTERVAL_SECONDS.
const COLLECTOR_INTERVAL_MS = 5_000;
const KUBECONFIG_PATH = path.resolve(process.env.QUORUM_E2E_KUBECONFIG ?? 'lab/.state/quorum.kubeconfig');
const CLUSTER_NAME = 'lab-e2e';

// One server, one database: the steps build on each other (empty → add → see → remove).
test.describe.configure({ mode: 'serial' });

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const file = testInfo.outputPath(`${name}.png`);
  // Kept as artifacts under test-results/ (not compared against a baseline).
  await page.screenshot({ path: file, fullPage: true });
}

/** No serious or critical WCAG A/AA violations on the page as it is now. */
async function expectAccessible(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

function readLabKubeconfig(): string {
  if (!existsSync(KUBECONFIG_PATH)) {
    throw new Error(
      `lab kubeconfig not found at ${KUBECONFIG_PATH}. Start the lab first (\`npm run lab -- up\`) ` +
        'or point QUORUM_E2E_KUBECONFIG at a kubeconfig for a reachable cluster.',
    );
  }
  return readFileSync(KUBECONFIG_PATH, 'utf8');
}

test('GET /api/healthz reports process and database health', async ({ request }) => {
  const res = await request.get('/api/healthz');
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { status: string; version: string; uptimeSeconds: number; db: { ok: boolean; provider: string; latencyMs: number } };
  expect(body.status).toBe('ok');
  expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
  expect(body.db.ok).toBe(true);
  expect(body.db.provider).toBe('sqlite');
  expect(body.db.latencyMs).toBeGreaterThanOrEqual(0);
});

test('a new install shows the empty state with both ways to add a cluster and how to start the lab', async ({ page }, testInfo) => {
  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(overview.emptyState).toBeVisible();
  await expect(overview.emptyState.getByRole('link', { name: 'add a cluster' })).toHaveAttribute('href', '/clusters/new');
  await expect(overview.emptyState).toContainText('npm run quorum -- cluster add --name N --kubeconfig PATH');
  await expect(overview.emptyState).toContainText('npm run lab -- up');
  await expect(overview.clusterList).toHaveCount(0);
  await screenshot(page, testInfo, 'overview-empty');
  await expectAccessible(page);
});

test('a kubeconfig that is not YAML gets a precise error next to the form', async ({ page }, testInfo) => {
  const form = new AddClusterPage(page);
  await form.goto();
  await form.pasteKubeconfig('apiVersion: v1\nclusters: [ {name: broken\n  :: ]]\n');
  const error = form.alerts.filter({ hasText: 'kubeconfig-not-yaml' });
  await expect(error).toBeVisible();
  await expect(error).toContainText('not valid YAML');
  await expect(form.kubeconfig).toHaveAttribute('aria-invalid', 'true');
  await expect(form.context).toBeDisabled();
  await screenshot(page, testInfo, 'add-cluster-not-yaml');
  await expectAccessible(page);

  // Valid YAML, but not a kubeconfig: still classified, still next to the kubeconfig field.
  await form.pasteKubeconfig('apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
  await expect(form.alerts.filter({ hasText: 'kubeconfig-no-context' })).toBeVisible();
});

test('the lab cluster is added through the web form and shows up', async ({ page, request }, testInfo) => {
  const kubeconfig = readLabKubeconfig();
  const form = new AddClusterPage(page);
  await form.goto();

  await form.uploadKubeconfig(KUBECONFIG_PATH);
  await expect(form.kubeconfig).toHaveValue(kubeconfig);
  await expect(form.context).toBeEnabled();
  const contextName = await form.context.inputValue();
  expect(contextName).not.toBe('');

  await form.testConnection.click();
  await expect(form.testResult).toBeVisible({ timeout: 20_000 });
  await expect(form.version).toHaveText(/^v\d+\.\d+\.\d+/);
  await expect(form.testResult).toContainText('/readyz is allowed');
  await screenshot(page, testInfo, 'add-cluster-tested');

  await form.name.fill(CLUSTER_NAME);
  await form.labels.fill('env=lab,team=e2e');
  await form.save.click();

  // Saved: the browser lands on the cluster page.
  const cluster = new ClusterPage(page, CLUSTER_NAME);
  await expect(cluster.heading()).toBeVisible({ timeout: 20_000 });
  await expect(page).toHaveURL(/\/clusters\/[^/]+$/);

  // The API lists it and never returns credentials.
  const list = await request.get('/api/clusters');
  expect(list.status()).toBe(200);
  const raw = await list.text();
  const body = JSON.parse(raw) as { clusters: Array<{ name: string; labels: Record<string, string>; context: string }> };
  const saved = body.clusters.find((c) => c.name === CLUSTER_NAME);
  expect(saved).toBeDefined();
  expect(saved?.labels).toEqual({ env: 'lab', team: 'e2e' });
  expect(saved?.context).toBe(contextName);
  expect(raw).not.toMatch(/token|client-key|certificate-authority-data|BEGIN|kubeconfig/i);

  // Within two collector intervals the overview shows it "up" (reloading as a user would).
  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(overview.card(CLUSTER_NAME)).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(overview.status(CLUSTER_NAME)).toHaveText(/up/, { timeout: 1_000 });
  }).toPass({ timeout: 2 * COLLECTOR_INTERVAL_MS + 5_000, intervals: [1_000] });
  await expect(overview.status(CLUSTER_NAME)).toHaveAttribute('data-status', 'up');
  await expect(overview.card(CLUSTER_NAME).getByTestId('availability')).toHaveText(/^\d{1,3}\.\d{3} %$/);
  await screenshot(page, testInfo, 'overview-with-lab');
  await expectAccessible(page);
  // The per-day trend moved from the cards to the heatmap (the cards are ?view=cards).
  await overview.goto('?view=heatmap');
  await expect(page.getByRole('img', { name: /^Availability of lab-e2e per UTC day/ })).toBeVisible();
});

test('a wrong token is classified as 401 on "Test connection"; a taken name is refused next to the name', async ({ page }, testInfo) => {
  const kubeconfig = readLabKubeconfig();
  const tokenLine = /^(\s*token:\s*)(\S+)\s*$/m;
  if (!tokenLine.test(kubeconfig)) throw new Error(`${KUBECONFIG_PATH} has no "token:" line; the lab's quorum identity is expected to use a bearer token`);
  const form = new AddClusterPage(page);
  await form.goto();
  await form.pasteKubeconfig(kubeconfig.replace(tokenLine, '$1not-the-real-token'));
  await expect(form.context).toBeEnabled();
  await form.testConnection.click();
  const unauthorized = form.alerts.filter({ hasText: 'unauthorized' });
  await expect(unauthorized).toBeVisible({ timeout: 20_000 });
  await expect(unauthorized).toContainText('401');
  await expect(form.testResult).toHaveCount(0);
  await screenshot(page, testInfo, 'add-cluster-unauthorized');

  // The real kubeconfig under a name that is already registered: 409, shown next to the name field.
  await form.pasteKubeconfig(kubeconfig);
  await form.name.fill(CLUSTER_NAME);
  await form.save.click();
  const conflict = form.alerts.filter({ hasText: 'conflict' });
  await expect(conflict).toBeVisible({ timeout: 20_000 });
  await expect(conflict).toContainText(CLUSTER_NAME);
  await expect(form.name).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/\/clusters\/new$/);
});

test('the cluster page lists the apiserver named checks, their history and a chart', async ({ page }, testInfo) => {
  const overview = new OverviewPage(page);
  await overview.goto();
  await overview.openCluster(CLUSTER_NAME);

  const cluster = new ClusterPage(page, CLUSTER_NAME);
  await expect(cluster.heading()).toBeVisible();
  await expect(cluster.status).toHaveAttribute('data-status', 'up');
  // Named checks are one click away (Checks tab), history and the 24 h chart another (History tab).
  await cluster.openTab('Checks');
  await expect(cluster.readyzChecks).toBeVisible();
  const etcd = cluster.readyzCheck('etcd');
  await expect(etcd).toHaveCount(1);
  await expect(etcd).toContainText('ok');
  await expect(cluster.livezChecks.getByRole('cell', { name: 'etcd', exact: true })).toBeVisible();
  await cluster.openTab('History');
  await expect(cluster.history.getByRole('row').nth(1)).toContainText('up');
  await expect(page.getByRole('img', { name: /Readiness and latency/ })).toBeVisible();
  await screenshot(page, testInfo, 'cluster-page');
  await expectAccessible(page);
  // Dark mode (prefers-color-scheme) must stay readable too.
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, testInfo, 'cluster-page-dark');
  await expectAccessible(page);
});

test('the components card names the Lease holders; a killed scheduler leader shows up as a failover with its gap', async ({ page, request }, testInfo) => {
  test.setTimeout(150_000);
  const overview = new OverviewPage(page);
  await overview.goto();
  await overview.openCluster(CLUSTER_NAME);
  await expect(new ClusterPage(page, CLUSTER_NAME).heading()).toBeVisible();
  const components = page.getByTestId('components-card');
  const scheduler = components.locator('[data-component="kube-scheduler"]');
  await expect(async () => {
    await page.reload();
    await expect(scheduler.getByTestId('lease-holder')).toHaveText(/^qlab-cp\d_/, { timeout: 1_000 });
  }).toPass({ timeout: 4 * COLLECTOR_INTERVAL_MS, intervals: [1_000] });
  const holder = (await scheduler.getByTestId('lease-holder').textContent())!;
  await expect(components.locator('[data-component="etcd"]')).toContainText('[+]etcd ok');
  const cluster = new ClusterPage(page, CLUSTER_NAME);
  await cluster.openTab('Checks');
  const readiness = page.getByTestId('readiness-card');
  await expect(readiness.locator('tr[data-check="control-plane-nodes"]')).toHaveAttribute('data-verdict', 'pass');
  await expect(readiness.locator('tr[data-check="apiserver-endpoint"]')).toHaveAttribute('data-verdict', 'pass');
  await expect(readiness.locator('tr[data-check="worker-zones"]')).toContainText('zone-a');

  // Kill the leader through the lab (its own CLI, the same one the lab tests use).
  const out = execFileSync(path.resolve('node_modules/.bin/tsx'), ['lab/cli.ts', 'fault', 'kill', 'kube-scheduler', '--leader'], { encoding: 'utf8', timeout: 60_000 });
  const fault = JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).pop()!) as { at: string; pid: number };
  const killedAt = Date.parse(fault.at);
  await cluster.openTab('Failovers');
  const events = page.getByTestId('failover-events');
  await expect(async () => {
    await page.reload();
    await expect(events.getByRole('row').filter({ hasText: `${holder} →` })).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 90_000, intervals: [2000] });
  const row = events.getByRole('row').filter({ hasText: `${holder} →` });
  await expect(row).toContainText('kube-scheduler');
  await expect(row).toContainText('crash');
  await expect(row).toContainText(/\d+\.\d+ s/);
  await expect(row.getByRole('img', { name: /gap .* against a \d+ s lease/ })).toBeVisible();
  // The JSON API says the same, with the exact gap.
  const registered = (await (await request.get(`/api/clusters/${CLUSTER_NAME}`)).json()) as { cluster: { id: string } };
  const api = (await (await request.get(`/api/clusters/${registered.cluster.id}/failovers?since=${new Date(killedAt - 60_000).toISOString()}`)).json()) as {
    events: Array<{ previousHolder: string; kind: string; gapMs: number | null; leaseDurationSeconds: number }>;
    stats: Array<{ lease: string; count: number }>;
  };
  const e = api.events.find((x) => x.previousHolder === holder);
  expect(e?.kind).toBe('crash');
  expect(e?.gapMs ?? 0).toBeGreaterThanOrEqual((e?.leaseDurationSeconds ?? 8) * 1000);
  expect(api.stats.find((x) => x.lease === 'kube-system/kube-scheduler')?.count).toBeGreaterThanOrEqual(1);
  const bad = await request.get(`/api/clusters/${registered.cluster.id}/failovers?since=yesterday`);
  expect(bad.status()).toBe(400);
  expect(((await bad.json()) as { error: { class: string; message: string } }).error).toEqual({ class: 'bad-request', message: 'since must be an ISO 8601 time, e.g. 2026-11-26T00:00:00Z (got "yesterday")' });
  expect((await request.get(`/api/clusters/${registered.cluster.id}/etcd?until=2020-01-01T00:00:00Z&since=2021-01-01T00:00:00Z`)).status()).toBe(400);
  expect((await request.get('/api/clusters/no-such-cluster/failovers')).status()).toBe(404);
  const comps = (await (await request.get(`/api/clusters/${registered.cluster.id}/components`)).json()) as { components: Array<{ component: string; status: string }> };
  expect(comps.components.filter((c) => c.component === 'kube-apiserver').length).toBeGreaterThanOrEqual(4); // endpoint livez/readyz, replicas, each replica
  await screenshot(page, testInfo, 'cluster-page-failover');
  await expectAccessible(page);
});

test('unknown cluster ids are a 404 page', async ({ page }) => {
  const res = await page.goto('/clusters/does-not-exist-e2e');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Cluster not found' })).toBeVisible();
});

test('removing the cluster asks for confirmation and returns to the empty overview', async ({ page, request }, testInfo) => {
  const overview = new OverviewPage(page);
  await overview.goto();
  await overview.openCluster(CLUSTER_NAME);
  const cluster = new ClusterPage(page, CLUSTER_NAME);
  await expect(cluster.heading()).toBeVisible();
  await page.getByRole('navigation', { name: 'Cluster sections' }).getByRole('link', { name: 'Settings' }).click();
  await cluster.removeButton.click();
  await expect(page.getByRole('group', { name: 'Confirm removal' })).toBeVisible();
  await screenshot(page, testInfo, 'cluster-remove-confirm');
  await page.getByRole('button', { name: `Yes, remove ${CLUSTER_NAME}` }).click();
  await expect(overview.heading).toBeVisible();
  await expect(overview.emptyState).toBeVisible();
  const list = (await (await request.get('/api/clusters')).json()) as { clusters: Array<{ name: string }> };
  expect(list.clusters.map((c) => c.name)).not.toContain(CLUSTER_NAME);
});
