// Worker capacity: readiness counts, N+1 headroom and zone spread (pure).
import type { Status } from '../types';

export interface NodeFacts {
  name: string;
  ready: 'True' | 'False' | 'Unknown';
  unschedulable: boolean;
  controlPlane: boolean;
  zone: string | null;
  allocatable: { cpuMillis: number; memoryBytes: number; pods: number };
  /** Sum of the requests of non-terminated pods bound to this node. */
  requested: { cpuMillis: number; memoryBytes: number; pods: number };
}

export interface HeadroomReport {
  workers: number;
  ready: number;
  notReady: number;
  unknown: number;
  zones: Record<string, number>;
  /** The node whose loss hurts most (most requested CPU, then memory). */
  largestNode: string | null;
  /** Could the pods requested on the largest node fit in the spare allocatable of the other Ready nodes? */
  survivesLargestNodeLoss: boolean;
  spareAfterLoss: { cpuMillis: number; memoryBytes: number; pods: number };
  status: Status;
  reason: string;
}

/**
 * N+1 headroom, aggregate form: after losing the busiest Ready worker, the other Ready, schedulable
 * workers' spare allocatable (allocatable − requested) must cover that node's requests in CPU,
 * memory and pod count. (Aggregate spare can overstate fit when pods are large; the per-pod
 * bin-packing check is a later refinement and is named as such in the UI.)
 */
export function headroom(nodes: readonly NodeFacts[]): HeadroomReport {
  const workers = nodes.filter((n) => !n.controlPlane);
  const ready = workers.filter((n) => n.ready === 'True');
  const zones: Record<string, number> = {};
  for (const n of ready) zones[n.zone ?? '(none)'] = (zones[n.zone ?? '(none)'] ?? 0) + 1;
  const busiest = [...ready].sort((a, b) => b.requested.cpuMillis - a.requested.cpuMillis || b.requested.memoryBytes - a.requested.memoryBytes)[0] ?? null;
  const others = ready.filter((n) => n !== busiest && !n.unschedulable);
  const spare = others.reduce(
    (s, n) => ({
      cpuMillis: s.cpuMillis + Math.max(0, n.allocatable.cpuMillis - n.requested.cpuMillis),
      memoryBytes: s.memoryBytes + Math.max(0, n.allocatable.memoryBytes - n.requested.memoryBytes),
      pods: s.pods + Math.max(0, n.allocatable.pods - n.requested.pods),
    }),
    { cpuMillis: 0, memoryBytes: 0, pods: 0 },
  );
  const need = busiest?.requested ?? { cpuMillis: 0, memoryBytes: 0, pods: 0 };
  const survives = busiest !== null && others.length > 0 && spare.cpuMillis >= need.cpuMillis && spare.memoryBytes >= need.memoryBytes && spare.pods >= need.pods;
  const notReady = workers.filter((n) => n.ready === 'False').length;
  const unknown = workers.filter((n) => n.ready === 'Unknown').length;
  let status: Status;
  let reason: string;
  if (workers.length === 0) {
    status = 'unknown';
    reason = 'no worker nodes';
  } else if (ready.length === 0) {
    status = 'down';
    reason = `0/${workers.length} workers Ready`;
  } else if (ready.length < workers.length || !survives) {
    status = 'degraded';
    reason = [
      ready.length < workers.length ? `${ready.length}/${workers.length} workers Ready` : null,
      !survives ? `losing ${busiest?.name ?? 'a node'} would leave its pods unschedulable` : null,
    ].filter(Boolean).join('; ');
  } else {
    status = 'up';
    reason = `${ready.length}/${workers.length} workers Ready; survives losing ${busiest!.name}; ${Object.keys(zones).length} zone(s)`;
  }
  return {
    workers: workers.length,
    ready: ready.length,
    notReady,
    unknown,
    zones,
    largestNode: busiest?.name ?? null,
    survivesLargestNodeLoss: survives,
    spareAfterLoss: { cpuMillis: spare.cpuMillis - need.cpuMillis, memoryBytes: spare.memoryBytes - need.memoryBytes, pods: spare.pods - need.pods },
    status,
    reason,
  };
}
