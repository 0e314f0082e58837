import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ComponentState } from '@/lib/data/components';
import { evaluateReadiness, holderHost, hostOf } from '@/lib/ha/readiness';

const at = '2026-11-26T12:00:00.000Z';
const comp = (probe: string, target: string, status: ComponentState['status'], facts: Record<string, unknown> | null, component = probe, reason = 'r'): ComponentState => ({
  component, probe: probe as ComponentState['probe'], target, label: target, source: '', status, reason, at, stale: false, latencyMs: 1, facts,
});

const lab: ComponentState[] = [
  comp('apiserver-replicas', 'replicas', 'up', { endpoints: ['10.213.0.11:6443', '10.213.0.12:6443', '10.213.0.13:6443'], ready: [], identities: null, total: 3 }, 'kube-apiserver'),
  comp('leader-election', 'kube-system/kube-scheduler', 'up', { holder: 'qlab-cp2_abc' }, 'kube-scheduler'),
  comp('leader-election', 'kube-system/kube-controller-manager', 'down', { holder: 'qlab-cp1_def' }, 'kube-controller-manager', 'holder qlab-cp1_def last renewed 20.0 s ago, past the 8 s lease'),
  comp('dns', 'kube-dns', 'up', { endpoints: 2, ready: 2, answering: 2 }, 'coredns'),
  comp('nodes', 'workers', 'up', { survivesLargestNodeLoss: true, largestNode: 'qlab-w1', zones: { 'zone-a': 2, 'zone-b': 1 } }),
  comp('apiserver-readyz', 'readyz:etcd', 'up', null, 'etcd'),
];

test('hostOf and holderHost', () => {
  assert.equal(hostOf('https://127.0.0.1:16443'), '127.0.0.1');
  assert.equal(hostOf('10.0.0.1:6443'), '10.0.0.1');
  assert.equal(hostOf('[fd00::1]:6443'), 'fd00::1');
  assert.equal(hostOf('https://[fd00::1]:6443'), 'fd00::1');
  assert.equal(holderHost('qlab-cp1_3f2a-11'), 'qlab-cp1');
  assert.equal(holderHost('plain'), 'plain');
});

test('readiness of the lab: every item with its verdict and evidence', () => {
  const items = evaluateReadiness({
    server: 'https://127.0.0.1:16443',
    components: lab,
    failovers: [{ lease: 'kube-system/kube-scheduler', previousHolder: 'qlab-cp1_x', newHolder: 'qlab-cp2_abc' }],
  });
  assert.deepEqual(items.map((i) => [i.id, i.verdict, i.evidence]), [
    ['control-plane-nodes', 'pass', '3 apiserver hosts in the kubernetes EndpointSlice: 10.213.0.11, 10.213.0.12, 10.213.0.13'],
    ['etcd-members', 'warn', 'member count unknown: register the etcd client endpoints to verify (the apiserver reports etcd ok)'],
    ['apiserver-endpoint', 'pass', 'registered endpoint https://127.0.0.1:16443 is none of the 3 replicas (10.213.0.11, 10.213.0.12, 10.213.0.13)'],
    ['kube-scheduler', 'pass', 'leader qlab-cp2_abc; holders seen on 2 hosts: qlab-cp1, qlab-cp2'],
    ['kube-controller-manager', 'fail', 'no live leader: holder qlab-cp1_def last renewed 20.0 s ago, past the 8 s lease'],
    ['coredns', 'pass', '2 ready endpoints in kube-dns, 2 answering'],
    ['worker-headroom', 'pass', 'largest node qlab-w1: its pods fit on the others'],
    ['worker-zones', 'pass', 'Ready workers in 2 zones: zone-a, zone-b'],
  ]);
});

test('readiness failures: a replica as the endpoint, two apiservers, even etcd, one CoreDNS, one zone; no data is warn', () => {
  const items = evaluateReadiness({
    server: 'https://10.0.0.1:6443',
    components: [
      comp('apiserver-replicas', 'replicas', 'up', { endpoints: ['10.0.0.1:6443', '10.0.0.2:6443'] }, 'kube-apiserver'),
      comp('etcd', 'http://10.0.0.1:2379', 'up', { members: 4 }, 'etcd'),
      comp('dns', 'kube-dns', 'degraded', { endpoints: 2, ready: 1, answering: 1 }, 'coredns'),
      comp('nodes', 'workers', 'degraded', { survivesLargestNodeLoss: false, largestNode: 'w1', zones: { a: 3 } }),
    ],
    failovers: [],
  });
  const v = Object.fromEntries(items.map((i) => [i.id, [i.verdict, i.evidence]]));
  assert.deepEqual(v['control-plane-nodes'], ['fail', '2 apiserver hosts in the kubernetes EndpointSlice: 10.0.0.1, 10.0.0.2']);
  assert.deepEqual(v['etcd-members'], ['fail', '4 members (even: no more failures tolerated than with one fewer)']);
  assert.deepEqual(v['apiserver-endpoint'], ['fail', 'the registered endpoint https://10.0.0.1:6443 is replica 10.0.0.1: when it fails, clients lose the API']);
  assert.deepEqual(v['kube-scheduler'], ['warn', 'Lease not seen yet']);
  assert.deepEqual(v.coredns, ['fail', '1 ready endpoint in kube-dns, 1 answering']);
  assert.deepEqual(v['worker-headroom'], ['fail', 'largest node w1: its pods do not fit on the others']);
  assert.deepEqual(v['worker-zones'], ['fail', 'Ready workers in 1 zone: a']);
  const empty = evaluateReadiness({ server: 'https://x:6443', components: [], failovers: [] });
  assert.ok(empty.every((i) => i.verdict === 'warn'), JSON.stringify(empty));
});
