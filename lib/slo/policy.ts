// SLO policies, maintenance windows and the composite "control plane available" (pure).
//
// Policies: a cluster has a default policy (component "*"), and may override it per component.
// Without any stored policy the default is DEFAULT_SLO_POLICY: 99.9 % over a rolling 30 days.
//
// Maintenance: one-off or recurring (daily, weekly) windows [start, start + duration), expanded
// into concrete ranges for a period and merged. Time inside them is neither good nor bad: it is
// left out of availability and budget, and reported as `maintenanceMs`.
//
// Composite: "control plane available" (component id "control-plane") is good when the API is
// reachable through the registered endpoint AND ready AND etcd has quorum. In the sample model the
// apiserver-readyz probe against the endpoint answers all three at once: readyz is served through the
// endpoint (unreachable → down), is 200 only when every readiness check passes (not ready → down),
// and includes the `etcd` check, which fails when etcd has lost quorum (→ down, reason
// "readyz failed: etcd"). So composite time = the apiserver-readyz/endpoint series' time:
// up|degraded → good, down → bad, unknown → unknown. Other components are reported beside it.
import { SloInputError } from './errors';
import { DEFAULT_COVERAGE_FLOOR } from './state';
import { validateTarget, type SloWindow } from './targets';
import type { Range } from './timeline';
import { mergeRanges } from './timeline';
import { DAY_MS, WEEK_MS } from './units';

export const COMPOSITE_COMPONENT = 'control-plane';
/** The series the composite is read from (see the formula above). */
export const COMPOSITE_SOURCE = { probe: 'apiserver-readyz', target: 'endpoint' } as const;
/** True for the composite series (COMPOSITE_SOURCE), whose SLO is the cluster's own. */
export function isCompositeSeries(s: { probe: string; target: string }): boolean {
  return s.probe === COMPOSITE_SOURCE.probe && s.target === COMPOSITE_SOURCE.target;
}

/**
 * The SLO component a series is judged as (the key policies are resolved by): COMPOSITE_COMPONENT
 * for the composite series, else its component id (componentId below). Not the Kubernetes component
 * name a check belongs to ("kube-apiserver"): that is lib/data/components.ts kubernetesComponentOf.
 */
export function sloComponentOf(s: { probe: string; target: string; component: string }): string {
  return isCompositeSeries(s) ? COMPOSITE_COMPONENT : s.component;
}

export const COMPOSITE_LABEL = 'Control plane available (composite: API reachable through the endpoint AND ready AND etcd quorum)';

export interface SloPolicySpec {
  /** "*" = the cluster default; else a component id. */
  component: string;
  objective: number;
  window: SloWindow;
  /** Share of the window that must be covered by data before the SLO is judged (lib/slo/state.ts); null/absent = 0.75. */
  coverageFloor?: number | null;
}

export const DEFAULT_SLO_POLICY: Readonly<SloPolicySpec> = { component: '*', objective: 0.999, window: '30d' };

/**
 * Component id of a series: the probe when the target is the generic one ("endpoint"), else
 * "probe/target": componentId("apiserver-readyz", "endpoint") === "apiserver-readyz",
 * componentId("leader-election", "kube-scheduler") === "leader-election/kube-scheduler".
 */
export function componentId(probe: string, target: string): string {
  return target === 'endpoint' || target === '' ? probe : `${probe}/${target}`;
}

export interface ResolvedPolicy extends SloPolicySpec {
  /** Where it came from: an override for this component, the cluster default, or the built-in default. */
  source: 'component' | 'cluster' | 'built-in';
  /** Resolved: the policy's own floor, else DEFAULT_COVERAGE_FLOOR. */
  coverageFloor: number;
}

/**
 * The policy for one component: its own override, else the cluster's "*" row, else the built-in
 * 99.9 % / 30 d. A component id with a target ("dns/kube-dns") also matches an override for its probe ("dns").
 */
export function resolvePolicy(policies: readonly SloPolicySpec[], component: string): ResolvedPolicy {
  for (const p of policies) validateTarget(p.objective);
  const floor = (p: SloPolicySpec): number => p.coverageFloor ?? DEFAULT_COVERAGE_FLOOR;
  const exact = policies.find((p) => p.component === component);
  if (exact) return { ...exact, component, source: 'component', coverageFloor: floor(exact) };
  const probe = component.split('/')[0];
  const byProbe = component.includes('/') ? policies.find((p) => p.component === probe) : undefined;
  if (byProbe) return { ...byProbe, component, source: 'component', coverageFloor: floor(byProbe) };
  const cluster = policies.find((p) => p.component === '*');
  if (cluster) return { ...cluster, component, source: 'cluster', coverageFloor: floor(cluster) };
  return { ...DEFAULT_SLO_POLICY, component, source: 'built-in', coverageFloor: DEFAULT_COVERAGE_FLOOR };
}

export type Recurrence = 'none' | 'daily' | 'weekly';

export interface MaintenanceSpec {
  startMs: number;
  durationMs: number;
  recurrence: Recurrence;
  /** Recurring windows start no later than this (exclusive); null = forever. */
  untilMs: number | null;
}

const PERIOD_MS: Record<Exclude<Recurrence, 'none'>, number> = { daily: DAY_MS, weekly: WEEK_MS };

/** Longest expansion allowed (a daily window over 10 years is 3,650 ranges). */
const MAX_OCCURRENCES = 100_000;

/**
 * The concrete maintenance ranges that overlap [range.startMs, range.endMs), clipped to it and
 * merged. A weekly window every Tuesday 02:00–03:00 UTC over October 2026 gives 4 ranges.
 */
export function expandMaintenance(windows: readonly MaintenanceSpec[], range: Range): Range[] {
  const out: Range[] = [];
  for (const w of windows) {
    if (!Number.isFinite(w.startMs) || !(w.durationMs > 0) || !Number.isFinite(w.durationMs)) {
      throw new SloInputError('slo-duration', `maintenance window needs a start and a duration > 0, got start ${String(w.startMs)}, duration ${String(w.durationMs)}`);
    }
    const clip = (s: number): void => {
      const a = Math.max(s, range.startMs);
      const b = Math.min(s + w.durationMs, range.endMs);
      if (b > a) out.push({ startMs: a, endMs: b });
    };
    if (w.recurrence === 'none') {
      clip(w.startMs);
      continue;
    }
    const period = PERIOD_MS[w.recurrence];
    if (w.durationMs > period) throw new SloInputError('slo-duration', `a ${w.recurrence} maintenance window cannot last longer than its period`);
    // First occurrence that can still overlap the range.
    const firstK = Math.max(0, Math.ceil((range.startMs - w.durationMs - w.startMs) / period));
    const stop = Math.min(range.endMs, w.untilMs ?? Infinity);
    let n = 0;
    for (let k = firstK; ; k++) {
      const s = w.startMs + k * period;
      if (s >= stop) break;
      if (++n > MAX_OCCURRENCES) throw new SloInputError('slo-duration', 'maintenance window expands to too many occurrences');
      clip(s);
    }
  }
  return mergeRanges(out);
}
