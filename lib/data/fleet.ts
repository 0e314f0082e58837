// THE fleet read model: one function behind the overview (table, heatmap, cards), the reports' fleet
// view, the cluster page's summary header and the metrics endpoint. Plain, serialisable objects.
//
// Per cluster, for a range (a preset, any from–to, or each cluster's own policy window):
//   - current status from the composite series' cursor (Series.lastStatus / lastAtMs / openReason /
//     openStartMs): no per-cluster sample query; stale (older than max(3 intervals, 60 s)) → unknown;
//   - the composite "control plane available" SLO from rollups (lib/data/slo.ts evaluatePeriod), its
//     state (met / at risk / breached / insufficient data, lib/slo/state.ts) and its budget as a ratio
//     or, below the coverage floor, in absolute time;
//   - multiwindow burn-rate alerts when the range ends now, each alert window judged on its own coverage;
//   - failovers in the range and the last failover: one grouped query for the whole fleet;
//   - the last outage of the composite (outside maintenance): one query for the whole fleet;
//   - optional buckets (heatmap / sparkline) from rollups (lib/data/dashboard.ts measureBuckets).
// Filtering (name, label, state), sorting and counting are lib/slo/fleet-view.ts (pure).
//
// Exported names are stable: getFleet, FleetQuery, Fleet, FleetRow (documented in README "Read models").
import { withDb } from '../db';
import { getCredentialStates } from '../keys';
import { MIN_BURN_RATE_SLO_WINDOW_MS, type BurnAlertEvaluation } from '../slo/burn-rate';
import type { BucketPoint } from '../slo/buckets';
import { countStates, labelOptions, matchesFilter, sortFleetRows, type FleetFilter, type FleetSortKey, type SortDir } from '../slo/fleet-view';
import { COMPOSITE_COMPONENT, COMPOSITE_SOURCE, resolvePolicy, type ResolvedPolicy, type SloPolicySpec } from '../slo/policy';
import { elapsedEnd, type TimeRange } from '../slo/range';
import { budgetView, sloState, type BudgetView, type SloState } from '../slo/state';
import { isCalendarWindow, windowBounds, type CalendarWindow, type SloWindow } from '../slo/targets';
import { subtractRanges, type Range } from '../slo/timeline';
import type { ClusterSummary, Status } from '../types';
import { listClusters } from './clusters';
import { staleAfterMs } from './components';
import { burnAlerts, measureBuckets } from './dashboard';
import { evaluatePeriod, listMaintenanceWindows, listSeries, listSloPolicies, maintenanceRanges, type ComponentSlo, type SeriesInfo } from './slo';
import { groupBy, Params, q, readTimeMs, timeParam } from './sql';
import { getOrInsert } from '../collections';

/**
 * Every cluster over the same range — fixed bounds, a calendar month or quarter when `calendar` says so (its
 * budget is then judged as the reports judge it, not as a rolling window) — or each over its composite
 * policy's window (ending now).
 */
export type FleetRange = (Pick<TimeRange, 'startMs' | 'endMs'> & { calendar?: CalendarWindow }) | 'policy';

export interface FleetQuery {
  range: FleetRange;
  now?: Date;
  filter?: FleetFilter;
  /** Only these clusters (ids). */
  clusterIds?: readonly string[];
  /** Buckets per row (the heatmap's days, the cards' sparkline); omitted: none. Whole hours. */
  bucketMs?: number;
  sort?: { key: FleetSortKey; dir?: SortDir };
}

export interface CurrentState {
  /** null = never sampled. Stale samples read 'unknown'. */
  status: Status | null;
  reason: string;
  /** Since when the current status holds (the open interval's start); null when unknown or stale. */
  sinceMs: number | null;
  lastSampleAt: string | null;
  stale: boolean;
  /** False when the stored credentials cannot be decrypted with the configured key (reason says why). */
  credentialsOk: boolean;
}

export interface LastOutage {
  startMs: number;
  endMs: number;
  durationMs: number;
  reason: string;
  /** Still down now (the series' open tail). */
  ongoing: boolean;
}

export interface FleetRow extends CurrentState {
  cluster: ClusterSummary;
  /** The range this row was measured over. */
  range: { startMs: number; endMs: number; elapsedEndMs: number; windowMs: number; calendar: 'month' | 'quarter' | null; rolling: boolean };
  policy: ResolvedPolicy;
  /** Composite evaluation; null when the composite series was never written. */
  slo: ComponentSlo | null;
  state: SloState;
  budget: BudgetView;
  /** Burn rate over the first (fastest) alert's long window (1 h for 30 d); null without data or for a range that does not end now. */
  burnRate: { windowMs: number; value: number | null } | null;
  alerts: BurnAlertEvaluation[];
  failovers: number;
  lastFailoverAt: string | null;
  lastOutage: LastOutage | null;
  buckets: BucketPoint[];
  bucketMs: number | null;
}

export interface Fleet {
  now: string;
  /** The range asked for ('policy': each row has its own). */
  range: FleetRange;
  rows: FleetRow[];
  /** Every label key=value in the fleet (the label filter's options). */
  labels: string[];
  /** Clusters registered (before any filter). */
  total: number;
  /** Per state, after the name/label filter and before the state filter. */
  states: Record<SloState, number>;
  /** Newest sample of any listed cluster's composite series (ms), null when none. */
  newestSampleMs: number | null;
  /** A sample older than this is stale (ms). */
  staleAfterMs: number;
}

const CREDENTIALS_REASON = /^credentials cannot be decrypted/;

/** The current state from the composite series' cursor (pure). */
function currentFromSeries(s: Pick<SeriesInfo, 'lastAtMs' | 'lastStatus' | 'openStartMs' | 'openReason'> | null, nowMs: number, staleAfterMs: number): Omit<CurrentState, 'credentialsOk'> {
  if (!s) return { status: null, reason: 'no sample yet: the collector probes every cluster on its next run', sinceMs: null, lastSampleAt: null, stale: false };
  const lastSampleAt = new Date(s.lastAtMs).toISOString();
  if (nowMs - s.lastAtMs > staleAfterMs) return { status: 'unknown', reason: `no sample since ${lastSampleAt}: is the collector running?`, sinceMs: null, lastSampleAt, stale: true };
  return { status: s.lastStatus, reason: s.openReason, sinceMs: s.openStartMs, lastSampleAt, stale: false };
}

interface FailoverAgg {
  count: number;
  lastMs: number | null;
}

/** Failovers per cluster in [startMs, endMs) and the last one before endMs: one grouped query. */
async function failoverAggregates(ids: readonly string[], startMs: number, endMs: number): Promise<Map<string, FailoverAgg>> {
  const out = new Map<string, FailoverAgg>();
  if (ids.length === 0) return out;
  await withDb(async (db) => {
    for (let i = 0; i < ids.length; i += 500) {
      const b = new Params(db);
      const start = timeParam(b, db.provider, startMs);
      const end = timeParam(b, db.provider, endMs);
      const list = ids.slice(i, i + 500).map((id) => b.text(id)).join(',');
      const end2 = timeParam(b, db.provider, endMs);
      const maxAt = db.provider === 'postgresql' ? `EXTRACT(EPOCH FROM MAX("at")) * 1000` : `MAX("at")`;
      const rows = (await db.prisma.$queryRawUnsafe(
        q(db.provider, `SELECT "clusterId", SUM(CASE WHEN "at" >= ${start} AND "at" < ${end} THEN 1 ELSE 0 END) AS n, ${maxAt} AS last FROM "FailoverEvent" WHERE "clusterId" IN (${list}) AND "at" < ${end2} GROUP BY "clusterId"`),
        ...b.values,
      )) as Array<Record<string, unknown>>;
      for (const r of rows) out.set(String(r.clusterId), { count: Number(r.n ?? 0), lastMs: readTimeMs(r.last) });
    }
  });
  return out;
}

/** The last few down intervals of each series that start before `beforeMs` (newest first): one query. */
async function lastDownIntervals(series: readonly SeriesInfo[], beforeMs: number, perSeries = 3): Promise<Map<number, Array<{ startMs: number; endMs: number; reason: string }>>> {
  const out = new Map<number, Array<{ startMs: number; endMs: number; reason: string }>>();
  if (series.length === 0) return out;
  await withDb(async (db) => {
    for (let i = 0; i < series.length; i += 500) {
      const b = new Params(db);
      const before = b.int(beforeMs);
      const list = series.slice(i, i + 500).map((s) => b.int(s.id)).join(',');
      const rows = (await db.prisma.$queryRawUnsafe(
        q(
          db.provider,
          `SELECT "seriesId","startMs","endMs","reason" FROM (SELECT "seriesId","startMs","endMs","reason", ROW_NUMBER() OVER (PARTITION BY "seriesId" ORDER BY "startMs" DESC) AS rn FROM "StatusInterval" WHERE "status" = 'down' AND "startMs" < ${before} AND "seriesId" IN (${list})) AS t WHERE rn <= ${perSeries}`,
        ),
        ...b.values,
      )) as Array<Record<string, unknown>>;
      for (const [id, l] of groupBy(rows, (r) => Number(r.seriesId))) out.set(id, l.map((r) => ({ startMs: Number(r.startMs), endMs: Number(r.endMs), reason: String(r.reason) })));
    }
  });
  for (const l of out.values()) l.sort((a, b) => b.startMs - a.startMs);
  return out;
}

/** The newest down piece outside maintenance, up to `endMs`; the open tail extends a current outage (pure). */
function pickLastOutage(
  s: Pick<SeriesInfo, 'lastAtMs' | 'lastStatus' | 'capMs'>,
  candidates: ReadonlyArray<{ startMs: number; endMs: number; reason: string }>,
  maintenanceFor: (r: Range) => Range[],
  endMs: number,
  nowMs: number,
): LastOutage | null {
  for (const c of candidates) {
    const ongoing = s.lastStatus === 'down' && c.endMs === s.lastAtMs;
    const end = Math.min(endMs, ongoing ? Math.min(s.lastAtMs + s.capMs, nowMs) : c.endMs);
    if (end <= c.startMs) continue;
    const pieces = subtractRanges({ startMs: c.startMs, endMs: end }, maintenanceFor({ startMs: c.startMs, endMs: end }));
    const last = pieces.at(-1);
    if (last) return { startMs: last.startMs, endMs: last.endMs, durationMs: last.endMs - last.startMs, reason: c.reason, ongoing: ongoing && last.endMs === end && end >= Math.min(endMs, nowMs) };
  }
  return null;
}

/**
 * As of a past `now` (tests, history) a cursor may already be after it: then the state at `now` is the
 * status interval that contains it (one query for all such series; never the case for a live `now`).
 */
async function statesAt(series: readonly SeriesInfo[], nowMs: number): Promise<Map<number, { status: Status; reason: string; startMs: number }>> {
  const out = new Map<number, { status: Status; reason: string; startMs: number }>();
  if (series.length === 0) return out;
  await withDb(async (db) => {
    const b = new Params(db);
    const a = b.int(nowMs);
    const z = b.int(nowMs);
    const list = series.map((s) => b.int(s.id)).join(',');
    const rows = (await db.prisma.$queryRawUnsafe(
      q(db.provider, `SELECT "seriesId","startMs","status","reason" FROM "StatusInterval" WHERE "startMs" <= ${a} AND "endMs" > ${z} AND "seriesId" IN (${list})`),
      ...b.values,
    )) as Array<Record<string, unknown>>;
    for (const r of rows) out.set(Number(r.seriesId), { status: String(r.status) as Status, reason: String(r.reason), startMs: Number(r.startMs) });
  });
  return out;
}

interface RowRange {
  startMs: number;
  endMs: number;
  window: SloWindow | null;
}

export async function getFleet(query: FleetQuery): Promise<Fleet> {
  const now = query.now ?? new Date();
  const nowMs = now.getTime();
  const stale = staleAfterMs();
  const all = await listClusters();
  const labels = labelOptions(all);
  const wanted = query.clusterIds ? new Set(query.clusterIds) : null;
  const filter = query.filter ?? {};
  const clusters = all.filter((c) => (!wanted || wanted.has(c.id)) && matchesFilter(c, { q: filter.q, label: filter.label }));
  const ids = clusters.map((c) => c.id);
  const [series, policies, maintenance, credentials] = await Promise.all([
    listSeries({ clusterIds: ids, probe: COMPOSITE_SOURCE.probe, target: COMPOSITE_SOURCE.target }),
    listSloPolicies(ids),
    listMaintenanceWindows(ids),
    getCredentialStates(),
  ]);
  const polsBy = groupBy<string, SloPolicySpec & { clusterId: string }>(policies, (p) => p.clusterId);
  const polsOf = (id: string): SloPolicySpec[] => polsBy.get(id) ?? [];
  const policyOf = new Map(clusters.map((c) => [c.id, resolvePolicy(polsOf(c.id), COMPOSITE_COMPONENT)]));
  const seriesOf = new Map(series.map((s) => [s.clusterId, s]));

  // Each cluster's range: the asked one, or its policy window at now.
  const rangeOf = new Map<string, RowRange>();
  for (const c of clusters) {
    if (query.range === 'policy') {
      const w = policyOf.get(c.id)!.window;
      const b = windowBounds(w, now);
      rangeOf.set(c.id, { startMs: b.startMs, endMs: b.endMs, window: w });
    } else rangeOf.set(c.id, { startMs: query.range.startMs, endMs: query.range.endMs, window: query.range.calendar ?? null });
  }
  const groups = new Map<string, { r: RowRange; series: SeriesInfo[]; clusterIds: string[] }>();
  for (const c of clusters) {
    const r = rangeOf.get(c.id)!;
    const key = `${r.startMs}|${r.endMs}`;
    const g = getOrInsert(groups, key, () => ({ r, series: [], clusterIds: [] }));
    g.clusterIds.push(c.id);
    const s = seriesOf.get(c.id);
    if (s) g.series.push(s);
  }

  const slo = new Map<number, ComponentSlo>();
  const alerts = new Map<number, BurnAlertEvaluation[]>();
  const buckets = new Map<number, BucketPoint[]>();
  const failovers = new Map<string, FailoverAgg>();
  const outages = new Map<number, Array<{ startMs: number; endMs: number; reason: string }>>();
  await Promise.all(
    [...groups.values()].map(async (g) => {
      const { r } = g;
      const windowMs = r.endMs - r.startMs;
      const endsNow = r.endMs >= nowMs && r.startMs < nowMs;
      const [ev, al, bk, fo, down] = await Promise.all([
        evaluatePeriod({ series: g.series, period: { startMs: r.startMs, endMs: r.endMs }, nowMs, maintenance, policies: polsOf, sloComponentOf: () => COMPOSITE_COMPONENT }),
        endsNow && windowMs >= MIN_BURN_RATE_SLO_WINDOW_MS && Number.isInteger(windowMs)
          ? burnAlerts(g.series, { windowMs, nowMs, maintenance, objectiveOf: (s) => policyOf.get(s.clusterId)!.objective, coverageFloorOf: (s) => policyOf.get(s.clusterId)!.coverageFloor })
          : Promise.resolve(new Map<number, BurnAlertEvaluation[]>()),
        query.bucketMs ? measureBuckets(g.series, { startMs: r.startMs, endMs: elapsedEnd(r, nowMs), bucketMs: query.bucketMs, maintenance, nowMs }) : Promise.resolve(new Map<number, BucketPoint[]>()),
        failoverAggregates(g.clusterIds, r.startMs, elapsedEnd(r, nowMs)),
        lastDownIntervals(g.series, elapsedEnd(r, nowMs)),
      ]);
      for (const [k, v] of ev) slo.set(k, v);
      for (const [k, v] of al) alerts.set(k, v);
      for (const [k, v] of bk) buckets.set(k, v);
      for (const [k, v] of fo) failovers.set(k, v);
      for (const [k, v] of down) outages.set(k, v);
    }),
  );

  const past = await statesAt(series.filter((s) => s.lastAtMs > nowMs), nowMs);
  let newestSampleMs: number | null = null;
  const rows: FleetRow[] = clusters.map((c) => {
    const s = seriesOf.get(c.id) ?? null;
    const r = rangeOf.get(c.id)!;
    const policy = policyOf.get(c.id)!;
    if (s && s.lastAtMs <= nowMs && (newestSampleMs === null || s.lastAtMs > newestSampleMs)) newestSampleMs = s.lastAtMs;
    const at = s ? past.get(s.id) : undefined;
    const cur: Omit<CurrentState, 'credentialsOk'> =
      s && s.lastAtMs > nowMs
        ? at
          ? { status: at.status, reason: at.reason, sinceMs: at.startMs, lastSampleAt: null, stale: false }
          : { status: 'unknown', reason: `no sample at ${new Date(nowMs).toISOString()}`, sinceMs: null, lastSampleAt: null, stale: false }
        : currentFromSeries(s, nowMs, stale);
    const cred = credentials.get(c.id);
    const undecryptable = cred?.ok === false ? cred.reason : cur.status === 'unknown' && CREDENTIALS_REASON.test(cur.reason) ? cur.reason : null;
    const ev = s ? (slo.get(s.id) ?? null) : null;
    const al = s ? (alerts.get(s.id) ?? []) : [];
    const windowMs = r.endMs - r.startMs;
    const elapsedMs = elapsedEnd(r, nowMs) - r.startMs;
    const calendar = r.window && isCalendarWindow(r.window) ? r.window : null;
    const rolling = r.endMs >= nowMs && !calendar;
    const view = budgetView({
      target: policy.objective,
      windowMs,
      elapsedMs,
      maintenanceMs: ev?.maintenanceMs ?? 0,
      goodMs: ev?.goodMs ?? 0,
      badMs: ev?.badMs ?? 0,
      coverage: ev?.coverage ?? 0,
      coverageFloor: policy.coverageFloor,
      budget: ev?.budget ?? { allowedBadMs: 0, remainingBadMs: 0, remainingFraction: 1, consumedFraction: 0 },
      rolling,
    });
    const state: SloState = ev
      ? sloState({ measuredMs: ev.goodMs + ev.badMs, includedMs: ev.includedMs, coverageFloor: policy.coverageFloor, budget: ev.budget, alertFiring: al.some((a) => a.firing), remainingWindowMs: Math.max(0, r.endMs - nowMs) })
      : 'insufficient-data';
    const fo = failovers.get(c.id);
    const maintFor = (range: Range): Range[] => maintenanceRanges(maintenance, c.id, range);
    return {
      cluster: c,
      status: undecryptable ? 'unknown' : cur.status,
      reason: undecryptable ?? cur.reason,
      sinceMs: undecryptable ? null : cur.sinceMs,
      lastSampleAt: cur.lastSampleAt,
      stale: cur.stale,
      credentialsOk: undecryptable === null,
      range: { startMs: r.startMs, endMs: r.endMs, elapsedEndMs: elapsedEnd(r, nowMs), windowMs, calendar, rolling },
      policy,
      slo: ev,
      state,
      budget: view,
      burnRate: al[0] ? { windowMs: al[0].longWindowMs, value: al[0].longBurnRate } : null,
      alerts: al,
      failovers: fo?.count ?? 0,
      lastFailoverAt: fo?.lastMs !== null && fo?.lastMs !== undefined ? new Date(fo.lastMs).toISOString() : null,
      lastOutage: s ? pickLastOutage(s, outages.get(s.id) ?? [], maintFor, elapsedEnd(r, nowMs), nowMs) : null,
      buckets: s ? (buckets.get(s.id) ?? []) : [],
      bucketMs: query.bucketMs ?? null,
    };
  });
  const states = countStates(rows);
  const shown = filter.states && filter.states.length > 0 ? rows.filter((r) => filter.states!.includes(r.state)) : rows;
  const sorted = sortFleetRows(shown.map((r) => ({ ...toSortRow(r), row: r })), query.sort?.key ?? 'state', query.sort?.dir).map((x) => x.row);
  return { now: now.toISOString(), range: query.range, rows: sorted, labels, total: all.length, states, newestSampleMs, staleAfterMs: stale };
}

/** The fields lib/slo/fleet-view.ts sorts by. */
function toSortRow(r: FleetRow): { name: string; state: SloState; status: Status | null; availability: number | null; budgetRemaining: number | null; downtimeMs: number; burnRate: number | null; failovers: number; lastOutageMs: number | null } {
  return {
    name: r.cluster.name,
    state: r.state,
    status: r.status,
    availability: r.slo?.availability ?? null,
    budgetRemaining: r.budget.kind === 'ratio' ? r.budget.remainingFraction : null,
    downtimeMs: r.slo?.badMs ?? 0,
    burnRate: r.burnRate?.value ?? null,
    failovers: r.failovers,
    lastOutageMs: r.lastOutage?.startMs ?? null,
  };
}

