// Read models of the dashboard (fleet overview and cluster drill-down) over an SLO window chosen in
// the URL (?window=7d|28d|30d|90d). Everything long is read from the storage tier (rollups +
// coalesced intervals, lib/data/slo.ts), never from raw samples: the composite availability and
// budget (evaluatePeriod), multiwindow burn-rate alerts (measureSeries over each alert window),
// bucketed availability for sparklines and charts (RollupHour / RollupDay rows, re-measured exactly
// where a bucket overlaps maintenance), and failovers in the window.
import { withDb } from '../db';
import { floorRatio } from '../slo/availability';
import { burnRateWindows, evaluateBurnAlerts, type BurnAlertEvaluation } from '../slo/burn-rate';
import { COMPOSITE_COMPONENT, COMPOSITE_SOURCE, resolvePolicy, type ResolvedPolicy, type SloPolicySpec } from '../slo/policy';
import { availabilityTableRow, SRE_TABLE_PERIODS, SRE_TABLE_PERIOD_MS, type SreTablePeriod } from '../slo/sre-table';
import { ROLLING_WINDOW_DAYS, type RollingWindow } from '../slo/targets';
import { measureSpans, openTail, subtractRanges, totalMs, clipToRanges, type Range, type TimeTotals } from '../slo/timeline';
import { DAY_MS, HOUR_MS } from '../slo/units';
import type { ClusterSummary, Status } from '../types';
import { getCluster, listClusters } from './clusters';
import { currentState } from './overview';
import { listOutages, type OutageRow } from './reports';
import { evaluatePeriod, listMaintenanceWindows, listSeries, listSloPolicies, maintenanceRanges, measureSeries, type ComponentSlo, type MaintenanceScope, type SeriesInfo } from './slo';
import { q } from './sql';
import { collectorIntervalMs } from '../env';
import { getCredentialStates } from '../keys';

export const DASHBOARD_WINDOWS = ['7d', '28d', '30d', '90d'] as const satisfies readonly RollingWindow[];
export type DashboardWindow = (typeof DASHBOARD_WINDOWS)[number];

export function windowMsOf(w: DashboardWindow): number {
  return ROLLING_WINDOW_DAYS[w] * DAY_MS;
}

/** One chart bucket: measured good/bad time outside maintenance, availability floored (null = no data). */
export interface BucketPoint {
  startMs: number;
  goodMs: number;
  badMs: number;
  availability: number | null;
  /** Mean and max probe latency of the bucket's samples (from the rollups), null without latency. */
  latencyAvgMs: number | null;
  latencyMaxMs: number | null;
}


/**
 * Good/bad time per bucket [k × bucketMs, (k+1) × bucketMs) (UTC-aligned; bucketMs a whole number of
 * hours, or of days to read RollupDay) for each series over [startMs, endMs). Buckets overlapping
 * maintenance are measured exactly without it (measureSeries); the open tail lands in its bucket.
 */
export async function measureBuckets(
  series: readonly SeriesInfo[],
  opts: { startMs: number; endMs: number; bucketMs: number; maintenance: readonly MaintenanceScope[]; nowMs: number },
): Promise<Map<number, BucketPoint[]>> {
  const { bucketMs, nowMs } = opts;
  if (bucketMs % HOUR_MS !== 0) throw new RangeError(`bucketMs must be whole hours, got ${bucketMs}`);
  const first = Math.floor(opts.startMs / bucketMs) * bucketMs;
  const end = Math.min(opts.endMs, nowMs);
  const count = Math.max(0, Math.ceil((end - first) / bucketMs));
  const out = new Map<number, TimeTotals[]>();
  for (const s of series) out.set(s.id, Array.from({ length: count }, () => ({ goodMs: 0, badMs: 0, unknownMs: 0 })));
  if (series.length === 0 || count === 0) return new Map();
  const table = bucketMs % DAY_MS === 0 ? 'RollupDay' : 'RollupHour';
  const ids = series.map((s) => s.id);
  const rows = await withDb(async (db) => {
    const pg = db.provider === 'postgresql';
    const ph = (i: number): string => (pg ? `$${i}::bigint` : `$${i}`);
    const all: Array<Record<string, unknown>> = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const idList = chunk.map((_, j) => ph(j + 3)).join(',');
      const r = (await db.prisma.$queryRawUnsafe(
        q(db.provider, `SELECT "seriesId","bucketStartMs","goodMs","badMs","latencyCount","latencySumMs","latencyMaxMs" FROM "${table}" WHERE "bucketStartMs" >= ${ph(1)} AND "bucketStartMs" < ${ph(2)} AND "seriesId" IN (${idList})`),
        ...[first, end, ...chunk].map((v) => (pg ? String(v) : v)),
      )) as Array<Record<string, unknown>>;
      all.push(...r);
    }
    return all;
  });
  const latency = new Map<number, Array<{ n: number; sum: number; max: number | null }>>();
  for (const s of series) latency.set(s.id, Array.from({ length: count }, () => ({ n: 0, sum: 0, max: null })));
  for (const r of rows) {
    const list = out.get(Number(r.seriesId));
    const idx = Math.floor((Number(r.bucketStartMs) - first) / bucketMs);
    if (!list || idx < 0 || idx >= count) continue;
    list[idx]!.goodMs += Number(r.goodMs);
    list[idx]!.badMs += Number(r.badMs);
    const l = latency.get(Number(r.seriesId))![idx]!;
    l.n += Number(r.latencyCount);
    l.sum += Number(r.latencySumMs);
    if (r.latencyMaxMs !== null && r.latencyMaxMs !== undefined) l.max = Math.max(l.max ?? 0, Number(r.latencyMaxMs));
  }
  for (const s of series) {
    const tail = openTail(s, s.capMs, nowMs);
    if (!tail) continue;
    const list = out.get(s.id)!;
    for (let k = Math.max(0, Math.floor((tail.startMs - first) / bucketMs)); k < count && first + k * bucketMs < tail.endMs; k++) {
      const t = measureSpans([tail], [{ startMs: first + k * bucketMs, endMs: first + (k + 1) * bucketMs }]);
      list[k]!.goodMs += t.goodMs;
      list[k]!.badMs += t.badMs;
    }
  }
  // The first bucket (it starts before the window) and buckets touching maintenance are re-measured
  // exactly over their part inside the window, with maintenance cut out.
  const maintOf = new Map<string, Range[]>();
  for (const s of series) if (!maintOf.has(s.clusterId)) maintOf.set(s.clusterId, maintenanceRanges(opts.maintenance, s.clusterId, { startMs: opts.startMs, endMs: end }));
  for (let k = 0; k < count; k++) {
    const bucket: Range = { startMs: Math.max(opts.startMs, first + k * bucketMs), endMs: Math.min(end, first + (k + 1) * bucketMs) };
    const partial = k === 0 && first < opts.startMs;
    const list = series.filter((s) => partial || clipToRanges(bucket, maintOf.get(s.clusterId)!).length > 0);
    if (list.length === 0) continue;
    const included = (s: SeriesInfo): Range[] => (bucket.endMs > bucket.startMs ? subtractRanges(bucket, maintOf.get(s.clusterId)!) : []);
    const exact = await measureSeries(list, included, nowMs);
    for (const s of list) {
      const t = exact.get(s.id)!;
      out.get(s.id)![k] = { goodMs: t.goodMs, badMs: t.badMs, unknownMs: t.unknownMs };
    }
  }
  const result = new Map<number, BucketPoint[]>();
  for (const [id, list] of out) {
    result.set(
      id,
      list.map((t, k) => {
        const l = latency.get(id)![k]!;
        return {
          startMs: Math.max(opts.startMs, first + k * bucketMs),
          goodMs: t.goodMs,
          badMs: t.badMs,
          availability: t.goodMs + t.badMs > 0 ? floorRatio(t.goodMs, t.goodMs + t.badMs) : null,
          latencyAvgMs: l.n > 0 ? l.sum / l.n : null,
          latencyMaxMs: l.n > 0 ? l.max : null,
        };
      }),
    );
  }
  return result;
}

/**
 * Multiwindow burn-rate alerts for each series (the SRE Workbook table scaled to the SLO window):
 * error ratio = bad / (good + bad) over the last w ms, maintenance left out; null without data.
 */
export async function burnAlerts(
  series: readonly SeriesInfo[],
  opts: { windowMs: number; nowMs: number; maintenance: readonly MaintenanceScope[]; objectiveOf: (s: SeriesInfo) => number },
): Promise<Map<number, BurnAlertEvaluation[]>> {
  const rows = burnRateWindows(opts.windowMs);
  const lengths = [...new Set(rows.flatMap((r) => [r.longWindowMs, r.shortWindowMs]))];
  const ratios = new Map<number, Map<number, number | null>>();
  for (const w of lengths) {
    const range: Range = { startMs: opts.nowMs - w, endMs: opts.nowMs };
    const totals = await measureSeries(series, (s) => subtractRanges(range, maintenanceRanges(opts.maintenance, s.clusterId, range)), opts.nowMs);
    for (const s of series) {
      const t = totals.get(s.id)!;
      let m = ratios.get(s.id);
      if (!m) ratios.set(s.id, (m = new Map()));
      m.set(w, t.goodMs + t.badMs > 0 ? t.badMs / (t.goodMs + t.badMs) : null);
    }
  }
  const out = new Map<number, BurnAlertEvaluation[]>();
  for (const s of series) out.set(s.id, evaluateBurnAlerts(rows, opts.objectiveOf(s), (w) => ratios.get(s.id)?.get(w) ?? null));
  return out;
}

/** Bucket width of charts: about 30–170 points per window. */
export function chartBucketMs(window: DashboardWindow, purpose: 'sparkline' | 'chart'): number {
  if (purpose === 'sparkline') return window === '7d' ? 6 * HOUR_MS : DAY_MS;
  return window === '7d' ? HOUR_MS : window === '90d' ? DAY_MS : 6 * HOUR_MS;
}

// ---------------------------------------------------------------------------------------------
// Fleet overview

export interface FleetRow {
  cluster: ClusterSummary;
  /** Current state from the latest endpoint /readyz sample; 'unknown' when stale; null status = never sampled. */
  status: Status | null;
  reason: string;
  lastSampleAt: string | null;
  window: DashboardWindow;
  policy: ResolvedPolicy;
  /** Composite over the window; null when the composite series was never written. */
  slo: Pick<ComponentSlo, 'availability' | 'coverage' | 'goodMs' | 'badMs' | 'unknownMs' | 'maintenanceMs' | 'meetsObjective' | 'budget'> | null;
  /** Current burn rate over the first (fastest) alert's long window (1 h for 30 d); null without data. */
  burnRate: { windowMs: number; value: number | null } | null;
  alerts: BurnAlertEvaluation[];
  /** False when the stored credentials cannot be decrypted with the configured key (then reason says why). */
  credentialsOk: boolean;
  failovers: number;
  sparkline: BucketPoint[];
  sparklineBucketMs: number;
}

export interface FleetDashboard {
  now: string;
  window: DashboardWindow;
  windowStartMs: number;
  rows: FleetRow[];
  /** Every label key=value in the fleet (for the filter). */
  labels: string[];
  /** Number of clusters before filtering. */
  total: number;
}

/** Sort key: worst error budget first; never-sampled clusters last. */
function budgetKey(r: FleetRow): number {
  if (!r.slo || !r.slo.budget.hasData) return Number.POSITIVE_INFINITY;
  return r.slo.budget.remainingFraction;
}

export function matchesFilter(c: Pick<ClusterSummary, 'name' | 'labels'>, filter: { q?: string; label?: string }): boolean {
  if (filter.q && !c.name.toLowerCase().includes(filter.q.toLowerCase())) return false;
  if (filter.label) {
    const i = filter.label.indexOf('=');
    const key = i < 0 ? filter.label : filter.label.slice(0, i);
    if (!(key in c.labels)) return false;
    if (i >= 0 && c.labels[key] !== filter.label.slice(i + 1)) return false;
  }
  return true;
}

export async function getFleetDashboard(opts: { window: DashboardWindow; now?: Date; q?: string; label?: string }): Promise<FleetDashboard> {
  const now = opts.now ?? new Date();
  const nowMs = now.getTime();
  const windowMs = windowMsOf(opts.window);
  const startMs = nowMs - windowMs;
  const all = await listClusters();
  const labels = [...new Set(all.flatMap((c) => Object.entries(c.labels).map(([k, v]) => `${k}=${v}`)))].sort();
  const clusters = all.filter((c) => matchesFilter(c, opts));
  const ids = clusters.map((c) => c.id);
  const [series, policies, maintenance] = await Promise.all([
    listSeries({ clusterIds: ids, probe: COMPOSITE_SOURCE.probe, target: COMPOSITE_SOURCE.target }),
    listSloPolicies(ids),
    listMaintenanceWindows(ids),
  ]);
  const polsOf = (id: string): SloPolicySpec[] => policies.filter((p) => p.clusterId === id);
  const policyOf = (id: string): ResolvedPolicy => resolvePolicy(polsOf(id), COMPOSITE_COMPONENT);
  const interval = collectorIntervalMs();
  const [slo, alerts, buckets, latest, failovers, credentials] = await Promise.all([
    evaluatePeriod({ series, period: { startMs, endMs: nowMs }, nowMs, maintenance, policies: polsOf, componentOf: () => COMPOSITE_COMPONENT }),
    burnAlerts(series, { windowMs, nowMs, maintenance, objectiveOf: (s) => policyOf(s.clusterId).objective }),
    measureBuckets(series, { startMs, endMs: nowMs, bucketMs: chartBucketMs(opts.window, 'sparkline'), maintenance, nowMs }),
    withDb((db) =>
      Promise.all(
        ids.map((clusterId) =>
          db.prisma.sample.findFirst({ where: { clusterId, probe: COMPOSITE_SOURCE.probe, target: COMPOSITE_SOURCE.target, at: { lte: now } }, orderBy: [{ at: 'desc' }, { id: 'desc' }] }),
        ),
      ),
    ),
    withDb((db) => Promise.all(ids.map((clusterId) => db.prisma.failoverEvent.count({ where: { clusterId, at: { gte: new Date(startMs), lt: now } } })))),
    getCredentialStates(),
  ]);
  const rows: FleetRow[] = clusters.map((c, i) => {
    const s = series.find((x) => x.clusterId === c.id);
    const ev = s ? slo.get(s.id)! : null;
    const al = s ? alerts.get(s.id)! : [];
    const l = latest[i] ?? null;
    const st = currentState(l, nowMs, interval);
    const cred = credentials.get(c.id);
    const undecryptable = cred?.ok === false ? cred.reason : /credentials-undecryptable/.test(l?.detail ?? '') && st.status === 'unknown' ? st.reason : null;
    return {
      cluster: c,
      status: undecryptable ? 'unknown' : l ? st.status : null,
      reason: undecryptable ?? st.reason,
      credentialsOk: undecryptable === null,
      lastSampleAt: st.lastSampleAt,
      window: opts.window,
      policy: policyOf(c.id),
      slo: ev ? { availability: ev.availability, coverage: ev.coverage, goodMs: ev.goodMs, badMs: ev.badMs, unknownMs: ev.unknownMs, maintenanceMs: ev.maintenanceMs, meetsObjective: ev.meetsObjective, budget: ev.budget } : null,
      burnRate: al[0] ? { windowMs: al[0].longWindowMs, value: al[0].longBurnRate } : null,
      alerts: al,
      failovers: failovers[i] ?? 0,
      sparkline: s ? (buckets.get(s.id) ?? []) : [],
      sparklineBucketMs: chartBucketMs(opts.window, 'sparkline'),
    };
  });
  rows.sort((a, b) => budgetKey(a) - budgetKey(b) || a.cluster.name.localeCompare(b.cluster.name));
  return { now: now.toISOString(), window: opts.window, windowStartMs: startMs, rows, labels, total: all.length };
}

// ---------------------------------------------------------------------------------------------
// Cluster drill-down: per component SLO and charts, budget burn-down, outages, SRE table

export interface ComponentSloRow {
  component: string;
  probe: string;
  target: string;
  isComposite: boolean;
  slo: ComponentSlo;
  points: BucketPoint[];
}

export interface BurnDownPoint {
  /** End of the bucket (ms). */
  t: number;
  /** Remaining budget as a fraction of the allowed bad time (1 = untouched; negative when overspent); null = no data in that bucket. */
  remaining: number | null;
}

export interface SreActualRow {
  period: SreTablePeriod;
  allowedMs: number;
  allowedText: string;
  /** Composite bad time over the last period (maintenance left out); null when nothing was measured. */
  actualBadMs: number | null;
  /** Share of the period with good or bad samples. */
  coverage: number;
}

export interface ClusterSloView {
  clusterId: string;
  window: DashboardWindow;
  windowStartMs: number;
  nowMs: number;
  bucketMs: number;
  composite: ComponentSloRow | null;
  components: ComponentSloRow[];
  burnDown: BurnDownPoint[];
  alerts: BurnAlertEvaluation[];
  maintenance: Array<Range & { title: string; retroactive: boolean; createdBy: string | null }>;
  outages: OutageRow[];
  policy: ResolvedPolicy;
}

const isComposite = (s: Pick<SeriesInfo, 'probe' | 'target'>): boolean => s.probe === COMPOSITE_SOURCE.probe && s.target === COMPOSITE_SOURCE.target;

export async function getClusterSlo(clusterId: string, opts: { window: DashboardWindow; now?: Date }): Promise<ClusterSloView | null> {
  const cluster = await getCluster(clusterId);
  if (!cluster) return null;
  const nowMs = (opts.now ?? new Date()).getTime();
  const windowMs = windowMsOf(opts.window);
  const startMs = nowMs - windowMs;
  const [series, policies, maintenance] = await Promise.all([listSeries({ clusterIds: [cluster.id] }), listSloPolicies([cluster.id]), listMaintenanceWindows([cluster.id])]);
  const componentOf = (s: SeriesInfo): string => (isComposite(s) ? COMPOSITE_COMPONENT : s.component);
  const bucketMs = chartBucketMs(opts.window, 'chart');
  const compositeSeries = series.filter(isComposite);
  const policy = resolvePolicy(policies, COMPOSITE_COMPONENT);
  const [slo, buckets, alerts] = await Promise.all([
    evaluatePeriod({ series, period: { startMs, endMs: nowMs }, nowMs, maintenance, policies, componentOf }),
    measureBuckets(series, { startMs, endMs: nowMs, bucketMs, maintenance, nowMs }),
    burnAlerts(compositeSeries, { windowMs, nowMs, maintenance, objectiveOf: () => policy.objective }),
  ]);
  const rows: ComponentSloRow[] = series.map((s) => ({ component: componentOf(s), probe: s.probe, target: s.target, isComposite: isComposite(s), slo: slo.get(s.id)!, points: buckets.get(s.id) ?? [] }));
  rows.sort((a, b) => Number(b.isComposite) - Number(a.isComposite) || a.component.localeCompare(b.component));
  const composite = rows.find((r) => r.isComposite) ?? null;
  const burnDown: BurnDownPoint[] = [];
  if (composite) {
    const allowed = composite.slo.budget.allowedBadMs;
    let bad = 0;
    for (const p of composite.points) {
      bad += p.badMs;
      burnDown.push({ t: Math.min(nowMs, Math.floor(p.startMs / bucketMs) * bucketMs + bucketMs), remaining: p.goodMs + p.badMs > 0 ? (allowed - bad) / allowed : null });
    }
    // The last point is the evaluation itself (exact, from measureSeries), so the chart ends where the budget figure is.
    burnDown.push({ t: nowMs, remaining: composite.slo.budget.remainingFraction });
  }
  const elapsed: Range = { startMs, endMs: nowMs };
  const maint = maintenance
    .filter((m) => m.clusterId === null || m.clusterId === cluster.id)
    .flatMap((m) => maintenanceRanges([m], cluster.id, elapsed).map((r) => ({ ...r, title: m.title, retroactive: m.retroactive, createdBy: m.createdBy })))
    .sort((a, b) => a.startMs - b.startMs);
  const outages = await listOutages(series, elapsed, nowMs, maintenanceRanges(maintenance, cluster.id, elapsed), componentOf);
  return {
    clusterId: cluster.id,
    window: opts.window,
    windowStartMs: startMs,
    nowMs,
    bucketMs,
    composite,
    components: rows.filter((r) => !r.isComposite),
    burnDown,
    alerts: alerts.get(compositeSeries[0]?.id ?? -1) ?? [],
    maintenance: maint,
    outages,
    policy,
  };
}

/** The SRE book row for the cluster's composite objective, with the actual composite downtime over each trailing period. */
export async function getSreTable(clusterId: string, opts: { now?: Date } = {}): Promise<{ objective: number; label: string; rows: SreActualRow[] } | null> {
  const cluster = await getCluster(clusterId);
  if (!cluster) return null;
  const nowMs = (opts.now ?? new Date()).getTime();
  const [series, policies, maintenance] = await Promise.all([
    listSeries({ clusterIds: [cluster.id], probe: COMPOSITE_SOURCE.probe, target: COMPOSITE_SOURCE.target }),
    listSloPolicies([cluster.id]),
    listMaintenanceWindows([cluster.id]),
  ]);
  const policy = resolvePolicy(policies, COMPOSITE_COMPONENT);
  const book = availabilityTableRow(policy.objective);
  const rows: SreActualRow[] = [];
  for (const period of SRE_TABLE_PERIODS) {
    const range: Range = { startMs: nowMs - SRE_TABLE_PERIOD_MS[period], endMs: nowMs };
    const maint = maintenanceRanges(maintenance, cluster.id, range);
    const included = subtractRanges(range, maint);
    const t = series.length ? (await measureSeries(series, () => included, nowMs)).get(series[0]!.id)! : { goodMs: 0, badMs: 0, unknownMs: 0 };
    const known = t.goodMs + t.badMs;
    const base = totalMs(included);
    rows.push({ period, allowedMs: book.allowedMs[period], allowedText: book.formatted[period], actualBadMs: known > 0 ? t.badMs : null, coverage: base > 0 ? floorRatio(known, base) : 0 });
  }
  return { objective: policy.objective, label: book.label, rows };
}
