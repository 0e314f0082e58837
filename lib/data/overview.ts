// Read model of a cluster's Checks and History tabs (the latest named checks, 24 h from raw samples):
// plain, serialisable objects. The fleet is lib/data/fleet.ts.
import { collectorIntervalMs, sampleCapMs } from '../env';
import { withDb, type SamplePoint } from '../db';
import { availability } from '../slo/availability';
import type { ClusterSummary, HealthCheck, ProbeId, Status } from '../types';
import { getCluster } from './clusters';
import { staleAfterMs } from './components';
import { latestSamples, parseDetail } from './samples';

/** One chart point: a time bucket's worst status and highest latency. */
export interface SeriesPoint {
  /** ISO start of the bucket. */
  t: string;
  status: Status;
  latencyMs: number | null;
}

export interface ClusterState {
  /** From the latest apiserver-readyz sample; 'unknown' when there is none or it is stale. */
  status: Status;
  reason: string;
  lastSampleAt: string | null;
  /** Time-based readyz availability over the last 24 h (lib/slo/availability.ts); null without data. */
  availability24h: number | null;
  /** Share of the last 24 h that samples speak for. */
  coverage24h: number;
  series: SeriesPoint[];
}

export interface LatestChecks {
  at: string;
  status: Status;
  reason: string;
  latencyMs: number | null;
  checks: HealthCheck[];
}

export interface HistoryRow {
  at: string;
  probe: string;
  status: Status;
  reason: string;
  latencyMs: number | null;
}

/** Per named check (per probe): is it failing now, and when did it last fail in the window. */
export interface CheckHistory {
  probe: ProbeId;
  name: string;
  /** In the latest sample of that probe; null when the latest sample does not list the check. */
  okNow: boolean | null;
  lastFailedAt: string | null;
  lastFailureMessage: string | null;
  /** Failing samples in the window (bounded by FAILURE_SCAN_LIMIT). */
  failures24h: number;
}

export interface ClusterDetail extends ClusterState {
  cluster: ClusterSummary;
  readyz: LatestChecks | null;
  livez: LatestChecks | null;
  /** Most recent samples of every probe, newest first. */
  history: HistoryRow[];
  checkHistory: CheckHistory[];
}

/** The cluster detail's recent history (latency chart, named checks, failed checks): the last 24 h, not an SLO window. */
export const DETAIL_DAY_MS = 24 * 60 * 60 * 1000;
const MAX_SERIES_POINTS = 288; // 5-minute buckets over 24 h
const HISTORY_ROWS = 50;
const FAILURE_SCAN_LIMIT = 5000;
const WINDOW_ROW_LIMIT = 100_000;
const READYZ: ProbeId = 'apiserver-readyz';
const LIVEZ: ProbeId = 'apiserver-livez';

const SEVERITY: Record<Status, number> = { up: 0, unknown: 1, degraded: 2, down: 3 };


/** Buckets points (sorted by time) into at most maxPoints equal buckets of [startMs, endMs). Pure. */
function toSeries(points: readonly SamplePoint[], startMs: number, endMs: number, maxPoints = MAX_SERIES_POINTS): SeriesPoint[] {
  const width = Math.max(1, Math.ceil((endMs - startMs) / maxPoints));
  const buckets = new Map<number, { status: Status; latencyMs: number | null }>();
  for (const p of points) {
    const t = p.at.getTime();
    if (t < startMs || t >= endMs) continue;
    const idx = Math.floor((t - startMs) / width);
    const b = buckets.get(idx);
    if (!b) {
      buckets.set(idx, { status: p.status, latencyMs: p.latencyMs });
      continue;
    }
    if (SEVERITY[p.status] > SEVERITY[b.status]) b.status = p.status;
    if (p.latencyMs !== null && (b.latencyMs === null || p.latencyMs > b.latencyMs)) b.latencyMs = p.latencyMs;
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([idx, b]) => ({ t: new Date(startMs + idx * width).toISOString(), status: b.status, latencyMs: b.latencyMs }));
}

/**
 * Current state from the latest readyz sample (the cluster page's 24 h view; the fleet reads the
 * series cursor instead). A latest sample older than max(3 intervals, 60 s) is stale: 'unknown'
 * (the collector is not reporting), not the old status.
 */
function currentState(latest: { at: Date; status: Status; reason: string } | null, nowMs: number, interval: number): Pick<ClusterState, 'status' | 'reason' | 'lastSampleAt'> {
  if (!latest) return { status: 'unknown', reason: 'no samples yet', lastSampleAt: null };
  const lastSampleAt = latest.at.toISOString();
  if (nowMs - latest.at.getTime() > staleAfterMs(interval)) {
    return { status: 'unknown', reason: `no sample since ${lastSampleAt}: is the collector running?`, lastSampleAt };
  }
  return { status: latest.status, reason: latest.reason, lastSampleAt };
}

async function clusterState(clusterId: string, nowMs: number, interval: number): Promise<ClusterState> {
  const startMs = nowMs - DETAIL_DAY_MS;
  // The write path's cap (3 intervals), so the Checks tab's 24 h figure is the one the rollups give
  // (2 intervals here made a 20–30 s gap good time in the SLO and unknown on this tab).
  const gapMs = sampleCapMs();
  const [points] = await withDb((db) =>
    Promise.all([
      db.samplePoints.findMany({
        where: { clusterId, probe: READYZ, at: { gte: new Date(startMs - gapMs), lt: new Date(nowMs) } },
        orderBy: [{ at: 'asc' }, { id: 'asc' }],
        take: WINDOW_ROW_LIMIT,
        select: { at: true, status: true, latencyMs: true },
      }),
    ]),
  );
  const latest = (await latestSamples(clusterId, { nowMs, probes: [READYZ] }))[0] ?? null;
  const a = availability({ samples: points.map((p) => ({ t: p.at.getTime(), status: p.status })), startMs, endMs: nowMs, intervalMs: interval, maxGapMs: gapMs });
  return {
    ...currentState(latest, nowMs, interval),
    availability24h: a.availability,
    coverage24h: a.coverage,
    series: toSeries(points, startMs, nowMs),
  };
}

function checksOf(detail: string | null): HealthCheck[] {
  const d = parseDetail(detail);
  const checks = d?.checks;
  if (!Array.isArray(checks)) return [];
  return checks.filter((c): c is HealthCheck => typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.ok === 'boolean');
}

/** A cluster page: state, the latest named checks of readyz and livez, check history, recent samples. */
export async function getClusterDetail(idOrName: string, opts: { now?: Date } = {}): Promise<ClusterDetail | null> {
  const cluster = await getCluster(idOrName);
  if (!cluster) return null;
  const nowMs = (opts.now ?? new Date()).getTime();
  const interval = collectorIntervalMs();
  const clusterId = cluster.id;
  const upTo = { lte: new Date(nowMs) };
  const [state, latestRows, [recent, failures]] = await Promise.all([
    clusterState(clusterId, nowMs, interval),
    // The latest readyz and livez samples exactly, from their series cursors.
    latestSamples(clusterId, { nowMs, probes: [READYZ, LIVEZ] }),
    withDb((db) =>
      Promise.all([
        db.prisma.sample.findMany({ where: { clusterId, at: upTo }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: HISTORY_ROWS }),
        db.prisma.sample.findMany({
          where: { clusterId, probe: { in: [READYZ, LIVEZ] }, status: { in: ['down', 'degraded'] }, at: { gte: new Date(nowMs - DETAIL_DAY_MS), lte: new Date(nowMs) } },
          orderBy: [{ at: 'desc' }, { id: 'desc' }],
          take: FAILURE_SCAN_LIMIT,
        }),
      ]),
    ),
  ]);
  const readyzRow = latestRows.find((r) => r.probe === READYZ) ?? null;
  const livezRow = latestRows.find((r) => r.probe === LIVEZ) ?? null;
  const latestChecks = (r: typeof readyzRow): LatestChecks | null =>
    r ? { at: r.at.toISOString(), status: r.status, reason: r.reason, latencyMs: r.latencyMs, checks: checksOf(r.detail) } : null;
  const readyz = latestChecks(readyzRow);
  const livez = latestChecks(livezRow);

  const byKey = new Map<string, CheckHistory>();
  const entry = (probe: ProbeId, name: string): CheckHistory => {
    const key = `${probe}\u0000${name}`;
    let e = byKey.get(key);
    if (!e) {
      e = { probe, name, okNow: null, lastFailedAt: null, lastFailureMessage: null, failures24h: 0 };
      byKey.set(key, e);
    }
    return e;
  };
  for (const [probe, latest] of [[READYZ, readyz], [LIVEZ, livez]] as const) {
    for (const c of latest?.checks ?? []) entry(probe, c.name).okNow = c.ok;
  }
  for (const f of failures) {
    const probe = f.probe === LIVEZ ? LIVEZ : READYZ;
    for (const c of checksOf(f.detail)) {
      if (c.ok) continue;
      const e = entry(probe, c.name);
      e.failures24h++;
      if (e.lastFailedAt === null) {
        e.lastFailedAt = f.at.toISOString(); // rows are newest first
        e.lastFailureMessage = c.message ?? null;
      }
    }
  }
  const checkHistory = [...byKey.values()].sort(
    (a, b) =>
      Number(a.okNow !== false) - Number(b.okNow !== false) ||
      (b.lastFailedAt ?? '').localeCompare(a.lastFailedAt ?? '') ||
      a.probe.localeCompare(b.probe) ||
      a.name.localeCompare(b.name),
  );
  return {
    cluster,
    ...state,
    readyz,
    livez,
    history: recent.map((r) => ({ at: r.at.toISOString(), probe: r.probe, status: r.status, reason: r.reason, latencyMs: r.latencyMs })),
    checkHistory,
  };
}
