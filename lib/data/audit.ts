// The audit log: every change, who made it (user, token or CLI) with which role, what it was before
// and after (short JSON summaries, never secrets), when, and from which client address. Append-only.
import { withDb } from '../db';
import type { AuditWhere } from '../db/auth-delegates';
import { csvLine } from '../csv';

export type ActorKind = 'user' | 'token' | 'cli' | 'system';

export interface Actor {
  /** "alice", "token:ci-deploy", "cli:root", "system". */
  name: string;
  kind: ActorKind;
  role: string | null;
  clientAddress: string | null;
}

export interface AuditInput {
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditView {
  id: number;
  at: string;
  actor: string;
  actorKind: string;
  role: string | null;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
  clientAddress: string | null;
}

const SUMMARY_MAX = 2000;

/** A compact JSON summary; undefined/null → null; long values are cut with a marker. */
function summary(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > SUMMARY_MAX ? `${s.slice(0, SUMMARY_MAX)}…` : s;
}

export async function writeAudit(actor: Actor, e: AuditInput): Promise<void> {
  await withDb((db) =>
    db.prisma.auditEvent.create({
      data: {
        actor: actor.name.slice(0, 200),
        actorKind: actor.kind,
        role: actor.role,
        action: e.action,
        target: e.target.slice(0, 300),
        before: summary(e.before),
        after: summary(e.after),
        clientAddress: actor.clientAddress,
      },
    }),
  );
}

export interface AuditFilter {
  actor?: string;
  /** An action ("cluster.create") or a prefix ending in "." ("cluster."). */
  action?: string;
  since?: Date;
  until?: Date;
  /** Free text in target, actor or action. */
  q?: string;
}

function where(f: AuditFilter): AuditWhere {
  return {
    ...(f.actor ? { actor: f.actor } : {}),
    ...(f.action ? { action: f.action.endsWith('.') ? { startsWith: f.action } : f.action } : {}),
    ...(f.since || f.until ? { at: { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lt: f.until } : {}) } } : {}),
    ...(f.q ? { OR: [{ target: { contains: f.q } }, { actor: { contains: f.q } }, { action: { contains: f.q } }] } : {}),
  };
}

const toView = (r: { id: number; at: Date; actor: string; actorKind: string; role: string | null; action: string; target: string; before: string | null; after: string | null; clientAddress: string | null }): AuditView => ({
  ...r,
  at: r.at.toISOString(),
});

/** Newest first. */
export async function listAudit(f: AuditFilter, page: { limit: number; offset?: number }): Promise<{ events: AuditView[]; total: number }> {
  const w = where(f);
  const [rows, total] = await withDb((db) =>
    Promise.all([db.prisma.auditEvent.findMany({ where: w, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: page.limit, skip: page.offset ?? 0 }), db.prisma.auditEvent.count({ where: w })]),
  );
  return { events: rows.map(toView), total };
}

const AUDIT_CSV_COLUMNS = ['at', 'actor', 'actor_kind', 'role', 'action', 'target', 'before', 'after', 'client_address'] as const;

export function auditToCsv(events: readonly AuditView[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(','), ...events.map((e) => csvLine([e.at, e.actor, e.actorKind, e.role, e.action, e.target, e.before, e.after, e.clientAddress]))];
  return `${lines.join('\n')}\n`;
}
