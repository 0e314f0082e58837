// Alert settings, alert states and the notification outbox: server-only reads and writes.
// A state change and the notifications it causes are written in ONE transaction, guarded by the
// state row's version (another collector replica that evaluated the same cluster at the same time
// writes nothing) and by each notification's unique dedupe key (the same transition is stored once).
import { randomUUID } from 'node:crypto';
import { classifyDbError, withDb, type DbTx } from '../db';
import type { AlertStateRow, NotificationRow } from '../db/alert-delegates';
import { QuorumError } from '../errors';
import { AlertSettingsPatch, mergeSettings, parseStoredSettings, type AlertSettings } from '../alerts/settings';
import type { StoredAlert, AlertStatus } from '../alerts/state';
import { atLeast, isRuleId, RULES, type RuleId, type Severity } from '../alerts/rules';
import { parseChannelSettings, type ChannelKind, type ChannelSettings, type OutgoingNotification } from '../alerts/channels';

const SETTINGS_ID = 'global';

export async function getAlertSettings(): Promise<AlertSettings> {
  const row = await withDb((db) => db.prisma.alertSettings.findUnique({ where: { id: SETTINGS_ID } }));
  return parseStoredSettings(row?.settings);
}

/** Validates and applies a patch; returns before/after (for the audit log). */
export async function updateAlertSettings(patch: unknown, by: string | null): Promise<{ before: AlertSettings; after: AlertSettings }> {
  const p = AlertSettingsPatch.safeParse(patch);
  if (!p.success) {
    const i = p.error.issues[0];
    throw new QuorumError('invalid-input', `${i?.path.length ? `${i.path.join('.')}: ` : ''}${i?.message ?? 'invalid alert settings'}`);
  }
  const before = await getAlertSettings();
  const after = mergeSettings(before, p.data);
  const settings = JSON.stringify(after);
  await withDb((db) => db.prisma.alertSettings.upsert({ where: { id: SETTINGS_ID }, create: { id: SETTINGS_ID, settings, updatedBy: by }, update: { settings, updatedBy: by } }));
  return { before, after };
}

// ---------------------------------------------------------------------------------------------
// Alert states

export interface AlertStateRecord extends StoredAlert {
  id: number;
  clusterId: string;
  rule: RuleId;
  component: string;
  version: number;
  lastEvalMs: number;
  annotations: Record<string, string>;
}

const STATUSES: readonly AlertStatus[] = ['inactive', 'pending', 'firing'];
const SEVS: readonly Severity[] = ['page', 'ticket', 'info'];

function parseDetailJson(text: string): { labels: Record<string, string>; annotations: Record<string, string> } {
  try {
    const v = JSON.parse(text) as { labels?: unknown; annotations?: unknown };
    const strings = (o: unknown): Record<string, string> => (typeof o === 'object' && o !== null ? Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string')) : {});
    return { labels: strings(v.labels), annotations: strings(v.annotations) };
  } catch {
    return { labels: {}, annotations: {} };
  }
}

function toRecord(r: AlertStateRow): AlertStateRecord | null {
  if (!isRuleId(r.rule)) return null;
  const d = parseDetailJson(r.detail);
  return {
    id: r.id,
    clusterId: r.clusterId,
    rule: r.rule,
    component: r.component,
    status: STATUSES.includes(r.status as AlertStatus) ? (r.status as AlertStatus) : 'inactive',
    severity: SEVS.includes(r.severity as Severity) ? (r.severity as Severity) : 'ticket',
    pendingSinceMs: r.pendingSinceMs === null ? null : Number(r.pendingSinceMs),
    firingSinceMs: r.firingSinceMs === null ? null : Number(r.firingSinceMs),
    notified: r.notified,
    repeats: r.repeats,
    silencedBy: r.silencedBy,
    summary: r.summary,
    labels: d.labels,
    annotations: d.annotations,
    version: r.version,
    lastEvalMs: Number(r.lastEvalMs),
  };
}

export async function loadAlertStates(clusterIds?: readonly string[]): Promise<AlertStateRecord[]> {
  const rows = await withDb((db) => db.prisma.alertState.findMany({ where: clusterIds ? { clusterId: { in: [...clusterIds] } } : {}, orderBy: [{ clusterId: 'asc' }, { rule: 'asc' }, { component: 'asc' }] }));
  return rows.map(toRecord).filter((r): r is AlertStateRecord => r !== null);
}

/** A channel as the outbox needs it (no secret). */
export interface ChannelTarget {
  id: string;
  kind: ChannelKind;
  settings: ChannelSettings;
}

export async function listChannelTargets(): Promise<ChannelTarget[]> {
  const rows = await withDb((db) => db.prisma.alertChannel.findMany({ orderBy: { name: 'asc' }, where: { enabled: true } }));
  return rows.map((r) => ({ id: r.id, kind: r.kind, settings: parseChannelSettings(r.settings) }));
}

/** A notification to put in the outbox. */
export interface NewNotification {
  dedupeKey: string;
  clusterId: string | null;
  clusterName: string;
  rule: RuleId | 'test';
  component: string;
  severity: Severity;
  transition: OutgoingNotification['transition'];
  startsAtMs: number;
  endsAtMs: number | null;
  alertname: string;
  summary: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  silencedBy: string | null;
}

/** Which channels get a notification: enabled, severity at or above their minimum, resolved only where wanted. */
function channelsFor(n: Pick<NewNotification, 'severity' | 'transition'>, channels: readonly ChannelTarget[]): ChannelTarget[] {
  return channels.filter((c) => atLeast(n.severity, c.settings.minSeverity) && (n.transition !== 'resolved' || c.settings.sendResolved || c.kind === 'alertmanager'));
}

async function insertNotification(tx: DbTx, n: NewNotification, channels: readonly ChannelTarget[], nowMs: number): Promise<string> {
  const id = randomUUID();
  await tx.notification.create({
    data: {
      id,
      dedupeKey: n.dedupeKey,
      clusterId: n.clusterId,
      clusterName: n.clusterName,
      rule: n.rule,
      component: n.component,
      severity: n.severity,
      transition: n.transition,
      startsAtMs: BigInt(n.startsAtMs),
      endsAtMs: n.endsAtMs === null ? null : BigInt(n.endsAtMs),
      payload: JSON.stringify({ alertname: n.alertname, summary: n.summary, labels: n.labels, annotations: n.annotations }),
      silencedBy: n.silencedBy,
    },
  });
  for (const c of channelsFor(n, channels)) {
    await tx.notificationDelivery.create({
      data: { id: randomUUID(), notificationId: id, channelId: c.id, groupKey: n.clusterId ?? 'test', status: n.silencedBy ? 'silenced' : 'pending', nextAttemptMs: BigInt(nowMs), ...(n.silencedBy ? { lastError: `silenced by maintenance "${n.silencedBy}"` } : {}) },
    });
  }
  return id;
}

/** Thrown inside a transaction to roll it back when another writer got there first. */
class LostRace extends Error {}

export type ApplyOutcome = 'written' | 'unchanged' | 'lost-race';

/**
 * Writes one state step and its notifications atomically. `prev` is the row as read (null: none
 * existed); the write happens only if the row is still at that version.
 */
export async function applyAlertStep(
  key: { clusterId: string; rule: RuleId; component: string },
  prev: AlertStateRecord | null,
  next: StoredAlert & { annotations: Record<string, string> },
  notifications: readonly NewNotification[],
  channels: readonly ChannelTarget[],
  nowMs: number,
): Promise<ApplyOutcome> {
  const data = {
    status: next.status,
    severity: next.severity,
    repeats: next.repeats,
    pendingSinceMs: next.pendingSinceMs === null ? null : BigInt(next.pendingSinceMs),
    firingSinceMs: next.firingSinceMs === null ? null : BigInt(next.firingSinceMs),
    notified: next.notified,
    silencedBy: next.silencedBy,
    summary: next.summary.slice(0, 2000),
    detail: JSON.stringify({ labels: next.labels, annotations: next.annotations }),
    lastEvalMs: BigInt(nowMs),
  };
  try {
    await withDb((db) =>
      db.transaction(async (tx) => {
        if (prev) {
          const { count } = await tx.alertState.updateMany({ where: { id: prev.id, version: prev.version }, data: { ...data, version: prev.version + 1 } });
          if (count !== 1) throw new LostRace();
        } else {
          await tx.alertState.create({ data: { ...key, ...data, version: 0 } });
        }
        for (const n of notifications) await insertNotification(tx, n, channels, nowMs);
      }),
    );
    return 'written';
  } catch (e) {
    // withDb wraps what the transaction threw (the cause is our LostRace).
    if (e instanceof LostRace || (e instanceof Error && e.cause instanceof LostRace)) return 'lost-race';
    // A unique key taken (another replica created this state row or stored this transition first), or
    // PostgreSQL aborted one of two racing transactions: the other one wrote it.
    const kind = classifyDbError(e).kind;
    if (kind === 'conflict' || kind === 'deadlock' || kind === 'serialization') return 'lost-race';
    throw e;
  }
}

/** Stores a notification unless one with its dedupe key exists (events: a failover, a test). */
export async function insertNotificationOnce(n: NewNotification, channels: readonly ChannelTarget[], nowMs: number): Promise<string | null> {
  try {
    return await withDb(async (db) => {
      if (await db.prisma.notification.findUnique({ where: { dedupeKey: n.dedupeKey } })) return null;
      return db.transaction((tx) => insertNotification(tx, n, channels, nowMs));
    });
  } catch (e) {
    if (classifyDbError(e).kind === 'conflict') return null;
    throw e;
  }
}

/** A notification row as sent. */
export function toOutgoing(r: NotificationRow): OutgoingNotification {
  let p: { alertname?: unknown; summary?: unknown; labels?: unknown; annotations?: unknown } = {};
  try {
    p = JSON.parse(r.payload) as typeof p;
  } catch {
    p = {};
  }
  const strings = (o: unknown): Record<string, string> => (typeof o === 'object' && o !== null ? Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string')) : {});
  const rule = r.rule;
  return {
    id: r.id,
    dedupeKey: r.dedupeKey,
    clusterId: r.clusterId,
    clusterName: r.clusterName,
    rule,
    alertname: typeof p.alertname === 'string' ? p.alertname : isRuleId(rule) ? RULES[rule].alertname : 'QuorumNotification',
    component: r.component,
    severity: SEVS.includes(r.severity as Severity) ? (r.severity as Severity) : 'info',
    transition: (['firing', 'resolved', 'repeat', 'event', 'test'] as const).find((t) => t === r.transition) ?? 'event',
    startsAtMs: Number(r.startsAtMs),
    endsAtMs: r.endsAtMs === null ? null : Number(r.endsAtMs),
    summary: typeof p.summary === 'string' ? p.summary : '',
    labels: strings(p.labels),
    annotations: strings(p.annotations),
  };
}

// ---------------------------------------------------------------------------------------------
// The alerts page and GET /api/alerts

export interface ActiveAlertView {
  clusterId: string;
  clusterName: string;
  rule: RuleId;
  alertname: string;
  component: string;
  severity: Severity;
  status: 'pending' | 'firing';
  /** firing: startsAt; pending: since when. */
  since: string | null;
  silencedBy: string | null;
  notified: boolean;
  summary: string;
  labels: Record<string, string>;
}

export interface AlertsView {
  settings: AlertSettings;
  rules: Array<(typeof RULES)[RuleId] & { enabled: boolean }>;
  alerts: ActiveAlertView[];
}

const SEVERITY_ORDER: Record<Severity, number> = { page: 0, ticket: 1, info: 2 };

export async function getAlertsView(): Promise<AlertsView> {
  const [settings, states, clusters] = await Promise.all([getAlertSettings(), loadAlertStates(), withDb((db) => db.prisma.cluster.findMany({ orderBy: { name: 'asc' }, omit: { credentials: true } }))]);
  const names = new Map(clusters.map((c) => [c.id, c.name]));
  const alerts: ActiveAlertView[] = states
    .filter((s): s is AlertStateRecord & { status: 'pending' | 'firing' } => s.status === 'pending' || s.status === 'firing')
    .map((s) => {
      const since = s.status === 'firing' ? s.firingSinceMs : s.pendingSinceMs;
      return {
        clusterId: s.clusterId,
        clusterName: names.get(s.clusterId) ?? s.clusterId,
        rule: s.rule,
        alertname: RULES[s.rule].alertname,
        component: s.component,
        severity: s.severity,
        status: s.status,
        since: since === null ? null : new Date(since).toISOString(),
        silencedBy: s.silencedBy,
        notified: s.notified,
        summary: s.summary,
        labels: s.labels,
      };
    })
    // Firing before pending, silenced after the rest, most severe first.
    .sort((a, b) => Number(b.status === 'firing') - Number(a.status === 'firing') || Number(a.silencedBy !== null) - Number(b.silencedBy !== null) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.clusterName.localeCompare(b.clusterName) || a.component.localeCompare(b.component));
  return { settings, rules: (Object.values(RULES) as Array<(typeof RULES)[RuleId]>).map((r) => ({ ...r, enabled: settings.rules[r.id] })), alerts };
}
