// Pure reduction of a sample series into at most `maxPoints` chart buckets (no React, no I/O).
import type { Status } from '@/lib/types';

export interface SeriesPoint {
  /** ISO time of the sample. */
  t: string;
  status: Status;
  latencyMs: number | null;
}

/** Plain, serialisable chart row. `readiness`: 1 up, 0.5 degraded, 0 down, null unknown. */
export interface ChartPoint {
  t: number;
  status: Status;
  readiness: number | null;
  latencyMs: number | null;
}

const SEVERITY: Record<Status, number> = { up: 0, unknown: 1, degraded: 2, down: 3 };

export function readinessOf(status: Status): number | null {
  switch (status) {
    case 'up':
      return 1;
    case 'degraded':
      return 0.5;
    case 'down':
      return 0;
    case 'unknown':
      return null;
    default: {
      const never: never = status;
      return never;
    }
  }
}

/**
 * Sorts by time and, when there are more than `maxPoints` samples, groups them into equal time buckets:
 * the bucket shows its worst status (a short outage stays visible) and its highest latency.
 */
export function toChartPoints(series: readonly SeriesPoint[], maxPoints = 240): ChartPoint[] {
  const rows = series
    .map((p) => ({ t: new Date(p.t).getTime(), status: p.status, latencyMs: p.latencyMs }))
    .filter((p) => Number.isFinite(p.t))
    .sort((a, b) => a.t - b.t);
  if (rows.length <= maxPoints) {
    return rows.map((r) => ({ ...r, readiness: readinessOf(r.status) }));
  }
  const first = rows[0]!.t;
  const last = rows[rows.length - 1]!.t;
  const width = Math.max(1, (last - first) / maxPoints);
  const buckets = new Map<number, { t: number; status: Status; latencyMs: number | null }>();
  for (const r of rows) {
    const idx = Math.min(maxPoints - 1, Math.floor((r.t - first) / width));
    const b = buckets.get(idx);
    if (!b) {
      buckets.set(idx, { t: first + idx * width, status: r.status, latencyMs: r.latencyMs });
      continue;
    }
    if (SEVERITY[r.status] > SEVERITY[b.status]) b.status = r.status;
    if (r.latencyMs !== null && (b.latencyMs === null || r.latencyMs > b.latencyMs)) b.latencyMs = r.latencyMs;
  }
  return [...buckets.values()]
    .sort((a, b) => a.t - b.t)
    .map((b) => ({ ...b, readiness: readinessOf(b.status) }));
}

/**
 * The window [startMs, endMs) cut into `slots` equal slots, each holding the worst status of the points
 * that start in it, or null where no sample exists ("no data" is drawn differently from "down").
 */
export function toStatusSlots(points: readonly ChartPoint[], startMs: number, endMs: number, slots = 288): Array<Status | null> {
  const out: Array<Status | null> = new Array<Status | null>(slots).fill(null);
  const width = Math.max(1, (endMs - startMs) / slots);
  for (const p of points) {
    if (p.t < startMs || p.t >= endMs) continue;
    const idx = Math.min(slots - 1, Math.floor((p.t - startMs) / width));
    const cur = out[idx];
    if (cur === null || cur === undefined || SEVERITY[p.status] > SEVERITY[cur]) out[idx] = p.status;
  }
  return out;
}
