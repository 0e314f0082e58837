// Leader-election failover events and Lease-watch gaps: idempotent writes from the collector
// (a replayed buffer never stores an event twice), plain-object reads for pages and the API.
import type { LeaseSeed, WatchGap } from '../failover/lease-types';
import { withDb, type FailoverEventRow, type LeaseWatchGapRow } from '../db';
import { QuorumError } from '../errors';
import { parseMicroTime, type FailoverEvent } from '../failover/reducer';
import { latestSamples, parseDetail } from './samples';
import { lockClusterForWrite } from './sql';

export interface FailoverView {
  id: string;
  clusterId: string;
  lease: string;
  /** The component, i.e. the Lease name (kube-scheduler, kube-controller-manager, …). */
  component: string;
  kind: 'crash' | 'graceful' | 'unobserved';
  previousHolder: string;
  newHolder: string;
  previousRenewTime: string | null;
  newAcquireTime: string | null;
  gapMs: number | null;
  leaseDurationSeconds: number | null;
  leaseTransitions: number | null;
  at: string;
  observedAt: string;
}

export interface WatchGapView {
  namespace: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  reason: string;
}

const KINDS = new Set(['crash', 'graceful', 'unobserved']);

/** Stable identity of one takeover: the same Lease record seen twice yields the same key. */
function failoverDedupeKey(clusterId: string, e: FailoverEvent): string {
  return [clusterId, e.lease, e.newHolder, e.newAcquireTime ?? `seen:${e.observedAt}`, e.leaseTransitions ?? ''].join('|');
}

/** The takeover's own time: the new acquireTime (µs, truncated to ms), else when it was seen. */
function failoverAt(e: FailoverEvent): Date {
  const acq = parseMicroTime(e.newAcquireTime);
  return new Date(acq === null ? e.observedAt : Math.floor(acq / 1000));
}

function toRow(clusterId: string, e: FailoverEvent): Omit<FailoverEventRow, 'id'> {
  if (!KINDS.has(e.kind)) throw new QuorumError('invalid-input', `failover kind "${String(e.kind)}" is not crash, graceful or unobserved`);
  if (!e.lease || !e.newHolder) throw new QuorumError('invalid-input', 'failover event needs a lease and a new holder');
  if (!Number.isFinite(e.observedAt)) throw new QuorumError('invalid-input', `failover observedAt ${String(e.observedAt)} is not a time`);
  return {
    clusterId,
    lease: e.lease,
    kind: e.kind,
    previousHolder: e.previousHolder,
    newHolder: e.newHolder,
    previousRenewTime: e.previousRenewTime,
    newAcquireTime: e.newAcquireTime,
    gapMs: e.gapMs !== null && Number.isFinite(e.gapMs) ? e.gapMs : null,
    leaseDurationSeconds: e.leaseDurationSeconds,
    leaseTransitions: e.leaseTransitions,
    at: failoverAt(e),
    observedAt: new Date(e.observedAt),
    dedupeKey: failoverDedupeKey(clusterId, e),
  };
}

/**
 * Stores failover events of one cluster, skipping any already stored (same dedupe key). Returns how
 * many were new. A removed cluster's events are discarded (0), so they can never wedge a retry buffer.
 */
export async function insertFailoverEvents(clusterId: string, events: readonly FailoverEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const rows = events.map((e) => toRow(clusterId, e));
  return withDb((db) =>
    db.transaction(async (tx) => {
      if (!(await lockClusterForWrite(db.provider, tx, clusterId))) return 0;
      let written = 0;
      for (const r of rows) {
        if (await tx.failoverEvent.findUnique({ where: { dedupeKey: r.dedupeKey } })) continue;
        await tx.failoverEvent.create({ data: r });
        written++;
      }
      return written;
    }),
  );
}

/** Stores Lease-watch gaps of one cluster (idempotent, like insertFailoverEvents). */
export async function insertWatchGaps(clusterId: string, gaps: readonly WatchGap[]): Promise<number> {
  if (gaps.length === 0) return 0;
  const rows = gaps.map((g) => {
    if (!(Number.isFinite(g.startedAt) && Number.isFinite(g.endedAt) && g.endedAt >= g.startedAt)) throw new QuorumError('invalid-input', `watch gap [${g.startedAt}, ${g.endedAt}] is not a time interval`);
    return { clusterId, namespace: g.namespace, startedAt: new Date(g.startedAt), endedAt: new Date(g.endedAt), reason: g.reason.slice(0, 4096), dedupeKey: `${clusterId}|${g.namespace}|${g.startedAt}` };
  });
  return withDb((db) =>
    db.transaction(async (tx) => {
      if (!(await lockClusterForWrite(db.provider, tx, clusterId))) return 0;
      let written = 0;
      for (const r of rows) {
        if (await tx.leaseWatchGap.findUnique({ where: { dedupeKey: r.dedupeKey } })) continue;
        await tx.leaseWatchGap.create({ data: r });
        written++;
      }
      return written;
    }),
  );
}

function toView(r: FailoverEventRow): FailoverView {
  return {
    id: String(r.id),
    clusterId: r.clusterId,
    lease: r.lease,
    component: r.lease.slice(r.lease.indexOf('/') + 1),
    kind: KINDS.has(r.kind) ? (r.kind as FailoverView['kind']) : 'unobserved',
    previousHolder: r.previousHolder,
    newHolder: r.newHolder,
    previousRenewTime: r.previousRenewTime,
    newAcquireTime: r.newAcquireTime,
    gapMs: r.gapMs,
    leaseDurationSeconds: r.leaseDurationSeconds,
    leaseTransitions: r.leaseTransitions,
    at: r.at.toISOString(),
    observedAt: r.observedAt.toISOString(),
  };
}

function checkDate(name: string, d: Date | undefined): void {
  if (d !== undefined && (!(d instanceof Date) || Number.isNaN(d.getTime()))) throw new QuorumError('invalid-input', `${name} must be a valid Date`);
}

/** Failovers of one cluster with `at` in [since, until), oldest first (at most `limit`, default 10 000). */
export async function listFailovers(q: { clusterId: string; since: Date; until?: Date; lease?: string; limit?: number }): Promise<FailoverView[]> {
  checkDate('since', q.since);
  checkDate('until', q.until);
  const take = Math.min(100_000, Math.max(1, Math.floor(q.limit ?? 10_000)));
  const rows = await withDb((db) =>
    db.prisma.failoverEvent.findMany({
      where: { clusterId: q.clusterId, ...(q.lease ? { lease: q.lease } : {}), at: { gte: q.since, ...(q.until ? { lt: q.until } : {}) } },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      take,
    }),
  );
  return rows.map(toView);
}

/** Watch gaps of one cluster overlapping [since, until), oldest first. */
export async function listWatchGaps(q: { clusterId: string; since: Date; until?: Date }): Promise<WatchGapView[]> {
  checkDate('since', q.since);
  checkDate('until', q.until);
  const rows: LeaseWatchGapRow[] = await withDb((db) =>
    db.prisma.leaseWatchGap.findMany({
      where: { clusterId: q.clusterId, endedAt: { gte: q.since }, ...(q.until ? { startedAt: { lt: q.until } } : {}) },
      orderBy: [{ startedAt: 'asc' }, { id: 'asc' }],
      take: 10_000,
    }),
  );
  return rows.map((r) => ({ namespace: r.namespace, startedAt: r.startedAt.toISOString(), endedAt: r.endedAt.toISOString(), durationMs: r.endedAt.getTime() - r.startedAt.getTime(), reason: r.reason }));
}

/** A Lease seed from one leader-election sample's detail, or null when that sample did not know the holder. */
function seedOf(lease: string, detail: string | null, atMs: number): LeaseSeed | null {
  const facts = (parseDetail(detail)?.facts ?? {}) as Record<string, unknown>;
  if (facts.watchDown === true) return null; // that sample did not know the holder either; look further back
  const holder = typeof facts.holder === 'string' ? facts.holder : '';
  if (!holder) return null;
  return {
    lease,
    holder,
    leaseTransitions: typeof facts.leaseTransitions === 'number' ? facts.leaseTransitions : null,
    leaseDurationSeconds: typeof facts.leaseDurationSeconds === 'number' ? facts.leaseDurationSeconds : null,
    observedAt: atMs,
  };
}

/**
 * What the last collector run saw of each Lease of a cluster (within `lookbackMs`, default 14 days).
 * Seeds a new Lease watch after a restart. From each Lease's series cursor (its last sample, exact);
 * when that sample did not know the holder (watch down, no holder), from the latest run of
 * leader-election samples that did (its last sample).
 */
export async function loadLeaseSeeds(clusterId: string, opts: { now?: number; lookbackMs?: number } = {}): Promise<LeaseSeed[]> {
  const now = opts.now ?? Date.now();
  const sinceMs = now - (opts.lookbackMs ?? 14 * 86_400_000);
  const seeds = new Map<string, LeaseSeed>();
  const last = await latestSamples(clusterId, { nowMs: Number.MAX_SAFE_INTEGER, sinceMs, probes: ['leader-election'] });
  for (const r of last) {
    const seed = r.target.indexOf('/') > 0 ? seedOf(r.target, r.detail, r.at.getTime()) : null;
    if (seed) seeds.set(r.target, seed);
  }
  if (seeds.size === last.filter((r) => r.target.indexOf('/') > 0).length) return [...seeds.values()];
  const rows = await withDb((db) =>
    db.prisma.sample.findMany({
      where: { clusterId, probe: 'leader-election', runLastAtMs: { gte: BigInt(sinceMs) } },
      orderBy: [{ at: 'desc' }],
      take: 200,
    }),
  );
  // Rows are runs: every sample of one has the same holder, transitions and duration; the last one is the latest seen.
  for (const r of rows) {
    if (seeds.has(r.target) || r.target.indexOf('/') <= 0) continue;
    const seed = seedOf(r.target, r.detail, Number(r.runLastAtMs));
    if (seed) seeds.set(r.target, seed);
  }
  return [...seeds.values()];
}
