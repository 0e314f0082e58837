// Pure helpers that turn stored rows into the rules' facts (lib/alerts/rules.ts ClusterFacts).
import { expandMaintenance, type MaintenanceSpec } from '../slo/policy';
import type { ProbeResult, Status } from '../types';
import type { RecentSample } from './rules';

/** Staleness bound of a current sample (the dashboard's: max(3 intervals, 60 s)). */
export const staleAfterMs = (intervalMs: number): number => Math.max(3 * intervalMs, 60_000);

/** A stored sample (its detail JSON already parsed) as the rules see it. */
export function toRecent(r: { at: Date; status: Status; reason: string }, d: ProbeResult['detail'] | null): RecentSample {
  const checks = Array.isArray(d?.checks) ? d.checks.filter((c) => typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.ok === 'boolean') : [];
  const facts = d?.facts && typeof d.facts === 'object' ? (d.facts as Record<string, unknown>) : {};
  return { atMs: r.at.getTime(), status: r.status, reason: r.reason, checks, facts };
}

/**
 * Since when the composite has been unknown, from its samples over the last `lookbackMs`: null when
 * its latest sample is fresh and known; else the first unknown sample after the last known one, or
 * the moment the last known sample went stale; never sampled in the window: the window start (or
 * registration, if later). Pure.
 */
export function unknownSince(rows: ReadonlyArray<{ atMs: number; status: Status }>, o: { nowMs: number; staleAfterMs: number; lookbackMs: number; createdAtMs: number }): number | null {
  const sorted = [...rows].sort((a, b) => a.atMs - b.atMs);
  const latest = sorted.at(-1);
  if (latest && latest.status !== 'unknown' && o.nowMs - latest.atMs <= o.staleAfterMs) return null;
  let lastKnown = -1;
  for (let i = sorted.length - 1; i >= 0; i--) {
    if (sorted[i]!.status !== 'unknown') {
      lastKnown = i;
      break;
    }
  }
  if (lastKnown < 0) {
    const firstUnknown = sorted[0]?.atMs;
    return Math.max(o.createdAtMs, Math.min(firstUnknown ?? Number.POSITIVE_INFINITY, o.nowMs - o.lookbackMs));
  }
  const known = sorted[lastKnown]!;
  const next = sorted[lastKnown + 1];
  return Math.min(next?.atMs ?? Number.POSITIVE_INFINITY, known.atMs + o.staleAfterMs);
}

/** The maintenance window in force for a cluster at `nowMs` (its own or fleet-wide), if any. */
export function maintenanceNow(windows: ReadonlyArray<MaintenanceSpec & { clusterId: string | null; title: string }>, clusterId: string, nowMs: number): { title: string; endsAtMs: number } | null {
  for (const w of windows) {
    if (w.clusterId !== null && w.clusterId !== clusterId) continue;
    const r = expandMaintenance([w], { startMs: nowMs, endMs: nowMs + 1 });
    if (r.length > 0) {
      // The occurrence covering now: its end.
      const occ = expandMaintenance([w], { startMs: nowMs - w.durationMs, endMs: nowMs + w.durationMs }).find((x) => x.startMs <= nowMs && x.endMs > nowMs);
      return { title: w.title, endsAtMs: occ?.endMs ?? nowMs + 1 };
    }
  }
  return null;
}

