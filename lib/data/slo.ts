// SLO reads over the storage tier: windows are measured from daily and hourly rollups plus the
// coalesced intervals at the (sub-hour) edges plus each series' open tail — never from raw samples
// (lib/slo/timeline.ts planRanges). Also the SLO settings: policies and maintenance windows.
import { randomUUID } from 'node:crypto';
import { withDb, type MaintenanceRecurrenceKind, type MaintenanceWindowRow, type SloPolicyRow, type SloWindowKind } from '../db';
import { QuorumError } from '../errors';
import { evaluateSlo, type SloEvaluation } from '../slo/evaluate';
import { componentId, expandMaintenance, resolvePolicy, type MaintenanceSpec, type Recurrence, type ResolvedPolicy, type SloPolicySpec } from '../slo/policy';
import { isValidTarget, type SloWindow } from '../slo/targets';
import { validateCoverageFloor } from '../slo/state';
import { measureSpans, openTail, planRanges, subtractRanges, totalMs, type Range, type TimeTotals } from '../slo/timeline';
import type { Status } from '../types';
import { groupBy, Params, q } from './sql';
import { getOrInsert } from '../collections';

// ---------------------------------------------------------------------------------------------
// Series and measurement

export interface SeriesInfo {
  id: number;
  clusterId: string;
  probe: string;
  target: string;
  component: string;
  lastAtMs: number;
  lastStatus: Status;
  /** Start and reason of the open (current) status interval: the current state's "since" and why. */
  openStartMs: number;
  openReason: string;
  capMs: number;
}

/** Series of the given clusters (all when omitted), optionally one probe/target only. */
export async function listSeries(opts: { clusterIds?: readonly string[]; probe?: string; target?: string } = {}): Promise<SeriesInfo[]> {
  if (opts.clusterIds && opts.clusterIds.length === 0) return [];
  return withDb(async (db) => {
    const b = new Params(db);
    const where: string[] = [];
    if (opts.clusterIds) where.push(`"clusterId" IN (${opts.clusterIds.map((id) => b.text(id)).join(',')})`);
    if (opts.probe) where.push(`"probe" = ${b.text(opts.probe)}`);
    if (opts.target) where.push(`"target" = ${b.text(opts.target)}`);
    const rows = (await db.prisma.$queryRawUnsafe(
      q(db.provider, `SELECT "id","clusterId","probe","target","lastAtMs","lastStatus","openStartMs","openReason","capMs" FROM "Series"${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY "clusterId","probe","target"`),
      ...b.values,
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: Number(r.id),
      clusterId: String(r.clusterId),
      probe: String(r.probe),
      target: String(r.target),
      component: componentId(String(r.probe), String(r.target)),
      lastAtMs: Number(r.lastAtMs),
      lastStatus: String(r.lastStatus) as Status,
      openStartMs: Number(r.openStartMs),
      openReason: String(r.openReason),
      capMs: Number(r.capMs),
    }));
  });
}

function rangeSql(b: Params, col: string, ranges: readonly Range[]): string {
  return ranges.map((r) => `("${col}" >= ${b.int(r.startMs)} AND "${col}" < ${b.int(r.endMs)})`).join(' OR ');
}

const IN_CHUNK = 500;

/**
 * Good/bad/unknown-status time of each series inside its ranges (disjoint, sorted, already clipped to
 * now). Series sharing the same ranges are measured together: per group one query on RollupDay,
 * one on RollupHour and one on StatusInterval, whatever the number of series.
 */
export async function measureSeries(series: readonly SeriesInfo[], rangesFor: (s: SeriesInfo) => Range[], nowMs: number): Promise<Map<number, TimeTotals>> {
  const out = new Map<number, TimeTotals>();
  const groups = new Map<string, { ranges: Range[]; ids: number[] }>();
  for (const s of series) {
    const ranges = rangesFor(s);
    out.set(s.id, { goodMs: 0, badMs: 0, unknownMs: 0 });
    const key = JSON.stringify(ranges);
    const g = getOrInsert(groups, key, () => ({ ranges, ids: [] }));
    g.ids.push(s.id);
  }
  const add = (id: number, t: Partial<TimeTotals>): void => {
    const o = out.get(id)!;
    o.goodMs += t.goodMs ?? 0;
    o.badMs += t.badMs ?? 0;
    o.unknownMs += t.unknownMs ?? 0;
  };
  await withDb(async (db) => {
    for (const g of groups.values()) {
      if (g.ranges.length === 0) continue;
      const plan = planRanges(g.ranges);
      for (let i = 0; i < g.ids.length; i += IN_CHUNK) {
        const ids = g.ids.slice(i, i + IN_CHUNK);
        for (const [table, ranges] of [['RollupDay', plan.days], ['RollupHour', plan.hours]] as const) {
          if (ranges.length === 0) continue;
          const b = new Params(db);
          const idList = ids.map((id) => b.int(id)).join(',');
          const rows = (await db.prisma.$queryRawUnsafe(
            q(db.provider, `SELECT "seriesId", SUM("goodMs") AS g, SUM("badMs") AS b, SUM("unknownMs") AS u FROM "${table}" WHERE "seriesId" IN (${idList}) AND (${rangeSql(b, 'bucketStartMs', ranges)}) GROUP BY "seriesId"`),
            ...b.values,
          )) as Array<Record<string, unknown>>;
          for (const r of rows) add(Number(r.seriesId), { goodMs: Number(r.g), badMs: Number(r.b), unknownMs: Number(r.u) });
        }
        if (plan.edges.length > 0) {
          const b = new Params(db);
          const idList = ids.map((id) => b.int(id)).join(',');
          const cond = plan.edges.map((r) => `("endMs" > ${b.int(r.startMs)} AND "startMs" < ${b.int(r.endMs)})`).join(' OR ');
          const rows = (await db.prisma.$queryRawUnsafe(
            q(db.provider, `SELECT "seriesId","startMs","endMs","status" FROM "StatusInterval" WHERE "seriesId" IN (${idList}) AND (${cond})`),
            ...b.values,
          )) as Array<Record<string, unknown>>;
          const bySeries = groupBy(
            rows.map((r) => ({ seriesId: Number(r.seriesId), startMs: Number(r.startMs), endMs: Number(r.endMs), status: String(r.status) as Status })),
            (r) => r.seriesId,
          );
          for (const [id, spans] of bySeries) add(id, measureSpans(spans, plan.edges));
        }
      }
    }
  });
  // The open tail of each series: its last sample's span so far (not in rollups or intervals yet).
  for (const s of series) {
    const tail = openTail(s, s.capMs, nowMs);
    if (tail) add(s.id, measureSpans([tail], rangesFor(s)));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Settings: policies and maintenance windows

export const WINDOW_TO_DB: Record<SloWindow, SloWindowKind> = { '7d': 'rolling7d', '28d': 'rolling28d', '30d': 'rolling30d', '90d': 'rolling90d', month: 'month', quarter: 'quarter' };
const WINDOW_FROM_DB: Record<SloWindowKind, SloWindow> = { rolling7d: '7d', rolling28d: '28d', rolling30d: '30d', rolling90d: '90d', month: 'month', quarter: 'quarter' };

export interface SloPolicyView extends SloPolicySpec {
  id: string;
  clusterId: string;
}

function policyView(r: SloPolicyRow): SloPolicyView {
  return { id: r.id, clusterId: r.clusterId, component: r.component, objective: r.objective, window: WINDOW_FROM_DB[r.window], coverageFloor: r.coverageFloor };
}

/** Stored policies of the given clusters (all when omitted). */
export async function listSloPolicies(clusterIds?: readonly string[]): Promise<SloPolicyView[]> {
  const rows = await withDb((db) => db.prisma.sloPolicy.findMany({ where: clusterIds ? { clusterId: { in: [...clusterIds] } } : {}, orderBy: { component: 'asc' } }));
  return rows.map(policyView);
}

/** Creates or replaces the policy of one component ("*" = the cluster default). */
export async function setSloPolicy(input: { clusterId: string; component?: string; objective: number; window?: SloWindow; coverageFloor?: number | null }): Promise<SloPolicyView> {
  if (!isValidTarget(input.objective)) throw new QuorumError('invalid-input', `SLO objective must be a ratio strictly between 0 and 1 (0.999 = 99.9 %), got ${String(input.objective)}`);
  const coverageFloor = input.coverageFloor ?? null;
  if (coverageFloor !== null) {
    try {
      validateCoverageFloor(coverageFloor);
    } catch (e) {
      throw new QuorumError('invalid-input', e instanceof Error ? e.message : String(e));
    }
  }
  const component = (input.component ?? '*').trim() || '*';
  const window = WINDOW_TO_DB[input.window ?? '30d'];
  const row = await withDb((db) =>
    db.prisma.sloPolicy.upsert({
      where: { clusterId_component: { clusterId: input.clusterId, component } },
      create: { id: randomUUID(), clusterId: input.clusterId, component, objective: input.objective, window, coverageFloor },
      update: { objective: input.objective, window, coverageFloor },
    }),
  );
  return policyView(row);
}

export async function removeSloPolicy(clusterId: string, component: string): Promise<boolean> {
  const { count } = await withDb((db) => db.prisma.sloPolicy.deleteMany({ where: { clusterId, component } }));
  return count > 0;
}

export interface MaintenanceView extends MaintenanceSpec {
  id: string;
  /** null: applies to every cluster. */
  clusterId: string | null;
  title: string;
  createdAt: string;
  /** Who created it; null for windows from before sign-in existed. */
  createdBy: string | null;
  createdByRole: string | null;
  /** Its start was already past when it was created: elapsed time turned into maintenance. */
  retroactive: boolean;
}

function maintenanceView(r: MaintenanceWindowRow): MaintenanceView {
  return {
    id: r.id,
    clusterId: r.clusterId,
    title: r.title,
    startMs: Number(r.startMs),
    durationMs: Number(r.durationMs),
    recurrence: r.recurrence,
    untilMs: r.untilMs === null ? null : Number(r.untilMs),
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
    createdByRole: r.createdByRole,
    retroactive: r.retroactive,
  };
}

/** What the SLO math needs of a maintenance window: when, and for which cluster (null = all). */
export type MaintenanceScope = MaintenanceSpec & Pick<MaintenanceView, 'clusterId'> & Partial<Pick<MaintenanceView, 'id' | 'title'>>;

/** One maintenance window by id, or null. */
export async function getMaintenanceWindow(id: string): Promise<MaintenanceView | null> {
  const rows = await withDb((db) => db.prisma.maintenanceWindow.findMany({ where: { id }, orderBy: { startMs: 'asc' } }));
  return rows[0] ? maintenanceView(rows[0]) : null;
}

/** Maintenance windows that apply to the given clusters (theirs and the fleet-wide ones). */
export async function listMaintenanceWindows(clusterIds?: readonly string[]): Promise<MaintenanceView[]> {
  const rows = await withDb((db) =>
    db.prisma.maintenanceWindow.findMany({
      where: clusterIds ? { OR: [{ clusterId: { in: [...clusterIds] } }, { clusterId: null }] } : {},
      orderBy: { startMs: 'asc' },
    }),
  );
  return rows.map(maintenanceView);
}

const RECURRENCES: readonly Recurrence[] = ['none', 'daily', 'weekly'];

export async function createMaintenanceWindow(input: {
  clusterId: string | null;
  title: string;
  startMs: number;
  durationMs: number;
  recurrence?: Recurrence;
  untilMs?: number | null;
  /** Who creates it (shown with the window, and with "retroactive" when its start is past). */
  author?: { name: string; role: string | null };
  now?: number;
}): Promise<MaintenanceView> {
  const recurrence: MaintenanceRecurrenceKind = input.recurrence ?? 'none';
  if (!RECURRENCES.includes(recurrence)) throw new QuorumError('invalid-input', `recurrence must be one of ${RECURRENCES.join(', ')}`);
  if (!Number.isSafeInteger(input.startMs) || !Number.isSafeInteger(input.durationMs) || input.durationMs <= 0) {
    throw new QuorumError('invalid-input', 'maintenance window needs a start (ms) and a duration > 0 (ms)');
  }
  if (recurrence === 'daily' && input.durationMs > 86_400_000) throw new QuorumError('invalid-input', 'a daily maintenance window cannot last longer than a day');
  if (recurrence === 'weekly' && input.durationMs > 7 * 86_400_000) throw new QuorumError('invalid-input', 'a weekly maintenance window cannot last longer than a week');
  const title = input.title.trim();
  if (title === '') throw new QuorumError('invalid-input', 'maintenance window needs a title');
  const row = await withDb((db) =>
    db.prisma.maintenanceWindow.create({
      data: {
        id: randomUUID(),
        clusterId: input.clusterId,
        title,
        startMs: BigInt(input.startMs),
        durationMs: BigInt(input.durationMs),
        recurrence,
        untilMs: input.untilMs === undefined || input.untilMs === null ? null : BigInt(input.untilMs),
        createdBy: input.author?.name ?? null,
        createdByRole: input.author?.role ?? null,
        retroactive: input.startMs < (input.now ?? Date.now()),
      },
    }),
  );
  return maintenanceView(row);
}

export async function removeMaintenanceWindow(id: string): Promise<boolean> {
  const { count } = await withDb((db) => db.prisma.maintenanceWindow.deleteMany({ where: { id } }));
  return count > 0;
}

// ---------------------------------------------------------------------------------------------
// SLO status per cluster and component

export interface ComponentSlo extends SloEvaluation {
  component: string;
  probe: string;
  target: string;
  policy: ResolvedPolicy;
}

export interface PeriodSpec {
  startMs: number;
  endMs: number;
}

/** Maintenance ranges of one cluster inside a range (its own windows and fleet-wide ones). */
export function maintenanceRanges(all: readonly MaintenanceScope[], clusterId: string, range: Range): Range[] {
  return expandMaintenance(all.filter((m) => m.clusterId === null || m.clusterId === clusterId), range);
}

/**
 * Evaluates the given series over a fixed period [startMs, endMs) (a calendar month or quarter,
 * or a rolling window ending now), honouring maintenance. Time after `now` is not elapsed yet.
 */
export async function evaluatePeriod(opts: {
  series: readonly SeriesInfo[];
  period: PeriodSpec;
  nowMs: number;
  maintenance: readonly MaintenanceScope[];
  policies: readonly SloPolicySpec[] | ((clusterId: string) => readonly SloPolicySpec[]);
  sloComponentOf?: (s: SeriesInfo) => string;
}): Promise<Map<number, ComponentSlo>> {
  const { period, nowMs } = opts;
  const elapsedEnd = Math.min(period.endMs, nowMs);
  const elapsed: Range = { startMs: period.startMs, endMs: Math.max(period.startMs, elapsedEnd) };
  const maintFor = new Map<string, Range[]>();
  const maint = (clusterId: string): Range[] => {
    const m = getOrInsert(maintFor, clusterId, () => maintenanceRanges(opts.maintenance, clusterId, elapsed));
    return m;
  };
  const included = (s: SeriesInfo): Range[] => subtractRanges(elapsed, maint(s.clusterId));
  const totals = await measureSeries(opts.series, included, nowMs);
  const out = new Map<number, ComponentSlo>();
  for (const s of opts.series) {
    const component = opts.sloComponentOf ? opts.sloComponentOf(s) : s.component;
    const pols = typeof opts.policies === 'function' ? opts.policies(s.clusterId) : opts.policies;
    const policy = resolvePolicy(pols, component);
    const t = totals.get(s.id)!;
    const ev = evaluateSlo({
      objective: policy.objective,
      windowMs: period.endMs - period.startMs,
      elapsedMs: elapsed.endMs - elapsed.startMs,
      maintenanceMs: totalMs(maint(s.clusterId)),
      measured: t,
    });
    out.set(s.id, { ...ev, component, probe: s.probe, target: s.target, policy });
  }
  return out;
}
