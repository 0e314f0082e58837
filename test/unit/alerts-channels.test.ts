// Channel payloads (lib/alerts/channels.ts), retry decisions (lib/alerts/retry.ts) and the
// collector heartbeat (lib/metrics/heartbeat.ts): exact values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ALERTMANAGER_VALIDITY_MS, EVENT_ALERT_MS, alertmanagerAlertsUrl, buildMessage, deliveryKey, displayTarget, slackBody, summarize, toAlertmanagerAlert, webhookBody, webhookSignature, type OutgoingNotification } from '@/lib/alerts/channels';
import { DELIVERY_RETRY, classifyAttempt, nextAttemptAt, retryAfterMs } from '@/lib/alerts/retry';
import { backoffMs } from '@/lib/deadline';
import { accumulate, probeErrorClasses } from '@/lib/metrics/heartbeat';

const NOW = Date.UTC(2026, 11, 1, 10, 0, 0);
const n = (over: Partial<OutgoingNotification> = {}): OutgoingNotification => ({
  id: 'n1',
  dedupeKey: `c1|etcd-quorum-lost|etcd|firing|${NOW - 20_000}`,
  clusterId: 'c1',
  clusterName: 'lab',
  rule: 'etcd-quorum-lost',
  alertname: 'QuorumEtcdQuorumLost',
  component: 'etcd',
  severity: 'page',
  transition: 'firing',
  startsAtMs: NOW - 20_000,
  endsAtMs: null,
  summary: 'etcd quorum lost on lab (etcd probe): quorum lost: 1/3 healthy, 2 needed',
  labels: { alertname: 'QuorumEtcdQuorumLost', cluster: 'lab', component: 'etcd', severity: 'page', slo: 'lab-default', rule: 'etcd-quorum-lost' },
  annotations: { summary: 'etcd quorum lost', description: 'd' },
  ...over,
});

test('Alertmanager alert: firing ends 4 refresh intervals ahead, resolved at its end, an event after 15 min', () => {
  assert.deepEqual(toAlertmanagerAlert(n(), NOW, 'https://q.example/clusters/c1'), {
    labels: n().labels,
    annotations: n().annotations,
    startsAt: '2026-12-01T09:59:40.000Z',
    endsAt: new Date(NOW + ALERTMANAGER_VALIDITY_MS).toISOString(),
    generatorURL: 'https://q.example/clusters/c1',
  });
  assert.equal(ALERTMANAGER_VALIDITY_MS, 240_000);
  assert.equal(toAlertmanagerAlert(n({ transition: 'resolved', endsAtMs: NOW - 5000 }), NOW, null).endsAt, '2026-12-01T09:59:55.000Z');
  assert.equal(toAlertmanagerAlert(n({ transition: 'event' }), NOW, null).endsAt, new Date(NOW + EVENT_ALERT_MS).toISOString());
  assert.equal('generatorURL' in toAlertmanagerAlert(n(), NOW, null), false);
  assert.equal(alertmanagerAlertsUrl('http://127.0.0.1:9093/'), 'http://127.0.0.1:9093/api/v2/alerts');
  assert.equal(alertmanagerAlertsUrl('https://am.example/prefix'), 'https://am.example/prefix/api/v2/alerts');
});

test('an Alertmanager HA pair gets the same body at both URLs; any one accepting is enough', () => {
  const m = buildMessage({ kind: 'alertmanager', urls: ['http://127.0.0.1:9093', 'http://127.0.0.1:9094'], bearerToken: 't0k' }, [n()], NOW, { dashboardUrl: null, generatorUrl: () => null });
  assert.equal(m.successWhen, 'any');
  assert.deepEqual(m.requests.map((r) => r.url), ['http://127.0.0.1:9093/api/v2/alerts', 'http://127.0.0.1:9094/api/v2/alerts']);
  assert.equal(m.requests[0]!.body, m.requests[1]!.body);
  assert.equal(m.requests[0]!.headers.authorization, 'Bearer t0k');
  assert.equal((JSON.parse(m.requests[0]!.body) as unknown[]).length, 1);
});

test('webhook: JSON body, HMAC-SHA256 over "<timestamp>.<body>", a stable delivery key', () => {
  const secret = 'a-shared-secret-of-32-characters';
  const group = [n(), n({ id: 'n2', transition: 'resolved', endsAtMs: NOW - 1000, rule: 'component-down', component: 'apiserver-readyz' })];
  const m = buildMessage({ kind: 'webhook', url: 'https://hooks.example/quorum?token=x', hmacSecret: secret }, group, NOW, { dashboardUrl: 'https://q.example', generatorUrl: () => null });
  const r = m.requests[0]!;
  assert.equal(r.headers['x-quorum-timestamp'], String(NOW / 1000));
  const expected = `sha256=${createHmac('sha256', secret).update(`${NOW / 1000}.${r.body}`).digest('hex')}`;
  assert.equal(r.headers['x-quorum-signature-256'], expected);
  assert.equal(webhookSignature(secret, String(NOW / 1000), r.body), expected);
  assert.equal(r.headers['x-quorum-delivery'], deliveryKey([group[1]!, group[0]!]), 'order does not matter');
  const body = JSON.parse(r.body) as ReturnType<typeof webhookBody> & { notifications: Array<Record<string, unknown>> };
  assert.deepEqual([body.version, body.source, body.groupKey, body.status, body.url], ['1', 'quorum', 'c1', 'firing', 'https://q.example']);
  assert.deepEqual(body.cluster, { id: 'c1', name: 'lab' });
  assert.deepEqual(body.notifications.map((x) => [x.transition, x.alertname, x.startsAt, x.endsAt]), [
    ['firing', 'QuorumEtcdQuorumLost', '2026-12-01T09:59:40.000Z', null],
    ['resolved', 'QuorumEtcdQuorumLost', '2026-12-01T09:59:40.000Z', '2026-12-01T09:59:59.000Z'],
  ]);
  assert.equal(webhookBody([group[1]!], NOW, null).status, 'resolved');
});

test('Slack: one text line per notification under a per-cluster headline', () => {
  const b = slackBody([n(), n({ transition: 'resolved', endsAtMs: NOW + 100_000, summary: 'back' })], 'https://q.example/clusters/c1') as { text: string; blocks: Array<{ type: string }> };
  assert.equal(
    b.text,
    [
      'Quorum — lab: 1 firing, 1 resolved',
      '🔴 *FIRING* QuorumEtcdQuorumLost `etcd` (page) — etcd quorum lost on lab (etcd probe): quorum lost: 1/3 healthy, 2 needed',
      '🔴 *RESOLVED* QuorumEtcdQuorumLost `etcd` (page) — back (after 2 min)',
    ].join('\n'),
  );
  assert.deepEqual(b.blocks.map((x) => x.type), ['header', 'section', 'context']);
  assert.equal(summarize([n(), n(), n(), n()]), 'firing QuorumEtcdQuorumLost lab/etcd; firing QuorumEtcdQuorumLost lab/etcd; firing QuorumEtcdQuorumLost lab/etcd; +1 more (1 firing)');
  // A failover event starts earlier than what resolved with it; the line still leads with what fired and resolved.
  const ev = n({ transition: 'event', alertname: 'QuorumLeaderFailover', component: 'leader-election/kube-system/kube-scheduler', startsAtMs: NOW - 60_000 });
  const res = (c: string): OutgoingNotification => n({ transition: 'resolved', component: c, endsAtMs: NOW });
  assert.equal(summarize([ev, ev, ev, res('etcd'), res('apiserver-readyz')]), 'resolved QuorumEtcdQuorumLost lab/etcd; resolved QuorumEtcdQuorumLost lab/apiserver-readyz; event QuorumLeaderFailover lab/leader-election/kube-system/kube-scheduler; +2 more (2 event)');
});

test('targets are shown as scheme://host only (a Slack URL path is its secret)', () => {
  assert.equal(displayTarget('https://hooks.slack.com/services/T000/B000/XXXXSECRET'), 'https://hooks.slack.com/…');
  assert.equal(displayTarget('http://127.0.0.1:9093'), 'http://127.0.0.1:9093');
  assert.equal(displayTarget('not a url'), '(invalid URL)');
});

test('retries: 5xx, 408, 429 and no-answer are retried; other 4xx, redirects and refused targets are not', () => {
  const table: Array<[number | null, string | undefined, string]> = [
    [200, undefined, 'ok'], [204, undefined, 'ok'], [500, undefined, 'retry'], [502, undefined, 'retry'], [503, undefined, 'retry'], [408, undefined, 'retry'], [429, undefined, 'retry'],
    [400, undefined, 'failed'], [401, undefined, 'failed'], [403, undefined, 'failed'], [404, undefined, 'failed'], [410, undefined, 'failed'], [301, undefined, 'failed'],
    [null, 'timeout', 'retry'], [null, 'ECONNREFUSED', 'retry'], [null, 'outbound-denied', 'failed'], [null, 'invalid-url', 'failed'],
  ];
  for (const [status, code, want] of table) assert.equal(classifyAttempt(status, code), want, `${status} ${code}`);
});

test('backoff (the repo policy, lib/deadline.ts): up to 1 s, 2 s, 4 s … capped at 5 min; Retry-After honoured; given up after 12 attempts', () => {
  const top = (): number => 1;
  const bottom = (): number => 0;
  assert.deepEqual([1, 2, 3, 4, 9, 10, 20].map((a) => backoffMs(DELIVERY_RETRY, a, top)), [1000, 2000, 4000, 8000, 256_000, 300_000, 300_000]);
  assert.equal(backoffMs(DELIVERY_RETRY, 1, bottom), 500, 'never less than half the base');
  assert.equal(nextAttemptAt('retry', 1, NOW, top), NOW + 1000);
  assert.equal(nextAttemptAt('retry', 3, NOW, top), NOW + 4000);
  assert.equal(nextAttemptAt('retry', 3, NOW, bottom), NOW + 500);
  assert.equal(nextAttemptAt('retry', 1, NOW, top, 30_000), NOW + 30_000);
  assert.equal(nextAttemptAt('retry', 1, NOW, top, 3_600_000), NOW + 300_000, 'Retry-After is capped at the backoff maximum');
  assert.equal(nextAttemptAt('retry', 12, NOW, top), null);
  assert.equal(nextAttemptAt('failed', 1, NOW, top), null);
  assert.equal(retryAfterMs('120', NOW), 120_000);
  assert.equal(retryAfterMs(new Date(NOW + 5000).toUTCString(), NOW), 5000);
  assert.equal(retryAfterMs('soon', NOW), null);
  assert.equal(retryAfterMs(null, NOW), null);
});

test('collector heartbeat: last cycle, lag after the tick, counters since start, probe errors by class', () => {
  const results = [
    { probe: 'apiserver-readyz' as const, target: 'endpoint', status: 'down' as const, reason: 'timeout', latencyMs: null, at: NOW, detail: { errorClass: 'timeout' as const } },
    { probe: 'dns' as const, target: 'kube-dns', status: 'unknown' as const, reason: '403', latencyMs: null, at: NOW, detail: { errorClass: 'forbidden' as const } },
    { probe: 'nodes' as const, target: 'workers', status: 'up' as const, reason: 'ok', latencyMs: 3, at: NOW },
    { probe: 'apiserver-livez' as const, target: 'endpoint', status: 'down' as const, reason: 'livez failed: etcd', latencyMs: 2, at: NOW },
  ];
  assert.deepEqual(probeErrorClasses(results), { timeout: 1, forbidden: 1 });
  const start = NOW - 60_000;
  // A cycle that started 120 ms after the 10:00:00 tick and took 380 ms.
  const a = accumulate(null, { clusters: 2, samples: 4, written: 4, buffered: 0, dropped: 0, ms: 380 }, results, { endedAtMs: NOW + 500, intervalSeconds: 10, processStartedAtMs: start });
  assert.deepEqual(a.lastCycle, { startedAtMs: NOW + 120, endedAtMs: NOW + 500, durationMs: 380, lagMs: 120, clusters: 2, samples: 4, written: 4, buffered: 0, dbError: null });
  const b = accumulate(a, { clusters: 2, samples: 4, written: 0, buffered: 8, dropped: 3, ms: 250, dbError: 'database unreachable' }, results, { endedAtMs: NOW + 10_300, intervalSeconds: 10, processStartedAtMs: start });
  assert.deepEqual([b.cycles, b.cycleSecondsTotal, b.samplesTotal, b.droppedTotal, b.probeErrors, b.lastCycle.lagMs, b.lastCycle.dbError], [2, 0.63, 8, 3, { timeout: 2, forbidden: 2 }, 50, 'database unreachable']);
  // A new process (restart) starts its counters from zero.
  const c = accumulate(b, { clusters: 1, samples: 1, written: 1, buffered: 0, dropped: 0, ms: 10 }, [], { endedAtMs: NOW + 20_010, intervalSeconds: 10, processStartedAtMs: NOW + 15_000 });
  assert.deepEqual([c.cycles, c.samplesTotal, c.probeErrors, c.startedAtMs], [1, 1, {}, NOW + 15_000]);
  // The collector's own start time of the cycle wins over end − duration.
  const d = accumulate(c, { startedAt: new Date(NOW + 30_007).toISOString(), clusters: 1, samples: 1, written: 1, buffered: 0, dropped: 0, ms: 900 }, [], { endedAtMs: NOW + 31_500, intervalSeconds: 10, processStartedAtMs: NOW + 15_000 });
  assert.deepEqual([d.lastCycle.startedAtMs, d.lastCycle.lagMs], [NOW + 30_007, 7]);
});
