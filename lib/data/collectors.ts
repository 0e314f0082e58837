// "Quorum itself": the collectors, their heartbeats, which one probes which cluster, and the takeovers
// between them (recorded like Lease failovers: previous owner, new owner, measured gap). Reads for the
// page and /api/collectors; the SQLite collector's heartbeat write. PostgreSQL collectors write their
// rows on their ownership session (lib/data/ownership.ts).
import { withDb, type CollectorRow, type CollectorTakeoverRow } from '../db';
import { loadEnv } from '../env';
import { failoverStats } from '../failover/stats';
import type { CollectorInfo } from './ownership';

export type CollectorState = 'live' | 'late' | 'gone' | 'stopped';

/** A collector as the page shows it: who it is (as it registered), its heartbeat, state and share. */
export interface CollectorView extends Omit<CollectorInfo, 'intervalSeconds'> {
  startedAt: string;
  heartbeatAt: string;
  heartbeatAgeSeconds: number;
  stoppedAt: string | null;
  /**
   * live: heard from within 3 heartbeats; late: silent longer, but its database session may still
   * hold its clusters; gone: silent past the session timeout (its clusters are free); stopped: it
   * stopped gracefully.
   */
  state: CollectorState;
  owned: number;
  ownedClusters: Array<{ id: string; name: string; since: string; firstProbeAt: string | null }>;
  lastCycleAt: string | null;
  lastCycle: { clusters: number; samples: number; written: number; buffered: number; dropped: number; ms: number; dbError?: string } | null;
}

export interface TakeoverView {
  id: string;
  clusterId: string;
  cluster: string;
  kind: 'crash' | 'graceful';
  previousCollector: string;
  previousCollectorId: string;
  newCollector: string;
  newCollectorId: string;
  previousHeartbeatAt: string | null;
  releasedAt: string | null;
  acquiredAt: string;
  gapMs: number | null;
  lastSampleAt: string | null;
  firstProbeAt: string | null;
  probeGapMs: number | null;
}

export interface QuorumItself {
  mode: 'ha' | 'single';
  /** Heartbeat period of the collectors (ms): PostgreSQL's ownership tick, SQLite's cycle. */
  heartbeatMs: number;
  sessionTimeoutMs: number;
  collectors: CollectorView[];
  /** Clusters no live collector owns right now (PostgreSQL), by name. */
  unowned: Array<{ id: string; name: string; lastOwner: string | null; releasedAt: string | null }>;
  clusters: number;
  takeovers: TakeoverView[];
  stats: { count: number; crash: number; graceful: number; p50GapMs: number | null; p95GapMs: number | null; maxGapMs: number | null; maxProbeGapMs: number | null };
  since: string;
}

/** SQLite: the one collector's heartbeat (a row per run), written after each cycle. */
export async function upsertCollectorHeartbeat(info: CollectorInfo, owned: number, lastCycle: { atMs: number; json: string } | null): Promise<void> {
  const now = new Date();
  const row = { id: info.id, name: info.name, host: info.host, pid: info.pid, version: info.version, mode: info.mode, intervalSeconds: info.intervalSeconds, owned, heartbeatAt: now };
  const cycle = lastCycle ? { lastCycleAt: new Date(lastCycle.atMs), lastCycle: lastCycle.json } : {};
  await withDb((db) => db.prisma.collector.upsert({ where: { id: info.id }, create: { ...row, startedAt: now, ...cycle }, update: { owned, heartbeatAt: now, stoppedAt: null, ...cycle } }));
}

export async function markCollectorStopped(id: string): Promise<void> {
  const now = new Date();
  await withDb((db) => db.prisma.collector.updateMany({ where: { id }, data: { stoppedAt: now, heartbeatAt: now, owned: 0 } }));
}

/** Retention: collector runs not heard from for 7 days, takeovers older than the rollups. */
export async function pruneCollectors(opts: { now?: number; rollupRetentionMs: number }): Promise<{ collectors: number; takeovers: number }> {
  const now = opts.now ?? Date.now();
  const collectors = await withDb((db) => db.prisma.collector.deleteMany({ where: { heartbeatAt: { lt: new Date(now - 7 * 86_400_000) } } }));
  const takeovers = await withDb((db) => db.prisma.collectorTakeover.deleteMany({ where: { acquiredAt: { lt: new Date(now - opts.rollupRetentionMs) } } }));
  return { collectors: collectors.count, takeovers: takeovers.count };
}

function parseCycle(text: string | null): CollectorView['lastCycle'] {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const n = (k: string): number => (typeof v[k] === 'number' ? (v[k] as number) : 0);
    return { clusters: n('clusters'), samples: n('samples'), written: n('written'), buffered: n('buffered'), dropped: n('dropped'), ms: n('ms'), ...(typeof v.dbError === 'string' ? { dbError: v.dbError } : {}) };
  } catch {
    return null;
  }
}

function stateOf(r: CollectorRow, now: number, heartbeatMs: number, sessionTimeoutMs: number): CollectorState {
  if (r.stoppedAt) return 'stopped';
  const age = now - r.heartbeatAt.getTime();
  if (age <= 3 * heartbeatMs) return 'live';
  return age <= sessionTimeoutMs + heartbeatMs ? 'late' : 'gone';
}

/** Everything the "Quorum itself" page shows: collectors of the last day (and any not stopped), owners, takeovers since `since`. */
export async function getQuorumItself(opts: { since: Date; now?: number }): Promise<QuorumItself> {
  const env = loadEnv();
  const now = opts.now ?? Date.now();
  const mode = env.db.provider === 'postgresql' ? 'ha' : 'single';
  const heartbeatMs = mode === 'ha' ? env.ha.ownershipIntervalMs : env.collector.intervalSeconds * 1000;
  const sessionTimeoutMs = mode === 'ha' ? env.ha.sessionTimeoutMs : 3 * heartbeatMs;
  const [rows, owners, takeovers, clusters] = await withDb((db) =>
    Promise.all([
      db.prisma.collector.findMany({ where: { OR: [{ heartbeatAt: { gte: new Date(now - 86_400_000) } }, { stoppedAt: null }] }, orderBy: [{ startedAt: 'desc' }, { id: 'asc' }], take: 200 }),
      db.prisma.clusterOwner.findMany({ orderBy: [{ since: 'asc' }, { clusterId: 'asc' }] }),
      db.prisma.collectorTakeover.findMany({ where: { acquiredAt: { gte: opts.since } }, orderBy: [{ acquiredAt: 'desc' }, { id: 'desc' }], take: 1000 }),
      db.prisma.cluster.findMany({ orderBy: { name: 'asc' }, omit: { credentials: true } }),
    ]),
  );
  const names = new Map(clusters.map((c) => [c.id, c.name]));
  const collectors: CollectorView[] = rows
    .filter((r) => !r.stoppedAt || now - r.heartbeatAt.getTime() < 86_400_000)
    .map((r) => {
      const state = stateOf(r, now, heartbeatMs, sessionTimeoutMs);
      const mine = mode === 'single' ? (state === 'live' ? clusters.map((c) => ({ id: c.id, name: c.name, since: r.startedAt.toISOString(), firstProbeAt: null })) : []) : owners
        .filter((o) => o.collectorId === r.id && o.releasedAt === null && state !== 'stopped' && state !== 'gone')
        .map((o) => ({ id: o.clusterId, name: names.get(o.clusterId) ?? o.clusterId, since: o.since.toISOString(), firstProbeAt: o.firstProbeAt?.toISOString() ?? null }));
      return {
        id: r.id,
        name: r.name,
        host: r.host,
        pid: r.pid,
        version: r.version,
        mode: r.mode === 'ha' ? 'ha' : 'single',
        startedAt: r.startedAt.toISOString(),
        heartbeatAt: r.heartbeatAt.toISOString(),
        heartbeatAgeSeconds: Math.max(0, Math.round((now - r.heartbeatAt.getTime()) / 1000)),
        stoppedAt: r.stoppedAt?.toISOString() ?? null,
        state,
        owned: mine.length,
        ownedClusters: mine,
        lastCycleAt: r.lastCycleAt?.toISOString() ?? null,
        lastCycle: parseCycle(r.lastCycle),
      };
    });
  const liveOwner = new Set(collectors.filter((c) => c.state === 'live' || c.state === 'late').flatMap((c) => c.ownedClusters.map((o) => o.id)));
  const ownerRow = new Map(owners.map((o) => [o.clusterId, o]));
  const unowned = mode === 'single'
    ? collectors.some((c) => c.state === 'live') ? [] : clusters.map((c) => ({ id: c.id, name: c.name, lastOwner: null, releasedAt: null }))
    : clusters.filter((c) => !liveOwner.has(c.id)).map((c) => ({ id: c.id, name: c.name, lastOwner: ownerRow.get(c.id)?.collectorName ?? null, releasedAt: ownerRow.get(c.id)?.releasedAt?.toISOString() ?? null }));
  const views = takeovers.map((t) => toTakeoverView(t, names));
  const [st] = failoverStats(views.map((t) => ({ lease: 'collectors', kind: t.kind, gapMs: t.gapMs })));
  const probeGaps = views.flatMap((t) => (t.probeGapMs === null ? [] : [t.probeGapMs]));
  return {
    mode,
    heartbeatMs,
    sessionTimeoutMs,
    collectors,
    unowned,
    clusters: clusters.length,
    takeovers: views,
    stats: {
      count: views.length,
      crash: st?.crash ?? 0,
      graceful: st?.graceful ?? 0,
      p50GapMs: st?.p50Ms ?? null,
      p95GapMs: st?.p95Ms ?? null,
      maxGapMs: st?.maxMs ?? null,
      maxProbeGapMs: probeGaps.length ? Math.max(...probeGaps) : null,
    },
    since: opts.since.toISOString(),
  };
}

function toTakeoverView(t: CollectorTakeoverRow, names: Map<string, string>): TakeoverView {
  return {
    id: String(t.id),
    clusterId: t.clusterId,
    cluster: names.get(t.clusterId) ?? t.clusterId,
    kind: t.kind === 'graceful' ? 'graceful' : 'crash',
    previousCollector: t.previousCollector,
    previousCollectorId: t.previousCollectorId,
    newCollector: t.newCollector,
    newCollectorId: t.newCollectorId,
    previousHeartbeatAt: t.previousHeartbeatAt?.toISOString() ?? null,
    releasedAt: t.releasedAt?.toISOString() ?? null,
    acquiredAt: t.acquiredAt.toISOString(),
    gapMs: t.gapMs,
    lastSampleAt: t.lastSampleAt?.toISOString() ?? null,
    firstProbeAt: t.firstProbeAt?.toISOString() ?? null,
    probeGapMs: t.probeGapMs,
  };
}
