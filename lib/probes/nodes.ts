// Worker nodes: Ready/NotReady/Unknown, N+1 headroom from pod requests, zone spread.
import { QuorumError, describeError } from '../errors';
import { getJson } from '../k8s/json';
import { bytes, cpuMillis } from '../k8s/quantity';
import { headroom, type NodeFacts } from '../nodes/headroom';
import type { ProbeResult } from '../types';
import type { Probe, ProbeContext } from './types';

interface NodeList {
  items?: Array<{
    metadata?: { name?: string; labels?: Record<string, string> };
    spec?: { unschedulable?: boolean };
    status?: { allocatable?: Record<string, string>; conditions?: Array<{ type?: string; status?: string }> };
  }>;
}
interface PodList {
  metadata?: { continue?: string };
  items?: Array<{ spec?: { nodeName?: string; containers?: Array<{ resources?: { requests?: Record<string, string> } }>; initContainers?: Array<{ resources?: { requests?: Record<string, string> } }> }; status?: { phase?: string } }>;
}

const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

export function nodeFacts(nodes: NodeList, pods: PodList['items']): NodeFacts[] {
  const req = new Map<string, { cpuMillis: number; memoryBytes: number; pods: number }>();
  for (const p of pods ?? []) {
    const n = p.spec?.nodeName;
    if (!n || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    const r = req.get(n) ?? { cpuMillis: 0, memoryBytes: 0, pods: 0 };
    // Effective request: sum of containers, or the largest init container if larger (the scheduler's rule).
    const sum = (cs: Array<{ resources?: { requests?: Record<string, string> } }> | undefined) =>
      (cs ?? []).reduce((a, c) => ({ cpu: a.cpu + cpuMillis(c.resources?.requests?.cpu), mem: a.mem + bytes(c.resources?.requests?.memory) }), { cpu: 0, mem: 0 });
    const main = sum(p.spec?.containers);
    const init = (p.spec?.initContainers ?? []).reduce((a, c) => ({ cpu: Math.max(a.cpu, cpuMillis(c.resources?.requests?.cpu)), mem: Math.max(a.mem, bytes(c.resources?.requests?.memory)) }), { cpu: 0, mem: 0 });
    r.cpuMillis += Math.max(main.cpu, init.cpu);
    r.memoryBytes += Math.max(main.mem, init.mem);
    r.pods += 1;
    req.set(n, r);
  }
  return (nodes.items ?? []).map((n) => {
    const name = n.metadata?.name ?? '?';
    const labels = n.metadata?.labels ?? {};
    const readyCond = n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const alloc = n.status?.allocatable ?? {};
    return {
      name,
      ready: readyCond === 'True' ? 'True' : readyCond === 'False' ? 'False' : 'Unknown',
      unschedulable: n.spec?.unschedulable === true,
      controlPlane: CONTROL_PLANE_LABELS.some((l) => l in labels),
      zone: labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? null,
      allocatable: { cpuMillis: cpuMillis(alloc.cpu), memoryBytes: bytes(alloc.memory), pods: Number(alloc.pods ?? 0) },
      requested: req.get(name) ?? { cpuMillis: 0, memoryBytes: 0, pods: 0 },
    };
  });
}

async function run(ctx: ProbeContext): Promise<ProbeResult[]> {
  const at = ctx.now();
  const opts = { timeoutMs: ctx.timeoutMs, signal: ctx.signal };
  const started = performance.now();
  try {
    const nodes = await getJson<NodeList>(ctx.conn, '/api/v1/nodes', opts);
    const pods: NonNullable<PodList['items']> = [];
    let cont: string | undefined;
    do {
      const page = await getJson<PodList>(ctx.conn, `/api/v1/pods?limit=500&fieldSelector=status.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, opts);
      pods.push(...(page.items ?? []));
      cont = page.metadata?.continue || undefined;
    } while (cont);
    const h = headroom(nodeFacts(nodes, pods));
    return [{ probe: 'nodes', target: 'workers', status: h.status, reason: h.reason, latencyMs: Math.round(performance.now() - started), at, detail: { facts: { ...h } } }];
  } catch (e) {
    const qe = e instanceof QuorumError ? e : new QuorumError('internal', describeError(e));
    const down = qe.errorClass === 'unreachable' || qe.errorClass === 'timeout';
    return [{ probe: 'nodes', target: 'workers', status: down ? 'down' : 'unknown', reason: `cannot read nodes: ${qe.message}`, latencyMs: null, at, detail: { errorClass: qe.errorClass } }];
  }
}

export const nodesProbe: Probe = { id: 'nodes', title: 'Worker nodes: readiness, N+1 headroom, zones', run };
