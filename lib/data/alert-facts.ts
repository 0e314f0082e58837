// What the alert rules read (lib/alerts/rules.ts ClusterFacts), from what the collector stored:
// the latest samples of every series, the composite's burn-rate evaluation (the same burnAlerts the
// dashboard uses, over each cluster's policy window), how long the composite has been unknown,
// the maintenance window in force, recent failovers. Nothing here lives in a collector's memory.
import { withDb, type SampleRow } from '../db';
import { burnAlerts } from './dashboard';
import { listFailovers } from './failovers';
import { listMaintenanceWindows, listSeries, listSloPolicies, type SloPolicyView } from './slo';
import type { BurnAlertEvaluation } from '../slo/burn-rate';
import { COMPOSITE_COMPONENT, COMPOSITE_SOURCE, resolvePolicy } from '../slo/policy';
import { windowBounds } from '../slo/targets';
import { sloOf as sloLabel } from '../slo/names';
import type { ClusterFacts, FailoverFact, RecentSample, RecentSeries } from '../alerts/rules';
import { maintenanceNow, staleAfterMs, toRecent, unknownSince } from '../alerts/facts';
import { parseDetail } from './samples';
import { readSeries, type SeriesRow } from './sql';
import { recentTimes } from '../slo/timeline';
import type { Status } from '../types';
import type { AlertSettings } from '../alerts/settings';
import type { ClusterSummary } from '../types';
import { getOrInsert } from '../collections';

/** How far back failover events are picked up (covers a collector restart of up to this long). */
const FAILOVER_LOOKBACK_MS = 60 * 60_000;

export interface ClusterAlertInput {
  facts: ClusterFacts;
  /** Title (and end) of the maintenance window covering the cluster now. */
  maintenance: { title: string; endsAtMs: number } | null;
  failovers: FailoverFact[];
}

export async function loadAlertInputs(clusters: readonly ClusterSummary[], o: { nowMs: number; intervalMs: number; settings: AlertSettings }): Promise<ClusterAlertInput[]> {
  if (clusters.length === 0) return [];
  const { nowMs, intervalMs, settings } = o;
  const ids = clusters.map((c) => c.id);
  const stale = staleAfterMs(intervalMs);
  // Enough history for N consecutive cycles (with slack for a late cycle).
  const recentSinceMs = nowMs - ((settings.forCycles + 1) * intervalMs + stale);
  const noDataLookbackMs = settings.noDataMinutes * 60_000 + stale;
  const [policies, maintenance, composite] = await Promise.all([
    listSloPolicies(ids),
    listMaintenanceWindows(ids),
    listSeries({ clusterIds: ids, probe: COMPOSITE_SOURCE.probe, target: COMPOSITE_SOURCE.target }),
  ]);
  const polsOf = (id: string): SloPolicyView[] => policies.filter((p) => p.clusterId === id);

  // Burn rates: the dashboard's burnAlerts, each cluster over its composite policy's window.
  const burn = new Map<string, BurnAlertEvaluation[]>();
  const byWindow = new Map<number, typeof composite>();
  for (const s of composite) {
    const p = resolvePolicy(polsOf(s.clusterId), COMPOSITE_COMPONENT);
    const b = windowBounds(p.window, new Date(nowMs));
    const ms = b.endMs - b.startMs;
    const l = getOrInsert(byWindow, ms, () => []);
    l.push(s);
  }
  for (const [windowMs, list] of byWindow) {
    const r = await burnAlerts(list, { windowMs, nowMs, maintenance, objectiveOf: (s) => resolvePolicy(polsOf(s.clusterId), COMPOSITE_COMPONENT).objective });
    for (const s of list) burn.set(s.clusterId, r.get(s.id) ?? []);
  }

  // Runs (a Sample row per run of equal results) and each series' cursor: its last sample exactly and the
  // times of the 100 before it, so the last N samples are known exactly (each has its run's result).
  const [cursors, recentRuns, compositeRuns] = await withDb((db) =>
    Promise.all([
      Promise.all(ids.map((clusterId) => readSeries(db, clusterId))),
      Promise.all(ids.map((clusterId) => db.prisma.sample.findMany({ where: { clusterId, at: { lte: new Date(nowMs) }, runLastAtMs: { gte: BigInt(recentSinceMs) } }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: 5000 }))),
      Promise.all(
        ids.map((clusterId) =>
          db.prisma.sample.findMany({
            where: { clusterId, probe: COMPOSITE_SOURCE.probe, target: COMPOSITE_SOURCE.target, at: { lte: new Date(nowMs) }, runLastAtMs: { gte: BigInt(nowMs - noDataLookbackMs) } },
            orderBy: [{ at: 'asc' }, { id: 'asc' }],
            take: 10_000,
          }),
        ),
      ),
    ]),
  );

  const out: ClusterAlertInput[] = [];
  for (let i = 0; i < clusters.length; i++) {
    const c = clusters[i]!;
    const series = recentSeries(cursors[i] ?? [], recentRuns[i] ?? [], { sinceMs: recentSinceMs, nowMs, take: settings.forCycles + 1 });
    const pols = polsOf(c.id);
    const sloOf = (component: string): string => sloLabel(c.name, pols, component);
    const failovers = await listFailovers({ clusterId: c.id, since: new Date(nowMs - FAILOVER_LOOKBACK_MS), until: new Date(nowMs + 1) });
    out.push({
      facts: {
        clusterId: c.id,
        clusterName: c.name,
        nowMs,
        staleAfterMs: stale,
        series,
        burn: burn.get(c.id) ?? null,
        sloOf,
        unknownSinceMs: unknownSince(
          runEnds(compositeRuns[i] ?? [], nowMs - noDataLookbackMs, nowMs),
          { nowMs, staleAfterMs: stale, lookbackMs: noDataLookbackMs, createdAtMs: Date.parse(c.createdAt) },
        ),
      },
      maintenance: maintenanceNow(maintenance, c.id, nowMs),
      failovers: failovers.map((f) => ({
        // The stored event's id: every replica reads the same row, so the notice is the same.
        dedupeKey: `failover-event:${f.id}`,
        lease: f.lease,
        kind: f.kind,
        previousHolder: f.previousHolder,
        newHolder: f.newHolder,
        gapMs: f.gapMs,
        leaseDurationSeconds: f.leaseDurationSeconds,
        atMs: Date.parse(f.at),
      })),
    });
  }
  return out;
}

/**
 * Each series' last `take` samples in [sinceMs, nowMs], newest first: times from the cursor (its last
 * sample and recentGaps), each with its run's result (the last one exactly: the cursor's).
 */
function recentSeries(cursors: readonly SeriesRow[], runs: readonly SampleRow[], o: { sinceMs: number; nowMs: number; take: number }): RecentSeries[] {
  const out: RecentSeries[] = [];
  for (const c of cursors) {
    const own = runs.filter((r) => r.probe === c.probe && r.target === c.target); // newest first
    const recent: RecentSample[] = [];
    for (const t of recentTimes(c.lastAtMs, c.recentGaps)) {
      if (recent.length >= o.take || t < o.sinceMs) break;
      if (t > o.nowMs) continue;
      if (t === c.lastAtMs) {
        recent.push(toRecent({ at: new Date(t), status: c.lastStatus, reason: c.lastReason }, parseDetail(c.lastDetail)));
        continue;
      }
      const run = own.find((r) => r.at.getTime() <= t && t <= Number(r.runLastAtMs));
      if (run) recent.push(toRecent({ at: new Date(t), status: run.status, reason: run.reason }, parseDetail(run.detail)));
    }
    if (recent.length > 0) out.push({ probe: c.probe, target: c.target, recent });
  }
  return out;
}

/**
 * The sample times and statuses unknownSince needs from one series' runs (oldest first) in
 * [sinceMs, nowMs]: each run's first and last sample in the window. The latest sample, the last known
 * one and the sample after it are among them, so the answer equals the one every sample gives.
 */
function runEnds(runs: readonly SampleRow[], sinceMs: number, nowMs: number): Array<{ atMs: number; status: Status }> {
  const out: Array<{ atMs: number; status: Status }> = [];
  for (const r of runs) {
    const first = r.at.getTime();
    const last = Number(r.runLastAtMs);
    if (first >= sinceMs) out.push({ atMs: first, status: r.status });
    else if (last >= sinceMs) out.push({ atMs: sinceMs, status: r.status }); // a sample in the window, at or after sinceMs
    if (last !== first && last >= sinceMs && last <= nowMs) out.push({ atMs: last, status: r.status });
  }
  return out;
}
