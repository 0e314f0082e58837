// Static description of the lab: profiles, nodes, addresses, ports, paths and the process table.
// Pure data; no I/O except resolving paths.
import path from 'node:path';

export type Profile = 'ha' | 'single';
export const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-scheduler', 'kube-controller-manager', 'coredns', 'haproxy', 'workers', 'kwok'] as const;
export type Component = (typeof COMPONENTS)[number];
/** Components a fault may target (the list). */
export const FAULT_COMPONENTS: readonly Component[] = ['etcd', 'kube-apiserver', 'kube-scheduler', 'kube-controller-manager', 'coredns', 'haproxy'];

export const LAB_DIR = path.resolve(import.meta.dirname);
export const ROOT_DIR = path.resolve(LAB_DIR, '..');
export const BIN_DIR = path.join(LAB_DIR, '.bin');
const STATE_DIR = path.resolve(process.env.QUORUM_LAB_STATE ?? path.join(LAB_DIR, '.state'));

export const paths = {
  state: STATE_DIR,
  stateJson: path.join(STATE_DIR, 'state.json'),
  events: path.join(STATE_DIR, 'events.jsonl'),
  logs: path.join(STATE_DIR, 'logs'),
  pki: path.join(STATE_DIR, 'pki'),
  holds: path.join(STATE_DIR, 'holds'),
  etcdData: path.join(STATE_DIR, 'etcd'),
  conf: path.join(STATE_DIR, 'conf'),
  adminKubeconfig: path.join(STATE_DIR, 'admin.kubeconfig'),
  quorumKubeconfig: path.join(STATE_DIR, 'quorum.kubeconfig'),
  tokens: path.join(STATE_DIR, 'pki', 'tokens.csv'),
  config: path.join(STATE_DIR, 'lab.json'),
  supervisorLog: path.join(STATE_DIR, 'logs', 'supervisor.log'),
};

export const BRIDGE = 'qlab0';
export const BRIDGE_IP = '10.213.0.1';
export const SUBNET_BITS = 24;
export const LB_HOST = '127.0.0.1';
export const LB_PORT = 16443;
export const LB_URL = `https://${LB_HOST}:${LB_PORT}`;
export const SERVICE_CIDR = '10.96.0.0/12';
export const KUBERNETES_SVC_IP = '10.96.0.1';
export const DNS_SVC_IP = '10.96.0.10';
export const CLUSTER_DOMAIN = 'cluster.local';
export const RESTART_DELAY_MS = Number(process.env.QUORUM_LAB_RESTART_DELAY_MS ?? 2000);

export const PORTS = {
  apiserver: 6443,
  etcdClient: 2379,
  etcdPeer: 2380,
  etcdMetrics: 2381,
  scheduler: 10259,
  controllerManager: 10257,
  dns: 53,
  dnsHealth: 8080,
  dnsReady: 8181,
  dnsMetrics: 9153,
} as const;

export interface LeaderElection { leaseSeconds: number; renewSeconds: number; retrySeconds: number }

export function leaderElectionFromEnv(env: NodeJS.ProcessEnv = process.env): LeaderElection {
  const le = {
    leaseSeconds: Number(env.QUORUM_LAB_LEASE_SECONDS ?? 8),
    renewSeconds: Number(env.QUORUM_LAB_RENEW_SECONDS ?? 6),
    retrySeconds: Number(env.QUORUM_LAB_RETRY_SECONDS ?? 2),
  };
  validateLeaderElection(le);
  return le;
}

function validateLeaderElection(le: LeaderElection): void {
  for (const [k, v] of Object.entries(le)) if (!Number.isFinite(v) || v <= 0) throw new Error(`leader election: ${k} must be a positive number, got ${v}`);
  if (!(le.leaseSeconds > le.renewSeconds)) throw new Error(`leader election: lease (${le.leaseSeconds}s) must be longer than renew deadline (${le.renewSeconds}s)`);
  if (!(le.renewSeconds > 1.2 * le.retrySeconds)) throw new Error(`leader election: renew deadline (${le.renewSeconds}s) must exceed 1.2 × retry period (${le.retrySeconds}s)`);
}

export interface LabNode { index: number; name: string; netns: string; ip: string; vethHost: string }

/**
 * Simulated workers (kwok, sigs.k8s.io/kwok): present only while kwok nodes are wanted (`lab kwok add`,
 * `up --kwok-nodes`); the supervisor starts and stops the kwok process when this changes in lab.json.
 */
export interface KwokSettings {
  /** kube-node-lease duration kwok writes; it renews every quarter of it (a write per node each time). */
  leaseSeconds: number;
  /** How often kwok re-posts each node's status (a kubelet's nodeStatusReportFrequency is 300 s); 0 = never after start. */
  statusSeconds: number;
}
export const KWOK_DEFAULTS: KwokSettings = { leaseSeconds: 600, statusSeconds: 300 };
/** kwok's config file, named by its settings: other settings → another command line → the supervisor restarts kwok. */
export const kwokConfigPath = (k: KwokSettings): string => path.join(STATE_DIR, 'conf', `kwok-lease${k.leaseSeconds}-status${k.statusSeconds}.yaml`);
/**
 * kube-controller-manager waits this long for a node heartbeat (its lease) before marking it Unknown (and,
 * 300 s later, evicting its pods). kwok renews every leaseSeconds/4 ≤ 250 s, but after a kwok restart the
 * next renewal can come a whole interval late: 600 s leaves room for two intervals. (Seen with 300 s: nodes
 * went Unknown around kwok restarts at 5,000 nodes and their pods were evicted.)
 */
export const NODE_MONITOR_GRACE_SECONDS = 600;
/** Label of every kwok node and namespace (the selector lab/kwok.ts lists them by), and the label kwok manages nodes by (removed: kwok lets go of the node). */
export const KWOK_NODE_LABEL = 'type=kwok';
export const KWOK_MANAGED_LABEL = 'kwok.x-k8s.io/managed';

export interface LabConfig { profile: Profile; leaderElection: LeaderElection; createdAt: string; kwok?: KwokSettings | null }

export function nodesFor(profile: Profile): LabNode[] {
  const n = profile === 'ha' ? 3 : 1;
  return Array.from({ length: n }, (_, i) => ({
    index: i + 1,
    name: `qlab-cp${i + 1}`,
    netns: `qlab-cp${i + 1}`,
    ip: `10.213.0.${11 + i}`,
    vethHost: `qlab-v${i + 1}`,
  }));
}

/** Nodes running CoreDNS: ha → 1 and 2, single → 1. */
export function dnsNodes(profile: Profile): LabNode[] {
  return nodesFor(profile).slice(0, profile === 'ha' ? 2 : 1);
}

export const WORKERS = [
  { name: 'qlab-w1', zone: 'zone-a', cpu: '4', memory: '8Gi' },
  { name: 'qlab-w2', zone: 'zone-b', cpu: '4', memory: '8Gi' },
  { name: 'qlab-w3', zone: 'zone-a', cpu: '4', memory: '8Gi' },
] as const;

/** One supervised process. `node` 0 = root namespace. `replica` distinguishes the single profile's doubles. */
export interface ProcSpec {
  id: string; // e.g. "kube-apiserver@1" or "kube-scheduler@1#2"
  component: Component;
  node: number;
  replica: number;
  netns: string | null;
  hostname: string | null;
  argv: string[]; // argv[0] is the binary
}

export function procId(component: Component, node: number, replica = 1): string {
  return replica === 1 ? `${component}@${node}` : `${component}@${node}#${replica}`;
}
