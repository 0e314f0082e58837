// Alerting against real databases (SQLite file, PostgreSQL schema) and real HTTP receivers on
// loopback: channels stored encrypted and re-encrypted by key rotation, rules evaluated from stored
// samples, one outbox row per transition even with two evaluators at once, delivery exactly once
// through 500 × 3 → 200, never retried on 4xx, pending notifications delivered after a restart (and
// after a dispatcher died holding its claim), maintenance silences recorded, the heartbeat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeDb, withDb } from '@/lib/db';
import type { Provider } from '@/lib/db/schema';
import { forEachProvider, useProviderDb } from './provider-db';
import { createCluster } from '@/lib/data/clusters';
import { insertSamples } from '@/lib/data/samples';
import { createMaintenanceWindow, removeMaintenanceWindow } from '@/lib/data/slo';
import { createChannel, getChannel, listChannels, loadOpenChannels, openChannelSecret, removeChannel, updateChannel } from '@/lib/data/channels';
import { getAlertSettings, loadAlertStates, updateAlertSettings } from '@/lib/data/alerts';
import { CLAIM_MS, claimDueDeliveries, listDeliveryAttempts, listRecentNotifications } from '@/lib/data/deliveries';
import { insertFailoverEvents } from '@/lib/data/failovers';
import { listHeartbeats, writeHeartbeat } from '@/lib/data/heartbeat';
import { accumulate } from '@/lib/metrics/heartbeat';
import { evaluateAlerts } from '@/lib/alerts/evaluate';
import { createDispatcher } from '@/lib/alerts/dispatch';
import { outboundPolicy } from '@/lib/net/outbound';
import { QuorumError } from '@/lib/errors';
import { checkKeysOnStart, rotateKeys } from '@/lib/keys';
import type { ProbeResult } from '@/lib/types';
import { startReceiver, verifySignature, waitFor, type Receiver } from '../support/receiver';

// Receivers on this suite's own ports (3510-3519); loopback targets must be allowed explicitly.
process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
const PORT = { webhook: 3511, failing: 3512, refusing: 3513, slack: 3514, amA: 3515, amB: 3516 };

const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n';
const SECRET = 'integration-hmac-secret-0123456789';
const logs: Array<Record<string, unknown>> = [];
const log = (l: Record<string, unknown>): void => void logs.push(l);

const readyz = (at: number, status: ProbeResult['status'], reason = status === 'up' ? 'ok' : 'readyz failed: etcd'): ProbeResult => ({
  probe: 'apiserver-readyz',
  target: 'endpoint',
  status,
  reason,
  latencyMs: 5,
  at,
  detail: { checks: [{ name: 'etcd', ok: status === 'up' }, { name: 'ping', ok: true }] },
});

let lastWrittenMs = 0;
/**
 * Writes `statuses` (oldest first) as readyz samples 1 s apart, the last one `endAgoMs` before now,
 * always after every sample written before (waits when it has to, so "now" is never in the future).
 */
async function writeCycles(clusterId: string, statuses: Array<ProbeResult['status']>, endAgoMs = 1000): Promise<void> {
  const span = (statuses.length - 1) * 1000;
  const first = Math.max(Date.now() - endAgoMs - span, lastWrittenMs + 1);
  const wait = first + span - (Date.now() - 1);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  for (let i = 0; i < statuses.length; i++) await insertSamples(clusterId, [readyz(first + i * 1000, statuses[i]!)]);
  lastWrittenMs = first + span;
}

const deps = (now: () => number = Date.now) => ({ now, intervalMs: 10_000, publicUrl: 'https://quorum.example', log });

/** Runs `fn` with a receiver on `port`, always closing it. */
async function withReceiver(port: number, o: { script?: number[]; fallback?: number }, fn: (r: Receiver) => Promise<void>): Promise<void> {
  const r = await startReceiver(port, o);
  try {
    await fn(r);
  } finally {
    await r.close();
  }
}

function providerSuite(provider: Provider): void {
  let clusterId = '';

  useProviderDb(provider, 'quorum_alerts', async () => {
    clusterId = (await createCluster({ name: 'alerting', server: 'https://127.0.0.1:6443', context: 'x', labels: {}, kubeconfigYaml: KUBECONFIG })).id;
    await updateAlertSettings({ forCycles: 3, rules: { 'burn-rate-page': false, 'burn-rate-ticket': false, 'no-data': false } }, 'test');
  });

  test('channels: secrets only in the encrypted envelope, shown as scheme://host, outbound policy enforced, audit-friendly before/after', async () => {
    const slack = await createChannel({ name: 'sre-slack', kind: 'slack', secret: { url: 'https://hooks.slack.com/services/T0/B0/VERYSECRETTOKEN' }, settings: { minSeverity: 'ticket' }, createdBy: 'test' });
    assert.equal(slack.target, 'https://hooks.slack.com/…');
    assert.equal(JSON.stringify(slack).includes('VERYSECRETTOKEN'), false);
    const raw = await withDb((db) => db.prisma.alertChannel.findUnique({ where: { id: slack.id } }));
    assert.equal(Buffer.from(raw!.secret).includes(Buffer.from('VERYSECRETTOKEN')), false, 'the URL is not stored in clear');
    assert.equal(raw!.secret[0], 2, 'a v2 envelope with a key id');
    // Metadata service, an IP-literal link-local address and (with loopback disallowed) this machine: refused before anything is stored.
    await assert.rejects(createChannel({ name: 'meta', kind: 'webhook', secret: { url: 'http://169.254.169.254/latest/meta-data', hmacSecret: SECRET } }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'outbound-denied');
    process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '0';
    try {
      await assert.rejects(createChannel({ name: 'loop', kind: 'alertmanager', secret: { urls: ['http://127.0.0.1:9093'] } }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'outbound-denied' && /loopback/.test(e.message));
    } finally {
      process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
    }
    await assert.rejects(createChannel({ name: 'short', kind: 'webhook', secret: { url: 'https://x.example', hmacSecret: 'short' } }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'invalid-input' && /16 characters/.test(e.message));
    await assert.rejects(createChannel({ name: 'sre-slack', kind: 'slack', secret: { url: 'https://hooks.slack.com/x' } }), /already exists/);
    assert.deepEqual((await listChannels()).map((c) => c.name), ['sre-slack']);
    // A patch merges into the stored secret (the URL stays), the settings are validated.
    const u = await updateChannel('sre-slack', { enabled: false, settings: { timeoutMs: 2000 } });
    assert.deepEqual([u!.before.enabled, u!.after.enabled, u!.after.settings.timeoutMs, u!.after.settings.minSeverity], [true, false, 2000, 'ticket']);
    await assert.rejects(updateChannel('sre-slack', { settings: { timeoutMs: 5 } }), /timeoutMs must be at least 500/);
    assert.equal((await loadOpenChannels({ includeDisabled: true, id: slack.id }))[0]!.secret?.kind, 'slack');
    assert.equal((await removeChannel('sre-slack'))?.name, 'sre-slack');
    assert.equal(await getChannel('sre-slack'), null);
  });

  test('key rotation re-encrypts channel secrets with the cluster credentials; keys check counts them', async () => {
    const c = await createChannel({ name: 'rotating', kind: 'webhook', secret: { url: 'https://hooks.example/x', hmacSecret: SECRET } });
    const before = await checkKeysOnStart();
    assert.deepEqual([before.clusters, before.channels, before.undecryptable], [1, 1, []]);
    const next = randomBytes(32).toString('hex');
    const old = Buffer.from(process.env.QUORUM_SECRET_KEY!, 'hex');
    const r = await rotateKeys({ newKeyText: next });
    assert.deepEqual([r.clusters, r.channels], [1, 1]);
    process.env.QUORUM_SECRET_KEY = next;
    const open = await loadOpenChannels({ id: c.id });
    assert.equal(open[0]!.secret?.kind === 'webhook' && open[0]!.secret.hmacSecret, SECRET);
    // With the old key the channel is classified undecryptable, never a crash.
    const row = await withDb((db) => db.prisma.alertChannel.findUnique({ where: { id: c.id } }));
    assert.throws(() => openChannelSecret(row!, old), (e: unknown) => e instanceof QuorumError && e.errorClass === 'credentials-undecryptable' && /key/.test(e.message));
    await removeChannel('rotating');
  });

  test('component down for 3 cycles: one firing notification; two evaluators at once store it once; resolved once', () => withReceiver(PORT.webhook, {}, async (hook) => {
    const ch = await createChannel({ name: 'hook', kind: 'webhook', secret: { url: `${hook.url}/quorum`, hmacSecret: SECRET } });
    await writeCycles(clusterId, ['up', 'down', 'down']);
    let s = await evaluateAlerts(deps());
    const pending = (await loadAlertStates([clusterId])).filter((x) => x.status !== 'inactive');
    assert.deepEqual(pending.map((x) => [x.rule, x.component, x.status]), [['component-down', 'apiserver-readyz', 'pending'], ['etcd-quorum-lost', 'etcd', 'pending']]);
    assert.equal(s.notifications, 0);
    await writeCycles(clusterId, ['down'], 500);
    // Two "replicas" evaluate the same stored data at the same moment.
    const [a, b] = await Promise.all([evaluateAlerts(deps()), evaluateAlerts(deps())]);
    assert.equal(a.notifications + b.notifications, 2, `one firing each for component-down and etcd-quorum-lost (got ${a.notifications} + ${b.notifications}, lost races ${a.lostRaces + b.lostRaces})`);
    s = await evaluateAlerts(deps());
    assert.equal(s.notifications, 0, 'a third evaluation adds nothing');
    const notes = await listRecentNotifications();
    assert.deepEqual(notes.map((n) => [n.transition, n.alertname, n.component, n.severity]).sort(), [['firing', 'QuorumComponentDown', 'apiserver-readyz', 'page'], ['firing', 'QuorumEtcdQuorumLost', 'etcd', 'page']]);
    assert.ok(notes.every((n) => n.deliveries.length === 1 && n.deliveries[0]!.status === 'pending'));

    // Dispatch: one grouped, signed message for the cluster.
    const d = createDispatcher({ now: Date.now, policy: outboundPolicy, publicUrl: 'https://quorum.example', log });
    const sum = await d.pass();
    assert.deepEqual(sum, { messages: 1, delivered: 2, retried: 0, failed: 0 });
    assert.equal(hook.received.length, 1);
    const msg = hook.received[0]!;
    assert.equal(verifySignature(msg, SECRET), true);
    assert.equal(verifySignature({ ...msg, body: msg.body.replace('alerting', 'altered') }, SECRET), false);
    const body = JSON.parse(msg.body) as { cluster: { name: string }; notifications: Array<{ alertname: string; labels: Record<string, string>; annotations: Record<string, string> }> };
    assert.equal(body.cluster.name, 'alerting');
    const etcd = body.notifications.find((n) => n.alertname === 'QuorumEtcdQuorumLost')!;
    assert.deepEqual(etcd.labels, { alertname: 'QuorumEtcdQuorumLost', cluster: 'alerting', component: 'etcd', severity: 'page', slo: 'alerting-default', rule: 'etcd-quorum-lost' });
    assert.equal(etcd.annotations.dashboard, `https://quorum.example/clusters/${clusterId}`);
    assert.equal((await d.pass()).messages, 0, 'nothing left to send');

    // Recovery: resolved exactly once, with the labels it fired with.
    await writeCycles(clusterId, ['up'], 100);
    await Promise.all([evaluateAlerts(deps()), evaluateAlerts(deps())]);
    await d.pass();
    assert.equal(hook.received.length, 2);
    const resolved = JSON.parse(hook.received[1]!.body) as { status: string; notifications: Array<{ transition: string; labels: Record<string, string>; endsAt: string | null }> };
    assert.equal(resolved.status, 'resolved');
    assert.deepEqual(resolved.notifications.map((n) => n.transition), ['resolved', 'resolved']);
    assert.equal(resolved.notifications.find((n) => n.labels.alertname === 'QuorumEtcdQuorumLost')!.labels.slo, 'alerting-default');
    assert.ok(resolved.notifications.every((n) => n.endsAt !== null));
    const attempts = await listDeliveryAttempts({ channelId: ch.id }, { limit: 10 });
    assert.deepEqual(attempts.attempts.map((x) => [x.outcome, x.httpStatus, x.notifications, x.target]), [['ok', 200, 2, hook.url], ['ok', 200, 2, hook.url]]);
    await removeChannel(ch.id);
  }));

  test('a receiver that answers 500 three times then 200 gets the notification exactly once; a 4xx is never retried', () => withReceiver(PORT.failing, { script: [500, 500, 500], fallback: 200 }, (failing) => withReceiver(PORT.refusing, { fallback: 404 }, async (refusing) => {
    const ok = await createChannel({ name: 'flaky', kind: 'webhook', secret: { url: failing.url, hmacSecret: SECRET } });
    const no = await createChannel({ name: 'gone', kind: 'slack', secret: { url: refusing.url } });
    await insertFailoverEvents(clusterId, [{ lease: 'kube-system/kube-scheduler', kind: 'crash', previousHolder: 'cp1_a', newHolder: 'cp2_b', previousRenewTime: new Date(Date.now() - 10_000).toISOString().replace('Z', '000Z'), newAcquireTime: new Date(Date.now() - 500).toISOString().replace('Z', '000Z'), gapMs: 9500, leaseDurationSeconds: 8, leaseTransitions: 7, observedAt: Date.now() }]);
    const s = await evaluateAlerts(deps());
    assert.equal(s.notifications, 1, 'the failover');
    const d = createDispatcher({ now: Date.now, policy: outboundPolicy, publicUrl: null, log, random: () => 0.5 });
    // Passes until the flaky receiver has accepted once (retries 1 s, 2 s, 4 s later).
    await waitFor('delivered to the flaky receiver', async () => {
      await d.pass();
      return failing.received.some((r) => r.status === 200);
    }, 30_000, 300);
    for (let i = 0; i < 3; i++) await d.pass();
    assert.deepEqual(failing.received.map((r) => r.status), [500, 500, 500, 200], 'four attempts, one accepted, nothing after it');
    const ids = new Set(failing.received.map((r) => r.headers['x-quorum-delivery']));
    assert.equal(ids.size, 1, 'every retry carries the same delivery key');
    assert.ok(failing.received.every((r) => verifySignature(r, SECRET)));
    assert.deepEqual(refusing.received.map((r) => r.status), [404], 'a 404 is not retried');
    const flakyLog = await listDeliveryAttempts({ channelId: ok.id }, { limit: 10 });
    assert.deepEqual(flakyLog.attempts.map((a) => [a.outcome, a.httpStatus]).reverse(), [['retry', 500], ['retry', 500], ['retry', 500], ['ok', 200]]);
    assert.match(flakyLog.attempts.at(-1)!.error ?? '', /^HTTP 500: \{"error":"scripted failure"\}$/);
    const goneLog = await listDeliveryAttempts({ channelId: no.id }, { limit: 10 });
    assert.deepEqual(goneLog.attempts.map((a) => [a.outcome, a.httpStatus]), [['failed', 404]]);
    const notes = (await listRecentNotifications()).filter((n) => n.rule === 'failover');
    assert.equal(notes.length, 1);
    const byChannel = Object.fromEntries(notes[0]!.deliveries.map((x) => [x.channelId, [x.status, x.attempts]]));
    assert.deepEqual(byChannel, { [ok.id]: ['delivered', 4], [no.id]: ['failed', 1] });
    // The failover is stored once however often it is evaluated.
    assert.equal((await evaluateAlerts(deps())).notifications, 0);
    await removeChannel(ok.id);
    await removeChannel(no.id);
  })));

  test('nothing lost across a restart: a pending notification and a claim left by a dispatcher that died are delivered later', () => withReceiver(PORT.slack, {}, async (hook) => {
    const ch = await createChannel({ name: 'restart', kind: 'slack', secret: { url: hook.url } });
    await writeCycles(clusterId, ['down', 'down', 'down'], 200);
    assert.equal((await evaluateAlerts(deps())).notifications, 2);
    // A dispatcher claims the deliveries, then "dies" before sending.
    const claimed = await claimDueDeliveries('dead-dispatcher', Date.now());
    assert.equal(claimed.length, 2);
    // The process restarts: a new database connection, a new dispatcher.
    await closeDb();
    const d = createDispatcher({ now: Date.now, policy: outboundPolicy, publicUrl: null, log });
    assert.equal((await d.pass()).messages, 0, 'the claim still holds');
    assert.equal(hook.received.length, 0);
    const later = createDispatcher({ now: () => Date.now() + CLAIM_MS + 1000, policy: outboundPolicy, publicUrl: null, log });
    assert.deepEqual(await later.pass(), { messages: 1, delivered: 2, retried: 0, failed: 0 });
    assert.equal(hook.received.length, 1);
    assert.match((JSON.parse(hook.received[0]!.body) as { text: string }).text, /^Quorum — alerting: 2 firing\n/);
    await removeChannel(ch.id);
    await writeCycles(clusterId, ['up'], 50);
    await evaluateAlerts(deps());
  }));

  test('maintenance silences: recorded with the window title, not delivered; visible on the state', () => withReceiver(PORT.webhook, {}, async (hook) => {
    const ch = await createChannel({ name: 'silenced', kind: 'webhook', secret: { url: hook.url, hmacSecret: SECRET } });
    const w = await createMaintenanceWindow({ clusterId, title: 'etcd defrag', startMs: Date.now() - 60_000, durationMs: 3_600_000 });
    try {
      await writeCycles(clusterId, ['down', 'down', 'down'], 100);
      await evaluateAlerts(deps());
      const st = (await loadAlertStates([clusterId])).filter((x) => x.status === 'firing');
      assert.deepEqual(st.map((x) => [x.rule, x.silencedBy, x.notified]).sort(), [['component-down', 'etcd defrag', false], ['etcd-quorum-lost', 'etcd defrag', false]]);
      const notes = (await listRecentNotifications(2)).filter((n) => n.silencedBy === 'etcd defrag');
      assert.equal(notes.length, 2);
      assert.ok(notes.every((n) => n.deliveries.every((x) => x.status === 'silenced')));
      const d = createDispatcher({ now: Date.now, policy: outboundPolicy, publicUrl: null, log });
      assert.equal((await d.pass()).messages, 0);
      assert.equal(hook.received.length, 0);
    } finally {
      await removeMaintenanceWindow(w.id);
    }
    // The window is gone while it still fires: now it is notified, with its original start.
    await evaluateAlerts(deps());
    const d = createDispatcher({ now: Date.now, policy: outboundPolicy, publicUrl: null, log });
    assert.equal((await d.pass()).delivered, 2);
    assert.equal(hook.received.length, 1);
    await removeChannel(ch.id);
    await writeCycles(clusterId, ['up'], 10);
    await evaluateAlerts(deps());
  }));

  test('Alertmanager HA pair: each alert to both; active alerts re-sent every minute with endsAt ahead; one member down is enough to deliver', () => withReceiver(PORT.amA, {}, (amA) => withReceiver(PORT.amB, {}, async (amB) => {
    const ch = await createChannel({ name: 'am-pair', kind: 'alertmanager', secret: { urls: [amA.url, `${amB.url}/`] } });
    await writeCycles(clusterId, ['down', 'down', 'down'], 100);
    assert.equal((await evaluateAlerts(deps())).notifications, 2);
    let clock = Date.now();
    const d = createDispatcher({ now: () => clock, policy: outboundPolicy, publicUrl: null, log });
    const firstPass = await d.pass();
    assert.deepEqual(firstPass, { messages: 1, delivered: 2, retried: 0, failed: 0 });
    // Both members got the refresh of what fires and the firing notification, at /api/v2/alerts.
    for (const am of [amA, amB]) {
      assert.deepEqual(am.received.map((r) => r.path), ['/api/v2/alerts', '/api/v2/alerts']);
      const alerts = JSON.parse(am.received.at(-1)!.body) as Array<{ labels: Record<string, string>; startsAt: string; endsAt: string }>;
      assert.deepEqual(alerts.map((a) => a.labels.alertname).sort(), ['QuorumComponentDown', 'QuorumEtcdQuorumLost']);
      assert.ok(alerts.every((a) => Date.parse(a.endsAt) === clock + 240_000), 'firing: endsAt 4 min ahead');
    }
    clock += 30_000;
    await d.pass();
    assert.equal(amA.received.length, 2, 'no refresh within the minute');
    clock += 31_000;
    await amB.close(); // one member of the pair is gone
    await d.pass();
    assert.equal(amA.received.length, 3, 'the refresh after a minute');
    const refreshed = JSON.parse(amA.received[2]!.body) as Array<{ endsAt: string; startsAt: string }>;
    assert.ok(refreshed.every((a) => Date.parse(a.endsAt) === clock + 240_000), 'endsAt moves on with every refresh, startsAt stays');
    const attemptsLog = await listDeliveryAttempts({ channelId: ch.id }, { limit: 10 });
    assert.deepEqual(attemptsLog.attempts.map((a) => [a.kind, a.outcome, a.target]).slice(0, 2).sort(), [['refresh', 'ok', amA.url], ['refresh', 'retry', amB.url]]);
    // Resolved: endsAt = the resolve time, to the member still up; delivered ("any").
    await writeCycles(clusterId, ['up'], 10);
    await evaluateAlerts(deps());
    clock = Date.now();
    assert.deepEqual(await d.pass(), { messages: 1, delivered: 2, retried: 0, failed: 0 });
    const resolved = JSON.parse(amA.received.at(-1)!.body) as Array<{ endsAt: string }>;
    assert.ok(resolved.every((a) => Date.parse(a.endsAt) <= Date.now()), 'resolved alerts end now, not 4 min ahead');
    await removeChannel(ch.id);
  })));

  test('settings are validated and audited as before/after; the heartbeat round-trips', async () => {
    await assert.rejects(updateAlertSettings({ forCycles: 0 }, 'x'), (e: unknown) => e instanceof QuorumError && /forCycles must be at least 1/.test(e.message));
    await assert.rejects(updateAlertSettings({ nope: true }, 'x'), (e: unknown) => e instanceof QuorumError);
    const r = await updateAlertSettings({ repeatIntervalMinutes: 60 }, 'alice');
    assert.deepEqual([r.before.repeatIntervalMinutes, r.after.repeatIntervalMinutes, r.after.forCycles], [240, 60, 3]);
    assert.equal((await getAlertSettings()).repeatIntervalMinutes, 60);
    const now = Date.now();
    const stats = accumulate(null, { clusters: 1, samples: 9, written: 9, buffered: 0, dropped: 2, ms: 120 }, [], { endedAtMs: now, intervalSeconds: 10, processStartedAtMs: now - 1000 });
    await writeHeartbeat('host/abc', stats, new Date(now));
    await writeHeartbeat('old/def', stats, new Date(now - 2 * 86_400_000));
    const hb = await listHeartbeats(now);
    assert.deepEqual(hb.map((h) => [h.id, h.stats.cycles, h.stats.droppedTotal]), [['host/abc', 1, 2]], 'rows older than a day are removed');
  });
}

forEachProvider('alerts and notifications', providerSuite);
