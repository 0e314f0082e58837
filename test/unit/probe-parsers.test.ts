import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointsFromSlices, liveIdentities } from '@/lib/probes/replicas';
import { dnsEndpoints } from '@/lib/probes/dns';
import { nodeFacts } from '@/lib/probes/nodes';
import { classifyLease } from '@/lib/probes/leader-election';
import type { LeaseView } from '@/lib/failover/lease-types';

// Shapes as served by kube-apiserver v1.35 (EndpointSlice discovery.k8s.io/v1, Lease coordination.k8s.io/v1).
const kubernetesSlice = {
  items: [{
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.213.0.12'], conditions: { ready: true } }, { addresses: ['10.213.0.11'], conditions: { ready: true } }, { addresses: ['10.213.0.13'], conditions: { ready: false } }],
    ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
  }],
};

test('apiserver replicas from the kubernetes EndpointSlice, sorted, readiness kept', () => {
  assert.deepEqual(endpointsFromSlices(kubernetesSlice), [
    { address: '10.213.0.11', port: 6443, ready: true },
    { address: '10.213.0.12', port: 6443, ready: true },
    { address: '10.213.0.13', port: 6443, ready: false },
  ]);
  assert.deepEqual(endpointsFromSlices({}), []);
});

test('identity leases count as live when renewed within 60 s', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  const lease = (id: string, renew: string) => ({ metadata: { name: `apiserver-${id}` }, spec: { holderIdentity: `apiserver-${id}_x`, renewTime: renew, leaseDurationSeconds: 3600 } });
  assert.deepEqual(liveIdentities({ items: [lease('b', '2026-11-26T11:59:55.000000Z'), lease('a', '2026-11-26T11:59:50.123456Z'), lease('c', '2026-11-26T11:58:00.000000Z')] }, now), ['apiserver-a_x', 'apiserver-b_x']);
});

test('kube-dns endpoints: UDP dns port, ready flag, pod name', () => {
  const slice = {
    items: [{
      endpoints: [{ addresses: ['10.213.0.12'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'coredns-2' } }, { addresses: ['10.213.0.11'], conditions: { ready: false } }],
      ports: [{ name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }, { name: 'metrics', port: 9153, protocol: 'TCP' }],
    }],
  };
  assert.deepEqual(dnsEndpoints(slice), [
    { address: '10.213.0.11', port: 53, ready: false },
    { address: '10.213.0.12', port: 53, ready: true, pod: 'coredns-2' },
  ]);
});

test('nodeFacts: requests summed per node (init containers by max), finished pods ignored, control plane recognised', () => {
  const nodes: Parameters<typeof nodeFacts>[0] = {
    items: [
      { metadata: { name: 'w1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] } },
      { metadata: { name: 'cp1', labels: { 'node-role.kubernetes.io/control-plane': '' } }, spec: { unschedulable: true }, status: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'Unknown' }] } },
    ],
  };
  const pods: Parameters<typeof nodeFacts>[1] = [
    { spec: { nodeName: 'w1', containers: [{ resources: { requests: { cpu: '250m', memory: '256Mi' } } }, { resources: { requests: { cpu: '250m' } } }], initContainers: [{ resources: { requests: { cpu: '1', memory: '64Mi' } } }] }, status: { phase: 'Running' } },
    { spec: { nodeName: 'w1', containers: [{ resources: { requests: { cpu: '100m', memory: '128Mi' } } }] }, status: { phase: 'Pending' } },
    { spec: { nodeName: 'w1', containers: [{ resources: { requests: { cpu: '3' } } }] }, status: { phase: 'Succeeded' } },
    { spec: { containers: [{ resources: { requests: { cpu: '1' } } }] }, status: { phase: 'Pending' } },
  ];
  const f = nodeFacts(nodes, pods);
  assert.deepEqual(f[0], { name: 'w1', ready: 'True', unschedulable: false, controlPlane: false, zone: 'zone-a', taints: [], allocatable: { cpuMillis: 4000, memoryBytes: 8 * 2 ** 30, pods: 110 }, requested: { cpuMillis: 1100, memoryBytes: 384 * 2 ** 20, pods: 2 } });
  assert.equal(f[1]!.controlPlane, true);
  assert.equal(f[1]!.ready, 'Unknown');
});

test('classifyLease: held, expired, released, missing, watch down', () => {
  const v = (p: Partial<LeaseView>): LeaseView => ({ lease: 'kube-system/kube-scheduler', holder: 'cp1_abc', renewAgeMs: 1500, leaseDurationSeconds: 8, leaseTransitions: 2, watchDown: false, seen: true, ...p });
  assert.deepEqual(classifyLease(v({})), { status: 'up', reason: 'held by cp1_abc, renewed 1.5 s ago (lease 8 s)' });
  assert.equal(classifyLease(v({ renewAgeMs: 9000 })).status, 'down');
  assert.match(classifyLease(v({ renewAgeMs: 9000 })).reason, /past the 8 s lease/);
  assert.equal(classifyLease(v({ holder: null })).status, 'down');
  assert.equal(classifyLease(v({ seen: false, holder: null })).status, 'unknown');
  assert.equal(classifyLease(v({ watchDown: true })).status, 'unknown');
});
