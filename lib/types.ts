// Shared, serialisable types. No imports: safe for server, client and scripts alike.

/** Every probe result and every component state is one of these. */
export type Status = 'up' | 'degraded' | 'down' | 'unknown';
export const STATUSES = ['up', 'degraded', 'down', 'unknown'] as const satisfies readonly Status[];

/** Probes known to the collector; each has one module in lib/probes and one row in its table. */
export type ProbeId = 'apiserver-livez' | 'apiserver-readyz' | 'apiserver-replicas' | 'leader-election' | 'dns' | 'nodes' | 'etcd';
export const PROBE_IDS = ['apiserver-livez', 'apiserver-readyz', 'apiserver-replicas', 'leader-election', 'dns', 'nodes', 'etcd'] as const satisfies readonly ProbeId[];

/** One named check from /livez?verbose or /readyz?verbose, e.g. "[-]etcd failed: reason withheld". */
export interface HealthCheck {
  name: string;
  ok: boolean;
  /** Text after "failed:" for a failing check, if any. */
  message?: string;
}

/** What a probe returns: a value, never a mutation of shared state. */
export interface ProbeResult {
  probe: ProbeId;
  /** What was probed: "endpoint" (the registered server URL) or a replica address. */
  target: string;
  status: Status;
  /** Always set; "ok" when up. Classified prefix, e.g. "etcd check failed", "401 unauthorized". */
  reason: string;
  /** Wall time of the request, null when no response came back. */
  latencyMs: number | null;
  /** When the probe started (ms since epoch). */
  at: number;
  detail?: {
    httpStatus?: number;
    checks?: readonly HealthCheck[];
    errorClass?: ErrorClass;
    message?: string;
    /** Probe-specific facts (replica counts, DNS answers, node headroom…), plain JSON. */
    facts?: Record<string, unknown>;
  };
}

/** Classified failures. Every user-facing error maps to one of these. */
export type ErrorClass =
  | 'kubeconfig-not-yaml'
  | 'kubeconfig-invalid'
  | 'kubeconfig-too-large'
  | 'kubeconfig-no-context'
  | 'kubeconfig-no-cluster'
  | 'kubeconfig-no-server'
  | 'kubeconfig-no-user'
  | 'kubeconfig-unsupported-auth'
  | 'tls-ca'
  | 'tls-hostname'
  | 'tls-other'
  | 'unauthorized'
  | 'forbidden'
  | 'unreachable'
  | 'dns'
  | 'timeout'
  | 'not-kubernetes'
  /** An answer (or a cluster) larger than Quorum's configured cap: named with the figure, never truncated. */
  | 'too-large'
  | 'http-error'
  | 'invalid-input'
  /** The outbound policy (lib/net/outbound.ts) refused the target address or URL. */
  | 'outbound-denied'
  /** Stored credentials cannot be decrypted with the configured key (lib/secrets.ts). */
  | 'credentials-undecryptable'
  | 'internal';

/** Cluster as shown anywhere outside the collector: never carries credentials. */
export interface ClusterSummary {
  id: string;
  name: string;
  server: string;
  context: string;
  labels: Record<string, string>;
  /** What to probe beyond the defaults (lib/clusters/settings.ts). */
  settings: ClusterSettings;
  createdAt: string; // ISO
  updatedAt: string; // ISO
}

/** Per-cluster probe settings: extra Leases to watch, extra DNS servers to query. */
export interface ClusterSettings {
  /** namespace/name of Leases watched besides kube-scheduler, kube-controller-manager, cloud-controller-manager. */
  leases: string[];
  /** DNS servers (IP or IP:port, IPv6 in brackets) queried for the cluster's service name, besides the kube-dns endpoints. */
  dnsServers: string[];
}
