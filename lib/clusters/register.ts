import { QuorumError } from '../errors';
import { outboundPolicy } from '../net/outbound';
import { createEtcdClient, validateEtcdTarget, type EtcdTarget } from '../etcd/client';
import { probeEtcd } from '../probes/etcd';
import { resolveContext, toMinimalKubeconfig } from '../k8s/kubeconfig';
import { testConnection, type ConnectionTestResult } from '../k8s/connection';
import { createCluster } from '../data/clusters';
import type { ClusterSummary, Status } from '../types';
import { assertSettingsAllowed, validateSettings } from './settings';

export interface RegisterInput {
  name: string;
  kubeconfigText: string;
  context?: string;
  labels?: Record<string, string>;
  /** Extra Leases (namespace/name) and DNS servers to probe. */
  settings?: { leases?: unknown; dnsServers?: unknown };
  /** Folder for relative file references in the kubeconfig (CLI only; the web form has none). */
  baseDir?: string;
  /** Skip the live connection test (e.g. registering a cluster that is down right now). */
  skipTest?: boolean;
  timeoutMs?: number;
  /** etcd client endpoints to probe directly (optional client certificate/key and CA, PEM text). Stored encrypted with the kubeconfig. */
  etcd?: EtcdTarget;
}

const NAME_RE = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;
const LABEL_KEY_RE = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE_RE = /^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/;

/** Cluster ids are UUIDs; a name shaped like one would make `{id}` in URLs and the CLI ambiguous. */
const ID_LIKE_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function validateClusterName(name: string): string {
  const n = name.trim();
  if (!NAME_RE.test(n)) {
    throw new QuorumError('kubeconfig-invalid', `cluster name "${name}" must be 1–63 lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit`);
  }
  if (ID_LIKE_RE.test(n)) throw new QuorumError('invalid-input', `cluster name "${n}" looks like a cluster id (a UUID); choose a name people can read`);
  return n;
}

/** Parses "k=v,k2=v2" (as typed in the form or given to --label) into validated labels. */
export function parseLabels(text: string | string[] | undefined): Record<string, string> {
  const parts = (Array.isArray(text) ? text : [text ?? '']).flatMap((t) => t.split(',')).map((s) => s.trim()).filter(Boolean);
  const labels: Record<string, string> = {};
  for (const p of parts) {
    const i = p.indexOf('=');
    if (i <= 0) throw new QuorumError('kubeconfig-invalid', `label "${p}" must look like key=value`);
    const k = p.slice(0, i).trim();
    const v = p.slice(i + 1).trim();
    if (!LABEL_KEY_RE.test(k)) throw new QuorumError('kubeconfig-invalid', `label key "${k}" is not a valid Kubernetes-style label key`);
    if (!LABEL_VALUE_RE.test(v) || v.length > 63) throw new QuorumError('kubeconfig-invalid', `label value "${v}" is not a valid label value`);
    labels[k] = v;
  }
  return labels;
}

/**
 * Registers a cluster: validate the kubeconfig, prove the endpoint is a Kubernetes API that accepts
 * the credentials, then store a minimal self-contained kubeconfig for the chosen context, encrypted.
 * Returns the stored cluster plus the connection test (for the form/CLI to show).
 */
export async function registerCluster(input: RegisterInput): Promise<ClusterSummary & { test: ConnectionTestResult | null; etcdTest?: EtcdTestResult }> {
  const name = validateClusterName(input.name);
  const settings = assertSettingsAllowed(validateSettings(input.settings ?? {}));
  const etcd = input.etcd ? validateEtcdTarget(input.etcd) : undefined;
  const resolved = resolveContext(input.kubeconfigText, input.context, input.baseDir ? { baseDir: input.baseDir } : {});
  // Checked even with skipTest: nothing is stored that the collector would then connect to against policy.
  outboundPolicy().checkUrl(resolved.server, 'API server');
  const minimal = toMinimalKubeconfig(resolved);
  let test: ConnectionTestResult | null = null;
  if (!input.skipTest) {
    test = await testConnection({ kubeconfigText: minimal, context: resolved.context, timeoutMs: input.timeoutMs ?? 5000 });
    if (!test.ok && test.error) throw new QuorumError(test.error.errorClass, test.error.message);
  }
  const etcdTest = etcd && !input.skipTest ? await testEtcd(etcd, input.timeoutMs ?? 5000) : undefined;
  const cluster = await createCluster({
    name,
    server: resolved.server,
    context: resolved.context,
    labels: input.labels ?? {},
    settings,
    kubeconfigYaml: minimal,
    ...(etcd ? { etcd } : {}),
  });
  return { ...cluster, test, ...(etcdTest ? { etcdTest } : {}) };
}

export interface EtcdTestResult {
  status: Status;
  reason: string;
}

/**
 * Probes the etcd endpoints once. Refuses the registration only when no endpoint could be read at
 * all (wrong URL, certificate, CA…), naming the error class; a degraded or leaderless etcd that
 * answers is registered (that is what Quorum is for) and the state is returned.
 */
async function testEtcd(etcd: EtcdTarget, timeoutMs: number): Promise<EtcdTestResult> {
  const client = createEtcdClient(etcd);
  try {
    const [summary] = await probeEtcd(client, { timeoutMs, signal: AbortSignal.timeout(timeoutMs * 3), now: Date.now });
    const cls = summary?.detail?.errorClass;
    if (!summary || cls) throw new QuorumError(cls ?? 'internal', `etcd: ${summary?.reason ?? 'no answer'}`);
    return { status: summary.status, reason: summary.reason };
  } finally {
    client.close();
  }
}
