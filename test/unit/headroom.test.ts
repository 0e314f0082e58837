import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity, cpuMillis, bytes, scaledValue } from '@/lib/k8s/quantity';
import { headroom, nodeLoads, simulateLoss, type NodeFacts } from '@/lib/nodes/headroom';
import { podRequests, isMovable, projectNode, podProjector, type NodeInfo, type PodInfo, type PodObject } from '@/lib/nodes/objects';

test('parseQuantity: the suffixes Kubernetes uses', () => {
  const rows: Array<[string, number]> = [['100m', 0.1], ['2', 2], ['1.5', 1.5], ['512Mi', 536870912], ['1Gi', 1073741824], ['1G', 1e9], ['1e3', 1000], ['2Ki', 2048], ['250k', 250000], ['.5', 0.5]];
  for (const [q, v] of rows) assert.equal(parseQuantity(q), v, q);
  assert.equal(cpuMillis('250m'), 250);
  assert.equal(cpuMillis('4'), 4000);
  assert.equal(bytes('64Mi'), 67108864);
  assert.throws(() => parseQuantity('12 cats'), /not a Kubernetes quantity/);
  assert.throws(() => parseQuantity('1Gb'), /not a Kubernetes quantity/);
});

const node = (name: string, zone: string, cpu: number, reqCpu: number, ready: NodeFacts['ready'] = 'True'): NodeFacts => ({
  name, ready, unschedulable: false, controlPlane: false, zone,
  allocatable: { cpuMillis: cpu, memoryBytes: 8 * 2 ** 30, pods: 110 },
  requested: { cpuMillis: reqCpu, memoryBytes: 2 ** 30, pods: 10 },
});

test('N+1 headroom: survives when the others can absorb the busiest node', () => {
  const r = headroom([node('w1', 'a', 4000, 3000), node('w2', 'b', 4000, 1000), node('w3', 'a', 4000, 1000)]);
  assert.equal(r.largestNode, 'w1');
  assert.equal(r.survivesLargestNodeLoss, true);
  assert.deepEqual(r.spareAfterLoss, { cpuMillis: 3000, memoryBytes: 14 * 2 ** 30 - 2 ** 30, pods: 190 });
  assert.deepEqual(r.zones, { a: 2, b: 1 });
  assert.equal(r.status, 'up');
});

test('N+1 headroom: fails when the busiest node does not fit; NotReady workers degrade', () => {
  const r = headroom([node('w1', 'a', 4000, 3900), node('w2', 'b', 4000, 3000), node('w3', 'a', 4000, 3500)]);
  assert.equal(r.survivesLargestNodeLoss, false);
  assert.equal(r.status, 'degraded');
  assert.match(r.reason, /losing w1 would leave its pods unschedulable/);
  const nr = headroom([node('w1', 'a', 4000, 100), node('w2', 'b', 4000, 100), node('w3', 'a', 4000, 100, 'Unknown')]);
  assert.equal(nr.ready, 2);
  assert.equal(nr.unknown, 1);
  assert.equal(nr.status, 'degraded');
  assert.equal(headroom([node('w1', 'a', 1, 0, 'False')]).status, 'down');
  assert.equal(headroom([]).status, 'unknown');
});

// ---- issue 9: effective requests, projections, placement pod by pod, taints, zone loss (exact values) ----

const GI = 2 ** 30;
const MI = 2 ** 20;

test('quantities round up to whole units exactly as resource.Quantity does (no float error)', () => {
  assert.equal(cpuMillis('1.1'), 1100);
  assert.equal(cpuMillis('0.0001'), 1, '0.1m rounds up to 1m (MilliValue)');
  assert.equal(cpuMillis('2.5e-1'), 250);
  assert.equal(bytes('1.5'), 2);
  assert.equal(bytes('1Ei'), 2 ** 60);
  assert.equal(scaledValue('129Mi', 0), 129 * MI);
  assert.equal(bytes('15490268Ki'), 15490268 * 1024);
});

test('podRequests: containers summed, init containers by max, sidecars added, pod-level requests, overhead, resized containers', () => {
  const c = (cpu: string, memory?: string, extra: Record<string, unknown> = {}) => ({ resources: { requests: { cpu, ...(memory ? { memory } : {}) } }, ...extra });
  assert.deepEqual(podRequests({ spec: { containers: [c('250m', '256Mi'), c('250m')], initContainers: [c('1', '64Mi')] } }), { cpuMillis: 1000, memoryBytes: 256 * MI });
  // Sidecars (restartPolicy Always) run beside the containers; a later init container runs beside the sidecars before it.
  const sidecars: PodObject = { spec: {
    containers: [c('100m', '100Mi')],
    initContainers: [c('50m', '10Mi', { restartPolicy: 'Always' }), c('300m', '20Mi'), c('20m', '5Mi', { restartPolicy: 'Always' }), c('100m', '500Mi')],
    overhead: { cpu: '250m', memory: '160Mi' },
  } };
  // sum = 100 + 50 + 20 = 170m / 115Mi; init = max(50, 300+50, 70, 100+70) = 350m; memory max(10, 20+10, 15, 500+15) = 515Mi; + overhead
  assert.deepEqual(podRequests(sidecars), { cpuMillis: 350 + 250, memoryBytes: (515 + 160) * MI });
  assert.deepEqual(podRequests({ spec: { resources: { requests: { cpu: '2' } }, containers: [c('100m', '1Gi')] } }), { cpuMillis: 2000, memoryBytes: GI }, 'pod-level cpu replaces the containers\' figure; memory still from containers');
  const resized = (reason?: string): PodObject => ({
    spec: { containers: [{ name: 'app', resources: { requests: { cpu: '300m' } } }] },
    status: { containerStatuses: [{ name: 'app', resources: { requests: { cpu: '200m' } }, allocatedResources: { cpu: '150m' } }], ...(reason ? { conditions: [{ type: 'PodResizePending', reason }] } : {}) },
  });
  assert.equal(podRequests(resized()).cpuMillis, 300, 'max(spec, actual, allocated)');
  assert.equal(podRequests(resized('Infeasible')).cpuMillis, 200, 'an infeasible resize: what runs, not what was asked');
  assert.deepEqual(podRequests({}), { cpuMillis: 0, memoryBytes: 0 });
});

test('projections: taints that keep pods off, zone labels, movable pods, terminated pods dropped, node names shared', () => {
  const n = projectNode({
    metadata: { name: 'w9', labels: { 'failure-domain.beta.kubernetes.io/zone': 'old-z' } },
    spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'soft', effect: 'PreferNoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] },
    status: { allocatable: { cpu: '3920m', memory: '15490268Ki', pods: '110' }, conditions: [{ type: 'Ready', status: 'False' }] },
  });
  assert.deepEqual(n, { name: 'w9', ready: 'False', unschedulable: false, controlPlane: false, zone: 'old-z', taints: ['dedicated=gpu:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute'], allocatable: { cpuMillis: 3920, memoryBytes: 15490268 * 1024, pods: 110 } });
  assert.equal(isMovable({ metadata: { ownerReferences: [{ kind: 'DaemonSet', controller: true }] } }), false);
  assert.equal(isMovable({ metadata: { annotations: { 'kubernetes.io/config.mirror': 'abc' } } }), false);
  assert.equal(isMovable({ metadata: { ownerReferences: [{ kind: 'ReplicaSet', controller: true }] } }), true);
  const project = podProjector();
  assert.equal(project({ spec: { nodeName: 'w1' }, status: { phase: 'Succeeded' } }), null);
  const a = project({ spec: { nodeName: 'w1', containers: [{ resources: { requests: { cpu: '1' } } }] }, status: { phase: 'Running' } });
  const b = project({ spec: { nodeName: `w${1}` }, status: { phase: 'Pending' } });
  assert.deepEqual(a, { node: 'w1', cpuMillis: 1000, memoryBytes: 0, movable: true });
  assert.equal(a?.node, b?.node);
});

const worker = (name: string, zone: string, cpu: number, memGi: number, over: Partial<NodeInfo> = {}): NodeInfo => ({
  name, ready: 'True', unschedulable: false, controlPlane: false, zone, taints: [], allocatable: { cpuMillis: cpu, memoryBytes: memGi * GI, pods: 110 }, ...over,
});
const pod = (node: string | null, cpu: number, memGi: number, movable = true): PodInfo => ({ node, cpuMillis: cpu, memoryBytes: memGi * GI, movable });
const report = (nodes: NodeInfo[], pods: PodInfo[]) => {
  const l = nodeLoads(nodes, pods);
  return headroom({ nodes: l.facts, podsOn: (n) => l.movable.get(n) ?? [], pending: l.pending });
};

test('N+1 and zone loss placed pod by pod: exact facts and reason', () => {
  const nodes = [worker('a1', 'a', 4000, 8), worker('b1', 'b', 4000, 8), worker('b2', 'b', 4000, 8)];
  const pods = [pod('a1', 2000, 1), pod('b1', 1000, 1), pod('b1', 1000, 1), pod('b1', 1000, 1), pod('b2', 1000, 1), pod('b2', 1000, 1), pod('b2', 1000, 1)];
  const r = report(nodes, pods);
  assert.equal(r.largestNode, 'b1', 'busiest by CPU, memory and pods (ties by name)');
  assert.deepEqual(r.nodeLoss, {
    kind: 'node', lost: 'b1', nodes: 1, pods: 3, need: { cpuMillis: 3000, memoryBytes: 3 * GI }, unplaced: 0, unplacedNeed: { cpuMillis: 0, memoryBytes: 0 }, largestUnplaced: null, survives: true,
    spareAfter: { cpuMillis: 0, memoryBytes: 9 * GI, pods: 213 },
  });
  assert.deepEqual(r.zoneLoss.map((z) => [z.lost, z.pods, z.unplaced, z.unplacedNeed, z.survives, z.spareAfter]), [
    ['a', 1, 1, { cpuMillis: 2000, memoryBytes: GI }, false, { cpuMillis: 0, memoryBytes: 9 * GI, pods: 213 }],
    ['b', 6, 4, { cpuMillis: 4000, memoryBytes: 4 * GI }, false, { cpuMillis: -4000, memoryBytes: GI, pods: 103 }],
  ]);
  assert.equal(r.status, 'up');
  assert.equal(r.reason, '3/3 workers Ready, 3 schedulable; N+1: survives losing b1 (3 pods, 3 CPU / 3.0 GiB requested; 0 CPU / 9.0 GiB spare after); zone loss: does not survive losing a (1 of 1 pods unschedulable, 2 CPU / 1.0 GiB short); does not survive losing b (4 of 6 pods unschedulable, 4 CPU / 4.0 GiB short)');
});

test('N+1: spare that no single node has does not count; tainted and cordoned workers absorb nothing; DaemonSet pods do not move', () => {
  const nodes = [
    worker('x1', 'z', 4000, 8), worker('x2', 'z', 4000, 8), worker('x3', 'z', 4000, 8),
    worker('t1', 'z', 8000, 16, { taints: ['dedicated=gpu:NoSchedule'] }), worker('c1', 'z', 8000, 16, { unschedulable: true }),
    worker('nr', 'z', 4000, 8, { ready: 'False' }),
  ];
  const pods = [pod('x1', 2000, 1), pod('x1', 100, 0.125, false), pod('x2', 3000, 1), pod('x3', 3000, 1), pod(null, 500, 1)];
  const l = nodeLoads(nodes, pods);
  // Losing x1: its 2 CPU pod needs one node with 2 CPU free; x2 and x3 have 1 CPU each (2 CPU together).
  const x1 = simulateLoss(l.facts, new Set(['x1']), l.movable.get('x1') ?? [], 'x1');
  assert.deepEqual([x1.pods, x1.unplaced, x1.survives, x1.spareAfter.cpuMillis], [1, 1, false, 0], 'aggregate spare (0 left) would have said it fits');
  const r = report(nodes, pods);
  assert.deepEqual([r.workers, r.ready, r.notReady, r.unknown, r.schedulable, r.excluded, r.pods], [6, 5, 1, 0, 3, { cordoned: 1, tainted: 1 }, { bound: 4, pending: 1 }]);
  assert.equal(r.largestNode, 'x2', 'x1 and x2 both strand one pod; x2 leaves less spare');
  assert.equal(r.survivesLargestNodeLoss, false);
  assert.deepEqual(r.spareAfterLoss, { cpuMillis: -100, memoryBytes: (7 - 0.125 + 7 - 1) * GI, pods: 108 + 109 - 1 });
  assert.equal(r.status, 'degraded');
  assert.equal(r.reason, '5/6 workers Ready (NotReady: nr), 3 schedulable (1 cordoned, 1 tainted); N+1: losing x2 would leave its pods unschedulable: 1 of 1 fit on no schedulable Ready worker (3 CPU / 1.0 GiB short; largest needs 3 CPU / 1.0 GiB); 1 zone(s); 1 pod waiting for a node');
  assert.deepEqual(r.zones, { z: 5 });
});

test('placement: largest pods first, each on the node with the most free share; zero requests fit any free slot', () => {
  const nodes = nodeLoads([worker('p', 'z', 1000, 1), worker('q', 'z', 2000, 2), worker('r', 'z', 500, 4, { allocatable: { cpuMillis: 500, memoryBytes: 4 * GI, pods: 1 } })], [pod('q', 1500, 0)]).facts;
  // free: p 1000/1Gi (score 1.0), q 500/2Gi (0.625), r 500/4Gi (1.0, 1 slot). Pods 600m, 500m, 400m, 0.
  const sim = simulateLoss(nodes, new Set(), [pod(null, 400, 0), pod(null, 600, 0.5), pod(null, 0, 0), pod(null, 500, 0)], 'test');
  // 600 → p (1.0, name p < r) → p 400/0.5Gi (0.45); 500 → r (1.0) → r 0 slots; 400 → q (0.625) → q 100 (0.525); 0 → q (0.525 > p 0.45).
  assert.deepEqual([sim.unplaced, sim.spareAfter], [0, { cpuMillis: 2000 - 1500, memoryBytes: 6.5 * GI, pods: 1 + 110 + 109 - 4 }]);
  const full = simulateLoss(nodes, new Set(), [pod(null, 600, 0), pod(null, 600, 0), pod(null, 600, 0)], 'full');
  assert.deepEqual([full.unplaced, full.largestUnplaced], [2, { cpuMillis: 600, memoryBytes: 0 }]);
});
