// Alerting in a real browser against the real server: the channels page (add through the form, the
// outbound policy's refusal shown, the secret path never shown), "Send test" to a real receiver that
// verifies the HMAC signature, a real evaluation/dispatch pass (scripts/e2e-seed-alerts.ts) shown on
// the alerts page (firing, and silenced by maintenance), the delivery log with its filter, roles,
// the rule settings form, OpenSLO export/import. Screenshots light/dark/phone of every page.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import type { Browser, BrowserContext } from '@playwright/test';
import { apiToken, storageStatePath } from '../support/auth';
import { expect, test, type Page } from '../support/fixtures';
import { expectAccessible, shots } from '../support/page-checks';
import { startReceiver, verifySignature, type Receiver } from '../../test/support/receiver';

test.describe.configure({ mode: 'serial' });

const RPORT = Number(process.env.QUORUM_ALERTS_E2E_RECEIVER_PORT ?? 3111);
let hook: Receiver;
let slack: Receiver;
let broken: Receiver;
let hmacSecret = '';

test.beforeAll(async () => {
  hook = await startReceiver(RPORT);
  slack = await startReceiver(RPORT + 1);
  broken = await startReceiver(RPORT + 2, { fallback: 404 });
});

test.afterAll(async () => {
  await hook?.close();
  await slack?.close();
  await broken?.close();
});

async function as(browser: Browser, role: 'viewer' | 'editor' | 'admin'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ storageState: storageStatePath(role) });
  return { context, page: await context.newPage() };
}

/** Fills and submits the add form; returns the generated HMAC secret (when asked to generate one). */
async function addChannel(page: Page, o: { name: string; kind: string; url: string; generate?: boolean }): Promise<string> {
  const form = page.getByRole('form', { name: 'Add a channel' });
  await form.getByLabel('Name').fill(o.name);
  await form.getByLabel('Kind').selectOption({ label: o.kind });
  await form.getByLabel(/Webhook URL|Incoming webhook URL/).fill(o.url);
  let secret = '';
  if (o.generate) {
    await form.getByRole('button', { name: 'Generate' }).click();
    secret = await form.getByLabel('HMAC secret').inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(16);
  }
  await form.getByRole('button', { name: 'Add channel' }).click();
  return secret;
}

test('channels page: add a signed webhook and Slack channels through the form; a metadata-service URL is refused', async ({ page }, testInfo) => {
  await page.goto('/alerts/channels');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Notification channels');
  await expect(page.getByText('No channel yet: alerts are evaluated but sent nowhere.')).toBeVisible();
  await shots(page, testInfo, 'channels-empty');

  hmacSecret = await addChannel(page, { name: 'sre-webhook', kind: 'Generic webhook (signed JSON)', url: `${hook.url}/quorum`, generate: true });
  await expect(page.getByText('Channel sre-webhook added. Use “Send test” to check it.')).toBeVisible();
  await addChannel(page, { name: 'team-slack', kind: 'Slack-compatible webhook', url: `${slack.url}/services/T0001/B0001/SuperSecretToken` });
  await expect(page.getByText('Channel team-slack added.', { exact: false })).toBeVisible();
  await addChannel(page, { name: 'broken-hook', kind: 'Slack-compatible webhook', url: `${broken.url}/gone` });
  await expect(page.getByText('Channel broken-hook added.', { exact: false })).toBeVisible();

  // The outbound policy: cloud metadata is never a notification target.
  await addChannel(page, { name: 'metadata', kind: 'Generic webhook (signed JSON)', url: 'http://169.254.169.254/latest/meta-data', generate: true });
  const err = page.getByRole('form', { name: 'Add a channel' }).getByRole('alert');
  await expect(err).toContainText('outbound-denied');
  await expect(err).toContainText('169.254.169.254 is a link-local, metadata or multicast address (never allowed)');

  const list = page.getByRole('list', { name: 'Channels' });
  await expect(list.getByRole('heading', { level: 3 })).toHaveText(['broken-hook', 'sre-webhook', 'team-slack']);
  await expect(page.getByTestId('channel-team-slack')).toContainText(`${slack.url}/…`);
  expect(await page.content()).not.toContain('SuperSecretToken');
  await expect(page.getByTestId('channel-sre-webhook')).toContainText('HMAC-SHA256');
  await expectAccessible(page);
  await shots(page, testInfo, 'channels');
});

test('send test: delivered, with a signature the receiver verifies; a 404 shows as not delivered', async ({ page }, testInfo) => {
  await page.goto('/alerts/channels');
  await page.getByRole('button', { name: 'Send a test notification to sre-webhook' }).click();
  await expect(page.getByTestId('test-result-sre-webhook')).toHaveText(new RegExp(`^Delivered: ${hook.url.replace(/[.]/g, '\\.')} → 200 in \\d+ ms$`));
  expect(hook.received).toHaveLength(1);
  expect(verifySignature(hook.received[0]!, hmacSecret)).toBe(true);
  const body = JSON.parse(hook.received[0]!.body) as { notifications: Array<{ alertname: string; transition: string; summary: string }> };
  expect(body.notifications.map((n) => [n.alertname, n.transition])).toEqual([['QuorumTestNotification', 'test']]);
  expect(body.notifications[0]!.summary).toBe('Test notification from Quorum, sent by e2e-admin');

  await page.getByRole('button', { name: 'Send a test notification to team-slack' }).click();
  await expect(page.getByTestId('test-result-team-slack')).toContainText('Delivered');
  expect((JSON.parse(slack.received[0]!.body) as { text: string }).text).toMatch(/^Quorum — quorum-test: 1 event\n🔵 \*TEST\* QuorumTestNotification `test` \(info\)/);

  await page.getByRole('button', { name: 'Send a test notification to broken-hook' }).click();
  await expect(page.getByTestId('test-result-broken-hook')).toHaveText(new RegExp(`^Not delivered: ${broken.url.replace(/[.]/g, '\\.')} → 404 \\(HTTP 404: \\{"error":"scripted failure"\\}\\) in \\d+ ms$`));
  expect(broken.received).toHaveLength(1);
  await shots(page, testInfo, 'channels-tested');
});

test('a real evaluation: the alerts page shows what fires, what is silenced by maintenance, and where it went; the delivery log has every attempt', async ({ page }, testInfo) => {
  // Asynchronously: this process's receivers must keep answering while the pass sends to them.
  const { stdout: out } = await promisify(execFile)(path.resolve('node_modules/.bin/tsx'), ['scripts/e2e-seed-alerts.ts'], {
    env: { ...process.env, QUORUM_DATA_DIR: process.env.QUORUM_ALERTS_E2E_DATA_DIR, DATABASE_URL: '', QUORUM_OUTBOUND_ALLOW_LOOPBACK: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const seeded = JSON.parse(out.trim().split('\n').at(-1)!) as { evaluation: { firing: number; silenced: number }; dispatch: { messages: number; delivered: number; failed: number } };
  // prod: endpoint down, etcd quorum lost, and 6 min bad after 20 h up burn both tiers; maint: down and no quorum, silenced
  // (its maintenance also keeps the bad time out of its SLO: no burn).
  expect(seeded.evaluation.firing).toBe(6);
  expect(seeded.evaluation.silenced).toBe(2);
  // One message per channel for prod (grouped: 4 alerts + the failover): webhook and Slack delivered, broken-hook failed (404: not retried).
  expect(seeded.dispatch).toEqual({ messages: 3, delivered: 10, retried: 0, failed: 5 });
  const msg = hook.received.at(-1)!;
  expect(verifySignature(msg, hmacSecret)).toBe(true);
  const body = JSON.parse(msg.body) as { cluster: { name: string }; notifications: Array<{ alertname: string; component: string }> };
  expect(body.cluster.name).toBe('alerts-e2e-prod');
  expect(body.notifications.map((n) => n.alertname).sort()).toEqual(['QuorumComponentDown', 'QuorumErrorBudgetBurn', 'QuorumErrorBudgetBurn', 'QuorumEtcdQuorumLost', 'QuorumLeaderFailover']);
  expect(hook.received.some((r) => r.body.includes('alerts-e2e-maint'))).toBe(false);

  await page.goto('/alerts');
  const active = page.getByRole('table', { name: /Alerts evaluated after the latest collector cycle/ });
  await expect(active.getByRole('row')).toHaveCount(1 + 6);
  const prodDown = active.getByRole('row').filter({ hasText: 'QuorumComponentDown' }).filter({ hasText: 'alerts-e2e-prod' });
  await expect(prodDown).toContainText('firing');
  await expect(prodDown).toContainText('page');
  const maintDown = active.getByRole('row').filter({ hasText: 'QuorumComponentDown' }).filter({ hasText: 'alerts-e2e-maint' });
  await expect(maintDown).toContainText('silenced by maintenance “etcd defragmentation”');
  const notes = page.getByRole('table', { name: /The outbox, newest first/ });
  const failover = notes.getByRole('row').filter({ hasText: 'QuorumLeaderFailover' });
  await expect(failover).toContainText('kube-scheduler failover on alerts-e2e-prod (crash): qlab-cp1_0c6b → qlab-cp2_77e1, gap 9.25 s');
  await expect(failover).toContainText('sre-webhook delivered');
  await expect(failover).toContainText('broken-hook failed');
  await expect(notes.getByRole('row').filter({ hasText: 'alerts-e2e-maint' }).first()).toContainText('silenced by maintenance');
  await expectAccessible(page);
  await shots(page, testInfo, 'alerts');

  await page.goto('/alerts/deliveries');
  const log = page.getByRole('table', { name: 'HTTP attempts, newest first' });
  await expect(log.getByRole('row')).toHaveCount(1 + 3 + 3);
  await expect(log.getByRole('row').filter({ hasText: 'broken-hook' }).first()).toContainText('HTTP 404');
  await expect(log.getByRole('row').filter({ hasText: 'sre-webhook' }).first()).toContainText('notify');
  await expectAccessible(page);
  await shots(page, testInfo, 'deliveries');
  await page.getByLabel('Channel').selectOption('broken-hook');
  await page.getByLabel('Outcome').selectOption('failed');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/\/alerts\/deliveries\?channel=broken-hook&outcome=failed$/);
  await expect(log.getByRole('row')).toHaveCount(1 + 2);
  await shots(page, testInfo, 'deliveries-filtered');
});

test('a viewer sees channels, alerts and the log but no forms or buttons; the API refuses their changes', async ({ browser, playwright, baseURL }, testInfo) => {
  const { context, page } = await as(browser, 'viewer');
  await page.goto('/alerts/channels');
  await expect(page.getByRole('list', { name: 'Channels' }).getByRole('heading', { level: 3 })).toHaveCount(3);
  await expect(page.getByRole('form', { name: 'Add a channel' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Send a test notification/ })).toHaveCount(0);
  await shots(page, testInfo, 'channels-viewer');
  await page.goto('/alerts');
  await expect(page.getByRole('form', { name: 'Alert rule settings' })).toHaveCount(0);
  await context.close();
  const viewer = await playwright.request.newContext({ ...(baseURL ? { baseURL } : {}), storageState: { cookies: [], origins: [] }, extraHTTPHeaders: { authorization: `Bearer ${apiToken('viewer')}` } });
  expect((await viewer.get('/api/channels')).status()).toBe(200);
  const res = await viewer.post('/api/channels', { data: { name: 'x', kind: 'slack', secret: { url: 'https://hooks.example/x' } } });
  expect(res.status()).toBe(403);
  expect(((await res.json()) as { error: { class: string } }).error.class).toBe('permission-denied');
  const editor = await playwright.request.newContext({ ...(baseURL ? { baseURL } : {}), storageState: { cookies: [], origins: [] }, extraHTTPHeaders: { authorization: `Bearer ${apiToken('editor')}` } });
  expect((await editor.post('/api/channels/sre-webhook/test', { data: {} })).status()).toBe(403);
  // GET /metrics: a viewer token is enough; without one, 401 and nothing else.
  const metrics = await viewer.get('/metrics');
  expect(metrics.status()).toBe(200);
  expect(metrics.headers()['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  expect(await metrics.text()).toMatch(/^quorum_alerts\{cluster="alerts-e2e-prod",alertname="QuorumComponentDown",rule="component-down",component="apiserver-readyz",severity="page",state="firing",silenced="false"\} 1$/m);
  const anon = await playwright.request.newContext({ ...(baseURL ? { baseURL } : {}), storageState: { cookies: [], origins: [] } });
  const refused = await anon.get('/metrics', { maxRedirects: 0 });
  expect(refused.status()).toBe(401);
  expect(await refused.text()).not.toContain('quorum_');
  await anon.dispose();
  await viewer.dispose();
  await editor.dispose();
});

test('an editor changes the rules through the form; the change is in the audit log', async ({ browser, request }, testInfo) => {
  const { context, page } = await as(browser, 'editor');
  await page.goto('/alerts');
  const form = page.getByRole('form', { name: 'Alert rule settings' });
  await form.getByLabel('Down for N cycles').fill('2');
  await form.getByLabel('Failovers').selectOption('gap-over');
  await form.getByLabel('Gap threshold (s)').fill('20');
  await form.getByLabel('N+1 headroom lost').uncheck();
  await form.getByRole('button', { name: 'Save rules' }).click();
  await expect(form.getByText('Rules saved; the collector uses them from its next cycle.')).toBeVisible();
  await shots(page, testInfo, 'alerts-rules-editor');
  await context.close();
  const s = (await (await request.get('/api/alerts/settings')).json()) as { settings: { forCycles: number; failover: { mode: string; minGapSeconds: number }; rules: Record<string, boolean> } };
  expect([s.settings.forCycles, s.settings.failover, s.settings.rules['headroom-lost'], s.settings.rules['dns-down']]).toEqual([2, { mode: 'gap-over', minGapSeconds: 20 }, false, true]);
  const audit = (await (await request.get('/api/audit?action=alerts.')).json()) as { events: Array<{ actor: string; action: string }> };
  expect(audit.events.map((e) => [e.actor, e.action])).toContainEqual(['e2e-editor', 'alerts.settings']);
  const channelAudit = (await (await request.get('/api/audit?action=channel.')).json()) as { events: Array<{ action: string; after: string | null }> };
  expect(channelAudit.events.filter((e) => e.action === 'channel.create')).toHaveLength(3);
  expect(channelAudit.events.map((e) => e.after ?? '').join(' ')).not.toContain('SuperSecretToken');
  expect(channelAudit.events.map((e) => e.after ?? '').join(' ')).not.toContain(hmacSecret);
});

test('OpenSLO on the settings page: export, a refused import names its fields, the export imports unchanged', async ({ page, request }, testInfo) => {
  await page.goto('/settings');
  const exported = await (await request.get('/api/openslo')).text();
  expect(exported).toContain('kind: Service\nmetadata:\n  name: alerts-e2e-prod');
  expect(exported).toContain('budgetingMethod: RatioTimeslices');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export OpenSLO YAML' }).click()]);
  expect(download.suggestedFilename()).toBe('quorum-openslo.yaml');
  const form = page.getByRole('form', { name: 'Import OpenSLO' });
  await form.getByLabel('…or paste it').fill(exported.replace('budgetingMethod: RatioTimeslices', 'budgetingMethod: Occurrences\n  alertPolicies:\n    - alertPolicyRef: pager'));
  await form.getByRole('button', { name: 'Import', exact: true }).click();
  const err = form.getByRole('alert');
  await expect(err).toContainText('unprocessable');
  await expect(err).toContainText('nothing was applied');
  await expect(err).toContainText('documents[1].spec.alertPolicies');
  await expect(err).toContainText('Occurrences is not supported');
  await shots(page, testInfo, 'openslo-refused');
  await form.getByLabel('…or paste it').fill(exported);
  await form.getByRole('button', { name: 'Check (dry run)' }).click();
  await expect(form.getByRole('status')).toHaveText('Dry run — would apply: 0 created, 0 updated, 0 removed, 2 unchanged.');
});
