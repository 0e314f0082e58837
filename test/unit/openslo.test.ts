// OpenSLO v1 export/import (lib/openslo/openslo.ts): the exact documents, a lossless round trip,
// malformed input, and every unsupported field named by its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { exportDocuments, parseImport, toYaml, type ClusterDoc, type PolicyDoc } from '@/lib/openslo/openslo';

const clusters: ClusterDoc[] = [
  { name: 'prod-eu', labels: { env: 'prod' }, server: 'https://10.0.0.1:6443' },
  { name: 'lab', labels: {}, server: 'https://127.0.0.1:16443' },
];
const policies: PolicyDoc[] = [
  { cluster: 'prod-eu', component: '*', objective: 0.999, window: '30d', builtIn: false },
  { cluster: 'prod-eu', component: 'control-plane', objective: 0.9995, window: 'month', builtIn: false },
  { cluster: 'prod-eu', component: 'leader-election/kube-system/kube-scheduler', objective: 0.99, window: 'quarter', builtIn: false },
  { cluster: 'lab', component: '*', objective: 0.999, window: '30d', builtIn: true },
];

test('export: a Service per cluster and an SLO per policy, as OpenSLO v1', () => {
  const docs = exportDocuments(clusters, policies);
  assert.deepEqual(docs.map((d) => `${String(d.kind)} ${String((d.metadata as { name: string }).name)}`), [
    'Service prod-eu',
    'SLO prod-eu-default',
    'SLO prod-eu-control-plane',
    'SLO prod-eu-leader-election-kube-system-kube-scheduler',
    'Service lab',
    'SLO lab-default',
  ]);
  assert.deepEqual(docs[2], {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: {
      name: 'prod-eu-control-plane',
      displayName: 'prod-eu: control plane available (composite: API reachable through the endpoint AND ready AND etcd quorum)',
      annotations: { 'quorum.dev/cluster': 'prod-eu', 'quorum.dev/component': 'control-plane', 'quorum.dev/policy-source': 'stored' },
    },
    spec: {
      description: 'Time-based availability of control plane available (composite: API reachable through the endpoint AND ready AND etcd quorum) on prod-eu: good time / (good + bad) time; unknown time and maintenance are left out.',
      service: 'prod-eu',
      indicator: {
        metadata: { name: 'prod-eu-control-plane-availability' },
        spec: {
          ratioMetric: {
            counter: false,
            good: { metricSource: { type: 'Quorum', spec: { cluster: 'prod-eu', component: 'control-plane', status: ['up', 'degraded'] } } },
            total: { metricSource: { type: 'Quorum', spec: { cluster: 'prod-eu', component: 'control-plane', status: ['up', 'degraded', 'down'] } } },
          },
        },
      },
      timeWindow: [{ duration: '1M', isRolling: false, calendar: { startTime: '2020-01-01 00:00:00', timeZone: 'UTC' } }],
      budgetingMethod: 'RatioTimeslices',
      objectives: [{ displayName: '99.95 %', target: 0.9995, timeSliceWindow: '1m' }],
    },
  });
  assert.deepEqual((docs[1]!.spec as { timeWindow: unknown }).timeWindow, [{ duration: '30d', isRolling: true }]);
  assert.deepEqual((docs[3]!.spec as { timeWindow: unknown }).timeWindow, [{ duration: '1Q', isRolling: false, calendar: { startTime: '2020-01-01 00:00:00', timeZone: 'UTC' } }]);
  assert.equal((docs[5]!.metadata as { annotations: Record<string, string> }).annotations['quorum.dev/policy-source'], 'built-in');
  // The YAML stream parses back to the same objects.
  const yaml = toYaml(docs);
  assert.equal(yaml.split('\n---\n').length, 6);
  assert.deepEqual(yaml.split(/^---$/m).map((d) => parse(d) as unknown), docs);
});

test('round trip: export → import gives back exactly the policies', () => {
  const r = parseImport(toYaml(exportDocuments(clusters, policies)));
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.services, ['prod-eu', 'lab']);
  assert.deepEqual(r.policies.map(({ cluster, component, objective, window, builtIn }) => ({ cluster, component, objective, window, builtIn })), policies);
});

test('import accepts the equivalent spellings: Timeslices with timeSliceTarget 1, targetPercent, 4w, a JSON list', () => {
  const doc = (spec: Record<string, unknown>) => ({ apiVersion: 'openslo/v1', kind: 'SLO', metadata: { name: 'x', labels: { team: ['sre'] } }, spec: { service: 'lab', indicator: { spec: { ratioMetric: { good: { metricSource: { type: 'Quorum', spec: { component: 'dns' } } }, total: { metricSource: { type: 'Quorum', spec: { component: 'dns' } } } } } }, ...spec } });
  const r = parseImport(JSON.stringify([doc({ timeWindow: [{ duration: '4w', isRolling: true }], budgetingMethod: 'Timeslices', objectives: [{ targetPercent: 99.5, timeSliceTarget: 1, timeSliceWindow: 1 }] })]));
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.policies.map((p) => [p.cluster, p.component, p.objective, p.window, p.builtIn]), [['lab', 'dns', 0.995, '28d', false]]);
});

test('malformed: not YAML, empty, not objects', () => {
  for (const [text, msg] of [
    ['a: [unclosed', /not valid YAML/],
    ['', /no OpenSLO documents/],
    ['---\n---\n', /no OpenSLO documents/],
  ] as const) {
    const r = parseImport(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) {
      assert.equal(r.kind, 'malformed', text);
      assert.match(r.issues[0]!.message, msg, text);
    }
  }
  const r = parseImport('- 42\n- apiVersion: openslo/v1\n  kind: SLO\n');
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.kind, 'invalid');
    assert.deepEqual(r.issues.map((i) => i.path), ['documents[0]', 'documents[1].metadata.name']);
  }
});

test('unsupported: every field Quorum cannot apply is named, by path, and nothing is accepted', () => {
  const yaml = `
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-latency
  owner: someone
spec:
  service: lab
  indicator:
    metadata: { name: latency }
    spec:
      thresholdMetric:
        metricSource: { type: Prometheus, spec: { query: 'histogram_quantile(0.99, …)' } }
  timeWindow:
    - duration: 2w
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - op: lte
      value: 300
      target: 0.99
      timeSliceWindow: 5m
  alertPolicies:
    - alertPolicyRef: page-me
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: calendar }
spec:
  service: lab
  indicator:
    spec:
      ratioMetric:
        good: { metricSource: { type: Quorum, spec: { component: '*' } } }
        total: { metricSource: { type: Quorum, spec: { component: '*' } } }
  timeWindow:
    - duration: 1M
      calendar: { startTime: '2026-01-15 00:00:00', timeZone: Europe/Berlin }
  budgetingMethod: RatioTimeslices
  objectives:
    - target: 1
      timeSliceWindow: 1m
    - target: 0.9
      timeSliceWindow: 1m
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: { name: page-me }
spec: {}
---
apiVersion: openslo/v2alpha
kind: SLO
metadata: { name: future }
spec: {}
`;
  const r = parseImport(yaml);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.kind, 'invalid');
  assert.deepEqual(
    r.issues.map((i) => i.path),
    [
      'documents[0].metadata.owner',
      'documents[0].spec.alertPolicies',
      'documents[0].spec.budgetingMethod',
      'documents[0].spec.indicator.spec.thresholdMetric',
      'documents[0].spec.timeWindow[0].duration',
      'documents[0].spec.objectives[0].op',
      'documents[0].spec.objectives[0].value',
      'documents[0].spec.objectives[0].timeSliceWindow',
      'documents[1].spec.timeWindow[0].calendar.timeZone',
      'documents[1].spec.timeWindow[0].calendar.startTime',
      'documents[1].spec.objectives',
      'documents[1].spec.objectives[0].target',
      'documents[2].kind',
      'documents[3].apiVersion',
    ],
  );
  const msg = Object.fromEntries(r.issues.map((i) => [i.path, i.message]));
  assert.match(msg['documents[0].spec.budgetingMethod']!, /Occurrences is not supported: Quorum measures time/);
  assert.match(msg['documents[0].spec.timeWindow[0].duration']!, /rolling 2w is not supported: Quorum has rolling 7d, 28d, 30d and 90d windows/);
  assert.match(msg['documents[1].spec.timeWindow[0].calendar.timeZone']!, /Europe\/Berlin is not supported: Quorum's calendar windows are UTC/);
  assert.match(msg['documents[1].spec.objectives']!, /has 2 objectives; Quorum supports exactly one/);
  assert.match(msg['documents[1].spec.objectives[0].target']!, /1 must be a ratio strictly between 0 and 1/);
  assert.match(msg['documents[2].kind']!, /^AlertPolicy: alert policies are not supported/);
  assert.match(msg['documents[3].apiVersion']!, /"openslo\/v2alpha" is not supported: use openslo\/v1/);
});

test('import refuses a metric source that is not Quorum, mismatched good/total, and duplicate SLOs', () => {
  const slo = (name: string, good: string, total: string, type = 'Quorum') => `apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: lab
  indicator: { spec: { ratioMetric: { good: { metricSource: { type: ${type}, spec: { component: '${good}' } } }, total: { metricSource: { type: ${type}, spec: { component: '${total}' } } } } } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: RatioTimeslices
  objectives: [{ target: 0.999, timeSliceWindow: 1m }]
`;
  const r = parseImport([slo('a', 'dns', 'dns'), slo('b', 'dns', 'dns'), slo('c', 'dns', 'etcd'), slo('d', 'x', 'x', 'Prometheus')].join('---\n'));
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(r.issues.map((i) => i.path), [
    'documents[1]',
    'documents[2].spec.indicator.spec.ratioMetric.total',
    'documents[3].spec.indicator.spec.ratioMetric.good.metricSource.type',
    'documents[3].spec.indicator.spec.ratioMetric.total.metricSource.type',
  ]);
  assert.equal(r.issues[0]!.message, 'is a second SLO for lab component dns (the first is documents[0])');
  assert.equal(r.issues[1]!.message, 'good and total must name the same cluster and component');
  assert.match(r.issues[2]!.message, /^"Prometheus" is not supported: Quorum measures its own probes; use type "Quorum" with spec.component$/);
});
