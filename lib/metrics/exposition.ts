// GET /metrics in the Prometheus text exposition format, built with prom-client from a snapshot of
// stored data (lib/data/metrics.ts). A fresh registry per scrape: every value is what the database
// says now, so any web replica answers the same. Names follow the Prometheus conventions (base
// units: seconds and ratios 0–1; counters end in _total; state sets as one series per state).
// The README's "Metrics" table lists every name below.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsSnapshot } from '../data/metrics';
import { STATUSES } from '../types';

/** A window length as a Prometheus duration: 300000 → "5m", 3600000 → "1h", 172800000 → "2d", 5040000 → "1h24m". */
export function promDuration(ms: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  let rest = Math.round(ms);
  let out = '';
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * size;
    }
  }
  return out || '0s';
}

/** Failover gap buckets (s): the lease duration decides most of it (8–15 s), then retries. */
const GAP_BUCKETS = [0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300];

const VERSION = '0.1.0';

function buildRegistry(s: MetricsSnapshot): Registry {
  const reg = new Registry();
  const g = (name: string, help: string, labelNames: string[]): Gauge => new Gauge({ name, help, labelNames, registers: [reg] });
  const c = (name: string, help: string, labelNames: string[]): Counter => new Counter({ name, help, labelNames, registers: [reg] });

  g('quorum_build_info', 'Quorum build: always 1, the version in a label.', ['version']).set({ version: VERSION }, 1);
  const info = g('quorum_cluster_info', 'A registered cluster: always 1; cluster_id names it in URLs and the API.', ['cluster', 'cluster_id']);
  for (const cl of s.clusters) info.set({ cluster: cl.name, cluster_id: cl.id }, 1);

  // SLOs per cluster and component, over the component's policy window.
  const sloLabels = ['cluster', 'component', 'slo', 'window'];
  const objective = g('quorum_slo_objective_ratio', 'SLO objective (0.999 = 99.9 %) of the component.', sloLabels);
  const availability = g('quorum_slo_availability_ratio', 'Time-based availability over the SLO window: good / (good + bad) time, floored to 6 decimals; the dashboard figure. Absent when nothing was measured.', sloLabels);
  const coverage = g('quorum_slo_coverage_ratio', 'Share of the SLO window (outside maintenance) that samples speak for.', sloLabels);
  const remaining = g('quorum_slo_error_budget_remaining_ratio', 'Error budget left over the SLO window: 1 untouched, 0 spent, negative when overspent. Absent when nothing was measured.', sloLabels);
  const seconds = g('quorum_slo_time_seconds', 'Time in the SLO window by kind: good, bad, unknown (no data or unknown status), maintenance.', [...sloLabels, 'kind']);
  const windowSeconds = g('quorum_slo_window_seconds', 'Length of the SLO window (a calendar month: its whole length).', sloLabels);
  const burn = g('quorum_slo_burn_rate', 'Burn rate over the alert window `burn_window` (1 = spends exactly the budget over the SLO window): the multiwindow alert windows of the policy. Absent without data in that window.', [...sloLabels, 'burn_window']);
  for (const m of s.slos) {
    const l = { cluster: m.cluster, component: m.component, slo: m.slo, window: m.window };
    objective.set(l, m.objective);
    if (m.availability !== null) availability.set(l, m.availability);
    coverage.set(l, m.coverage);
    if (m.budgetRemaining !== null) remaining.set(l, m.budgetRemaining);
    windowSeconds.set(l, m.windowMs / 1000);
    for (const [kind, ms] of [['good', m.goodMs], ['bad', m.badMs], ['unknown', m.unknownMs], ['maintenance', m.maintenanceMs]] as const) seconds.set({ ...l, kind }, ms / 1000);
    for (const r of m.burnRates) if (r.value !== null) burn.set({ ...l, burn_window: promDuration(r.windowMs) }, r.value);
  }

  const status = g('quorum_component_status', 'Current status of the component (latest sample; a stale one is unknown): 1 for the current state, 0 for the others. component="control-plane" is the cluster\'s own status.', ['cluster', 'component', 'status']);
  for (const st of s.statuses) for (const x of STATUSES) status.set({ cluster: st.cluster, component: st.component, status: x }, st.status === x ? 1 : 0);

  // Leases.
  const takeovers = c('quorum_leader_takeovers_total', 'Leader-election takeovers seen by the Lease watch, by kind: crash (the Lease had to expire), graceful (released), unobserved (the watch was down).', ['cluster', 'lease', 'kind']);
  const gaps = new Histogram({ name: 'quorum_leader_failover_gap_seconds', help: 'Failover gap: the new holder\'s acquireTime minus the old holder\'s last renewTime, for crash and graceful takeovers (unobserved ones have no measured gap).', labelNames: ['cluster', 'lease'], buckets: GAP_BUCKETS, registers: [reg] });
  for (const le of s.leases) {
    for (const kind of ['crash', 'graceful', 'unobserved'] as const) takeovers.inc({ cluster: le.cluster, lease: le.lease, kind }, le.takeovers[kind]);
    gaps.zero({ cluster: le.cluster, lease: le.lease });
    for (const v of le.gapsSeconds) gaps.observe({ cluster: le.cluster, lease: le.lease }, v);
  }

  // The collector's own health, from its heartbeat in the database.
  const col = ['collector'];
  const last = g('quorum_collector_last_cycle_timestamp_seconds', 'When the collector\'s last cycle ended (alert on time() - this > 3 × the interval).', col);
  const start = g('quorum_collector_start_time_seconds', 'When the collector process started.', col);
  const interval = g('quorum_collector_interval_seconds', 'Configured seconds between cycles.', col);
  const duration = g('quorum_collector_cycle_duration_seconds', 'Wall time of the last cycle.', col);
  const lag = g('quorum_collector_cycle_lag_seconds', 'How late the last cycle started after its scheduled tick.', col);
  const clustersG = g('quorum_collector_clusters', 'Clusters probed in the last cycle.', col);
  const buffer = g('quorum_collector_buffer_records', 'Samples and events waiting in the on-disk buffer for the database (buffer depth).', col);
  const dbUp = g('quorum_collector_database_up', '1 when the last cycle\'s writes reached the database, 0 when they waited in the buffer.', col);
  const cycles = c('quorum_collector_cycles_total', 'Cycles since the collector started.', col);
  const cycleSeconds = c('quorum_collector_cycle_seconds_total', 'Sum of cycle wall times since the collector started (rate ÷ rate of cycles = mean cycle duration).', col);
  const samples = c('quorum_collector_samples_total', 'Probe results taken since the collector started.', col);
  const dropped = c('quorum_collector_dropped_samples_total', 'Samples and events dropped from the full on-disk buffer (oldest first) since the collector started.', col);
  const corrupt = c('quorum_collector_buffer_corrupt_lines_total', 'Corrupt or cut-off buffer lines skipped on replay since the collector started.', col);
  const rejected = c('quorum_collector_rejected_records_total', 'Records the database refused for good since the collector started.', col);
  const probeErrors = c('quorum_collector_probe_errors_total', 'Probe results that carried an error class (timeout, unreachable, tls-ca, unauthorized, forbidden …) since the collector started.', [...col, 'class']);
  for (const h of s.collectors) {
    const l = { collector: h.id };
    const x = h.stats;
    last.set(l, x.lastCycle.endedAtMs / 1000);
    start.set(l, x.startedAtMs / 1000);
    interval.set(l, x.intervalSeconds);
    duration.set(l, x.lastCycle.durationMs / 1000);
    lag.set(l, x.lastCycle.lagMs / 1000);
    clustersG.set(l, x.lastCycle.clusters);
    buffer.set(l, x.lastCycle.buffered);
    dbUp.set(l, x.lastCycle.dbError ? 0 : 1);
    cycles.inc(l, x.cycles);
    cycleSeconds.inc(l, x.cycleSecondsTotal);
    samples.inc(l, x.samplesTotal);
    dropped.inc(l, x.droppedTotal);
    corrupt.inc(l, x.corruptTotal);
    rejected.inc(l, x.rejectedTotal);
    for (const [cls, n] of Object.entries(x.probeErrors)) probeErrors.inc({ ...l, class: cls }, n);
  }

  const alerts = g('quorum_alerts', 'Alerts Quorum evaluates as pending or firing now (1 each); silenced="true" inside a maintenance window.', ['cluster', 'alertname', 'rule', 'component', 'severity', 'state', 'silenced']);
  for (const a of s.alerts) alerts.set({ cluster: a.cluster, alertname: a.alertname, rule: a.rule, component: a.component, severity: a.severity, state: a.state, silenced: String(a.silenced) }, 1);
  const deliveries = g('quorum_notification_deliveries', 'Notification deliveries of the last 30 days by channel and status (pending, delivered, failed, silenced).', ['channel', 'kind', 'status']);
  for (const d of s.deliveries) deliveries.set({ channel: d.channel, kind: d.kind, status: d.status }, d.count);
  return reg;
}

/** The exposition text and its content type. */
export async function renderMetrics(s: MetricsSnapshot): Promise<{ text: string; contentType: string }> {
  const reg = buildRegistry(s);
  return { text: await reg.metrics(), contentType: reg.contentType };
}
