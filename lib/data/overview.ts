// Read model of a cluster's Checks and History tabs (the latest named checks, 24 h from raw samples):
// plain, serialisable objects. The fleet is lib/data/fleet.ts.
import { collectorIntervalMs, sampleCapMs } from '../env';
import { withDb, type SampleRow } from '../db';
import { episodes, runsAvailability, type RunTimes } from '../slo/runs';
import { MINUTE_BUCKET_MS } from '../slo/timeline';
import type { ClusterSummary, HealthCheck, ProbeId, Status } from '../types';
import { getCluster } from './clusters';
import { staleAfterMs } from './components';
import { latestSamples, parseDetail } from './samples';
import { readMinutes, readSeries, type MinuteRow } from './sql';

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

/** One run of /readyz or /livez results: first and last sample, how many, their status and (first) reason. */
export interface HistoryRow {
  at: string;
  lastAt: string;
  samples: number;
  probe: string;
  status: Status;
  reason: string;
}

/** Per named check (per probe): is it failing now, and when did it last fail in the window. */
export interface CheckHistory {
  probe: ProbeId;
  name: string;
  /** In the latest sample of that probe; null when the latest sample does not list the check. */
  okNow: boolean | null;
  lastFailedAt: string | null;
  lastFailureMessage: string | null;
  /**
   * Failure episodes in the window: unbroken stretches of samples (at most the cap apart) in which
   * the check failed, counted once each, also when one began before the window (runs keep no sample
   * count per part of a run, so failing SAMPLES in the window are not known exactly).
   */
  failures24h: number;
}

export interface ClusterDetail extends ClusterState {
  cluster: ClusterSummary;
  readyz: LatestChecks | null;
  livez: LatestChecks | null;
  /** Most recent runs of /readyz and /livez, newest first. */
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
const ENDPOINT = 'endpoint';

const SEVERITY: Record<Status, number> = { up: 0, unknown: 1, degraded: 2, down: 3 };


/**
 * Buckets minute rollups (as read: sorted, up to the chart's end) into `width`-ms buckets from `startMs` (a whole UTC minute): each
 * bucket's worst status and highest latency, as every sample of those minutes gives. Pure.
 */
function toSeries(minutes: readonly MinuteRow[], startMs: number, width = Math.ceil(DETAIL_DAY_MS / MAX_SERIES_POINTS)): SeriesPoint[] {
  const buckets = new Map<number, { status: Status; latencyMs: number | null }>();
  for (const m of minutes) {
    if (m.bucketStartMs < startMs || m.samples === 0) continue;
    const idx = Math.floor((m.bucketStartMs - startMs) / width);
    const status: Status = m.badSamples > 0 ? 'down' : m.degradedSamples > 0 ? 'degraded' : m.unknownSamples > 0 ? 'unknown' : 'up';
    const b = buckets.get(idx);
    if (!b) {
      buckets.set(idx, { status, latencyMs: m.latencyMaxMs });
      continue;
    }
    if (SEVERITY[status] > SEVERITY[b.status]) b.status = status;
    if (m.latencyMaxMs !== null && (b.latencyMs === null || m.latencyMaxMs > b.latencyMs)) b.latencyMs = m.latencyMaxMs;
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([idx, b]) => ({ t: new Date(startMs + idx * width).toISOString(), status: b.status, latencyMs: b.latencyMs }));
}

const runOf = (r: SampleRow): RunTimes & { row: SampleRow } => ({ atMs: r.at.getTime(), lastAtMs: Number(r.runLastAtMs), samples: r.runSamples, status: r.status, row: r });

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
  // The chart from the minute rollups: whole UTC minutes from the one holding now − 24 h to now's — or to the
  // minute before now's when the series has samples after now (a page about the past), which now's minute would count.
  const chartStartMs = Math.floor(startMs / MINUTE_BUCKET_MS) * MINUTE_BUCKET_MS;
  const [runs, minutes] = await withDb(async (db) => {
    const series = (await readSeries(db, clusterId, [READYZ])).find((x) => x.target === ENDPOINT);
    const chartEndMs = Math.floor(nowMs / MINUTE_BUCKET_MS) * MINUTE_BUCKET_MS + (series && series.lastAtMs > nowMs ? 0 : MINUTE_BUCKET_MS);
    return Promise.all([
      db.prisma.sample.findMany({
        where: { clusterId, probe: READYZ, target: ENDPOINT, at: { lt: new Date(nowMs) }, runLastAtMs: { gte: BigInt(startMs - gapMs) } },
        orderBy: [{ at: 'asc' }, { id: 'asc' }],
        take: WINDOW_ROW_LIMIT,
      }),
      series ? readMinutes(db, series.id, chartStartMs, chartEndMs) : Promise.resolve([]),
    ]);
  });
  const latest = (await latestSamples(clusterId, { nowMs, probes: [READYZ] }))[0] ?? null;
  const a = runsAvailability(runs.map(runOf), { startMs, endMs: nowMs, capMs: gapMs });
  return {
    ...currentState(latest, nowMs, interval),
    availability24h: a.availability,
    coverage24h: a.coverage,
    series: toSeries(minutes, chartStartMs),
  };
}

function checksOf(detail: string | null): HealthCheck[] {
  const d = parseDetail(detail);
  const checks = d?.checks;
  if (!Array.isArray(checks)) return [];
  return checks.filter((c): c is HealthCheck => typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.ok === 'boolean');
}

/** A cluster page: state, the latest named checks of readyz and livez, check history, recent runs. */
export async function getClusterDetail(idOrName: string, opts: { now?: Date } = {}): Promise<ClusterDetail | null> {
  const cluster = await getCluster(idOrName);
  if (!cluster) return null;
  const nowMs = (opts.now ?? new Date()).getTime();
  const interval = collectorIntervalMs();
  const clusterId = cluster.id;
  const upTo = { lte: new Date(nowMs) };
  const [state, latestRows, [recent, window]] = await Promise.all([
    clusterState(clusterId, nowMs, interval),
    // The latest readyz and livez samples exactly, from their series cursors.
    latestSamples(clusterId, { nowMs, probes: [READYZ, LIVEZ] }),
    withDb((db) =>
      Promise.all([
        db.prisma.sample.findMany({ where: { clusterId, probe: { in: [READYZ, LIVEZ] }, at: upTo }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: HISTORY_ROWS }),
        // Every run of readyz and livez in the last 24 h (few: one per change), oldest first.
        db.prisma.sample.findMany({
          where: { clusterId, probe: { in: [READYZ, LIVEZ] }, at: upTo, runLastAtMs: { gte: BigInt(nowMs - DETAIL_DAY_MS) } },
          orderBy: [{ at: 'asc' }, { id: 'asc' }],
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
  const capMs = sampleCapMs();
  for (const probe of [READYZ, LIVEZ] as const) {
    const runs = window.filter((r) => r.probe === probe && r.target === ENDPOINT).map((r) => ({ ...runOf(r), checks: checksOf(r.detail) }));
    const names = new Set(runs.flatMap((r) => (r.status === 'down' || r.status === 'degraded' ? r.checks.filter((c) => !c.ok).map((c) => c.name) : [])));
    for (const name of names) {
      const failing = (r: (typeof runs)[number]): boolean => (r.status === 'down' || r.status === 'degraded') && r.checks.some((c) => c.name === name && !c.ok);
      const eps = episodes(runs, capMs, failing);
      const lastEp = eps.at(-1);
      if (!lastEp) continue;
      const e = entry(probe, name);
      e.failures24h = eps.length;
      e.lastFailedAt = new Date(Math.min(lastEp.last.lastAtMs, nowMs)).toISOString();
      e.lastFailureMessage = lastEp.last.checks.find((c) => c.name === name)?.message ?? null;
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
    history: recent.map((r) => ({ at: r.at.toISOString(), lastAt: new Date(Number(r.runLastAtMs)).toISOString(), samples: r.runSamples, probe: r.probe, status: r.status, reason: r.reason })),
    checkHistory,
  };
}
