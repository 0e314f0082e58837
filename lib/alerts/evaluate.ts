// One evaluation pass over every cluster (I/O around the pure rules and state machine): read what
// is stored, run the rules, step each alert's state, and write each change together with its
// notifications (one transaction each; lib/data/alerts.ts). Runs in the collector process after
// each cycle (lib/alerts/task.ts); any number of collector replicas may run it at once.
import { listClusters } from '../data/clusters';
import { loadAlertInputs } from '../data/alert-facts';
import { applyAlertStep, getAlertSettings, insertNotificationOnce, listChannelTargets, loadAlertStates, type AlertStateRecord, type ChannelTarget, type NewNotification } from '../data/alerts';
import { evaluateRules, failoverNotices, RULES, type Condition } from './rules';
import type { AlertSettings } from './settings';
import { dedupeKey, eventDedupeKey, step, type StoredAlert, type Transition } from './state';

export interface EvaluateDeps {
  now: () => number;
  intervalMs: number;
  /** The dashboard's address for links (QUORUM_PUBLIC_URL), or null. */
  publicUrl: string | null;
  log: (line: Record<string, unknown>) => void;
}

export interface EvaluationSummary {
  clusters: number;
  firing: number;
  pending: number;
  silenced: number;
  transitions: number;
  notifications: number;
  lostRaces: number;
  ms: number;
}

const keyOf = (rule: string, component: string): string => `${rule}\u0000${component}`;

/** The labels Alertmanager identifies an alert by: fixed for the life of one firing. */
function alertLabels(clusterName: string, c: Pick<Condition, 'rule' | 'component' | 'severity' | 'labels'>): Record<string, string> {
  const { slo, ...rest } = c.labels;
  return { alertname: RULES[c.rule].alertname, cluster: clusterName, component: c.component, severity: c.severity, slo: slo ?? '', rule: c.rule, ...rest };
}

function annotations(c: Pick<Condition, 'rule' | 'summary' | 'details'>, clusterUrl: string | null): Record<string, string> {
  return { summary: c.summary, description: RULES[c.rule].description, ...(c.details ?? {}), ...(clusterUrl ? { dashboard: clusterUrl } : {}) };
}

function toNotification(clusterId: string, clusterName: string, c: Condition, t: Transition, state: StoredAlert & { annotations: Record<string, string> }): NewNotification {
  // Resolved and repeat carry the labels the firing was sent with (Alertmanager matches on them).
  const labels = t.kind === 'firing' ? alertLabels(clusterName, c) : state.labels;
  const summary = t.kind === 'resolved' ? `resolved: ${state.summary}` : c.summary;
  return {
    dedupeKey: dedupeKey(clusterId, c.rule, c.component, t),
    clusterId,
    clusterName,
    rule: c.rule,
    component: c.component,
    severity: state.severity,
    transition: t.kind,
    startsAtMs: t.startsAtMs,
    endsAtMs: t.endsAtMs,
    alertname: RULES[c.rule].alertname,
    summary,
    labels,
    annotations: { ...state.annotations, summary },
    silencedBy: t.silencedBy,
  };
}

/** The condition of a state whose rule no longer reports it (rule switched off, series gone): not met. */
function goneCondition(s: AlertStateRecord): Condition {
  return { rule: s.rule, component: s.component, severity: s.severity, active: false, pending: false, summary: s.summary, labels: s.labels };
}

async function evaluateCluster(
  input: Awaited<ReturnType<typeof loadAlertInputs>>[number],
  states: readonly AlertStateRecord[],
  settings: AlertSettings,
  channels: readonly ChannelTarget[],
  deps: EvaluateDeps,
  sum: EvaluationSummary,
): Promise<void> {
  const { facts } = input;
  const nowMs = facts.nowMs;
  const silencedBy = input.maintenance?.title ?? null;
  const clusterUrl = deps.publicUrl ? `${deps.publicUrl}/clusters/${facts.clusterId}` : null;
  const conds = evaluateRules(facts, settings);
  const byKey = new Map(states.map((s) => [keyOf(s.rule, s.component), s]));
  const seen = new Set<string>();
  const work: Array<{ cond: Condition; prev: AlertStateRecord | null }> = [];
  for (const cond of conds) {
    const k = keyOf(cond.rule, cond.component);
    seen.add(k);
    work.push({ cond, prev: byKey.get(k) ?? null });
  }
  for (const s of states) if (!seen.has(keyOf(s.rule, s.component)) && s.status !== 'inactive') work.push({ cond: goneCondition(s), prev: s });

  for (const { cond, prev } of work) {
    const r = step(prev, cond, { nowMs, silencedBy, repeatIntervalMs: settings.repeatIntervalMinutes * 60_000 });
    // A new firing takes this evaluation's labels; later steps keep the ones it was notified with.
    const labels = r.next.status === 'firing' && prev?.status === 'firing' ? prev.labels : alertLabels(facts.clusterName, cond);
    const next = { ...r.next, labels, annotations: annotations(cond, clusterUrl) };
    if (next.status === 'firing') sum.firing++;
    if (next.status === 'pending') sum.pending++;
    if (next.silencedBy && next.status !== 'inactive') sum.silenced++;
    if (!r.changed) continue;
    const notes = r.transitions.map((t) => toNotification(facts.clusterId, facts.clusterName, cond, t, t.kind === 'firing' ? next : { ...next, labels: prev?.labels ?? labels, summary: prev?.summary ?? next.summary }));
    const outcome = await applyAlertStep({ clusterId: facts.clusterId, rule: cond.rule, component: cond.component }, prev, next, notes, channels, nowMs);
    if (outcome === 'lost-race') {
      sum.lostRaces++;
      continue;
    }
    sum.transitions += r.transitions.length;
    sum.notifications += notes.length;
    for (const t of r.transitions) deps.log({ event: 'alert', cluster: facts.clusterName, rule: cond.rule, component: cond.component, transition: t.kind, severity: next.severity, ...(t.silencedBy ? { silencedBy: t.silencedBy } : {}), summary: cond.summary });
  }

  for (const e of failoverNotices(facts.clusterName, input.failovers, settings, facts.sloOf)) {
    const n: NewNotification = {
      dedupeKey: eventDedupeKey(facts.clusterId, e.rule, e.component, e.eventKey),
      clusterId: facts.clusterId,
      clusterName: facts.clusterName,
      rule: e.rule,
      component: e.component,
      severity: e.severity,
      transition: 'event',
      startsAtMs: e.atMs,
      endsAtMs: null,
      alertname: RULES.failover.alertname,
      summary: e.summary,
      labels: alertLabels(facts.clusterName, { rule: e.rule, component: e.component, severity: e.severity, labels: { slo: e.labels.slo ?? '', lease: e.labels.lease ?? '', kind: e.labels.kind ?? '' } }),
      annotations: { ...annotations({ rule: e.rule, summary: e.summary }, clusterUrl), ...(e.labels.gap_seconds ? { gap_seconds: e.labels.gap_seconds } : {}) },
      silencedBy,
    };
    if (await insertNotificationOnce(n, channels, nowMs)) {
      sum.notifications++;
      deps.log({ event: 'alert', cluster: facts.clusterName, rule: e.rule, component: e.component, transition: 'event', ...(silencedBy ? { silencedBy } : {}), summary: e.summary });
    }
  }
}

/** Evaluates every rule for every cluster once. */
export async function evaluateAlerts(deps: EvaluateDeps): Promise<EvaluationSummary> {
  const started = deps.now();
  const sum: EvaluationSummary = { clusters: 0, firing: 0, pending: 0, silenced: 0, transitions: 0, notifications: 0, lostRaces: 0, ms: 0 };
  const [settings, clusters, channels] = await Promise.all([getAlertSettings(), listClusters(), listChannelTargets()]);
  sum.clusters = clusters.length;
  const nowMs = deps.now();
  const [inputs, states] = await Promise.all([loadAlertInputs(clusters, { nowMs, intervalMs: deps.intervalMs, settings }), loadAlertStates(clusters.map((c) => c.id))]);
  for (const input of inputs) {
    await evaluateCluster(input, states.filter((s) => s.clusterId === input.facts.clusterId), settings, channels, deps, sum);
  }
  sum.ms = deps.now() - started;
  return sum;
}
