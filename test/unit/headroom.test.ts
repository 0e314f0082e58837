import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity, cpuMillis, bytes } from '@/lib/k8s/quantity';
import { headroom, type NodeFacts } from '@/lib/nodes/headroom';

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
