// Error-budget reports per cluster or for the fleet, per calendar month or quarter: plain,
// serialisable objects for the /reports page, its JSON route and its CSV download. Read from the
// storage tier only (rollups + coalesced intervals), so a report on last quarter needs no raw rows.
import { csvLine } from '../csv';
import { withDb } from '../db';
import { floorRatio } from '../slo/availability';
import type { ComponentSlo } from './slo';
import { COMPOSITE_COMPONENT, COMPOSITE_LABEL, isCompositeSeries, sloComponentOf } from '../slo/policy';
import { formatReportPeriod, reportPeriodBounds, reportPeriodLabel, type ReportPeriod } from '../slo/targets';
import { clipToRanges, subtractRanges, type Range } from '../slo/timeline';
import type { SloWindow } from '../slo/targets';
import type { ClusterSummary } from '../types';
import { getCluster, listClusters } from './clusters';
import { getFleet } from './fleet';
import { budgetView, sloState, type BudgetView, type SloState } from '../slo/state';
import { componentName } from '../format';
import { listFailovers, listWatchGaps, type FailoverView, type WatchGapView } from './failovers';
import { failoverStats, type FailoverStats } from '../failover/stats';
import { evaluatePeriod, listMaintenanceWindows, listSeries, listSloPolicies, maintenanceRanges, type MaintenanceView, type SeriesInfo } from './slo';
import { q } from './sql';

export interface ReportRow {
  /** "control-plane" for the composite, else the component id ("leader-election/kube-scheduler"). */
  component: string;
  label: string;
  objective: number;
  policyWindow: SloWindow;
  policySource: ComponentSlo['policy']['source'];
  /** good / (good + bad), floored to 6 decimals; null without measured time. */
  availability: number | null;
  coverage: number;
  goodMs: number;
  badMs: number;
  /** Unknown-status time and time without data, outside maintenance. */
  unknownMs: number;
  maintenanceMs: number;
  allowedBadMs: number;
  /** consumed / allowed: 1 = budget exhausted, above 1 = overspent. */
  budgetUsedFraction: number;
  remainingBadMs: number;
  meetsObjective: boolean | null;
  /** met / at risk / breached / insufficient data (lib/slo/state.ts; no alerts in a report). */
  state: SloState;
  coverageFloor: number;
  /** The budget as a ratio, or in absolute time below the coverage floor. */
  budget: BudgetView;
}

export interface OutageRow {
  component: string;
  startAt: string;
  endAt: string;
  durationMs: number;
  reason: string;
}

export interface MaintenanceRow {
  title: string;
  startAt: string;
  endAt: string;
  durationMs: number;
  /** Composite down time inside this maintenance (excluded from the SLO). */
  downDuringMs: number;
  /** Created with its start already past (elapsed time turned into maintenance), and by whom. */
  retroactive: boolean;
  createdBy: string | null;
}

/** Leader-election failovers in the period (lib/data/failovers), with per-Lease statistics. */
export interface FailoverSection {
  events: FailoverView[];
  stats: FailoverStats[];
  /** Periods the Lease watch was down: takeovers inside are `unobserved` (gap unknown). */
  watchGaps: WatchGapView[];
}

export interface ClusterReport {
  clusterId: string;
  name: string;
  server: string;
  /** The composite first, then every other component by id. Empty when the cluster was never sampled. */
  rows: ReportRow[];
  outages: OutageRow[];
  maintenance: MaintenanceRow[];
  failovers: FailoverSection;
}

export interface Report {
  scope: 'cluster' | 'fleet';
  period: ReportPeriod & { id: string; label: string; startAt: string; endAt: string; elapsedEndAt: string };
  generatedAt: string;
  clusters: ClusterReport[];
  /** Fleet composite: summed good / (good + bad) over all clusters (null without data); per state, from the fleet read model. */
  fleet: { clusters: number; availability: number | null; goodMs: number; badMs: number; outages: number; states: Record<SloState, number> };
  /** The fleet view (lib/data/fleet.ts getFleet over the period, the overview's model): one row per cluster, worst state first. */
  fleetRows: FleetReportRow[];
}

export interface FleetReportRow {
  clusterId: string;
  name: string;
  state: SloState;
  objective: number;
  availability: number | null;
  coverage: number;
  badMs: number;
  budget: BudgetView;
  failovers: number;
}

async function failoverSection(clusterId: string, range: Range): Promise<FailoverSection> {
  if (range.endMs <= range.startMs) return { events: [], stats: [], watchGaps: [] };
  const since = new Date(range.startMs);
  const until = new Date(range.endMs);
  const [events, watchGaps] = await Promise.all([listFailovers({ clusterId, since, until }), listWatchGaps({ clusterId, since, until })]);
  return { events, stats: failoverStats(events), watchGaps };
}

function toRow(c: ComponentSlo, label: string, period: Range, nowMs: number): ReportRow {
  const elapsedMs = Math.max(0, Math.min(period.endMs, nowMs) - period.startMs);
  return {
    component: c.component,
    label,
    objective: c.objective,
    policyWindow: c.policy.window,
    policySource: c.policy.source,
    availability: c.availability,
    coverage: c.coverage,
    goodMs: c.goodMs,
    badMs: c.badMs,
    unknownMs: c.unknownMs,
    maintenanceMs: c.maintenanceMs,
    allowedBadMs: c.budget.allowedBadMs,
    budgetUsedFraction: c.budget.consumedFraction,
    remainingBadMs: c.budget.remainingBadMs,
    meetsObjective: c.meetsObjective,
    state: sloState({ measuredMs: c.goodMs + c.badMs, includedMs: c.includedMs, coverageFloor: c.policy.coverageFloor, budget: c.budget, alertFiring: false, remainingWindowMs: Math.max(0, period.endMs - nowMs) }),
    coverageFloor: c.policy.coverageFloor,
    budget: budgetView({
      target: c.objective,
      windowMs: period.endMs - period.startMs,
      elapsedMs,
      maintenanceMs: c.maintenanceMs,
      goodMs: c.goodMs,
      badMs: c.badMs,
      coverage: c.coverage,
      coverageFloor: c.policy.coverageFloor,
      budget: c.budget,
      rolling: false,
    }),
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();


/** Down intervals of the series overlapping `range` (with the open tail when the series is down now). */
async function downSpans(series: readonly SeriesInfo[], range: Range, nowMs: number): Promise<Array<Range & { seriesId: number; reason: string }>> {
  if (series.length === 0 || range.endMs <= range.startMs) return [];
  const ids = series.map((s) => s.id);
  const rows = await withDb(async (db) => {
    const pg = db.provider === 'postgresql';
    const ph = (i: number): string => (pg ? `$${i}::bigint` : `$${i}`);
    const idList = ids.map((_, i) => ph(i + 3)).join(',');
    return (await db.prisma.$queryRawUnsafe(
      q(db.provider, `SELECT "seriesId","startMs","endMs","reason" FROM "StatusInterval" WHERE "status" = 'down' AND "endMs" > ${ph(1)} AND "startMs" < ${ph(2)} AND "seriesId" IN (${idList}) ORDER BY "startMs"`),
      ...[range.startMs, range.endMs, ...ids].map((v) => (pg ? String(v) : v)),
    )) as Array<Record<string, unknown>>;
  });
  const out = rows.map((r) => ({ seriesId: Number(r.seriesId), startMs: Number(r.startMs), endMs: Number(r.endMs), reason: String(r.reason) }));
  // The open interval's attributed end is the last sample; while it is down, extend it by the tail.
  for (const s of series) {
    if (s.lastStatus !== 'down') continue;
    const tailEnd = Math.min(s.lastAtMs + s.capMs, nowMs);
    const open = out.filter((o) => o.seriesId === s.id && o.endMs === s.lastAtMs).at(-1);
    if (open) open.endMs = Math.max(open.endMs, tailEnd);
    else if (tailEnd > range.startMs && s.lastAtMs < range.endMs) out.push({ seriesId: s.id, startMs: s.lastAtMs, endMs: tailEnd, reason: 'down (latest sample)' });
  }
  return out;
}

function outagesFrom(
  down: ReadonlyArray<Range & { seriesId: number; reason: string }>,
  bySeries: ReadonlyMap<number, SeriesInfo>,
  elapsed: Range,
  maint: readonly Range[],
  sloComponentOf: (s: SeriesInfo) => string,
): OutageRow[] {
  const outages: OutageRow[] = [];
  for (const d of down) {
    const s = bySeries.get(d.seriesId);
    if (!s) continue;
    for (const part of subtractRanges({ startMs: Math.max(d.startMs, elapsed.startMs), endMs: Math.min(d.endMs, elapsed.endMs) }, maint)) {
      outages.push({ component: sloComponentOf(s), startAt: iso(part.startMs), endAt: iso(part.endMs), durationMs: part.endMs - part.startMs, reason: d.reason });
    }
  }
  return outages.sort((a, b) => a.startAt.localeCompare(b.startAt) || a.component.localeCompare(b.component));
}

/** Down intervals (outside maintenance) of the given series inside `range`, oldest first; the open one runs to its tail. */
export async function listOutages(series: readonly SeriesInfo[], range: Range, nowMs: number, maint: readonly Range[], sloComponentOf: (s: SeriesInfo) => string): Promise<OutageRow[]> {
  const down = await downSpans(series, range, nowMs);
  return outagesFrom(down, new Map(series.map((s) => [s.id, s])), range, maint, sloComponentOf);
}

async function clusterReport(cluster: ClusterSummary, period: Range, nowMs: number, maintenance: readonly MaintenanceView[]): Promise<ClusterReport> {
  const [series, policies] = await Promise.all([listSeries({ clusterIds: [cluster.id] }), listSloPolicies([cluster.id])]);
  const slo = await evaluatePeriod({ series, period, nowMs, maintenance, policies, sloComponentOf });
  const ordered = [...series].sort((a, b) => Number(isCompositeSeries(b)) - Number(isCompositeSeries(a)) || a.component.localeCompare(b.component));
  const rows = ordered.map((s) => toRow(slo.get(s.id)!, isCompositeSeries(s) ? COMPOSITE_LABEL : componentName(s.probe, s.target), period, nowMs));

  const elapsed: Range = { startMs: period.startMs, endMs: Math.max(period.startMs, Math.min(period.endMs, nowMs)) };
  const maint = maintenanceRanges(maintenance, cluster.id, elapsed);
  const bySeries = new Map(series.map((s) => [s.id, s]));
  const down = await downSpans(series, elapsed, nowMs);
  const outages = outagesFrom(down, bySeries, elapsed, maint, sloComponentOf);

  const compositeDown = down.filter((d) => isCompositeSeries(bySeries.get(d.seriesId)!));
  const maintenanceRows: MaintenanceRow[] = [];
  const own = maintenance.filter((m) => m.clusterId === null || m.clusterId === cluster.id);
  for (const m of own) {
    for (const r of maintenanceRanges([m], cluster.id, elapsed)) {
      const downDuringMs = compositeDown.reduce((sum, d) => sum + clipToRanges(d, [r]).reduce((x, c) => x + c.endMs - c.startMs, 0), 0);
      maintenanceRows.push({ title: m.title, startAt: iso(r.startMs), endAt: iso(r.endMs), durationMs: r.endMs - r.startMs, downDuringMs, retroactive: m.retroactive, createdBy: m.createdBy });
    }
  }
  maintenanceRows.sort((a, b) => a.startAt.localeCompare(b.startAt));
  return { clusterId: cluster.id, name: cluster.name, server: cluster.server, rows, outages, maintenance: maintenanceRows, failovers: await failoverSection(cluster.id, elapsed) };
}

/**
 * The report for one cluster (id or name) or, with clusterId null, the whole fleet. Returns null
 * when the cluster does not exist.
 */
export async function getReport(opts: { clusterId: string | null; period: ReportPeriod; now?: Date }): Promise<Report | null> {
  const now = opts.now ?? new Date();
  const nowMs = now.getTime();
  const b = reportPeriodBounds(opts.period);
  let clusters: ClusterSummary[];
  if (opts.clusterId === null) clusters = await listClusters();
  else {
    const c = await getCluster(opts.clusterId);
    if (!c) return null;
    clusters = [c];
  }
  const maintenance = await listMaintenanceWindows(clusters.map((c) => c.id));
  const [reports, fleet] = await Promise.all([
    (async () => {
      const out: ClusterReport[] = [];
      for (const c of clusters) out.push(await clusterReport(c, { startMs: b.startMs, endMs: b.endMs }, nowMs, maintenance));
      return out;
    })(),
    getFleet({ range: { startMs: b.startMs, endMs: b.endMs, calendar: opts.period.kind }, now, clusterIds: clusters.map((c) => c.id) }),
  ]);
  let goodMs = 0;
  let badMs = 0;
  for (const r of reports) {
    const comp = r.rows.find((x) => x.component === COMPOSITE_COMPONENT);
    if (comp) {
      goodMs += comp.goodMs;
      badMs += comp.badMs;
    }
  }
  const fleetRows: FleetReportRow[] = fleet.rows.map((r) => ({
    clusterId: r.cluster.id,
    name: r.cluster.name,
    state: r.state,
    objective: r.policy.objective,
    availability: r.slo?.availability ?? null,
    coverage: r.slo?.coverage ?? 0,
    badMs: r.slo?.badMs ?? 0,
    budget: r.budget,
    failovers: r.failovers,
  }));
  return {
    scope: opts.clusterId === null ? 'fleet' : 'cluster',
    period: {
      ...opts.period,
      id: formatReportPeriod(opts.period),
      label: reportPeriodLabel(opts.period),
      startAt: iso(b.startMs),
      endAt: iso(b.endMs),
      elapsedEndAt: iso(Math.max(b.startMs, Math.min(b.endMs, nowMs))),
    },
    generatedAt: now.toISOString(),
    clusters: reports,
    fleet: { clusters: reports.length, availability: goodMs + badMs > 0 ? floorRatio(goodMs, goodMs + badMs) : null, goodMs, badMs, outages: reports.reduce((n, r) => n + r.outages.length, 0), states: fleet.states },
    fleetRows,
  };
}

// ---------------------------------------------------------------------------------------------
// CSV

const CSV_COLUMNS = [
  'section', 'cluster', 'component', 'start', 'end', 'duration_s', 'reason', 'objective', 'availability', 'coverage',
  'good_s', 'bad_s', 'unknown_s', 'maintenance_s', 'budget_allowed_s', 'budget_used', 'meets_objective', 'slo_state',
] as const;


const sec = (ms: number): number => ms / 1000;

/** "title", or "title [retroactive, created by alice]" for a window created after its start. */
function maintenanceLabel(m: Pick<MaintenanceRow, 'title' | 'retroactive' | 'createdBy'>): string {
  return m.retroactive ? `${m.title} [retroactive, created by ${m.createdBy ?? 'unknown'}]` : m.title;
}

/** One CSV with a `section` column: slo rows, outage rows, maintenance rows, a failovers note. */
export function reportToCsv(report: Report): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  const push = (v: Partial<Record<(typeof CSV_COLUMNS)[number], string | number | boolean | null>>): void => {
    lines.push(csvLine(CSV_COLUMNS.map((c) => v[c] ?? null)));
  };
  const p = report.period;
  for (const c of report.clusters) {
    for (const r of c.rows) {
      push({
        section: 'slo', cluster: c.name, component: r.component, start: p.startAt, end: p.elapsedEndAt,
        duration_s: sec(Date.parse(p.elapsedEndAt) - Date.parse(p.startAt)), objective: r.objective, availability: r.availability, coverage: r.coverage,
        good_s: sec(r.goodMs), bad_s: sec(r.badMs), unknown_s: sec(r.unknownMs), maintenance_s: sec(r.maintenanceMs),
        budget_allowed_s: sec(r.allowedBadMs), budget_used: r.budgetUsedFraction, meets_objective: r.meetsObjective, slo_state: r.state,
      });
    }
    for (const o of c.outages) push({ section: 'outage', cluster: c.name, component: o.component, start: o.startAt, end: o.endAt, duration_s: sec(o.durationMs), reason: o.reason });
    for (const m of c.maintenance) push({ section: 'maintenance', cluster: c.name, start: m.startAt, end: m.endAt, duration_s: sec(m.durationMs), reason: maintenanceLabel(m), bad_s: sec(m.downDuringMs) });
    for (const f of c.failovers.events) {
      push({
        section: 'failover', cluster: c.name, component: f.component, start: f.previousRenewTime ?? f.at, end: f.newAcquireTime ?? f.at,
        duration_s: f.gapMs === null ? null : f.gapMs / 1000, reason: `${f.kind}: ${f.previousHolder} -> ${f.newHolder}`,
      });
    }
    for (const g of c.failovers.watchGaps) push({ section: 'lease-watch-gap', cluster: c.name, start: g.startedAt, end: g.endedAt, duration_s: sec(g.durationMs), reason: g.reason });
  }
  return `${lines.join('\n')}\n`;
}
