// Worker nodes: Ready/NotReady/Unknown, N+1 headroom and zone loss (lib/nodes/headroom.ts), computed
// from the collector's watched Nodes and Pods (no list per cycle). Without watches (a one-off probe)
// the nodes and pods are listed once, paginated, under the same object limit.
import { loadEnv } from '../env';
import { QuorumError, describeError } from '../errors';
import type { K8sConnection } from '../k8s/client';
import { listPages } from '../k8s/informer';
import { headroom, nodeLoads, type HeadroomReport, type NodeFacts } from '../nodes/headroom';
import { podProjector, projectNode, type NodeInfo, type NodeObject, type PodInfo, type PodObject } from '../nodes/objects';
import type { ClusterWatches } from '../collector/cluster-watch';
import type { ProbeResult } from '../types';
import { readCaches } from './cache';
import type { Probe, ProbeContext } from './types';

/** Pure: per-node facts (requests summed per node) straight from Node and Pod objects. */
export function nodeFacts(nodes: { items?: NodeObject[] }, pods: PodObject[] | undefined): NodeFacts[] {
  const project = podProjector();
  return nodeLoads((nodes.items ?? []).map(projectNode), (pods ?? []).flatMap((p) => project(p) ?? [])).facts;
}

/** Pure: the report for a set of projected nodes and pods. */
function reportFor(nodes: Iterable<NodeInfo>, pods: Iterable<PodInfo>): HeadroomReport {
  const { facts, movable, pending } = nodeLoads(nodes, pods);
  return headroom({ nodes: facts, podsOn: (n) => movable.get(n) ?? [], pending });
}

/** Recomputed only when a watched collection changed. */
const memo = new WeakMap<ClusterWatches, { nodes: number; pods: number; report: HeadroomReport }>();
function cachedReport(w: ClusterWatches): HeadroomReport {
  const m = memo.get(w);
  if (m && m.nodes === w.nodes.version && m.pods === w.pods.version) return m.report;
  const report = reportFor(w.nodes.values(), w.pods.values());
  memo.set(w, { nodes: w.nodes.version, pods: w.pods.version, report });
  return report;
}

/** One paginated pass over nodes and pods (no watch), bounded by the object limit. */
async function listOnce(conn: K8sConnection, opts: { timeoutMs: number; signal: AbortSignal }): Promise<HeadroomReport> {
  const limit = loadEnv().collector.objectLimit;
  const nodes: NodeInfo[] = [];
  const pods: PodInfo[] = [];
  const over = (): void => {
    if (nodes.length + pods.length >= limit) throw new QuorumError('too-large', `more than ${limit.toLocaleString('en-US')} nodes + pods in this cluster (limit QUORUM_CLUSTER_OBJECT_LIMIT=${limit})`);
  };
  await listPages(conn, { path: '/api/v1/nodes', ...opts }, (n) => {
    over();
    nodes.push(projectNode(n as NodeObject));
  });
  const project = podProjector();
  await listPages(conn, { path: '/api/v1/pods', fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', ...opts }, (p) => {
    const v = project(p as PodObject);
    if (!v) return;
    over();
    pods.push(v);
  });
  return reportFor(nodes, pods);
}

async function run(ctx: ProbeContext): Promise<ProbeResult[]> {
  const at = ctx.now();
  const fail = (status: ProbeResult['status'], reason: string, errorClass: QuorumError['errorClass']): ProbeResult[] => [
    { probe: 'nodes', target: 'workers', status, reason: `cannot read nodes: ${reason}`, latencyMs: null, at, detail: { errorClass } },
  ];
  const w = ctx.watches;
  if (!w) {
    const started = performance.now();
    try {
      const h = await listOnce(ctx.conn, { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
      return [{ probe: 'nodes', target: 'workers', status: h.status, reason: h.reason, latencyMs: Math.round(performance.now() - started), at, detail: { facts: { ...h } } }];
    } catch (e) {
      const qe = e instanceof QuorumError ? e : new QuorumError('internal', describeError(e));
      return fail(qe.errorClass === 'unreachable' || qe.errorClass === 'timeout' ? 'down' : 'unknown', qe.message, qe.errorClass);
    }
  }
  const read = await readCaches([w.nodes, w.pods], { timeoutMs: ctx.timeoutMs, now: ctx.now });
  if (!read.ok) return fail(read.status, read.reason, read.errorClass);
  const h = cachedReport(w);
  const cache = {
    nodes: w.nodes.size,
    pods: w.pods.size,
    mode: w.nodes.state.mode,
    syncedAt: w.nodes.state.syncedAt,
    relists: w.nodes.state.relists + w.pods.state.relists,
    resumes: w.nodes.state.resumes + w.pods.state.resumes,
    ...(read.stale ? { stale: read.stale } : {}),
  };
  return [{
    probe: 'nodes', target: 'workers', status: h.status,
    reason: read.stale ? `${h.reason} (${read.stale})` : h.reason,
    latencyMs: null, at, detail: { facts: { ...h, cache } },
  }];
}

export const nodesProbe: Probe = { id: 'nodes', title: 'Worker nodes: readiness, N+1 headroom, zones (watched)', run };
