// "Quorum itself" against the real thing: the lab registered four times, two real collector processes
// on PostgreSQL sharing them (2 and 2), one killed with SIGKILL — the other takes its clusters, and the
// page shows the collectors (the dead one late, then gone), who owns what, and both takeovers with their
// measured gap and how long the clusters went unprobed. Screenshots in light, dark and phone sizes,
// axe on each (kept under test-results/e2e-ha/).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type TestInfo } from '../support/fixtures';
import { QuorumPage } from '../pages/quorum-page';

test.describe.configure({ mode: 'serial' });

const KUBECONFIG_PATH = path.resolve(process.env.QUORUM_E2E_KUBECONFIG ?? 'lab/.state/quorum.kubeconfig');
const DATA_DIR = process.env.QUORUM_HA_E2E_DATA_DIR!;
const DB_ENV = JSON.parse(process.env.QUORUM_E2E_CLI_ENV ?? '{}') as Record<string, string>;
const NAMES = ['ha-e2e-1', 'ha-e2e-2', 'ha-e2e-3', 'ha-e2e-4'];
const collectors = new Map<string, ChildProcess>();
const clusterIds: string[] = [];

interface CollectorsJson {
  mode: string;
  collectors: Array<{ name: string; state: string; owned: number; ownedClusters: Array<{ name: string }>; lastCycle: { clusters: number; written: number } | null }>;
  takeovers: Array<{ kind: string; previousCollector: string; newCollector: string; gapMs: number | null; probeGapMs: number | null; firstProbeAt: string | null; cluster: string }>;
  unowned: unknown[];
}

function startCollector(name: string): void {
  const dir = path.join(DATA_DIR, name);
  mkdirSync(dir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/collector/main.ts'], {
    env: { ...process.env, ...DB_ENV, QUORUM_DATA_DIR: dir, QUORUM_COLLECTOR_NAME: name, QUORUM_COLLECTOR_INTERVAL_SECONDS: '5', QUORUM_OUTBOUND_ALLOW_LOOPBACK: '1', QUORUM_DB_POOL_MAX: '2' },
    stdio: 'ignore',
  });
  collectors.set(name, child);
}

async function shootAll(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const axe = async (): Promise<void> => {
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  };
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  await axe();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: testInfo.outputPath(`${name}-dark.png`), fullPage: true });
  await axe();
  await page.emulateMedia({ colorScheme: 'light' });
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: testInfo.outputPath(`${name}-phone.png`), fullPage: true });
  await axe();
  if (size) await page.setViewportSize(size);
}

test.use({ viewport: { width: 1280, height: 900 } });

test.beforeAll(async ({ request }) => {
  if (!existsSync(KUBECONFIG_PATH)) throw new Error(`lab kubeconfig not found at ${KUBECONFIG_PATH}: run \`npm run lab -- up\` (QUORUM_E2E_KUBECONFIG)`);
  for (const name of NAMES) {
    const res = await request.post('/api/clusters', { data: { name, kubeconfig: readFileSync(KUBECONFIG_PATH, 'utf8'), labels: 'env=lab' } });
    expect(res.status(), await res.text()).toBe(201);
    clusterIds.push(((await res.json()) as { cluster: { id: string } }).cluster.id);
  }
});

test.afterAll(async ({ request }) => {
  for (const c of collectors.values()) if (c.exitCode === null) c.kill('SIGKILL');
  for (const id of clusterIds) await request.delete(`/api/clusters/${id}`);
});

test('two collectors share the lab 2 and 2; one is killed; the other takes its clusters and the page shows the takeovers with their gaps', async ({ page, request }, testInfo) => {
  const state = async (): Promise<CollectorsJson> => (await (await request.get('/api/collectors?window=7d')).json()) as CollectorsJson;
  startCollector('collector-a');
  startCollector('collector-b');
  await expect.poll(async () => (await state()).collectors.filter((c) => c.state === 'live').map((c) => `${c.name}:${c.owned}`).sort(), { timeout: 60_000 }).toEqual(['collector-a:2', 'collector-b:2']);

  const qp = new QuorumPage(page);
  await qp.open();
  await expect(qp.summary).toContainText('High availability on PostgreSQL');
  await expect(qp.summary.getByTestId('live-collectors')).toHaveText('2');
  await expect(qp.summary.getByTestId('clusters-owned')).toHaveText('4 of 4');
  await expect(qp.collectorRow('collector-a').getByTestId('owned-clusters')).toContainText('2:');
  await shootAll(page, testInfo, 'quorum-itself-two-collectors');

  // Killed only once it has stored a cycle of its two clusters: the takeover's probe gap starts at the
  // last stored sample, and a collector killed before its first write leaves none (then "unknown" is
  // the honest answer, not what this test is about).
  await expect.poll(async () => {
    const cb = (await state()).collectors.find((c) => c.name === 'collector-b');
    return cb?.owned === 2 && cb.lastCycle !== null && cb.lastCycle.clusters === 2 && cb.lastCycle.written > 0;
  }, { timeout: 60_000 }).toBe(true);
  // SIGKILL: no hand-over; its ownership locks go with its database session.
  const b = collectors.get('collector-b')!;
  b.kill('SIGKILL');
  await new Promise((r) => b.once('exit', r));
  await expect.poll(async () => {
    const s = await state();
    const crash = s.takeovers.filter((t) => t.kind === 'crash' && t.previousCollector === 'collector-b');
    return crash.length === 2 && crash.every((t) => t.newCollector === 'collector-a' && t.gapMs !== null && t.firstProbeAt !== null) && s.collectors.find((c) => c.name === 'collector-a')?.owned;
  }, { timeout: 60_000 }).toBe(4);

  await qp.open();
  await expect(qp.summary.getByTestId('clusters-owned')).toHaveText('4 of 4');
  await expect(qp.summary.getByTestId('takeover-count')).toContainText(/\d+ \(2 crash, \d+ graceful\)/);
  const crashRows = qp.takeovers.locator('tr[data-kind="crash"]');
  await expect(crashRows).toHaveCount(2);
  for (const row of await crashRows.all()) {
    await expect(row).toContainText('collector-b → collector-a');
    // A measured gap (heartbeat every 2 s, claimed on the next ownership tick) — never "unknown".
    await expect(row.getByTestId('takeover-gap')).toHaveText(/^\d+\.\d\d s$/);
    await expect(row.getByTestId('takeover-probe-gap')).toHaveText(/^\d+(\.\d+)? s$/);
  }
  await expect(qp.collectorRow('collector-b').locator('[data-state]').first()).toHaveAttribute('data-state', /late|gone/);
  await expect(qp.collectorRow('collector-a').getByTestId('owned-clusters')).toContainText('4:');
  await expect(page.getByTestId('takeovers-card').getByRole('img', { name: /Collector takeovers, last 7d: \d+, \d+ with a measured gap/ })).toBeVisible();
  await shootAll(page, testInfo, 'quorum-itself-after-kill');
});
