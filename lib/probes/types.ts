import type { ClusterWatches } from '../collector/cluster-watch';
import type { LeaseView } from '../failover/lease-types';
import type { EtcdClient } from '../etcd/client';
import type { K8sConnection } from '../k8s/client';
import type { ClusterSettings, ProbeId, ProbeResult } from '../types';

/** Everything a probe may use. Probes get their dependencies passed in and return a value. */
export interface ProbeContext {
  conn: K8sConnection;
  timeoutMs: number;
  signal: AbortSignal;
  now: () => number;
  /** Current state of the watched leader-election Leases of this cluster, when the collector tracks them. */
  leases?: (now: number) => LeaseView[];
  /** The cluster's probe settings (extra Leases, extra DNS servers). */
  settings?: ClusterSettings;
  /** Resolves when the Lease watch has delivered its first list (or failed once). */
  leasesSynced?: Promise<void>;
  /** The cluster's registered etcd client endpoints, when the user gave any. */
  etcd?: EtcdClient;
  /** Watched Nodes, Pods, EndpointSlices and identity Leases (the collector keeps them); absent: probes list once. */
  watches?: ClusterWatches;
}

export interface Probe {
  id: ProbeId;
  /** One line for docs and the UI. */
  title: string;
  run(ctx: ProbeContext): Promise<ProbeResult[]>;
}
