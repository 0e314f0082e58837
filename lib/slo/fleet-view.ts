// Filtering, sorting and counting the fleet (pure): the overview's table, heatmap and cards, the
// reports' fleet table and the metrics endpoint see the clusters in the same order.
//
// Default order ("state"): breached, at risk, insufficient data, met (lib/slo/state.ts); within a
// state the least budget left first (insufficient data: the most downtime first), then by name.
// Missing values (never sampled, no failover, no outage) sort last in both directions.
import type { Status } from '../types';
import { SLO_STATE_RANK, type SloState } from './state';
import { errorBudgetRatio } from './targets';

export interface FleetFilter {
  /** Name substring, case-insensitive. */
  q?: string;
  /** "key" (has the label) or "key=value". */
  label?: string;
  /** Only these states (none = all). */
  states?: readonly SloState[];
}

export function matchesFilter(c: { name: string; labels: Record<string, string>; state?: SloState }, filter: FleetFilter): boolean {
  if (filter.q && !c.name.toLowerCase().includes(filter.q.toLowerCase())) return false;
  if (filter.label) {
    const i = filter.label.indexOf('=');
    const key = i < 0 ? filter.label : filter.label.slice(0, i);
    if (!Object.hasOwn(c.labels, key)) return false;
    if (i >= 0 && c.labels[key] !== filter.label.slice(i + 1)) return false;
  }
  if (filter.states && filter.states.length > 0 && (c.state === undefined || !filter.states.includes(c.state))) return false;
  return true;
}

/** Every label key=value in the fleet, sorted (the label filter's options). */
export function labelOptions(clusters: ReadonlyArray<{ labels: Record<string, string> }>): string[] {
  return [...new Set(clusters.flatMap((c) => Object.entries(c.labels).map(([k, v]) => `${k}=${v}`)))].sort();
}

export interface FleetSortRow {
  name: string;
  state: SloState;
  /** Current status; null = never sampled. */
  status: Status | null;
  availability: number | null;
  /** Budget left as a share when the SLO is judged; null below the coverage floor. */
  budgetRemaining: number | null;
  /** Bad time in the range (what "insufficient data" shows). */
  downtimeMs: number;
  burnRate: number | null;
  failovers: number;
  /** Start of the last outage; null = none known. */
  lastOutageMs: number | null;
}

export const FLEET_SORT_KEYS = ['state', 'name', 'status', 'availability', 'budget', 'burn', 'failovers', 'outage'] as const;
export type FleetSortKey = (typeof FLEET_SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

/** The direction a column sorts in when first clicked: worst first. */
export const DEFAULT_SORT_DIR: Readonly<Record<FleetSortKey, SortDir>> = {
  state: 'asc',
  name: 'asc',
  status: 'desc',
  availability: 'asc',
  budget: 'asc',
  burn: 'desc',
  failovers: 'desc',
  outage: 'desc',
};

const STATUS_RANK: Readonly<Record<Status, number>> = { up: 0, unknown: 1, degraded: 2, down: 3 };

/** Compares present values; null/undefined is "missing". */
function byValue(a: number | null, b: number | null, dir: SortDir): number | 'missing' {
  if (a === null && b === null) return 0;
  if (a === null || b === null) return 'missing';
  return dir === 'asc' ? a - b : b - a;
}

function stateDefault(a: FleetSortRow, b: FleetSortRow): number {
  const r = SLO_STATE_RANK[a.state] - SLO_STATE_RANK[b.state];
  if (r !== 0) return r;
  if (a.state === 'insufficient-data') return b.downtimeMs - a.downtimeMs || (a.status === null ? 1 : 0) - (b.status === null ? 1 : 0);
  return (a.budgetRemaining ?? Infinity) - (b.budgetRemaining ?? Infinity);
}

function keyValue(r: FleetSortRow, key: Exclude<FleetSortKey, 'state' | 'name'>): number | null {
  switch (key) {
    case 'status':
      return r.status === null ? null : STATUS_RANK[r.status];
    case 'availability':
      return r.availability;
    case 'budget':
      return r.budgetRemaining;
    case 'burn':
      return r.burnRate;
    case 'failovers':
      return r.failovers;
    case 'outage':
      return r.lastOutageMs;
    default: {
      const never: never = key;
      return never;
    }
  }
}

function compareFleetRows(key: FleetSortKey, dir: SortDir): (a: FleetSortRow, b: FleetSortRow) => number {
  const byName = (a: FleetSortRow, b: FleetSortRow): number => a.name.localeCompare(b.name);
  return (a, b) => {
    if (key === 'name') return dir === 'asc' ? byName(a, b) : byName(b, a);
    if (key === 'state') {
      const s = stateDefault(a, b);
      return (dir === 'asc' ? s : -s) || byName(a, b);
    }
    const c = byValue(keyValue(a, key), keyValue(b, key), dir);
    if (c === 'missing') return keyValue(a, key) === null ? 1 : -1;
    // Ties: unjudged budgets by downtime, then the default order.
    if (c === 0 && key === 'budget' && a.budgetRemaining === null) return b.downtimeMs - a.downtimeMs || byName(a, b);
    return c || stateDefault(a, b) || byName(a, b);
  };
}

/** A sorted copy. */
export function sortFleetRows<T extends FleetSortRow>(rows: readonly T[], key: FleetSortKey = 'state', dir: SortDir = DEFAULT_SORT_DIR[key]): T[] {
  return [...rows].sort(compareFleetRows(key, dir));
}

/** How many clusters are in each state. */
export function countStates(rows: ReadonlyArray<{ state: SloState }>): Record<SloState, number> {
  const out: Record<SloState, number> = { breached: 0, 'at-risk': 0, 'insufficient-data': 0, met: 0 };
  for (const r of rows) out[r.state]++;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The clusters × days heatmap: one cell per bucket, by availability against the objective.
//   met    availability ≥ objective
//   below  under the objective, error ratio at most 10 × the budget ratio (99.0–99.9 % for 99.9 %)
//   bad    worse than that
//   nodata no good or bad time in the bucket (not sampled, unknown, or all maintenance)

export type HeatLevel = 'met' | 'below' | 'bad' | 'nodata';

export function heatLevel(availability: number | null, objective: number): HeatLevel {
  if (availability === null) return 'nodata';
  if (availability >= objective) return 'met';
  return 1 - availability <= 10 * errorBudgetRatio(objective) + 1e-12 ? 'below' : 'bad';
}

export interface HeatRun {
  startMs: number;
  endMs: number;
  level: HeatLevel;
  /** Buckets in the run (met and no-data runs merge; every bucket below the objective is its own run). */
  buckets: number;
  /** The run's lowest availability (null for no data). */
  availability: number | null;
}

/** Cells → runs (pure): a 30-day row of a healthy cluster is one run, so the heatmap's markup stays small. */
export function heatRuns(cells: ReadonlyArray<{ startMs: number; availability: number | null }>, objective: number, endMs: number): HeatRun[] {
  const out: HeatRun[] = [];
  cells.forEach((c, i) => {
    const level = heatLevel(c.availability, objective);
    const cellEnd = cells[i + 1]?.startMs ?? endMs;
    const last = out[out.length - 1];
    if (last && last.level === level && (level === 'met' || level === 'nodata') && last.endMs === c.startMs) {
      last.endMs = cellEnd;
      last.buckets++;
      if (c.availability !== null && (last.availability === null || c.availability < last.availability)) last.availability = c.availability;
    } else out.push({ startMs: c.startMs, endMs: cellEnd, level, buckets: 1, availability: c.availability });
  });
  return out;
}
