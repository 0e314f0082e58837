// Worker capacity: readiness counts, N+1 headroom and zone loss, the way the scheduler would place
// the pods of a lost node (pure functions over projected nodes and pods; lib/nodes/objects.ts).
//
// - Capacity pool: Ready, schedulable (not cordoned), non-control-plane workers without a NoSchedule or
//   NoExecute taint (those keep ordinary pods off). Everything else absorbs nothing.
// - Requests: each pod's effective requests (podRequests: containers, init containers, sidecars,
//   pod-level resources, overhead), summed per node over pods that are not terminated.
// - A loss scenario takes nodes away; their movable pods (not DaemonSet or static pods, which die with
//   their node) are placed one by one, largest first, each on the pool node with the most free capacity
//   (mean of free CPU and free memory fractions, ties by name) where it fits as NodeResourcesFit checks
//   it: CPU, memory and pod count (a request of 0 fits anywhere with a free pod slot). Pods that fit
//   nowhere are unschedulable.
// - N+1: the loss of the busiest Ready worker (by requested CPU, by memory and by pod count; the worst
//   of these). Zone loss: every zone with Ready workers, when there are at least two.
// Not modelled (named here so nobody reads more into the verdict): node selectors and affinity,
// topology spread, taints the moved pods tolerate, PodDisruptionBudgets, extended resources.
import type { Status } from '../types';
import type { NodeInfo, Readiness, Resources } from './objects';

export interface NodeFacts {
  name: string;
  ready: Readiness;
  unschedulable: boolean;
  controlPlane: boolean;
  zone: string | null;
  /** NoSchedule / NoExecute taints ("key=value:Effect"); absent = none. */
  taints?: readonly string[];
  allocatable: Resources & { pods: number };
  /** Sum of the effective requests of the non-terminated pods bound to this node. */
  requested: Resources & { pods: number };
}

/** One loss scenario's outcome. */
export interface LossResult {
  kind: 'node' | 'zone';
  /** The node's or the zone's name. */
  lost: string;
  nodes: number;
  /** Movable pods that needed a new node, and what they request together. */
  pods: number;
  need: Resources;
  unplaced: number;
  unplacedNeed: Resources;
  /** The largest pod that found no node (CPU first), when any. */
  largestUnplaced: Resources | null;
  survives: boolean;
  /** Aggregate spare of the remaining pool after absorbing everything (may be negative). */
  spareAfter: Resources & { pods: number };
}

export interface HeadroomReport {
  workers: number;
  ready: number;
  notReady: number;
  unknown: number;
  /** Ready workers per zone. */
  zones: Record<string, number>;
  /** Ready workers that absorb pods (schedulable, untainted). */
  schedulable: number;
  /** Ready workers kept out of the pool, and why. */
  excluded: { cordoned: number; tainted: number };
  /** Non-terminated pods on workers, and pods still waiting for a node. */
  pods: { bound: number; pending: number };
  /** The worker whose loss hurts most (the N+1 scenario). */
  largestNode: string | null;
  survivesLargestNodeLoss: boolean;
  /** Aggregate spare of the pool after losing largestNode and placing its pods. */
  spareAfterLoss: Resources & { pods: number };
  nodeLoss: LossResult | null;
  /** One per zone with Ready workers, when there are at least two zones. */
  zoneLoss: LossResult[];
  status: Status;
  reason: string;
}

export interface HeadroomInput {
  nodes: readonly NodeFacts[];
  /**
   * The movable pods' requests on a node (for placing them elsewhere). Without it a node's whole
   * requested total must move as one unit (a pessimistic bound).
   */
  podsOn?: (node: string) => readonly Resources[];
  /** Pods waiting for the scheduler (no node yet). */
  pending?: number;
}

const NONE: readonly Movable[] = [];
const name = (n: string | null): string => n ?? '(no zone)';

/** Pure: per-node requested sums and the movable pods of each node, from projected nodes and pods. */
export function nodeLoads(nodes: Iterable<NodeInfo>, pods: Iterable<{ node: string | null; cpuMillis: number; memoryBytes: number; movable: boolean }>): { facts: NodeFacts[]; movable: Map<string, Resources[]>; pending: number } {
  const req = new Map<string, { cpuMillis: number; memoryBytes: number; pods: number }>();
  const movable = new Map<string, Resources[]>();
  let pending = 0;
  for (const p of pods) {
    if (!p.node) {
      pending += 1;
      continue;
    }
    const r = req.get(p.node) ?? { cpuMillis: 0, memoryBytes: 0, pods: 0 };
    r.cpuMillis += p.cpuMillis;
    r.memoryBytes += p.memoryBytes;
    r.pods += 1;
    req.set(p.node, r);
    if (p.movable) {
      const list = movable.get(p.node);
      const item = { cpuMillis: p.cpuMillis, memoryBytes: p.memoryBytes };
      if (list) list.push(item);
      else movable.set(p.node, [item]);
    }
  }
  const facts: NodeFacts[] = [];
  for (const n of nodes) facts.push({ ...n, requested: req.get(n.name) ?? { cpuMillis: 0, memoryBytes: 0, pods: 0 } });
  return { facts, movable, pending };
}

interface Slot {
  name: string;
  allocCpu: number;
  allocMem: number;
  freeCpu: number;
  freeMem: number;
  freePods: number;
  score: number;
}

const scoreOf = (s: Slot): number => ((s.allocCpu > 0 ? s.freeCpu / s.allocCpu : 0) + (s.allocMem > 0 ? s.freeMem / s.allocMem : 0)) / 2;
/** Heap order: higher score first, then name. */
const before = (a: Slot, b: Slot): boolean => a.score > b.score || (a.score === b.score && a.name < b.name);
/** What has to move: one pod, or (without per-pod data) a node's whole load needing `slots` pod slots at once. */
export type Movable = Resources & { slots?: number };
const fits = (p: Movable, s: Slot): boolean => (p.cpuMillis === 0 || p.cpuMillis <= s.freeCpu) && (p.memoryBytes === 0 || p.memoryBytes <= s.freeMem) && s.freePods >= (p.slots ?? 1);

class SlotHeap {
  private readonly a: Slot[] = [];
  get size(): number {
    return this.a.length;
  }
  push(s: Slot): void {
    const a = this.a;
    a.push(s);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Slot | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

const inPool = (n: NodeFacts): boolean => !n.controlPlane && n.ready === 'True' && !n.unschedulable && (n.taints?.length ?? 0) === 0;

/** Pure: takes `lost` away and places `pods` on the rest of the pool (see the header). */
export function simulateLoss(nodes: readonly NodeFacts[], lost: ReadonlySet<string>, pods: readonly Movable[], label: string, kind: LossResult['kind'] = 'node'): LossResult {
  const heap = new SlotHeap();
  const spare = { cpuMillis: 0, memoryBytes: 0, pods: 0 };
  for (const n of nodes) {
    if (lost.has(n.name) || !inPool(n)) continue;
    const s: Slot = {
      name: n.name,
      allocCpu: n.allocatable.cpuMillis,
      allocMem: n.allocatable.memoryBytes,
      freeCpu: n.allocatable.cpuMillis - n.requested.cpuMillis,
      freeMem: n.allocatable.memoryBytes - n.requested.memoryBytes,
      freePods: n.allocatable.pods - n.requested.pods,
      score: 0,
    };
    s.score = scoreOf(s);
    spare.cpuMillis += Math.max(0, s.freeCpu);
    spare.memoryBytes += Math.max(0, s.freeMem);
    spare.pods += Math.max(0, s.freePods);
    heap.push(s);
  }
  const order = [...pods].sort((a, b) => b.cpuMillis - a.cpuMillis || b.memoryBytes - a.memoryBytes);
  const need = { cpuMillis: 0, memoryBytes: 0 };
  const unplacedNeed = { cpuMillis: 0, memoryBytes: 0 };
  let unplaced = 0;
  let slots = 0;
  let largestUnplaced: Resources | null = null;
  const failed: Movable[] = []; // free capacity only shrinks: a pod at least this large fails too
  const aside: Slot[] = [];
  for (const p of order) {
    need.cpuMillis += p.cpuMillis;
    need.memoryBytes += p.memoryBytes;
    slots += p.slots ?? 1;
    let placed = false;
    if (!failed.some((f) => p.cpuMillis >= f.cpuMillis && p.memoryBytes >= f.memoryBytes && (p.slots ?? 1) >= (f.slots ?? 1))) {
      for (let s = heap.pop(); s; s = heap.pop()) {
        if (fits(p, s)) {
          s.freeCpu -= p.cpuMillis;
          s.freeMem -= p.memoryBytes;
          s.freePods -= p.slots ?? 1;
          s.score = scoreOf(s);
          heap.push(s);
          placed = true;
          break;
        }
        aside.push(s);
      }
      for (const s of aside) heap.push(s);
      aside.length = 0;
    }
    if (!placed) {
      unplaced += p.slots ?? 1;
      unplacedNeed.cpuMillis += p.cpuMillis;
      unplacedNeed.memoryBytes += p.memoryBytes;
      largestUnplaced ??= { cpuMillis: p.cpuMillis, memoryBytes: p.memoryBytes };
      if (failed.length < 64) failed.push(p);
    }
  }
  return {
    kind,
    lost: label,
    nodes: lost.size,
    pods: slots,
    need,
    unplaced,
    unplacedNeed,
    largestUnplaced,
    survives: unplaced === 0,
    spareAfter: { cpuMillis: spare.cpuMillis - need.cpuMillis, memoryBytes: spare.memoryBytes - need.memoryBytes, pods: spare.pods - slots },
  };
}

const num1 = (v: number, digits: number): string => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const cores = (m: number): string => `${num1(m / 1000, m % 1000 === 0 ? 0 : 1)} CPU`;
const gib = (b: number): string => (Math.abs(b) >= 2 ** 40 ? `${num1(b / 2 ** 40, 1)} TiB` : `${num1(b / 2 ** 30, 1)} GiB`);
const count = (n: number): string => n.toLocaleString('en-US');
const fewNames = (ns: string[]): string => (ns.length <= 5 ? ns.join(', ') : `${ns.slice(0, 5).join(', ')} and ${ns.length - 5} more`);

const what = (r: LossResult): string => (r.kind === 'zone' ? `zone ${r.lost}` : r.lost);

function describeLoss(r: LossResult): string {
  if (r.survives) return `survives losing ${what(r)} (${count(r.pods)} pods, ${cores(r.need.cpuMillis)} / ${gib(r.need.memoryBytes)} requested; ${cores(r.spareAfter.cpuMillis)} / ${gib(r.spareAfter.memoryBytes)} spare after)`;
  const big = r.largestUnplaced ? `; largest needs ${cores(r.largestUnplaced.cpuMillis)} / ${gib(r.largestUnplaced.memoryBytes)}` : '';
  return `losing ${what(r)} would leave its pods unschedulable: ${count(r.unplaced)} of ${count(r.pods)} fit on no schedulable Ready worker (${cores(r.unplacedNeed.cpuMillis)} / ${gib(r.unplacedNeed.memoryBytes)} short${big})`;
}

/** Pure: the worker-node sample's facts, status and reason. */
export function headroom(input: HeadroomInput | readonly NodeFacts[]): HeadroomReport {
  const { nodes, podsOn, pending = 0 } = Array.isArray(input) ? { nodes: input as readonly NodeFacts[] } : (input as HeadroomInput);
  const podsFor = (n: NodeFacts): readonly Movable[] =>
    podsOn ? podsOn(n.name) : n.requested.pods > 0 ? [{ cpuMillis: n.requested.cpuMillis, memoryBytes: n.requested.memoryBytes, slots: n.requested.pods }] : NONE;
  const workers = nodes.filter((n) => !n.controlPlane);
  const ready = workers.filter((n) => n.ready === 'True');
  const zones: Record<string, number> = {};
  for (const n of ready) zones[name(n.zone)] = (zones[name(n.zone)] ?? 0) + 1;
  const pool = ready.filter(inPool);
  const cordoned = ready.filter((n) => n.unschedulable).length;
  const tainted = ready.filter((n) => !n.unschedulable && (n.taints?.length ?? 0) > 0).length;
  const bound = workers.reduce((a, n) => a + n.requested.pods, 0);

  // N+1: the busiest Ready worker by CPU, by memory and by pods; the worst outcome is the verdict.
  const by = (k: (n: NodeFacts) => number): NodeFacts | undefined => [...ready].sort((a, b) => k(b) - k(a) || (a.name < b.name ? -1 : 1))[0];
  const candidates = [...new Set([by((n) => n.requested.cpuMillis), by((n) => n.requested.memoryBytes), by((n) => n.requested.pods)].filter((n): n is NodeFacts => !!n))];
  let nodeLoss: LossResult | null = null;
  for (const c of candidates) {
    const r = simulateLoss(nodes, new Set([c.name]), podsFor(c), c.name);
    if (!nodeLoss || r.unplaced > nodeLoss.unplaced || (r.unplaced === nodeLoss.unplaced && r.spareAfter.cpuMillis < nodeLoss.spareAfter.cpuMillis)) nodeLoss = r;
  }
  // Zone loss, when there is more than one zone to lose.
  const zoneNames = Object.keys(zones).sort();
  const zoneLoss: LossResult[] = zoneNames.length < 2 ? [] : zoneNames.map((z) => {
    const inZone = workers.filter((n) => name(n.zone) === z);
    return simulateLoss(nodes, new Set(inZone.map((n) => n.name)), inZone.flatMap((n) => [...podsFor(n)]), z, 'zone');
  });

  const survives = nodeLoss?.survives === true && pool.length > 1;
  const notReadyNames = workers.filter((n) => n.ready === 'False').map((n) => n.name);
  const unknownNames = workers.filter((n) => n.ready === 'Unknown').map((n) => n.name);
  const notReadyText = [
    notReadyNames.length ? `NotReady: ${fewNames(notReadyNames)}` : null,
    unknownNames.length ? `Unknown: ${fewNames(unknownNames)}` : null,
  ].filter(Boolean).join('; ');
  const poolText = `${count(pool.length)} schedulable${cordoned || tainted ? ` (${[cordoned ? `${cordoned} cordoned` : null, tainted ? `${tainted} tainted` : null].filter(Boolean).join(', ')})` : ''}`;
  const zoneText = zoneLoss.length
    ? `zone loss: ${zoneLoss.map((z) => `${z.survives ? 'survives' : 'does not survive'} losing ${z.lost}${z.survives ? '' : ` (${count(z.unplaced)} of ${count(z.pods)} pods unschedulable, ${cores(z.unplacedNeed.cpuMillis)} / ${gib(z.unplacedNeed.memoryBytes)} short)`}`).join('; ')}`
    : `${zoneNames.length} zone(s)`;
  const pendingText = pending ? `; ${count(pending)} pod${pending === 1 ? '' : 's'} waiting for a node` : '';

  let status: Status;
  let reason: string;
  if (workers.length === 0) {
    status = 'unknown';
    reason = 'no worker nodes';
  } else if (ready.length === 0) {
    status = 'down';
    reason = `0/${count(workers.length)} workers Ready${notReadyText ? ` (${notReadyText})` : ''}`;
  } else {
    const nPlus1 = nodeLoss === null ? 'no Ready worker to lose' : pool.length <= 1 && nodeLoss.survives ? `losing ${nodeLoss.lost} would leave its pods unschedulable: no other schedulable Ready worker` : describeLoss(nodeLoss);
    reason = `${count(ready.length)}/${count(workers.length)} workers Ready${notReadyText ? ` (${notReadyText})` : ''}, ${poolText}; N+1: ${nPlus1}; ${zoneText}${pendingText}`;
    status = ready.length < workers.length || !survives ? 'degraded' : 'up';
  }
  const spare = nodeLoss?.spareAfter ?? { cpuMillis: 0, memoryBytes: 0, pods: 0 };
  return {
    workers: workers.length,
    ready: ready.length,
    notReady: notReadyNames.length,
    unknown: unknownNames.length,
    zones,
    schedulable: pool.length,
    excluded: { cordoned, tainted },
    pods: { bound, pending },
    largestNode: nodeLoss?.lost ?? null,
    survivesLargestNodeLoss: survives,
    spareAfterLoss: spare,
    nodeLoss,
    zoneLoss,
    status,
    reason,
  };
}
