// The name of an SLO (pure): one per stored policy, as used by OpenSLO export/import
// (metadata.name), the alerts' `slo` label and the metrics' `slo` label — the same string everywhere.
//   sloName("lab", "*")                                        → "lab-default"
//   sloName("lab", "control-plane")                            → "lab-control-plane"
//   sloName("prod.eu", "leader-election/kube-system/kube-scheduler") → "prod-eu-leader-election-kube-system-kube-scheduler"
// DNS-1123 label style (lowercase letters, digits, "-"; at most 63 characters: a longer name keeps
// its first 56 characters and gets a short hash of the whole).
import { createHash } from 'node:crypto';
import { resolvePolicy, type SloPolicySpec } from './policy';

/** "*" or a component id as in reports: probe, or probe/target (e.g. leader-election/kube-system/kube-scheduler). */
export const COMPONENT_ID_RE = /^(\*|control-plane|[a-z][a-z0-9-]*(\/[A-Za-z0-9._:/[\]-]+)?)$/;

/** An objective Quorum stores: strictly between 0 and 1, at most 6 decimals (99.9999 %). */
export function isValidObjective(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 1 && Number(v.toFixed(6)) === v;
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

export function sloName(clusterName: string, policyComponent: string): string {
  const full = `${slug(clusterName)}-${policyComponent === '*' ? 'default' : slug(policyComponent)}`;
  if (full.length <= 63) return full;
  return `${full.slice(0, 56).replace(/-+$/, '')}-${createHash('sha256').update(full).digest('hex').slice(0, 6)}`;
}

/** The stored policy row that applies to `component` ("*" for the cluster default or the built-in one). */
function appliedPolicyComponent(policies: readonly SloPolicySpec[], component: string): string {
  const p = resolvePolicy(policies, component);
  if (p.source !== 'component') return '*';
  return policies.some((x) => x.component === component) ? component : component.split('/')[0]!;
}

/** The `slo` label of a component of a cluster. */
export function sloOf(clusterName: string, policies: readonly SloPolicySpec[], component: string): string {
  return sloName(clusterName, appliedPolicyComponent(policies, component));
}
