// What GET /metrics reports, read from the database with the dashboard's own functions (so every
// figure is the number the dashboard shows): per cluster and component the SLO over its policy
// window (evaluatePeriod), the burn rates over the alert windows (burnAlerts), the current status
// (getComponents); per Lease the failovers; the collector's heartbeat; active alerts; deliveries.
import { withDb } from '../db';
import { componentId, resolvePolicy, sloComponentOf, type SloPolicySpec } from '../slo/policy';
import { windowBounds, type SloWindow } from '../slo/targets';
import { sloOf } from '../slo/names';
import type { Status } from '../types';
import { loadAlertStates } from './alerts';
import { listClusters } from './clusters';
import { getComponents } from './components';
import { burnAlerts } from './dashboard';
import { countDeliveries } from './deliveries';
import { listHeartbeats, type HeartbeatView } from './heartbeat';
import { evaluatePeriod, listMaintenanceWindows, listSeries, listSloPolicies, type SeriesInfo } from './slo';
import { RULES } from '../alerts/rules';
import { getOrInsert } from '../collections';

export interface SloMetric {
  cluster: string;
  component: string;
  slo: string;
  window: SloWindow;
  windowMs: number;
  objective: number;
  /** null: nothing measured in the window (the series is then absent, not 0). */
  availability: number | null;
  coverage: number;
  budgetRemaining: number | null;
  goodMs: number;
  badMs: number;
  unknownMs: number;
  maintenanceMs: number;
  /** Burn rate per alert window length (ms); null: no data in that window. */
  burnRates: Array<{ windowMs: number; value: number | null }>;
}

export interface StatusMetric {
  cluster: string;
  component: string;
  status: Status;
}

export interface LeaseMetric {
  cluster: string;
  lease: string;
  takeovers: Record<'crash' | 'graceful' | 'unobserved', number>;
  /** Measured gaps (s) of crash and graceful takeovers. */
  gapsSeconds: number[];
}

export interface MetricsSnapshot {
  nowMs: number;
  clusters: Array<{ id: string; name: string }>;
  slos: SloMetric[];
  statuses: StatusMetric[];
  leases: LeaseMetric[];
  collectors: HeartbeatView[];
  alerts: Array<{ cluster: string; alertname: string; rule: string; component: string; severity: string; state: 'pending' | 'firing'; silenced: boolean }>;
  deliveries: Array<{ channel: string; kind: string; status: string; count: number }>;
}

/** The component a series counts as — the cluster page's rule: the readyz endpoint series is the composite. */

const MAX_FAILOVERS = 100_000;

export async function getMetricsSnapshot(opts: { now?: Date } = {}): Promise<MetricsSnapshot> {
  const now = opts.now ?? new Date();
  const nowMs = now.getTime();
  const clusters = await listClusters();
  const ids = clusters.map((c) => c.id);
  const nameOf = new Map(clusters.map((c) => [c.id, c.name]));
  const [series, policies, maintenance] = await Promise.all([listSeries({ clusterIds: ids }), listSloPolicies(ids), listMaintenanceWindows(ids)]);
  const polsOf = (id: string): SloPolicySpec[] => policies.filter((p) => p.clusterId === id);

  // SLOs: each series over its own policy's window, grouped by window (one evaluation per group).
  const groups = new Map<SloWindow, SeriesInfo[]>();
  for (const s of series) {
    const w = resolvePolicy(polsOf(s.clusterId), sloComponentOf(s)).window;
    const l = getOrInsert(groups, w, () => []);
    l.push(s);
  }
  const slos: SloMetric[] = [];
  for (const [window, list] of groups) {
    const b = windowBounds(window, now);
    const windowMs = b.endMs - b.startMs;
    const [ev, burn] = await Promise.all([
      evaluatePeriod({ series: list, period: { startMs: b.startMs, endMs: b.endMs }, nowMs, maintenance, policies: polsOf, sloComponentOf }),
      burnAlerts(list, { windowMs, nowMs, maintenance, objectiveOf: (s) => resolvePolicy(polsOf(s.clusterId), sloComponentOf(s)).objective, coverageFloorOf: (s) => resolvePolicy(polsOf(s.clusterId), sloComponentOf(s)).coverageFloor }),
    ]);
    for (const s of list) {
      const e = ev.get(s.id)!;
      const rates = new Map<number, number | null>();
      for (const r of burn.get(s.id) ?? []) {
        rates.set(r.longWindowMs, r.longBurnRate);
        rates.set(r.shortWindowMs, r.shortBurnRate);
      }
      const cluster = nameOf.get(s.clusterId) ?? s.clusterId;
      slos.push({
        cluster,
        component: e.component,
        slo: sloOf(cluster, polsOf(s.clusterId), e.component),
        window,
        windowMs,
        objective: e.objective,
        availability: e.availability,
        coverage: e.coverage,
        budgetRemaining: e.budget.hasData ? e.budget.remainingFraction : null,
        goodMs: e.goodMs,
        badMs: e.badMs,
        unknownMs: e.unknownMs,
        maintenanceMs: e.maintenanceMs,
        burnRates: [...rates.entries()].sort((a, b) => a[0] - b[0]).map(([windowMs, value]) => ({ windowMs, value })),
      });
    }
  }

  // Current status: the latest sample per series (a stale one reads unknown), as the cluster page shows.
  const statuses: StatusMetric[] = [];
  for (const c of clusters) {
    const snap = await getComponents(c.id, { now });
    for (const comp of snap.components) {
      if (comp.target.startsWith('readyz:')) continue; // etcd's readyz checks are derived from the endpoint sample
      statuses.push({ cluster: c.name, component: sloComponentOf({ probe: comp.probe, target: comp.target || 'endpoint', component: componentId(comp.probe, comp.target || 'endpoint') }), status: comp.status });
    }
  }

  // Leases: every stored takeover (the failover history is kept with the cluster).
  const leases: LeaseMetric[] = [];
  const events = await withDb((db) => Promise.all(ids.map((clusterId) => db.prisma.failoverEvent.findMany({ where: { clusterId }, orderBy: [{ at: 'asc' }, { id: 'asc' }], take: MAX_FAILOVERS }))));
  events.forEach((list, i) => {
    const byLease = new Map<string, LeaseMetric>();
    for (const e of list) {
      const m = getOrInsert(byLease, e.lease, () => ({ cluster: clusters[i]!.name, lease: e.lease, takeovers: { crash: 0, graceful: 0, unobserved: 0 }, gapsSeconds: [] }));
      const kind = e.kind === 'crash' || e.kind === 'graceful' ? e.kind : 'unobserved';
      m.takeovers[kind]++;
      if (kind !== 'unobserved' && e.gapMs !== null) m.gapsSeconds.push(e.gapMs / 1000);
    }
    leases.push(...byLease.values());
  });

  const [collectors, states, channels] = await Promise.all([
    listHeartbeats(nowMs),
    loadAlertStates(ids),
    withDb((db) => db.prisma.alertChannel.findMany({ orderBy: { name: 'asc' } })),
  ]);
  const counts = await countDeliveries(channels.map((c) => c.id));
  return {
    nowMs,
    clusters: clusters.map((c) => ({ id: c.id, name: c.name })),
    slos,
    statuses,
    leases,
    collectors,
    alerts: states
      .filter((s) => s.status === 'firing' || s.status === 'pending')
      .map((s) => ({ cluster: nameOf.get(s.clusterId) ?? s.clusterId, alertname: RULES[s.rule].alertname, rule: s.rule, component: s.component, severity: s.severity, state: s.status as 'pending' | 'firing', silenced: s.silencedBy !== null })),
    deliveries: channels.flatMap((c) => Object.entries(counts.get(c.id) ?? {}).map(([status, count]) => ({ channel: c.name, kind: c.kind, status, count }))),
  };
}
