// Deliveries of the notification outbox and the delivery log: server-only. A dispatcher CLAIMS due
// deliveries (a conditional update: only rows nobody holds, or whose hold expired) before sending,
// so several collector replicas never send the same delivery at once; a crashed dispatcher's hold
// expires and another one (or the restarted one) sends it. Every HTTP attempt is logged.
import { withDb } from '../db';
import type { DeliveryAttemptRow, NotificationDeliveryRow } from '../db/alert-delegates';
import type { OutgoingNotification } from '../alerts/channels';
import { toOutgoing } from './alerts';

/** How long a claim holds: longer than one message's requests can take (timeouts are ≤ 60 s). */
export const CLAIM_MS = 90_000;
const HISTORY_DAYS = 30;

export interface ClaimedDelivery {
  id: string;
  channelId: string;
  groupKey: string;
  attempts: number;
  notification: OutgoingNotification;
}

/** Claims up to `limit` due deliveries for `owner` (unique per dispatch pass). */
export async function claimDueDeliveries(owner: string, nowMs: number, limit = 200, channelId?: string): Promise<ClaimedDelivery[]> {
  const now = BigInt(nowMs);
  const free = [{ claimedUntilMs: null }, { claimedUntilMs: { lt: now } }];
  return withDb(async (db) => {
    const due = await db.prisma.notificationDelivery.findMany({
      where: { status: 'pending', nextAttemptMs: { lte: now }, OR: free, ...(channelId ? { channelId } : {}) },
      orderBy: [{ nextAttemptMs: 'asc' }],
      take: limit,
    });
    if (due.length === 0) return [];
    await db.prisma.notificationDelivery.updateMany({ where: { id: { in: due.map((d) => d.id) }, status: 'pending', OR: free }, data: { claimedBy: owner, claimedUntilMs: now + BigInt(CLAIM_MS) } });
    const mine = await db.prisma.notificationDelivery.findMany({ where: { claimedBy: owner, status: 'pending' } });
    if (mine.length === 0) return [];
    const notes = await db.prisma.notification.findMany({ where: { id: { in: [...new Set(mine.map((d) => d.notificationId))] } } });
    const byId = new Map(notes.map((n) => [n.id, toOutgoing(n)]));
    return mine
      .filter((d) => byId.has(d.notificationId))
      .map((d) => ({ id: d.id, channelId: d.channelId, groupKey: d.groupKey, attempts: d.attempts, notification: byId.get(d.notificationId)! }));
  });
}

export type DeliveryResult =
  | { status: 'delivered'; at: Date }
  | { status: 'pending'; nextAttemptMs: number; error: string }
  | { status: 'failed'; error: string };

/** Records the outcome of one attempt for claimed deliveries and releases the claim. */
export async function finishDeliveries(owner: string, list: ReadonlyArray<Pick<ClaimedDelivery, 'id' | 'attempts'>>, r: DeliveryResult): Promise<void> {
  await withDb(async (db) => {
    for (const d of list) {
      await db.prisma.notificationDelivery.updateMany({
        where: { id: d.id, claimedBy: owner },
        data: {
          status: r.status,
          attempts: d.attempts + 1,
          claimedBy: null,
          claimedUntilMs: null,
          ...(r.status === 'delivered' ? { deliveredAt: r.at, lastError: null } : { lastError: r.error.slice(0, 2000) }),
          ...(r.status === 'pending' ? { nextAttemptMs: BigInt(r.nextAttemptMs) } : {}),
        },
      });
    }
  });
}

/** Marks claimed deliveries as not sendable (the channel is gone, disabled or its secret unreadable). */
export async function releaseDeliveries(owner: string, ids: readonly string[], error: string, status: 'failed' | 'skipped'): Promise<void> {
  if (ids.length === 0) return;
  await withDb((db) => db.prisma.notificationDelivery.updateMany({ where: { id: { in: [...ids] }, claimedBy: owner }, data: { status, lastError: error.slice(0, 2000), claimedBy: null, claimedUntilMs: null } }));
}

export interface AttemptInput {
  channelId: string;
  channelName: string;
  kind: 'notify' | 'refresh' | 'test';
  target: string;
  httpStatus: number | null;
  outcome: 'ok' | 'retry' | 'failed';
  error: string | null;
  durationMs: number;
  notifications: number;
  summary: string;
  at?: Date;
}

export async function recordAttempt(a: AttemptInput): Promise<void> {
  await withDb((db) =>
    db.prisma.deliveryAttempt.create({ data: { ...a, error: a.error === null ? null : a.error.slice(0, 2000), summary: a.summary.slice(0, 500), target: a.target.slice(0, 300) } }),
  );
}

export interface AttemptView {
  id: number;
  at: string;
  channelId: string;
  channelName: string;
  kind: string;
  target: string;
  httpStatus: number | null;
  outcome: string;
  error: string | null;
  durationMs: number;
  notifications: number;
  summary: string;
}

const attemptView = (r: DeliveryAttemptRow): AttemptView => ({ ...r, at: r.at.toISOString() });

/** The delivery log, newest first. */
export async function listDeliveryAttempts(f: { channelId?: string; outcome?: string; since?: Date }, page: { limit: number; offset?: number }): Promise<{ attempts: AttemptView[]; total: number }> {
  const where = { ...(f.channelId ? { channelId: f.channelId } : {}), ...(f.outcome ? { outcome: f.outcome } : {}), ...(f.since ? { at: { gte: f.since } } : {}) };
  const [rows, total] = await withDb((db) =>
    Promise.all([db.prisma.deliveryAttempt.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: page.limit, skip: page.offset ?? 0 }), db.prisma.deliveryAttempt.count({ where })]),
  );
  return { attempts: rows.map(attemptView), total };
}

export interface NotificationView {
  id: string;
  createdAt: string;
  clusterName: string;
  rule: string;
  alertname: string;
  component: string;
  severity: string;
  transition: string;
  summary: string;
  startsAt: string;
  endsAt: string | null;
  silencedBy: string | null;
  deliveries: Array<{ channelId: string; status: string; attempts: number; lastError: string | null; deliveredAt: string | null }>;
}

/** The newest notifications with the state of each delivery. */
export async function listRecentNotifications(limit = 50): Promise<NotificationView[]> {
  return withDb(async (db) => {
    const notes = await db.prisma.notification.findMany({ where: {}, orderBy: { createdAt: 'desc' }, take: limit });
    if (notes.length === 0) return [];
    const deliveries: NotificationDeliveryRow[] = await db.prisma.notificationDelivery.findMany({ where: { notificationId: { in: notes.map((n) => n.id) } } });
    return notes.map((n) => {
      const o = toOutgoing(n);
      return {
        id: n.id,
        createdAt: n.createdAt.toISOString(),
        clusterName: n.clusterName,
        rule: n.rule,
        alertname: o.alertname,
        component: n.component,
        severity: n.severity,
        transition: n.transition,
        summary: o.summary,
        startsAt: new Date(o.startsAtMs).toISOString(),
        endsAt: o.endsAtMs === null ? null : new Date(o.endsAtMs).toISOString(),
        silencedBy: n.silencedBy,
        deliveries: deliveries
          .filter((d) => d.notificationId === n.id)
          .map((d) => ({ channelId: d.channelId, status: d.status, attempts: d.attempts, lastError: d.lastError, deliveredAt: d.deliveredAt?.toISOString() ?? null })),
      };
    });
  });
}

/** Deliveries per channel and status (for /metrics and the channels page). */
export async function countDeliveries(channelIds: readonly string[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  await withDb(async (db) => {
    for (const id of channelIds) {
      const counts: Record<string, number> = {};
      for (const status of ['pending', 'delivered', 'failed', 'silenced']) counts[status] = await db.prisma.notificationDelivery.count({ where: { channelId: id, status } });
      out.set(id, counts);
    }
  });
  return out;
}

/** Earliest time a pending delivery is due (the dispatcher sleeps until then), or null. */
export async function nextDueMs(): Promise<number | null> {
  const rows = await withDb((db) => db.prisma.notificationDelivery.findMany({ where: { status: 'pending' }, orderBy: [{ nextAttemptMs: 'asc' }], take: 1 }));
  return rows[0] ? Number(rows[0].nextAttemptMs) : null;
}

/** Removes delivery history older than HISTORY_DAYS (attempts, notifications with their deliveries). */
export async function pruneAlertHistory(nowMs: number): Promise<{ attempts: number; notifications: number }> {
  const before = new Date(nowMs - HISTORY_DAYS * 86_400_000);
  return withDb(async (db) => ({
    attempts: (await db.prisma.deliveryAttempt.deleteMany({ where: { at: { lt: before } } })).count,
    notifications: (await db.prisma.notification.deleteMany({ where: { createdAt: { lt: before } } })).count,
  }));
}
