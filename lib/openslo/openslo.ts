// OpenSLO v1 (https://github.com/OpenSLO/OpenSLO) export and import of Quorum's SLO policies (pure).
//
// Export: one `Service` per cluster (metadata.name = the cluster name) and one `SLO` per policy —
// every stored policy, plus the cluster default when it is the built-in one (annotated
// `quorum.dev/policy-source: built-in`, so importing it back stores nothing). An SLO:
//   metadata.name      sloName(cluster, component) — the same `slo` label as alerts and /metrics
//   spec.service       the cluster name
//   spec.indicator     an inline SLI, ratioMetric good/total with metricSource type "Quorum" and
//                      spec {cluster, component, good: [up, degraded]}: the component's good time over
//                      its good + bad time (unknown time and maintenance left out)
//   spec.timeWindow    rolling 7d/28d/30d/90d, or calendar 1M / 1Q (UTC, aligned to month/quarter)
//   budgetingMethod    RatioTimeslices with timeSliceWindow 1m (the average of per-minute good-time
//                      ratios = the good-time ratio Quorum computes)
//   objectives[0]      target = the objective (0.999)
// Import accepts exactly what maps onto a Quorum policy without loss; everything else is refused
// with its path named (`spec.alertPolicies: … not supported`), and nothing is applied.
import { parseAllDocuments, stringify } from 'yaml';
import { COMPONENT_ID_RE, isValidObjective, sloName } from '../slo/names';
import type { SloWindow } from '../slo/targets';

const API_VERSION = 'openslo/v1';
const ANNOTATION = { cluster: 'quorum.dev/cluster', component: 'quorum.dev/component', source: 'quorum.dev/policy-source' } as const;
const METRIC_SOURCE_TYPE = 'Quorum';

export interface PolicyDoc {
  cluster: string;
  /** "*" = the cluster default. */
  component: string;
  objective: number;
  window: SloWindow;
  /** Exported from the built-in default (no stored row). */
  builtIn: boolean;
}

export interface ClusterDoc {
  name: string;
  labels: Record<string, string>;
  server: string;
}

const CALENDAR_START = '2020-01-01 00:00:00';

function timeWindow(w: SloWindow): Record<string, unknown> {
  if (w === 'month') return { duration: '1M', isRolling: false, calendar: { startTime: CALENDAR_START, timeZone: 'UTC' } };
  if (w === 'quarter') return { duration: '1Q', isRolling: false, calendar: { startTime: CALENDAR_START, timeZone: 'UTC' } };
  return { duration: w, isRolling: true };
}

const describe = (component: string): string =>
  component === '*' ? 'cluster default (the composite "control plane available" and every component without its own SLO)' : component === 'control-plane' ? 'control plane available (composite: API reachable through the endpoint AND ready AND etcd quorum)' : `component ${component}`;

/** The OpenSLO documents (plain objects) for these clusters and policies. */
export function exportDocuments(clusters: readonly ClusterDoc[], policies: readonly PolicyDoc[]): Array<Record<string, unknown>> {
  const docs: Array<Record<string, unknown>> = [];
  for (const c of clusters) {
    docs.push({
      apiVersion: API_VERSION,
      kind: 'Service',
      metadata: { name: c.name, displayName: `Kubernetes control plane ${c.name}` },
      spec: { description: `Control plane of ${c.name} (${c.server}), measured by Quorum${Object.keys(c.labels).length ? `; labels ${Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}` },
    });
    for (const p of policies.filter((x) => x.cluster === c.name).sort((a, b) => a.component.localeCompare(b.component))) {
      const name = sloName(c.name, p.component);
      const metric = (what: 'good' | 'total') => ({ metricSource: { type: METRIC_SOURCE_TYPE, spec: { cluster: c.name, component: p.component, ...(what === 'good' ? { status: ['up', 'degraded'] } : { status: ['up', 'degraded', 'down'] }) } } });
      docs.push({
        apiVersion: API_VERSION,
        kind: 'SLO',
        metadata: {
          name,
          displayName: `${c.name}: ${describe(p.component)}`,
          annotations: { [ANNOTATION.cluster]: c.name, [ANNOTATION.component]: p.component, [ANNOTATION.source]: p.builtIn ? 'built-in' : 'stored' },
        },
        spec: {
          description: `Time-based availability of ${describe(p.component)} on ${c.name}: good time / (good + bad) time; unknown time and maintenance are left out.`,
          service: c.name,
          indicator: { metadata: { name: `${name}-availability` }, spec: { ratioMetric: { counter: false, good: metric('good'), total: metric('total') } } },
          timeWindow: [timeWindow(p.window)],
          budgetingMethod: 'RatioTimeslices',
          objectives: [{ displayName: `${(p.objective * 100).toFixed(6).replace(/\.?0+$/, '')} %`, target: p.objective, timeSliceWindow: '1m' }],
        },
      });
    }
  }
  return docs;
}

/** A YAML stream (`---` between documents). */
export function toYaml(docs: ReadonlyArray<Record<string, unknown>>): string {
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

// ---------------------------------------------------------------------------------------------
// Import

export interface ImportIssue {
  /** "documents[2].spec.alertPolicies" */
  path: string;
  message: string;
}

export type ImportParse =
  | { ok: true; services: string[]; policies: Array<PolicyDoc & { name: string; path: string }> }
  /** malformed: not YAML, empty, too large (400); invalid: OpenSLO that is wrong or that Quorum cannot represent, every issue named (422). */
  | { ok: false; kind: 'malformed' | 'invalid'; issues: ImportIssue[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const UNSUPPORTED_KINDS: Record<string, string> = {
  SLI: 'standalone SLI objects are not supported: inline the indicator in the SLO (spec.indicator)',
  DataSource: 'DataSource objects are not supported: Quorum measures its own probes (metricSource type "Quorum")',
  AlertPolicy: 'alert policies are not supported: Quorum alerts with its own rules (the composite SLO\'s multiwindow burn-rate tiers, component down, etcd quorum …; README "Alerts")',
  AlertCondition: 'alert conditions are not supported (see AlertPolicy)',
  AlertNotificationTarget: 'notification targets are managed as Quorum channels (README "Channels")',
};

const MAX_DOCS = 2000;
const MAX_BYTES = 1024 * 1024;

class Issues {
  list: ImportIssue[] = [];
  add(path: string, message: string): void {
    if (this.list.length < 100) this.list.push({ path, message });
  }
  /** Names every key of `o` that is not in `allowed` as unsupported. */
  only(o: Obj, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.add(`${path}.${k}`, 'is not supported by Quorum (remove it)');
  }
}

function rollingWindow(duration: string): SloWindow | null {
  const map: Record<string, SloWindow> = { '7d': '7d', '1w': '7d', '28d': '28d', '4w': '28d', '30d': '30d', '90d': '90d' };
  return map[duration] ?? null;
}

function parseWindow(v: unknown, path: string, is: Issues): SloWindow | null {
  if (!Array.isArray(v) || v.length === 0) {
    is.add(path, 'is required: a list with one rolling or calendar window');
    return null;
  }
  if (v.length > 1) is.add(path, `has ${v.length} windows; exactly one is supported`);
  const w = v[0];
  if (!isObj(w)) {
    is.add(`${path}[0]`, 'must be an object {duration, isRolling, calendar?}');
    return null;
  }
  is.only(w, `${path}[0]`, ['duration', 'isRolling', 'calendar']);
  const duration = typeof w.duration === 'string' ? w.duration : null;
  if (!duration) {
    is.add(`${path}[0].duration`, 'is required (e.g. 30d, 1M)');
    return null;
  }
  const rolling = w.isRolling === true || (w.isRolling === undefined && w.calendar === undefined);
  if (rolling) {
    if (w.calendar !== undefined) is.add(`${path}[0].calendar`, 'cannot be set on a rolling window (isRolling: true)');
    const r = rollingWindow(duration);
    if (!r) is.add(`${path}[0].duration`, `rolling ${duration} is not supported: Quorum has rolling 7d, 28d, 30d and 90d windows`);
    return r;
  }
  const cal = w.calendar;
  if (!isObj(cal)) {
    is.add(`${path}[0].calendar`, 'is required for a calendar window (isRolling: false): {startTime, timeZone}');
    return null;
  }
  is.only(cal, `${path}[0].calendar`, ['startTime', 'timeZone']);
  const tz = cal.timeZone;
  if (tz !== 'UTC' && tz !== 'Etc/UTC') is.add(`${path}[0].calendar.timeZone`, `${String(tz)} is not supported: Quorum's calendar windows are UTC`);
  const window: SloWindow | null = duration === '1M' ? 'month' : duration === '1Q' ? 'quarter' : null;
  if (!window) is.add(`${path}[0].duration`, `calendar ${duration} is not supported: Quorum has calendar months (1M) and quarters (1Q)`);
  const start = typeof cal.startTime === 'string' ? /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(cal.startTime) : null;
  if (!start) is.add(`${path}[0].calendar.startTime`, 'must be "YYYY-MM-DD hh:mm:ss"');
  else if (start[3] !== '01' || start[4] !== '00' || start[5] !== '00' || start[6] !== '00' || (window === 'quarter' && (Number(start[2]) - 1) % 3 !== 0)) {
    is.add(`${path}[0].calendar.startTime`, `${cal.startTime} is not supported: Quorum's calendar windows start at 00:00:00 UTC on the first day of a ${window === 'quarter' ? 'quarter' : 'month'}`);
  }
  return window;
}

function parseIndicator(v: unknown, path: string, is: Issues): { cluster: string | null; component: string } | null {
  if (!isObj(v)) {
    is.add(path, 'is required: an inline SLI with ratioMetric good/total of metricSource type "Quorum"');
    return null;
  }
  is.only(v, path, ['metadata', 'spec']);
  const spec = v.spec;
  if (!isObj(spec)) {
    is.add(`${path}.spec`, 'is required');
    return null;
  }
  is.only(spec, `${path}.spec`, ['description', 'ratioMetric', 'thresholdMetric']);
  if (spec.thresholdMetric !== undefined) {
    is.add(`${path}.spec.thresholdMetric`, 'threshold metrics are not supported: Quorum SLOs are availability ratios (ratioMetric good/total)');
    return null;
  }
  const rm = spec.ratioMetric;
  if (!isObj(rm)) {
    is.add(`${path}.spec.ratioMetric`, 'is required (good/total of metricSource type "Quorum")');
    return null;
  }
  is.only(rm, `${path}.spec.ratioMetric`, ['counter', 'good', 'total', 'bad', 'raw', 'rawType']);
  for (const k of ['bad', 'raw', 'rawType']) if (rm[k] !== undefined) is.add(`${path}.spec.ratioMetric.${k}`, 'is not supported: use good and total');
  let found: { cluster: string | null; component: string } | null = null;
  let mismatch = false;
  for (const part of ['good', 'total'] as const) {
    const p = `${path}.spec.ratioMetric.${part}`;
    const m = rm[part];
    if (!isObj(m) || !isObj(m.metricSource)) {
      is.add(`${p}.metricSource`, 'is required');
      continue;
    }
    is.only(m, p, ['metricSource']);
    const ms = m.metricSource;
    is.only(ms, `${p}.metricSource`, ['type', 'spec', 'metricSourceRef']);
    if (ms.metricSourceRef !== undefined) is.add(`${p}.metricSource.metricSourceRef`, 'DataSource references are not supported');
    if (ms.type !== METRIC_SOURCE_TYPE) {
      is.add(`${p}.metricSource.type`, `${JSON.stringify(ms.type ?? null)} is not supported: Quorum measures its own probes; use type "${METRIC_SOURCE_TYPE}" with spec.component`);
      continue;
    }
    const s = isObj(ms.spec) ? ms.spec : {};
    is.only(s, `${p}.metricSource.spec`, ['cluster', 'component', 'status']);
    const component = typeof s.component === 'string' ? s.component.trim() : '';
    if (!COMPONENT_ID_RE.test(component)) {
      is.add(`${p}.metricSource.spec.component`, `${JSON.stringify(s.component ?? null)} must be "*" (cluster default), "control-plane" or a component id such as "dns" or "leader-election/kube-system/kube-scheduler"`);
      continue;
    }
    const expected = part === 'good' ? ['up', 'degraded'] : ['up', 'degraded', 'down'];
    if (s.status !== undefined && JSON.stringify(s.status) !== JSON.stringify(expected)) is.add(`${p}.metricSource.spec.status`, `must be ${JSON.stringify(expected)} (or omitted): Quorum counts up and degraded as good, down as bad`);
    const cluster = typeof s.cluster === 'string' ? s.cluster : null;
    if (found && (found.component !== component || (found.cluster !== null && cluster !== null && found.cluster !== cluster))) {
      is.add(p, 'good and total must name the same cluster and component');
      mismatch = true;
    }
    found ??= { cluster, component };
  }
  return mismatch ? null : found;
}

function parseObjective(v: unknown, path: string, method: string, is: Issues): number | null {
  if (!Array.isArray(v) || v.length === 0) {
    is.add(path, 'is required: one objective with a target');
    return null;
  }
  if (v.length > 1) is.add(path, `has ${v.length} objectives; Quorum supports exactly one per SLO (no composite SLOs)`);
  const o = v[0];
  if (!isObj(o)) {
    is.add(`${path}[0]`, 'must be an object');
    return null;
  }
  is.only(o, `${path}[0]`, ['displayName', 'target', 'targetPercent', 'timeSliceTarget', 'timeSliceWindow', 'op', 'value', 'indicator', 'indicatorRef', 'compositeWeight']);
  for (const k of ['op', 'value']) if (o[k] !== undefined) is.add(`${path}[0].${k}`, 'is for threshold metrics, which Quorum does not support');
  for (const k of ['indicator', 'indicatorRef', 'compositeWeight']) if (o[k] !== undefined) is.add(`${path}[0].${k}`, 'composite SLOs are not supported');
  if (o.target !== undefined && o.targetPercent !== undefined) is.add(`${path}[0]`, 'give target or targetPercent, not both');
  const target = typeof o.target === 'number' ? o.target : typeof o.targetPercent === 'number' ? Number((o.targetPercent / 100).toFixed(8)) : null;
  if (target === null) is.add(`${path}[0].target`, 'is required: a ratio such as 0.999 (or targetPercent 99.9)');
  else if (!isValidObjective(target)) is.add(`${path}[0].target`, `${target} must be a ratio strictly between 0 and 1 with at most 6 decimals (99.9999 %)`);
  const slice = o.timeSliceWindow;
  if (slice !== '1m' && slice !== 1) is.add(`${path}[0].timeSliceWindow`, `${JSON.stringify(slice ?? null)} is not supported: use 1m (Quorum measures good time continuously; per-minute ratios average to the same figure)`);
  if (method === 'Timeslices' && o.timeSliceTarget !== 1) is.add(`${path}[0].timeSliceTarget`, `${JSON.stringify(o.timeSliceTarget ?? null)} is not supported: with Timeslices only 1 (a minute is good only when all of it is) maps onto Quorum's good time; or use RatioTimeslices`);
  if (method === 'RatioTimeslices' && o.timeSliceTarget !== undefined) is.add(`${path}[0].timeSliceTarget`, 'is not used with RatioTimeslices (remove it)');
  return target !== null && isValidObjective(target) ? target : null;
}

/** Parses an OpenSLO YAML stream (or JSON) into Quorum policies, or every issue found. */
export function parseImport(text: string): ImportParse {
  const is = new Issues();
  if (Buffer.byteLength(text) > MAX_BYTES) return { ok: false, kind: 'malformed', issues: [{ path: '', message: `the document is larger than ${MAX_BYTES} bytes` }] };
  let raw: unknown[];
  try {
    const docs = parseAllDocuments(text, { prettyErrors: true });
    const list = Array.isArray(docs) ? docs : [docs];
    for (const d of list) if (d.errors.length) return { ok: false, kind: 'malformed', issues: d.errors.slice(0, 5).map((e) => ({ path: '', message: `not valid YAML: ${e.message.split('\n')[0]}` })) };
    raw = list.flatMap((d) => {
      const v: unknown = d.toJS({ maxAliasCount: 100 });
      return Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
    });
  } catch (e) {
    return { ok: false, kind: 'malformed', issues: [{ path: '', message: `not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` }] };
  }
  if (raw.length === 0) return { ok: false, kind: 'malformed', issues: [{ path: '', message: 'no OpenSLO documents found' }] };
  if (raw.length > MAX_DOCS) return { ok: false, kind: 'malformed', issues: [{ path: '', message: `more than ${MAX_DOCS} documents` }] };
  const services: string[] = [];
  const policies: Array<PolicyDoc & { name: string; path: string }> = [];
  const seen = new Map<string, string>();
  for (const [i, doc] of raw.entries()) {
    const path = `documents[${i}]`;
    if (!isObj(doc)) {
      is.add(path, 'is not an object (apiVersion, kind, metadata, spec)');
      continue;
    }
    is.only(doc, path, ['apiVersion', 'kind', 'metadata', 'spec']);
    if (doc.apiVersion !== API_VERSION) {
      is.add(`${path}.apiVersion`, `${JSON.stringify(doc.apiVersion ?? null)} is not supported: use ${API_VERSION}`);
      continue;
    }
    const kind = doc.kind;
    if (typeof kind !== 'string') {
      is.add(`${path}.kind`, 'is required (SLO or Service)');
      continue;
    }
    if (UNSUPPORTED_KINDS[kind]) {
      is.add(`${path}.kind`, `${kind}: ${UNSUPPORTED_KINDS[kind]}`);
      continue;
    }
    if (kind !== 'SLO' && kind !== 'Service') {
      is.add(`${path}.kind`, `${JSON.stringify(kind)} is not an OpenSLO v1 kind Quorum reads (SLO, Service)`);
      continue;
    }
    const md = doc.metadata;
    if (!isObj(md) || typeof md.name !== 'string' || md.name.trim() === '') {
      is.add(`${path}.metadata.name`, 'is required');
      continue;
    }
    is.only(md, `${path}.metadata`, ['name', 'displayName', 'labels', 'annotations']);
    const spec = isObj(doc.spec) ? doc.spec : null;
    if (kind === 'Service') {
      if (spec) is.only(spec, `${path}.spec`, ['description']);
      services.push(md.name.trim());
      continue;
    }
    if (!spec) {
      is.add(`${path}.spec`, 'is required');
      continue;
    }
    is.only(spec, `${path}.spec`, ['description', 'service', 'indicator', 'indicatorRef', 'timeWindow', 'budgetingMethod', 'objectives', 'alertPolicies']);
    if (spec.indicatorRef !== undefined) is.add(`${path}.spec.indicatorRef`, 'references to SLI objects are not supported: inline the indicator (spec.indicator)');
    if (spec.alertPolicies !== undefined && !(Array.isArray(spec.alertPolicies) && spec.alertPolicies.length === 0) && spec.alertPolicies !== null) is.add(`${path}.spec.alertPolicies`, UNSUPPORTED_KINDS.AlertPolicy!);
    const method = spec.budgetingMethod;
    if (method === 'Occurrences') is.add(`${path}.spec.budgetingMethod`, 'Occurrences is not supported: Quorum measures time (good time / measured time), not event counts; use RatioTimeslices');
    else if (method !== 'Timeslices' && method !== 'RatioTimeslices') is.add(`${path}.spec.budgetingMethod`, `${JSON.stringify(method ?? null)} must be Timeslices or RatioTimeslices`);
    const service = typeof spec.service === 'string' ? spec.service.trim() : '';
    if (!service) is.add(`${path}.spec.service`, 'is required: the cluster name');
    const ind = spec.indicatorRef === undefined ? parseIndicator(spec.indicator, `${path}.spec.indicator`, is) : null;
    if (ind?.cluster && service && ind.cluster !== service) is.add(`${path}.spec.indicator`, `names cluster ${ind.cluster} but spec.service is ${service}`);
    const ann = isObj(md.annotations) ? md.annotations : {};
    const annComponent = ann[ANNOTATION.component];
    if (ind && typeof annComponent === 'string' && annComponent !== ind.component) is.add(`${path}.metadata.annotations.${ANNOTATION.component}`, `says ${annComponent} but the indicator measures ${ind.component}`);
    const window = parseWindow(spec.timeWindow, `${path}.spec.timeWindow`, is);
    const objective = parseObjective(spec.objectives, `${path}.spec.objectives`, typeof method === 'string' ? method : '', is);
    if (!service || !ind || !window || objective === null) continue;
    const key = `${service}\u0000${ind.component}`;
    if (seen.has(key)) {
      is.add(path, `is a second SLO for ${service} component ${ind.component} (the first is ${seen.get(key)})`);
      continue;
    }
    seen.set(key, path);
    policies.push({ cluster: service, component: ind.component, objective, window, builtIn: ann[ANNOTATION.source] === 'built-in', name: md.name.trim(), path });
  }
  if (is.list.length > 0) return { ok: false, kind: 'invalid', issues: is.list };
  return { ok: true, services, policies };
}
