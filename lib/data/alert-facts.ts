// What the alert rules read (lib/alerts/rules.ts ClusterFacts), from what the collector stored:
// the latest samples of every series, the composite's burn-rate evaluation (the same burnAlerts the
// dashboard uses, over each cluster's policy window), how long the composite has been unknown,
// the maintenance window in force, recent failovers. Nothing here lives in a collector's memory.
import { withDb } from '../db';
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

  const [recentRows, compositeRows] = await withDb((db) =>
    Promise.all([
      Promise.all(ids.map((clusterId) => db.prisma.sample.findMany({ where: { clusterId, at: { gte: new Date(recentSinceMs), lte: new Date(nowMs) } }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: 5000 }))),
      Promise.all(
        ids.map((clusterId) =>
          db.samplePoints.findMany({
            where: { clusterId, probe: COMPOSITE_SOURCE.probe, target: COMPOSITE_SOURCE.target, at: { gte: new Date(nowMs - noDataLookbackMs), lte: new Date(nowMs) } },
            orderBy: [{ at: 'asc' }, { id: 'asc' }],
            take: 10_000,
            select: { at: true, status: true, latencyMs: true },
          }),
        ),
      ),
    ]),
  );

  const out: ClusterAlertInput[] = [];
  for (let i = 0; i < clusters.length; i++) {
    const c = clusters[i]!;
    const bySeries = new Map<string, RecentSeries & { recent: RecentSample[] }>();
    for (const r of recentRows[i] ?? []) {
      const k = `${r.probe}\u0000${r.target}`;
      const s = getOrInsert(bySeries, k, () => ({ probe: r.probe, target: r.target, recent: [] }));
      if (s.recent.length < settings.forCycles + 1) s.recent.push(toRecent(r, parseDetail(r.detail)));
    }
    const pols = polsOf(c.id);
    const sloOf = (component: string): string => sloLabel(c.name, pols, component);
    const failovers = await listFailovers({ clusterId: c.id, since: new Date(nowMs - FAILOVER_LOOKBACK_MS), until: new Date(nowMs + 1) });
    out.push({
      facts: {
        clusterId: c.id,
        clusterName: c.name,
        nowMs,
        staleAfterMs: stale,
        series: [...bySeries.values()],
        burn: burn.get(c.id) ?? null,
        sloOf,
        unknownSinceMs: unknownSince(
          (compositeRows[i] ?? []).map((r) => ({ atMs: r.at.getTime(), status: r.status })),
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
