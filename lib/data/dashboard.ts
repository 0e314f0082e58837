// Read models of the cluster drill-down and the measurement helpers the fleet model shares, over any
// range (a preset or from–to). Everything long is read from the storage tier (rollups + coalesced
// intervals, lib/data/slo.ts), never from raw samples: per-component SLOs (evaluatePeriod) with their
// states, the composite budget (ratio, or absolute below the coverage floor) and burn-down,
// multiwindow burn-rate alerts (measureSeries over each alert window, each judged on its own
// coverage), bucketed availability for charts (RollupHour / RollupDay rows, re-measured exactly where
// rollups cannot answer), the state timeline per component (StatusInterval rows), outages and the
// SRE table. The pure parts are lib/slo (buckets, burn-down, state-timeline, state).
import { withDb } from '../db';
import { floorRatio } from '../slo/availability';
import { assembleBuckets, bucketGrid, bucketRange, bucketsToMeasureExactly, chooseBucketMs, rollupTableFor, type BucketPoint, type RollupCell } from '../slo/buckets';
import { burnDown, type BurnDown } from '../slo/burn-down';
import { burnRateWindows, evaluateBurnAlerts, MIN_BURN_RATE_SLO_WINDOW_MS, type BurnAlertEvaluation } from '../slo/burn-rate';
import { COMPOSITE_COMPONENT, COMPOSITE_SOURCE, isCompositeSeries, resolvePolicy, sloComponentOf, type ResolvedPolicy, type SloPolicySpec } from '../slo/policy';
import { elapsedEnd, type TimeRange } from '../slo/range';
import { availabilityTableRow, SRE_TABLE_PERIODS, SRE_TABLE_PERIOD_MS, type SreTablePeriod } from '../slo/sre-table';
import { budgetView, coverageMet, DEFAULT_COVERAGE_FLOOR, sloState, type BudgetView, type SloState } from '../slo/state';
import { binSegments, exactSegments, stateTotals, type TimelineInterval, type TimelineSegment, type TimelineState } from '../slo/state-timeline';
import { openTail, subtractRanges, totalMs, type Range, type TimeTotals } from '../slo/timeline';
import type { ClusterSummary, Status } from '../types';
import { getCluster } from './clusters';
import { listOutages, type OutageRow } from './reports';
import { evaluatePeriod, listMaintenanceWindows, listSeries, listSloPolicies, maintenanceRanges, measureSeries, type ComponentSlo, type MaintenanceScope, type MaintenanceView, type SeriesInfo } from './slo';
import { groupBy, Params, q } from './sql';
import { getOrInsert } from '../collections';

/** The rolling presets under the names the preset-only pages use ("Quorum itself", /api/collectors): lib/slo/range's. */

export type { BucketPoint } from '../slo/buckets';

/**
 * Good/bad time per bucket (UTC-aligned; bucketMs whole hours, whole days read RollupDay) for each
 * series over [startMs, endMs) (endMs ≤ now). One rollup query per 500 series; the buckets rollups
 * cannot answer (cut by the range, touching maintenance) are measured exactly (lib/slo/buckets.ts).
 */
export async function measureBuckets(
  series: readonly SeriesInfo[],
  opts: { startMs: number; endMs: number; bucketMs: number; maintenance: readonly MaintenanceScope[]; nowMs: number },
): Promise<Map<number, BucketPoint[]>> {
  const { nowMs } = opts;
  const grid = bucketGrid(opts.startMs, Math.min(opts.endMs, nowMs), opts.bucketMs);
  if (series.length === 0 || grid.count === 0) return new Map();
  const table = rollupTableFor(opts.bucketMs);
  const ids = series.map((s) => s.id);
  const rows = await withDb(async (db) => {
    const all: Array<Record<string, unknown>> = [];
    for (let i = 0; i < ids.length; i += 500) {
      const b = new Params(db);
      const from = b.int(grid.firstMs);
      const to = b.int(grid.endMs);
      const idList = ids.slice(i, i + 500).map((id) => b.int(id)).join(',');
      const r = (await db.prisma.$queryRawUnsafe(
        q(db.provider, `SELECT "seriesId","bucketStartMs","goodMs","badMs","latencyCount","latencySumMs","latencyMaxMs" FROM "${table}" WHERE "bucketStartMs" >= ${from} AND "bucketStartMs" < ${to} AND "seriesId" IN (${idList})`),
        ...b.values,
      )) as Array<Record<string, unknown>>;
      all.push(...r);
    }
    return all;
  });
  const cells = groupBy(
    rows.map((r): RollupCell & { seriesId: number } => ({
      seriesId: Number(r.seriesId),
      bucketStartMs: Number(r.bucketStartMs),
      goodMs: Number(r.goodMs),
      badMs: Number(r.badMs),
      latencyCount: Number(r.latencyCount),
      latencySumMs: Number(r.latencySumMs),
      latencyMaxMs: r.latencyMaxMs === null || r.latencyMaxMs === undefined ? null : Number(r.latencyMaxMs),
    })),
    (c) => c.seriesId,
  );
  // Buckets rollups cannot answer, per cluster (maintenance differs), measured together per bucket.
  const maintOf = new Map<string, Range[]>();
  for (const s of series) if (!maintOf.has(s.clusterId)) maintOf.set(s.clusterId, maintenanceRanges(opts.maintenance, s.clusterId, { startMs: grid.startMs, endMs: grid.endMs }));
  const exactBy = new Map<number, Map<number, TimeTotals>>();
  const toMeasure = new Map<number, SeriesInfo[]>();
  for (const s of series) {
    exactBy.set(s.id, new Map());
    for (const k of bucketsToMeasureExactly(grid, maintOf.get(s.clusterId)!, nowMs)) {
      const l = getOrInsert(toMeasure, k, () => []);
      l.push(s);
    }
  }
  for (const [k, list] of toMeasure) {
    const bucket = bucketRange(grid, k);
    const exact = await measureSeries(list, (s) => subtractRanges(bucket, maintOf.get(s.clusterId)!), nowMs);
    for (const s of list) exactBy.get(s.id)!.set(k, exact.get(s.id)!);
  }
  const result = new Map<number, BucketPoint[]>();
  for (const s of series) result.set(s.id, assembleBuckets(grid, cells.get(s.id) ?? [], openTail(s, s.capMs, nowMs), exactBy.get(s.id)!));
  return result;
}

/**
 * Multiwindow burn-rate alerts for each series (the SRE Workbook table scaled to the SLO window):
 * error ratio = bad / (good + bad) over the last w ms, maintenance left out. Each alert window is
 * judged on its own coverage: below the series' coverage floor (default 75 %) it is "no data" and
 * cannot fire, so a new cluster can page once its 1-hour window is covered, long before its 30 days are.
 */
export async function burnAlerts(
  series: readonly SeriesInfo[],
  opts: { windowMs: number; nowMs: number; maintenance: readonly MaintenanceScope[]; objectiveOf: (s: SeriesInfo) => number; coverageFloorOf?: (s: SeriesInfo) => number },
): Promise<Map<number, BurnAlertEvaluation[]>> {
  const rows = burnRateWindows(opts.windowMs);
  const lengths = [...new Set(rows.flatMap((r) => [r.longWindowMs, r.shortWindowMs]))];
  const floorOf = opts.coverageFloorOf ?? (() => DEFAULT_COVERAGE_FLOOR);
  const ratios = new Map<number, Map<number, { ratio: number | null; coverage: number }>>();
  for (const w of lengths) {
    const range: Range = { startMs: opts.nowMs - w, endMs: opts.nowMs };
    const included = new Map<string, Range[]>();
    const includedFor = (s: SeriesInfo): Range[] => {
      const r = getOrInsert(included, s.clusterId, () => subtractRanges(range, maintenanceRanges(opts.maintenance, s.clusterId, range)));
      return r;
    };
    const totals = await measureSeries(series, includedFor, opts.nowMs);
    for (const s of series) {
      const t = totals.get(s.id)!;
      const known = t.goodMs + t.badMs;
      const base = totalMs(includedFor(s));
      const m = getOrInsert(ratios, s.id, () => new Map());
      m.set(w, { ratio: known > 0 && coverageMet(known, base, floorOf(s)) ? t.badMs / known : null, coverage: base > 0 ? floorRatio(known, base) : 0 });
    }
  }
  const out = new Map<number, BurnAlertEvaluation[]>();
  for (const s of series) {
    const m = ratios.get(s.id);
    out.set(s.id, evaluateBurnAlerts(rows, opts.objectiveOf(s), (w) => m?.get(w)?.ratio ?? null, (w) => m?.get(w)?.coverage ?? null));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------
// Cluster drill-down: per component SLO and charts, budget burn-down, outages, state timeline, SRE table

export interface ComponentSloRow {
  component: string;
  probe: string;
  target: string;
  isComposite: boolean;
  slo: ComponentSlo;
  /** Judged against the component's own policy and coverage floor (burn alerts: composite only). */
  state: SloState;
  points: BucketPoint[];
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
  /** [startMs, endMs); measured until elapsedEndMs = min(endMs, now). */
  startMs: number;
  endMs: number;
  elapsedEndMs: number;
  nowMs: number;
  bucketMs: number;
  composite: ComponentSloRow | null;
  components: ComponentSloRow[];
  /** The composite's budget as a ratio, or in absolute time below the coverage floor; null when never sampled. */
  budget: BudgetView | null;
  state: SloState;
  /** Only when the budget is judged (ratio): below the floor a burn-down of seconds reads as nonsense. */
  burnDown: BurnDown | null;
  /** Burn-rate alerts of the composite, evaluated now: empty for a range that does not end now or is shorter than a day. */
  alerts: BurnAlertEvaluation[];
  maintenance: Array<Range & { title: string; retroactive: boolean; createdBy: string | null }>;
  outages: OutageRow[];
  policy: ResolvedPolicy;
}


const PROBE_ORDER = ['apiserver-readyz', 'apiserver-livez', 'apiserver-replicas', 'etcd', 'leader-election', 'dns', 'nodes'];
const SUMMARY_TARGETS = ['endpoint', 'replicas', 'etcd', 'kube-dns', 'kube-system/kube-scheduler', 'kube-system/kube-controller-manager', 'kube-system/cloud-controller-manager'];

/** Composite first, then as the component grid: API server, etcd, Leases, DNS, nodes; summaries before their parts. */
function compareSeries(a: Pick<SeriesInfo, 'probe' | 'target'>, b: Pick<SeriesInfo, 'probe' | 'target'>): number {
  const rank = (s: Pick<SeriesInfo, 'probe' | 'target'>): number => (isCompositeSeries(s) ? -1 : PROBE_ORDER.includes(s.probe) ? PROBE_ORDER.indexOf(s.probe) : PROBE_ORDER.length);
  const sub = (t: string): number => (SUMMARY_TARGETS.includes(t) ? SUMMARY_TARGETS.indexOf(t) : SUMMARY_TARGETS.length);
  return rank(a) - rank(b) || a.probe.localeCompare(b.probe) || sub(a.target) - sub(b.target) || a.target.localeCompare(b.target);
}

interface ClusterContext {
  cluster: ClusterSummary;
  series: SeriesInfo[];
  policies: SloPolicySpec[];
  maintenance: MaintenanceView[];
}

async function clusterContext(clusterId: string): Promise<ClusterContext | null> {
  const cluster = await getCluster(clusterId);
  if (!cluster) return null;
  const [series, policies, maintenance] = await Promise.all([listSeries({ clusterIds: [cluster.id] }), listSloPolicies([cluster.id]), listMaintenanceWindows([cluster.id])]);
  return { cluster, series: [...series].sort(compareSeries), policies, maintenance };
}

/** Maintenance of one cluster inside a range, each occurrence with its title and author. */
function titledMaintenance(maintenance: readonly MaintenanceView[], clusterId: string, range: Range): Array<Range & { title: string; retroactive: boolean; createdBy: string | null }> {
  return maintenance
    .filter((m) => m.clusterId === null || m.clusterId === clusterId)
    .flatMap((m) => maintenanceRanges([m], clusterId, range).map((r) => ({ ...r, title: m.title, retroactive: m.retroactive, createdBy: m.createdBy })))
    .sort((a, b) => a.startMs - b.startMs);
}

/** The SLO part of a cluster page over any range (a preset or from–to). */
export async function getClusterSlo(clusterId: string, opts: { range: Pick<TimeRange, 'startMs' | 'endMs'>; now?: Date }): Promise<ClusterSloView | null> {
  const ctx = await clusterContext(clusterId);
  if (!ctx) return null;
  const { cluster, series, policies, maintenance } = ctx;
  const nowMs = (opts.now ?? new Date()).getTime();
  const { startMs, endMs } = opts.range;
  const windowMs = endMs - startMs;
  const elapsedEndMs = elapsedEnd(opts.range, nowMs);
  const bucketMs = chooseBucketMs(windowMs, 'chart');
  const compositeSeries = series.filter(isCompositeSeries);
  const policy = resolvePolicy(policies, COMPOSITE_COMPONENT);
  const endsNow = endMs >= nowMs;
  const [slo, buckets, alerts] = await Promise.all([
    evaluatePeriod({ series, period: { startMs, endMs }, nowMs, maintenance, policies, sloComponentOf }),
    measureBuckets(series, { startMs, endMs: elapsedEndMs, bucketMs, maintenance, nowMs }),
    endsNow && Number.isInteger(windowMs) && windowMs >= MIN_BURN_RATE_SLO_WINDOW_MS
      ? burnAlerts(compositeSeries, { windowMs, nowMs, maintenance, objectiveOf: () => policy.objective, coverageFloorOf: () => policy.coverageFloor })
      : Promise.resolve(new Map<number, BurnAlertEvaluation[]>()),
  ]);
  const compositeAlerts = alerts.get(compositeSeries[0]?.id ?? -1) ?? [];
  const rows: ComponentSloRow[] = series.map((s) => {
    const ev = slo.get(s.id)!;
    return {
      component: sloComponentOf(s),
      probe: s.probe,
      target: s.target,
      isComposite: isCompositeSeries(s),
      slo: ev,
      state: sloState({ measuredMs: ev.goodMs + ev.badMs, includedMs: ev.includedMs, coverageFloor: ev.policy.coverageFloor, budget: ev.budget, alertFiring: isCompositeSeries(s) && compositeAlerts.some((a) => a.firing), remainingWindowMs: Math.max(0, endMs - nowMs) }),
      points: buckets.get(s.id) ?? [],
    };
  });
  const composite = rows.find((r) => r.isComposite) ?? null;
  const budget = composite
    ? budgetView({
        target: policy.objective,
        windowMs,
        elapsedMs: elapsedEndMs - startMs,
        maintenanceMs: composite.slo.maintenanceMs,
        goodMs: composite.slo.goodMs,
        badMs: composite.slo.badMs,
        coverage: composite.slo.coverage,
        coverageFloor: policy.coverageFloor,
        budget: composite.slo.budget,
        rolling: endsNow,
      })
    : null;
  const elapsed: Range = { startMs, endMs: elapsedEndMs };
  const outages = await listOutages(series, elapsed, nowMs, maintenanceRanges(maintenance, cluster.id, elapsed), sloComponentOf);
  return {
    clusterId: cluster.id,
    startMs,
    endMs,
    elapsedEndMs,
    nowMs,
    bucketMs,
    composite,
    components: rows.filter((r) => !r.isComposite),
    budget,
    state: composite?.state ?? 'insufficient-data',
    burnDown:
      composite && budget?.kind === 'ratio'
        ? burnDown(composite.points, { allowedBadMs: composite.slo.budget.allowedBadMs, bucketMs, endMs: elapsedEndMs, finalRemaining: composite.slo.budget.remainingFraction })
        : null,
    alerts: compositeAlerts,
    maintenance: titledMaintenance(maintenance, cluster.id, elapsed),
    outages,
    policy,
  };
}

export interface ComponentTimeline {
  component: string;
  probe: string;
  target: string;
  isComposite: boolean;
  segments: TimelineSegment[];
  /** Time per state over the range. */
  totals: Record<TimelineState, number>;
  /** More status changes than could be drawn: equal bins showing their worst state. */
  binned: boolean;
}

export interface StateTimelineView {
  clusterId: string;
  startMs: number;
  endMs: number;
  nowMs: number;
  components: ComponentTimeline[];
  /** The interval query hit its limit: the oldest part of the range may lack detail. */
  truncated: boolean;
}

const TIMELINE_ROW_LIMIT = 200_000;

/**
 * Per component, the state over the range from the coalesced status intervals (exact to the ms) plus
 * each series' open tail, maintenance drawn over them, gaps as no data; at most `maxSegments` per row
 * (lib/slo/state-timeline.ts). The part of a range after now is no data.
 */
export async function getStateTimeline(clusterId: string, opts: { range: Pick<TimeRange, 'startMs' | 'endMs'>; now?: Date; maxSegments?: number }): Promise<StateTimelineView | null> {
  const ctx = await clusterContext(clusterId);
  if (!ctx) return null;
  const { cluster, series, maintenance } = ctx;
  const nowMs = (opts.now ?? new Date()).getTime();
  const range: Range = { startMs: opts.range.startMs, endMs: opts.range.endMs };
  const measuredEnd = elapsedEnd(range, nowMs);
  const rows =
    series.length === 0 || measuredEnd <= range.startMs
      ? []
      : await withDb(async (db) => {
          const b = new Params(db);
          const from = b.int(range.startMs);
          const to = b.int(measuredEnd);
          const idList = series.map((s) => b.int(s.id)).join(',');
          return (await db.prisma.$queryRawUnsafe(
            q(db.provider, `SELECT "seriesId","startMs","endMs","status","reason" FROM "StatusInterval" WHERE "endMs" > ${from} AND "startMs" < ${to} AND "seriesId" IN (${idList}) ORDER BY "startMs" DESC LIMIT ${TIMELINE_ROW_LIMIT}`),
            ...b.values,
          )) as Array<Record<string, unknown>>;
        });
  const bySeries = groupBy(
    rows.map((r) => ({ seriesId: Number(r.seriesId), startMs: Number(r.startMs), endMs: Number(r.endMs), status: String(r.status) as Status, reason: String(r.reason) })),
    (r) => r.seriesId,
  );
  const maint = titledMaintenance(maintenance, cluster.id, { startMs: range.startMs, endMs: measuredEnd });
  const maxSegments = opts.maxSegments ?? 240;
  const components = series.map((s): ComponentTimeline => {
    const intervals: TimelineInterval[] = bySeries.get(s.id) ?? [];
    const tail = openTail(s, s.capMs, nowMs);
    if (tail) intervals.push({ ...tail, reason: s.openReason });
    const exact = exactSegments(intervals, { startMs: range.startMs, endMs: measuredEnd }, maint);
    // The part of the range after now: no data yet.
    if (range.endMs > measuredEnd) exact.push({ startMs: measuredEnd, endMs: range.endMs, state: 'nodata', reason: 'in the future' });
    const segments = binSegments(exact, range, maxSegments);
    return { component: sloComponentOf(s), probe: s.probe, target: s.target, isComposite: isCompositeSeries(s), segments, totals: stateTotals(exact), binned: segments.some((x) => x.breakdown !== undefined) };
  });
  return { clusterId: cluster.id, startMs: range.startMs, endMs: range.endMs, nowMs, components, truncated: rows.length >= TIMELINE_ROW_LIMIT };
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
