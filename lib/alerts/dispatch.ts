// The dispatcher: sends what the outbox holds. Each pass claims due deliveries, groups them per
// channel and cluster (one message each), sends every message through the outbound policy, logs
// each HTTP attempt, and marks the deliveries delivered, retried later (5xx, 408, 429, timeouts,
// connection errors; exponential backoff honouring Retry-After) or failed (any other 4xx, a
// redirect, a refused target, out of attempts). It also re-sends the active alerts to every
// Alertmanager channel once a minute (Alertmanager resolves an alert whose endsAt passes unrefreshed).
import { randomUUID } from 'node:crypto';
import { loadOpenChannels, type OpenChannel } from '../data/channels';
import { claimDueDeliveries, finishDeliveries, recordAttempt, releaseDeliveries, type ClaimedDelivery } from '../data/deliveries';
import { loadAlertStates } from '../data/alerts';
import { listClusters } from '../data/clusters';
import { describeError } from '../errors';
import type { OutboundPolicy } from '../net/outbound';
import { ALERTMANAGER_REFRESH_MS, buildMessage, summarize, type ChannelSecret, type OutgoingNotification } from './channels';
import { sendRequest, type HttpResult } from './http';
import { classifyAttempt, nextAttemptAt, retryAfterMs, type AttemptOutcome } from './retry';
import { atLeast, RULES } from './rules';
import { getOrInsert } from '../collections';

export interface DispatchDeps {
  now: () => number;
  policy: () => OutboundPolicy;
  publicUrl: string | null;
  log: (line: Record<string, unknown>) => void;
  random?: () => number;
}

export interface MessageResult {
  outcome: AttemptOutcome;
  results: HttpResult[];
  /** For the delivery log and lastError. */
  error: string | null;
  retryAfterMs: number | null;
}

function links(publicUrl: string | null) {
  return {
    dashboardUrl: publicUrl,
    generatorUrl: (n: OutgoingNotification): string | null => (publicUrl && n.clusterId ? `${publicUrl}/clusters/${n.clusterId}` : publicUrl),
  };
}

/** Sends one message (one channel, one group) and logs one attempt per HTTP request. Never throws. */
export async function sendMessage(channel: Pick<OpenChannel, 'id' | 'name' | 'settings'> & { secret: ChannelSecret }, group: readonly OutgoingNotification[], kind: 'notify' | 'refresh' | 'test', deps: Pick<DispatchDeps, 'now' | 'policy' | 'publicUrl' | 'log'>): Promise<MessageResult> {
  const nowMs = deps.now();
  const msg = buildMessage(channel.secret, group, nowMs, links(deps.publicUrl));
  const policy = deps.policy();
  const results = await Promise.all(msg.requests.map((r) => sendRequest(r, { policy, timeoutMs: channel.settings.timeoutMs })));
  const outcomes = results.map((r) => classifyAttempt(r.status, r.errorCode ?? undefined));
  const errorOf = (r: HttpResult): string | null => r.error ?? (r.status !== null && (r.status < 200 || r.status >= 300) ? `HTTP ${r.status}${r.bodySnippet ? `: ${r.bodySnippet.replace(/\s+/g, ' ').slice(0, 200)}` : ''}` : null);
  const summary = summarize(group);
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    try {
      await recordAttempt({ channelId: channel.id, channelName: channel.name, kind, target: r.url, httpStatus: r.status, outcome: outcomes[i]!, error: errorOf(r), durationMs: r.durationMs, notifications: group.length, summary });
    } catch (e) {
      deps.log({ event: 'delivery-log-failed', channel: channel.name, error: describeError(e) });
    }
  }
  let outcome: AttemptOutcome;
  if (msg.successWhen === 'any') outcome = outcomes.includes('ok') ? 'ok' : outcomes.includes('retry') ? 'retry' : 'failed';
  else outcome = outcomes.every((o) => o === 'ok') ? 'ok' : outcomes.includes('retry') ? 'retry' : 'failed';
  const errors = results.map(errorOf).filter((e): e is string => e !== null);
  const ra = results.map((r) => retryAfterMs(r.retryAfter, nowMs)).filter((x): x is number => x !== null);
  // Each result's `error` also says what a non-2xx answer was ("HTTP 404: …"), for "Send test".
  return { outcome, results: results.map((r) => ({ ...r, error: errorOf(r) })), error: outcome === 'ok' ? null : errors.join('; ') || 'failed', retryAfterMs: ra.length ? Math.max(...ra) : null };
}

/** Re-sends every active, notified, unsilenced alert to each Alertmanager channel (best effort). */
async function refreshAlertmanagers(channels: readonly OpenChannel[], lastRefresh: Map<string, number>, deps: DispatchDeps): Promise<void> {
  const nowMs = deps.now();
  const due = channels.filter((c) => c.kind === 'alertmanager' && c.secret && nowMs - (lastRefresh.get(c.id) ?? 0) >= ALERTMANAGER_REFRESH_MS);
  if (due.length === 0) return;
  const [states, clusters] = await Promise.all([loadAlertStates(), listClusters()]);
  const names = new Map(clusters.map((c) => [c.id, c.name]));
  const active: OutgoingNotification[] = states
    .filter((s) => s.status === 'firing' && s.notified && s.silencedBy === null && s.firingSinceMs !== null)
    .map((s) => ({
      id: `state-${s.id}`,
      dedupeKey: `refresh|${s.clusterId}|${s.rule}|${s.component}`,
      clusterId: s.clusterId,
      clusterName: names.get(s.clusterId) ?? s.labels.cluster ?? s.clusterId,
      rule: s.rule,
      alertname: RULES[s.rule].alertname,
      component: s.component,
      severity: s.severity,
      transition: 'firing',
      startsAtMs: s.firingSinceMs!,
      endsAtMs: null,
      summary: s.summary,
      labels: s.labels,
      annotations: s.annotations,
    }));
  for (const c of due) {
    lastRefresh.set(c.id, nowMs);
    const group = active.filter((n) => atLeast(n.severity, c.settings.minSeverity));
    if (group.length === 0) continue;
    const r = await sendMessage({ ...c, secret: c.secret! }, group, 'refresh', deps);
    if (r.outcome !== 'ok') deps.log({ event: 'alertmanager-refresh-failed', channel: c.name, error: r.error });
  }
}

/** Groups claimed deliveries per channel and group key, keeping the oldest first. */
function groupDeliveries(list: readonly ClaimedDelivery[]): Map<string, ClaimedDelivery[]> {
  const out = new Map<string, ClaimedDelivery[]>();
  for (const d of [...list].sort((a, b) => a.notification.startsAtMs - b.notification.startsAtMs)) {
    const k = `${d.channelId}\u0000${d.groupKey}`;
    const g = getOrInsert(out, k, () => []);
    g.push(d);
  }
  return out;
}

export interface DispatchSummary {
  messages: number;
  delivered: number;
  retried: number;
  failed: number;
}

/** A dispatcher with its own memory of Alertmanager refreshes; `pass()` is one round. */
export function createDispatcher(deps: DispatchDeps) {
  const lastRefresh = new Map<string, number>();
  const random = deps.random ?? Math.random;

  async function pass(): Promise<DispatchSummary> {
    const sum: DispatchSummary = { messages: 0, delivered: 0, retried: 0, failed: 0 };
    const channels = await loadOpenChannels();
    await refreshAlertmanagers(channels, lastRefresh, deps).catch((e: unknown) => deps.log({ event: 'alertmanager-refresh-failed', error: describeError(e) }));
    const owner = `dispatch-${randomUUID()}`;
    const claimed = await claimDueDeliveries(owner, deps.now());
    const byId = new Map(channels.map((c) => [c.id, c]));
    for (const group of groupDeliveries(claimed).values()) {
      const channel = byId.get(group[0]!.channelId);
      if (!channel?.secret) {
        await releaseDeliveries(owner, group.map((d) => d.id), channel ? `channel secret unreadable: ${channel.secretError ?? 'unknown'}` : 'channel disabled', channel ? 'failed' : 'skipped');
        continue;
      }
      sum.messages++;
      const r = await sendMessage({ ...channel, secret: channel.secret }, group.map((d) => d.notification), 'notify', deps);
      const attempts = Math.max(...group.map((d) => d.attempts)) + 1;
      if (r.outcome === 'ok') {
        await finishDeliveries(owner, group, { status: 'delivered', at: new Date(deps.now()) });
        sum.delivered += group.length;
        continue;
      }
      const next = nextAttemptAt(r.outcome, attempts, deps.now(), random, r.retryAfterMs);
      if (next === null) {
        await finishDeliveries(owner, group, { status: 'failed', error: `${r.error ?? 'failed'}${r.outcome === 'retry' ? ` (gave up after ${attempts} attempts)` : ''}` });
        sum.failed += group.length;
        deps.log({ event: 'delivery-failed', channel: channel.name, notifications: group.length, attempts, error: r.error });
      } else {
        await finishDeliveries(owner, group, { status: 'pending', nextAttemptMs: next, error: r.error ?? 'retry' });
        sum.retried += group.length;
        deps.log({ event: 'delivery-retry', channel: channel.name, notifications: group.length, attempts, inMs: next - deps.now(), error: r.error });
      }
    }
    return sum;
  }

  return { pass };
}
