// Projections of Node and Pod objects to the few fields the headroom needs (pure). A watched cluster
// keeps only these in memory: a few dozen bytes of numbers per object instead of the 5–15 KB JSON.
import { cpuMillis, bytes } from '../k8s/quantity';

export type Readiness = 'True' | 'False' | 'Unknown';

export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
}

/** What the headroom needs of a Node. */
export interface NodeInfo {
  name: string;
  ready: Readiness;
  /** spec.unschedulable (cordoned). */
  unschedulable: boolean;
  controlPlane: boolean;
  zone: string | null;
  /** Taints that keep ordinary pods off (effect NoSchedule or NoExecute), as "key=value:Effect". */
  taints: readonly string[];
  allocatable: Resources & { pods: number };
}

/** What the headroom needs of a Pod that is not terminated. */
export interface PodInfo {
  /** spec.nodeName; null while it waits for the scheduler. */
  node: string | null;
  /** Effective requests as the scheduler counts them (lib/nodes/objects.ts podRequests). */
  cpuMillis: number;
  memoryBytes: number;
  /** Would need a new node if its node were lost: not a DaemonSet pod and not a static (mirror) pod. */
  movable: boolean;
}

type ResourceList = Record<string, string | number> | null | undefined;
interface ContainerSpec { name?: string; restartPolicy?: string | null; resources?: { requests?: ResourceList } | null }
interface ContainerStatus { name?: string; allocatedResources?: ResourceList; resources?: { requests?: ResourceList } | null }

export interface PodObject {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> | null; ownerReferences?: Array<{ kind?: string; controller?: boolean | null }> | null } | null;
  spec?: {
    nodeName?: string | null;
    containers?: ContainerSpec[] | null;
    initContainers?: ContainerSpec[] | null;
    overhead?: ResourceList;
    resources?: { requests?: ResourceList } | null;
  } | null;
  status?: {
    phase?: string | null;
    conditions?: Array<{ type?: string; reason?: string | null }> | null;
    containerStatuses?: ContainerStatus[] | null;
    initContainerStatuses?: ContainerStatus[] | null;
  } | null;
}

export interface NodeObject {
  metadata?: { name?: string; labels?: Record<string, string> | null } | null;
  spec?: { unschedulable?: boolean | null; taints?: Array<{ key?: string; value?: string | null; effect?: string }> | null } | null;
  status?: { allocatable?: ResourceList; conditions?: Array<{ type?: string; status?: string }> | null } | null;
}

const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];
const NO_TAINTS: readonly string[] = Object.freeze([]);

const res = (l: ResourceList): Resources => ({ cpuMillis: cpuMillis(l?.cpu), memoryBytes: bytes(l?.memory) });
const add = (a: Resources, b: Resources): Resources => ({ cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes });
const max = (a: Resources, b: Resources): Resources => ({ cpuMillis: Math.max(a.cpuMillis, b.cpuMillis), memoryBytes: Math.max(a.memoryBytes, b.memoryBytes) });
const ZERO: Resources = { cpuMillis: 0, memoryBytes: 0 };

/**
 * A pod's effective CPU and memory requests, as the scheduler's NodeResourcesFit counts them
 * (k8s.io/component-helpers/resource PodRequests, 1.35, with in-place resize and pod-level resources on):
 * - each container: its spec request, or when the kubelet reports resized resources max(spec, actual, allocated)
 *   (only actual/allocated if the resize was found infeasible);
 * - sidecars (init containers with restartPolicy Always) add to the containers' sum;
 * - every other init container counts as itself plus the sidecars started before it, and the pod needs at
 *   least the largest of those: max(sum(containers) + sum(sidecars), max over init of (init + sidecars before));
 * - pod-level `spec.resources.requests` replace the container figure for cpu/memory when set;
 * - plus `spec.overhead` (RuntimeClass).
 */
export function podRequests(p: PodObject): Resources {
  const statuses = new Map<string, ContainerStatus>();
  for (const s of [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])]) if (s.name) statuses.set(s.name, s);
  const infeasible = (p.status?.conditions ?? []).find((c) => c.type === 'PodResizePending')?.reason === 'Infeasible';
  const effective = (c: ContainerSpec): Resources => {
    const s = c.name ? statuses.get(c.name) : undefined;
    if (!s?.resources) return res(c.resources?.requests);
    const actual = res(s.resources.requests);
    const allocated = res(s.allocatedResources);
    return infeasible ? max(actual, allocated) : max(max(res(c.resources?.requests), actual), allocated);
  };
  let sum = (p.spec?.containers ?? []).reduce((a, c) => add(a, effective(c)), ZERO);
  let sidecars = ZERO;
  let init = ZERO;
  for (const c of p.spec?.initContainers ?? []) {
    if (c.restartPolicy === 'Always') {
      const r = effective(c);
      sum = add(sum, r);
      sidecars = add(sidecars, r);
      init = max(init, sidecars);
    } else {
      init = max(init, add(res(c.resources?.requests), sidecars));
    }
  }
  let r = max(sum, init);
  const podLevel = p.spec?.resources?.requests;
  if (podLevel) {
    if (podLevel.cpu !== undefined) r = { ...r, cpuMillis: cpuMillis(podLevel.cpu) };
    if (podLevel.memory !== undefined) r = { ...r, memoryBytes: bytes(podLevel.memory) };
  }
  return add(r, res(p.spec?.overhead));
}

const isTerminated = (p: PodObject): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Not rescheduled elsewhere when its node goes: DaemonSet pods and static pods (their mirror objects). */
export function isMovable(p: PodObject): boolean {
  if (p.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return false;
  return !(p.metadata?.ownerReferences ?? []).some((o) => o.controller === true && o.kind === 'DaemonSet');
}

/** Makes a pod projection that shares one string per node name (thousands of pods name the same nodes). */
export function podProjector(): (p: PodObject) => PodInfo | null {
  const names = new Map<string, string>();
  const intern = (s: string): string => {
    const have = names.get(s);
    if (have !== undefined) return have;
    names.set(s, s);
    return s;
  };
  return (p) => {
    if (isTerminated(p)) return null;
    const r = podRequests(p);
    return { node: p.spec?.nodeName ? intern(p.spec.nodeName) : null, cpuMillis: r.cpuMillis, memoryBytes: r.memoryBytes, movable: isMovable(p) };
  };
}

function readiness(n: NodeObject): Readiness {
  const s = (n.status?.conditions ?? []).find((c) => c.type === 'Ready')?.status;
  return s === 'True' ? 'True' : s === 'False' ? 'False' : 'Unknown';
}

export function projectNode(n: NodeObject): NodeInfo {
  const labels = n.metadata?.labels ?? {};
  const taints = (n.spec?.taints ?? [])
    .filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')
    .map((t) => `${t.key ?? ''}${t.value ? `=${t.value}` : ''}:${t.effect}`);
  const alloc = n.status?.allocatable;
  return {
    name: n.metadata?.name ?? '?',
    ready: readiness(n),
    unschedulable: n.spec?.unschedulable === true,
    controlPlane: CONTROL_PLANE_LABELS.some((l) => l in labels),
    zone: labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? null,
    taints: taints.length ? taints : NO_TAINTS,
    allocatable: { ...res(alloc), pods: alloc?.pods === undefined ? 0 : bytes(alloc.pods) },
  };
}
