// Per cluster, the collections the probes read every cycle are followed with list + watch
// (lib/k8s/informer.ts) instead of being listed every cycle: Nodes and Pods (projected to the
// headroom's few fields, under one object budget), the kube-dns and kubernetes EndpointSlices, and
// the apiserver identity Leases. A cycle then costs the apiserver nothing but the watch events.
import { ObjectBudget, startInformer, type Informer, type InformerOptions, type KubeObject } from '../k8s/informer';
import type { K8sConnection } from '../k8s/client';
import { podProjector, projectNode, type NodeInfo, type NodeObject, type PodInfo, type PodObject } from '../nodes/objects';

/** The fields of an EndpointSlice the DNS and replica probes read. */
export interface SliceInfo {
  endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean | null }; targetRef?: { name?: string } }>;
  ports?: Array<{ name?: string; port?: number; protocol?: string }>;
}

/** The fields of an apiserver identity Lease the replica probe reads. */
export interface IdentityLeaseInfo {
  metadata?: { name?: string };
  spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

export interface ClusterWatches {
  nodes: Informer<NodeInfo>;
  /** Pods that are not terminated (the field selector leaves Succeeded/Failed out server-side). */
  pods: Informer<PodInfo>;
  dnsSlices: Informer<SliceInfo>;
  apiSlices: Informer<SliceInfo>;
  identities: Informer<IdentityLeaseInfo>;
  budget: ObjectBudget;
  stop(): void;
}

export interface ClusterWatchOptions {
  /** Nodes + pods kept at most (QUORUM_CLUSTER_OBJECT_LIMIT). */
  objectLimit: number;
  onLog?: (line: Record<string, unknown>) => void;
  now?: () => number;
  /** Force the list mode (tests of the paginated fallback). */
  mode?: InformerOptions<unknown>['mode'];
}

function slice(o: KubeObject): SliceInfo {
  const s = o as KubeObject & SliceInfo;
  return {
    endpoints: (s.endpoints ?? []).map((e) => ({ addresses: e.addresses ?? [], conditions: { ready: e.conditions?.ready ?? null }, ...(e.targetRef?.name ? { targetRef: { name: e.targetRef.name } } : {}) })),
    ports: (s.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), ...(p.port !== undefined ? { port: p.port } : {}), ...(p.protocol ? { protocol: p.protocol } : {}) })),
  };
}

function identity(o: KubeObject): IdentityLeaseInfo {
  const l = o as KubeObject & IdentityLeaseInfo;
  return {
    metadata: { name: l.metadata?.name ?? '' },
    spec: {
      ...(l.spec?.holderIdentity ? { holderIdentity: l.spec.holderIdentity } : {}),
      ...(l.spec?.renewTime ? { renewTime: l.spec.renewTime } : {}),
      ...(l.spec?.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: l.spec.leaseDurationSeconds } : {}),
    },
  };
}

export function startClusterWatches(conn: K8sConnection, o: ClusterWatchOptions): ClusterWatches {
  const budget = new ObjectBudget(o.objectLimit, 'QUORUM_CLUSTER_OBJECT_LIMIT');
  const common = { ...(o.onLog ? { onLog: o.onLog } : {}), ...(o.now ? { now: o.now } : {}), ...(o.mode ? { mode: o.mode } : {}) };
  const nodes = startInformer<NodeInfo>(conn, { ...common, name: 'nodes', path: '/api/v1/nodes', budget, project: (n) => projectNode(n as NodeObject) });
  const projectPod = podProjector();
  const pods = startInformer<PodInfo>(conn, {
    ...common,
    name: 'pods',
    path: '/api/v1/pods',
    fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
    budget,
    project: (p) => projectPod(p as PodObject),
  });
  const dnsSlices = startInformer<SliceInfo>(conn, { ...common, name: 'kube-dns EndpointSlices', path: '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices', labelSelector: 'kubernetes.io/service-name=kube-dns', project: slice });
  const apiSlices = startInformer<SliceInfo>(conn, { ...common, name: 'kubernetes EndpointSlices', path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', labelSelector: 'kubernetes.io/service-name=kubernetes', project: slice });
  const identities = startInformer<IdentityLeaseInfo>(conn, { ...common, name: 'apiserver identity Leases', path: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', labelSelector: 'apiserver.kubernetes.io/identity=kube-apiserver', project: identity });
  const all = [nodes, pods, dnsSlices, apiSlices, identities];
  return { nodes, pods, dnsSlices, apiSlices, identities, budget, stop: () => {
    for (const i of all) i.stop();
  } };
}
