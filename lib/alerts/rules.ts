// The alert rules (pure). Each rule reads what the collector STORED for one cluster — the latest
// samples of each series, the burn-rate evaluation the dashboard shows, failover events — and says
// for each component whether its condition holds. Counting "N consecutive cycles" is done over the
// stored samples (not in memory), so the answer is the same after a collector restart and on every
// collector replica. The state machine (state.ts) turns conditions into transitions.
import type { BurnAlertEvaluation } from '../slo/burn-rate';
import { componentId } from '../slo/policy';
import type { Status } from '../types';
import type { AlertSettings } from './settings';

export type Severity = 'page' | 'ticket' | 'info';
export const SEVERITIES = ['page', 'ticket', 'info'] as const satisfies readonly Severity[];
const SEVERITY_RANK: Record<Severity, number> = { info: 0, ticket: 1, page: 2 };

/** True when `s` is at least as severe as `min` (a channel's minimum severity). */
export function atLeast(s: Severity, min: Severity): boolean {
  return SEVERITY_RANK[s] >= SEVERITY_RANK[min];
}

export type RuleId =
  | 'burn-rate-page'
  | 'burn-rate-ticket'
  | 'component-down'
  | 'etcd-quorum-lost'
  | 'etcd-no-fault-tolerance'
  | 'dns-down'
  | 'headroom-lost'
  | 'no-data'
  | 'failover';

export interface RuleDef {
  id: RuleId;
  /** Alertmanager `alertname` (CamelCase, as kube-prometheus names its alerts). */
  alertname: string;
  title: string;
  /** Default severity; component-down is `page` for the API endpoint, `ticket` for anything else. */
  severity: Severity;
  /** state: pending → firing → resolved; event: one notification per occurrence (a failover). */
  kind: 'state' | 'event';
  description: string;
}

/** The one table of rules (the README's rule list is this table). */
export const RULES = {
  'burn-rate-page': { id: 'burn-rate-page', alertname: 'QuorumErrorBudgetBurn', title: 'Error budget burn (page)', severity: 'page', kind: 'state', description: 'A page-tier multiwindow burn-rate alert of the composite SLO fires (2 % of a 30-day budget in 1 h, or 5 % in 6 h; both windows above the factor), exactly as the dashboard shows it.' },
  'burn-rate-ticket': { id: 'burn-rate-ticket', alertname: 'QuorumErrorBudgetBurn', title: 'Error budget burn (ticket)', severity: 'ticket', kind: 'state', description: 'A ticket-tier multiwindow burn-rate alert of the composite SLO fires (10 % of a 30-day budget in 1 d or in 3 d).' },
  'component-down': { id: 'component-down', alertname: 'QuorumComponentDown', title: 'Component down', severity: 'page', kind: 'state', description: 'A component (API endpoint, an apiserver replica, a Lease without a live holder, an etcd member, a DNS server …) is down for N consecutive collector cycles. Page for the API endpoint, ticket for the rest.' },
  'etcd-quorum-lost': { id: 'etcd-quorum-lost', alertname: 'QuorumEtcdQuorumLost', title: 'etcd quorum lost', severity: 'page', kind: 'state', description: 'etcd has no quorum for N consecutive cycles: from the direct etcd probe when its endpoints are registered, else from the apiserver\'s readyz `etcd` check through the endpoint.' },
  'etcd-no-fault-tolerance': { id: 'etcd-no-fault-tolerance', alertname: 'QuorumEtcdNoFaultTolerance', title: 'etcd fault tolerance 0', severity: 'ticket', kind: 'state', description: 'etcd still has quorum but cannot lose another member (direct etcd probe; not raised for a 1-member etcd, which never had any).' },
  'dns-down': { id: 'dns-down', alertname: 'QuorumClusterDNSDown', title: 'Cluster DNS down', severity: 'page', kind: 'state', description: 'No CoreDNS endpoint of the kube-dns Service resolves for N consecutive cycles.' },
  'headroom-lost': { id: 'headroom-lost', alertname: 'QuorumNodeHeadroomLost', title: 'N+1 headroom lost', severity: 'ticket', kind: 'state', description: 'Losing the busiest Ready worker would leave its pods unschedulable, for N consecutive cycles.' },
  'no-data': { id: 'no-data', alertname: 'QuorumClusterNoData', title: 'Cluster unknown (no data)', severity: 'ticket', kind: 'state', description: 'Quorum cannot see the cluster (its composite status is unknown: 401/403/TLS, credentials, no samples) for N minutes.' },
  failover: { id: 'failover', alertname: 'QuorumLeaderFailover', title: 'Leader failover', severity: 'info', kind: 'event', description: 'A leader-election Lease changed holder (all failovers, or only those with a gap longer than a threshold).' },
} as const satisfies Record<RuleId, RuleDef>;

export const RULE_IDS = Object.keys(RULES) as RuleId[];

export function isRuleId(v: unknown): v is RuleId {
  return typeof v === 'string' && Object.hasOwn(RULES, v);
}

/** A stored sample as the rules see it. */
export interface RecentSample {
  atMs: number;
  status: Status;
  reason: string;
  checks: ReadonlyArray<{ name: string; ok: boolean; message?: string }>;
  facts: Readonly<Record<string, unknown>>;
}

/** One series of the cluster with its latest samples, newest first. */
export interface RecentSeries {
  probe: string;
  target: string;
  recent: readonly RecentSample[];
}

/** Everything the rules read for one cluster. */
export interface ClusterFacts {
  clusterId: string;
  clusterName: string;
  nowMs: number;
  /** A sample older than this is not current (the dashboard's rule: max(3 intervals, 60 s)). */
  staleAfterMs: number;
  series: readonly RecentSeries[];
  /** The composite SLO's burn-rate rows (lib/data/dashboard.ts burnAlerts), null when never sampled. */
  burn: readonly BurnAlertEvaluation[] | null;
  /** The `slo` label of a component (the OpenSLO name of the policy that applies; "control-plane" is the composite). */
  sloOf: (component: string) => string;
  /**
   * The composite's visibility: since when it has been unknown (latest sample unknown or stale, or
   * never sampled: since registration); null when it is known now.
   */
  unknownSinceMs: number | null;
}

/** What a rule says about one component now. */
export interface Condition {
  rule: RuleId;
  component: string;
  severity: Severity;
  /** Fully met: fire (or keep firing). */
  active: boolean;
  /** Partly met (e.g. 1 of 3 cycles down): pending. */
  pending: boolean;
  /** When the condition became fully met, from the data; absent: the evaluation time. */
  sinceMs?: number;
  summary: string;
  /** Identity labels besides alertname/cluster/component/severity/rule (`slo`): fixed while it fires. */
  labels: Record<string, string>;
  /** Facts for the annotations (they may change while it fires: where it was seen, which windows burn). */
  details?: Record<string, string>;
}

/** How many of the newest samples in a row satisfy `pred`; 0 when the newest is stale. */
export function consecutive(recent: readonly RecentSample[], nowMs: number, staleAfterMs: number, pred: (s: RecentSample) => boolean): number {
  if (recent.length === 0 || nowMs - recent[0]!.atMs > staleAfterMs) return 0;
  let n = 0;
  for (const s of recent) {
    if (!pred(s)) break;
    n++;
  }
  return n;
}

/** A condition from a run of `held` consecutive samples against a requirement of `need`. */
function fromRun(base: Omit<Condition, 'active' | 'pending' | 'sinceMs'>, recent: readonly RecentSample[], held: number, need: number): Condition {
  const active = held >= need;
  // The sample that completed the run of `need` (newest first: index held − need … the need-th oldest of the run).
  const since = active ? recent[held - need]?.atMs : undefined;
  return { ...base, active, pending: !active && held > 0, ...(since !== undefined ? { sinceMs: since } : {}) };
}

const isDown = (s: RecentSample): boolean => s.status === 'down';
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** Voting members the etcd probe knew of: its `members` fact is the member list (an array). */
const memberCount = (facts: Readonly<Record<string, unknown>>): number => (Array.isArray(facts.members) ? facts.members.length : (num(facts.members) ?? 0));

/** Series with a rule of their own are not also reported as "component down". */
const OWN_RULE = new Set(['etcd/etcd', 'dns/kube-dns', 'nodes/workers']);
const ENDPOINT_COMPONENTS = new Set(['apiserver-readyz', 'apiserver-livez']);
const ETCD_CHECKS = new Set(['etcd', 'etcd-readiness']);

function seriesOf(f: ClusterFacts, probe: string, target: string): RecentSeries | undefined {
  return f.series.find((s) => s.probe === probe && s.target === target);
}

function ruleComponentDown(f: ClusterFacts, s: AlertSettings): Condition[] {
  const out: Condition[] = [];
  for (const series of f.series) {
    const component = componentId(series.probe, series.target);
    if (OWN_RULE.has(`${series.probe}/${series.target}`)) continue;
    const held = consecutive(series.recent, f.nowMs, f.staleAfterMs, isDown);
    const latest = series.recent[0];
    const severity: Severity = ENDPOINT_COMPONENTS.has(component) ? 'page' : 'ticket';
    out.push(
      fromRun(
        { rule: 'component-down', component, severity, summary: `${component} is down on ${f.clusterName} for ${Math.min(held, s.forCycles)} of ${s.forCycles} cycles${latest ? `: ${latest.reason}` : ''}`, labels: {} },
        series.recent,
        held,
        s.forCycles,
      ),
    );
  }
  return out;
}

/** etcd's quorum per sample: direct probe facts when there are some, else the readyz etcd check. */
function etcdConditions(f: ClusterFacts, s: AlertSettings): Condition[] {
  const direct = seriesOf(f, 'etcd', 'etcd');
  const out: Condition[] = [];
  if (direct && direct.recent.length > 0 && nowFresh(f, direct)) {
    const quorumLost = (x: RecentSample): boolean => x.status !== 'unknown' && x.facts.hasQuorum === false && (memberCount(x.facts) > 0 || (num(x.facts.majority) ?? 0) > 0);
    const noTolerance = (x: RecentSample): boolean => x.facts.hasQuorum === true && num(x.facts.toleranceNow) === 0 && (num(x.facts.toleranceDesign) ?? 0) > 0;
    const latest = direct.recent[0]!;
    const lost = consecutive(direct.recent, f.nowMs, f.staleAfterMs, quorumLost);
    out.push(fromRun({ rule: 'etcd-quorum-lost', component: 'etcd', severity: 'page', summary: `etcd quorum lost on ${f.clusterName} (etcd probe): ${latest.reason}`, labels: {}, details: { source: 'etcd probe' } }, direct.recent, lost, s.forCycles));
    const tol = consecutive(direct.recent, f.nowMs, f.staleAfterMs, noTolerance);
    out.push(fromRun({ rule: 'etcd-no-fault-tolerance', component: 'etcd', severity: 'ticket', summary: `etcd on ${f.clusterName} cannot lose another member: ${latest.reason}`, labels: {}, details: { source: 'etcd probe' } }, direct.recent, tol, s.forCycles));
    return out;
  }
  const readyz = seriesOf(f, 'apiserver-readyz', 'endpoint');
  if (!readyz) return out;
  // Through the apiserver: its readyz `etcd` check fails when etcd has no quorum. A sample that lists
  // no etcd check (a timeout, a refused connection) says nothing about etcd and ends the run.
  const etcdFailing = (x: RecentSample): boolean => x.checks.some((c) => ETCD_CHECKS.has(c.name) && !c.ok);
  const held = consecutive(readyz.recent, f.nowMs, f.staleAfterMs, etcdFailing);
  const failing = readyz.recent[0]?.checks.filter((c) => ETCD_CHECKS.has(c.name) && !c.ok).map((c) => c.name) ?? [];
  out.push(
    fromRun(
      { rule: 'etcd-quorum-lost', component: 'etcd', severity: 'page', summary: `etcd quorum lost on ${f.clusterName}, as the apiserver sees it: readyz ${failing.length ? failing.join(', ') : 'etcd'} failing`, labels: {}, details: { source: 'apiserver readyz etcd check' } },
      readyz.recent,
      held,
      s.forCycles,
    ),
  );
  return out;
}

function nowFresh(f: ClusterFacts, s: RecentSeries): boolean {
  return s.recent.length > 0 && f.nowMs - s.recent[0]!.atMs <= f.staleAfterMs;
}

function ruleDns(f: ClusterFacts, s: AlertSettings): Condition[] {
  const dns = seriesOf(f, 'dns', 'kube-dns');
  if (!dns) return [];
  const held = consecutive(dns.recent, f.nowMs, f.staleAfterMs, isDown);
  return [fromRun({ rule: 'dns-down', component: 'dns/kube-dns', severity: 'page', summary: `cluster DNS down on ${f.clusterName}: ${dns.recent[0]?.reason ?? ''}`, labels: {} }, dns.recent, held, s.forCycles)];
}

function ruleHeadroom(f: ClusterFacts, s: AlertSettings): Condition[] {
  const nodes = seriesOf(f, 'nodes', 'workers');
  if (!nodes) return [];
  const lost = (x: RecentSample): boolean => x.status !== 'unknown' && (num(x.facts.workers) ?? 0) > 0 && x.facts.survivesLargestNodeLoss === false;
  const held = consecutive(nodes.recent, f.nowMs, f.staleAfterMs, lost);
  return [fromRun({ rule: 'headroom-lost', component: 'nodes/workers', severity: 'ticket', summary: `N+1 headroom lost on ${f.clusterName}: ${nodes.recent[0]?.reason ?? ''}`, labels: {} }, nodes.recent, held, s.forCycles)];
}

function ruleNoData(f: ClusterFacts, s: AlertSettings): Condition[] {
  const needMs = s.noDataMinutes * 60_000;
  const since = f.unknownSinceMs;
  const active = since !== null && f.nowMs - since >= needMs;
  const minutes = since === null ? 0 : Math.floor((f.nowMs - since) / 60_000);
  return [
    {
      rule: 'no-data',
      component: 'control-plane',
      severity: 'ticket',
      active,
      pending: since !== null && !active,
      ...(active ? { sinceMs: since + needMs } : {}),
      summary: `Quorum cannot see ${f.clusterName} for ${minutes} min (composite status unknown)`,
      labels: {},
    },
  ];
}

function ruleBurn(f: ClusterFacts, severity: 'page' | 'ticket'): Condition[] {
  const rows = (f.burn ?? []).filter((r) => r.severity === severity);
  if (rows.length === 0) return [];
  const firing = rows.filter((r) => r.firing);
  const worst = [...firing].sort((a, b) => (b.shortBurnRate ?? 0) - (a.shortBurnRate ?? 0))[0];
  const fmt = (ms: number): string => (ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`);
  const summary = worst
    ? `${f.clusterName} burns its error budget ${worst.longBurnRate?.toFixed(1)}× over ${fmt(worst.longWindowMs)} and ${worst.shortBurnRate?.toFixed(1)}× over ${fmt(worst.shortWindowMs)} (threshold ${worst.factor}×: ${Math.round(worst.budgetConsumedFraction * 100)} % of the budget in ${fmt(worst.longWindowMs)})`
    : `${f.clusterName}: no ${severity} burn-rate alert fires`;
  return [
    {
      rule: severity === 'page' ? 'burn-rate-page' : 'burn-rate-ticket',
      component: 'control-plane',
      severity,
      active: firing.length > 0,
      pending: false,
      summary,
      labels: {},
      ...(worst ? { details: { long_window: fmt(worst.longWindowMs), short_window: fmt(worst.shortWindowMs), burn_rate: (worst.shortBurnRate ?? 0).toFixed(2) } } : {}),
    },
  ];
}

/** Every state rule's conditions for one cluster (enabled rules only), with the `slo` label set. */
export function evaluateRules(f: ClusterFacts, s: AlertSettings): Condition[] {
  const all: Condition[] = [
    ...(s.rules['burn-rate-page'] ? ruleBurn(f, 'page') : []),
    ...(s.rules['burn-rate-ticket'] ? ruleBurn(f, 'ticket') : []),
    ...(s.rules['component-down'] ? ruleComponentDown(f, s) : []),
    ...etcdConditions(f, s).filter((c) => s.rules[c.rule]),
    ...(s.rules['dns-down'] ? ruleDns(f, s) : []),
    ...(s.rules['headroom-lost'] ? ruleHeadroom(f, s) : []),
    ...(s.rules['no-data'] ? ruleNoData(f, s) : []),
  ];
  return all.map((c) => ({ ...c, labels: { ...c.labels, slo: f.sloOf(c.component) } }));
}

/** A stored failover as the failover rule sees it. */
export interface FailoverFact {
  dedupeKey: string;
  lease: string;
  kind: 'crash' | 'graceful' | 'unobserved';
  previousHolder: string;
  newHolder: string;
  gapMs: number | null;
  leaseDurationSeconds: number | null;
  atMs: number;
}

export interface EventNotice {
  rule: 'failover';
  component: string;
  severity: Severity;
  /** Stable identity of the event (the failover's own dedupe key). */
  eventKey: string;
  atMs: number;
  summary: string;
  labels: Record<string, string>;
}

/**
 * Failovers to notify: all of them, or only those whose measured gap is longer than the threshold
 * (an `unobserved` takeover has no measured gap: notified in "all" mode only, never guessed).
 */
export function failoverNotices(clusterName: string, events: readonly FailoverFact[], s: AlertSettings, sloOf: (component: string) => string): EventNotice[] {
  if (!s.rules.failover || s.failover.mode === 'off') return [];
  const out: EventNotice[] = [];
  for (const e of events) {
    if (s.failover.mode === 'gap-over' && !(e.gapMs !== null && e.gapMs > s.failover.minGapSeconds * 1000)) continue;
    const name = e.lease.slice(e.lease.indexOf('/') + 1);
    const component = `leader-election/${e.lease}`;
    const gap = e.gapMs === null ? 'gap not measured (the Lease watch was down)' : `gap ${(e.gapMs / 1000).toFixed(2)} s`;
    out.push({
      rule: 'failover',
      component,
      severity: 'info',
      eventKey: e.dedupeKey,
      atMs: e.atMs,
      summary: `${name} failover on ${clusterName} (${e.kind}): ${e.previousHolder || '(none)'} → ${e.newHolder}, ${gap}`,
      labels: { lease: e.lease, kind: e.kind, slo: sloOf(component), ...(e.gapMs === null ? {} : { gap_seconds: (e.gapMs / 1000).toFixed(3) }) },
    });
  }
  return out;
}
