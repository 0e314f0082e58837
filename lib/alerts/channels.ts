// Notification channels (pure): what each kind stores, and the HTTP requests one message becomes.
//   alertmanager  POST <url>/api/v2/alerts to EVERY configured URL (an HA pair gets each alert
//                 twice and deduplicates it itself, as with Prometheus); firing alerts carry
//                 endsAt = now + 4 × the refresh interval and are re-sent while active, resolved ones
//                 endsAt = the resolve time. Delivered when at least one Alertmanager accepted.
//   slack         a Slack-compatible incoming webhook ({"text", "blocks"}; Mattermost and
//                 Rocket.Chat read "text"). The URL is the credential.
//   webhook       JSON for your own receiver, signed: X-Quorum-Signature-256: sha256=HMAC-SHA256(
//                 secret, "<X-Quorum-Timestamp>.<body>") in hex; X-Quorum-Delivery is the same on
//                 every retry of the same message (an idempotency key).
// One message per channel and cluster (notifications of one cluster are grouped).
import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import { SEVERITIES, type Severity } from './rules';

export type ChannelKind = 'alertmanager' | 'slack' | 'webhook';
export const CHANNEL_KINDS = ['alertmanager', 'slack', 'webhook'] as const satisfies readonly ChannelKind[];

/** Re-send interval of active alerts to Alertmanager (Prometheus's default resend delay is 1 m). */
export const ALERTMANAGER_REFRESH_MS = 60_000;
/** endsAt of a firing alert: Alertmanager resolves it by itself when Quorum stops re-sending. */
export const ALERTMANAGER_VALIDITY_MS = 4 * ALERTMANAGER_REFRESH_MS;
/** A failover is an event: posted to Alertmanager as an alert that ends by itself after this long. */
export const EVENT_ALERT_MS = 15 * 60_000;
/** A "send test" alert ends by itself after this long. */
const TEST_ALERT_MS = 5 * 60_000;

export interface ChannelSettings {
  /** Notifications below this severity are not sent to this channel. */
  minSeverity: Severity;
  /** Send "resolved" notifications (always on for Alertmanager: it needs endsAt). */
  sendResolved: boolean;
  /** Per HTTP request. */
  timeoutMs: number;
}

const DEFAULT_CHANNEL_SETTINGS: Readonly<ChannelSettings> = { minSeverity: 'info', sendResolved: true, timeoutMs: 5000 };

export const ChannelSettingsInput = z
  .object({
    minSeverity: z.enum(SEVERITIES, { error: 'minSeverity must be page, ticket or info' }).optional(),
    sendResolved: z.boolean().optional(),
    timeoutMs: z.number().int().min(500, 'timeoutMs must be at least 500').max(60_000, 'timeoutMs is at most 60000').optional(),
  })
  .strict();

export function parseChannelSettings(text: string | null | undefined): ChannelSettings {
  let raw: unknown = {};
  try {
    raw = JSON.parse(text ?? '{}');
  } catch {
    raw = {};
  }
  const p = ChannelSettingsInput.safeParse(raw);
  return { ...DEFAULT_CHANNEL_SETTINGS, ...(p.success ? p.data : {}) };
}

const url = z.string().trim().min(1, 'a URL is required').max(2048, 'the URL is longer than 2048 characters');

/** What goes into the encrypted envelope, per kind. */
export const ChannelSecretInput = {
  alertmanager: z
    .object({
      urls: z.array(url).min(1, 'at least one Alertmanager URL').max(8, 'at most 8 Alertmanager URLs'),
      bearerToken: z.string().max(4096).optional(),
    })
    .strict(),
  slack: z.object({ url }).strict(),
  webhook: z
    .object({
      url,
      hmacSecret: z.string().min(16, 'the HMAC secret must be at least 16 characters').max(1024),
      bearerToken: z.string().max(4096).optional(),
    })
    .strict(),
} as const satisfies Record<ChannelKind, z.ZodType>;

export type ChannelSecret =
  | { kind: 'alertmanager'; urls: string[]; bearerToken?: string }
  | { kind: 'slack'; url: string }
  | { kind: 'webhook'; url: string; hmacSecret: string; bearerToken?: string };

/** The URLs of a channel (Alertmanager base URLs, or the webhook URL). */
function channelUrls(s: ChannelSecret): string[] {
  return s.kind === 'alertmanager' ? s.urls : [s.url];
}

/** scheme://host[:port] — never the path or query (a Slack URL's path is its secret). */
export function displayTarget(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname.length > 1 ? '/…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

export function displayTargets(s: ChannelSecret): string {
  return channelUrls(s).map(displayTarget).join(', ');
}

/** One notification as it is sent. */
export interface OutgoingNotification {
  id: string;
  dedupeKey: string;
  clusterId: string | null;
  clusterName: string;
  rule: string;
  alertname: string;
  component: string;
  severity: Severity;
  transition: 'firing' | 'resolved' | 'repeat' | 'event' | 'test';
  startsAtMs: number;
  endsAtMs: number | null;
  summary: string;
  /** alertname, cluster, component, severity, slo, rule and rule-specific ones. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface HttpRequestSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Message {
  /** Every request to send; `successWhen` says how many must succeed. */
  requests: HttpRequestSpec[];
  successWhen: 'any' | 'all';
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Alertmanager's PostableAlert for one notification. */
export function toAlertmanagerAlert(n: OutgoingNotification, nowMs: number, generatorUrl: string | null): Record<string, unknown> {
  let endsAtMs: number;
  if (n.transition === 'resolved') endsAtMs = n.endsAtMs ?? nowMs;
  else if (n.transition === 'event') endsAtMs = Math.max(nowMs, n.startsAtMs) + EVENT_ALERT_MS;
  else if (n.transition === 'test') endsAtMs = nowMs + TEST_ALERT_MS;
  else endsAtMs = nowMs + ALERTMANAGER_VALIDITY_MS;
  return {
    labels: n.labels,
    annotations: n.annotations,
    startsAt: iso(n.startsAtMs),
    endsAt: iso(endsAtMs),
    ...(generatorUrl ? { generatorURL: generatorUrl } : {}),
  };
}

/** `<base>/api/v2/alerts`, whether or not the base already ends in a slash. */
export function alertmanagerAlertsUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/api/v2/alerts`;
}

const USER_AGENT = 'Quorum-Alerts/1';

function jsonHeaders(bearer?: string): Record<string, string> {
  return { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) };
}

const STATUS_WORD: Record<OutgoingNotification['transition'], string> = { firing: 'FIRING', repeat: 'FIRING (repeat)', resolved: 'RESOLVED', event: 'EVENT', test: 'TEST' };
const SEVERITY_MARK: Record<Severity, string> = { page: '🔴', ticket: '🟠', info: '🔵' };

function headline(group: readonly OutgoingNotification[]): string {
  const firing = group.filter((n) => n.transition === 'firing' || n.transition === 'repeat').length;
  const resolved = group.filter((n) => n.transition === 'resolved').length;
  const other = group.length - firing - resolved;
  const parts = [firing ? `${firing} firing` : '', resolved ? `${resolved} resolved` : '', other ? `${other} event${other === 1 ? '' : 's'}` : ''].filter(Boolean);
  return `Quorum — ${group[0]?.clusterName ?? ''}: ${parts.join(', ')}`;
}

/** A Slack incoming-webhook body: a plain `text` (what Slack-compatible servers show) and mrkdwn blocks. */
export function slackBody(group: readonly OutgoingNotification[], dashboardUrl: string | null): Record<string, unknown> {
  const line = (n: OutgoingNotification): string =>
    `${SEVERITY_MARK[n.severity]} *${STATUS_WORD[n.transition]}* ${n.alertname} \`${n.component}\` (${n.severity}) — ${n.summary}${n.transition === 'resolved' && n.endsAtMs ? ` (after ${Math.round((n.endsAtMs - n.startsAtMs) / 60_000)} min)` : ''}`;
  const text = [headline(group), ...group.map(line)].join('\n');
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: headline(group).slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: group.map(line).join('\n').slice(0, 2900) } },
      ...(dashboardUrl ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `<${dashboardUrl}|Open in Quorum>` }] }] : []),
    ],
  };
}

/** The generic webhook's JSON body (version 1). */
export function webhookBody(group: readonly OutgoingNotification[], nowMs: number, dashboardUrl: string | null): Record<string, unknown> {
  const first = group[0];
  return {
    version: '1',
    source: 'quorum',
    groupKey: first?.clusterId ?? 'test',
    cluster: first ? { id: first.clusterId, name: first.clusterName } : null,
    status: group.some((n) => n.transition === 'firing' || n.transition === 'repeat') ? 'firing' : group.every((n) => n.transition === 'resolved') ? 'resolved' : 'event',
    sentAt: iso(nowMs),
    ...(dashboardUrl ? { url: dashboardUrl } : {}),
    notifications: group.map((n) => ({
      id: n.id,
      dedupeKey: n.dedupeKey,
      transition: n.transition,
      rule: n.rule,
      alertname: n.alertname,
      component: n.component,
      severity: n.severity,
      summary: n.summary,
      startsAt: iso(n.startsAtMs),
      endsAt: n.endsAtMs === null ? null : iso(n.endsAtMs),
      labels: n.labels,
      annotations: n.annotations,
    })),
  };
}

/** The signature a receiver recomputes: hex HMAC-SHA256 over "<timestamp>.<raw body>". */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Same ids → same key, however often the message is retried. */
export function deliveryKey(group: readonly OutgoingNotification[]): string {
  return createHash('sha256').update([...group.map((n) => n.id)].sort().join(',')).digest('hex').slice(0, 32);
}

/** The requests one message (one channel, one group) becomes. */
export function buildMessage(secret: ChannelSecret, group: readonly OutgoingNotification[], nowMs: number, opts: { dashboardUrl: string | null; generatorUrl: (n: OutgoingNotification) => string | null }): Message {
  switch (secret.kind) {
    case 'alertmanager': {
      const body = JSON.stringify(group.map((n) => toAlertmanagerAlert(n, nowMs, opts.generatorUrl(n))));
      return { requests: secret.urls.map((u) => ({ url: alertmanagerAlertsUrl(u), headers: jsonHeaders(secret.bearerToken), body })), successWhen: 'any' };
    }
    case 'slack':
      return { requests: [{ url: secret.url, headers: jsonHeaders(), body: JSON.stringify(slackBody(group, opts.dashboardUrl)) }], successWhen: 'all' };
    case 'webhook': {
      const body = JSON.stringify(webhookBody(group, nowMs, opts.dashboardUrl));
      const ts = String(Math.floor(nowMs / 1000));
      return {
        requests: [{ url: secret.url, headers: { ...jsonHeaders(secret.bearerToken), 'x-quorum-timestamp': ts, 'x-quorum-signature-256': webhookSignature(secret.hmacSecret, ts, body), 'x-quorum-delivery': deliveryKey(group) }, body }],
        successWhen: 'all',
      };
    }
    default: {
      const never: never = secret;
      throw new Error(`unknown channel kind ${String((never as { kind: unknown }).kind)}`);
    }
  }
}

const SUMMARY_ORDER: Record<OutgoingNotification['transition'], number> = { firing: 0, resolved: 1, repeat: 2, event: 3, test: 4 };

/**
 * A short line for the delivery log: the first 3 notifications, firing before resolved before repeats and
 * events (a message's own order is oldest start first, so a failover event would hide what fired or
 * resolved), then what the rest were: "firing QuorumEtcdQuorumLost lab/etcd; resolved …; +9 more (8 resolved, 1 event)".
 */
export function summarize(group: readonly OutgoingNotification[]): string {
  const sorted = [...group].sort((a, b) => SUMMARY_ORDER[a.transition] - SUMMARY_ORDER[b.transition]);
  const s = sorted.slice(0, 3).map((n) => `${n.transition} ${n.alertname} ${n.clusterName}/${n.component}`).join('; ');
  if (sorted.length <= 3) return s;
  const rest = new Map<string, number>();
  for (const n of sorted.slice(3)) rest.set(n.transition, (rest.get(n.transition) ?? 0) + 1);
  return `${s}; +${sorted.length - 3} more (${[...rest].map(([t, k]) => `${k} ${t}`).join(', ')})`;
}
