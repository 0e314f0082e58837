// In-cluster mode (QUORUM_SELF_REGISTER=true): Quorum registers the cluster it runs in, through its own
// ServiceAccount — the token and CA the kubelet mounts at /var/run/secrets/kubernetes.io/serviceaccount
// and the API server from KUBERNETES_SERVICE_HOST/PORT — and keeps that registration working.
//
// Idempotent across replicas and restarts: the cluster is registered once under QUORUM_SELF_CLUSTER_NAME
// (a unique name: when several replicas race, one insert wins and the others find it) and labelled
// `quorum.dev/in-cluster=true`; a cluster of that name registered by a person is never touched. The
// stored token is one replica's pod-bound token, which dies with that pod (a rolling update): every
// replica checks the stored credentials each minute and, when the cluster refuses them (401), stores
// its own working token instead. A refused token is replaced; anything else (network) is left alone.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { registerCluster } from '../clusters/register';
import { getCluster, loadClusterKubeconfig, replaceClusterKubeconfig } from '../data/clusters';
import { DbError } from '../db/errors';
import { pause } from '../deadline';
import type { SelfRegisterEnv } from '../env';
import { QuorumError, describeError } from '../errors';
import { testConnection } from '../k8s/connection';

export const IN_CLUSTER_LABEL = 'quorum.dev/in-cluster';
const CHECK_EVERY_MS = 60_000;

export interface InClusterIdentity {
  server: string;
  namespace: string | null;
  kubeconfig: string;
}

/** The kubeconfig of this pod's ServiceAccount (token and CA inlined). Throws QuorumError naming the missing file. */
function inClusterKubeconfig(cfg: SelfRegisterEnv): InClusterIdentity {
  const read = (name: string, required: boolean): string | null => {
    try {
      return readFileSync(path.join(cfg.serviceAccountDir, name), 'utf8').trim();
    } catch (e) {
      if (!required) return null;
      throw new QuorumError('kubeconfig-invalid', `in-cluster registration: cannot read the ServiceAccount ${name} in ${cfg.serviceAccountDir} (${(e as NodeJS.ErrnoException).code ?? describeError(e)}); is automountServiceAccountToken off?`);
    }
  };
  const token = read('token', true)!;
  const ca = read('ca.crt', true)!;
  const namespace = read('namespace', false);
  if (!cfg.apiHost) throw new QuorumError('kubeconfig-invalid', 'in-cluster registration: KUBERNETES_SERVICE_HOST is not set (not in a pod?)');
  const host = cfg.apiHost.includes(':') ? `[${cfg.apiHost}]` : cfg.apiHost;
  const server = `https://${host}:${cfg.apiPort}`;
  const kubeconfig = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': cfg.name,
    clusters: [{ name: cfg.name, cluster: { server, 'certificate-authority-data': Buffer.from(`${ca}\n`).toString('base64') } }],
    users: [{ name: 'serviceaccount', user: { token } }],
    contexts: [{ name: cfg.name, context: { cluster: cfg.name, user: 'serviceaccount', ...(namespace ? { namespace } : {}) } }],
  });
  return { server, namespace, kubeconfig };
}

export type SelfRegisterOutcome = 'created' | 'unchanged' | 'updated' | 'name-taken' | 'unverified';

/** One pass: register when missing, replace refused credentials. Throws on database or ServiceAccount trouble. */
export async function ensureSelfRegistered(cfg: SelfRegisterEnv, log: (l: Record<string, unknown>) => void): Promise<SelfRegisterOutcome> {
  const me = inClusterKubeconfig(cfg);
  let existing = await getCluster(cfg.name);
  if (!existing) {
    try {
      const c = await registerCluster({ name: cfg.name, kubeconfigText: me.kubeconfig, labels: { [IN_CLUSTER_LABEL]: 'true' } });
      log({ event: 'self-registered', cluster: c.name, id: c.id, server: c.server, version: c.test?.version ?? null });
      return 'created';
    } catch (e) {
      if (!(e instanceof DbError && e.kind === 'conflict')) throw e;
      existing = await getCluster(cfg.name); // another replica was quicker
      if (!existing) throw e;
    }
  }
  if (existing.labels[IN_CLUSTER_LABEL] !== 'true') return 'name-taken';
  const stored = await testConnection({ kubeconfigText: await loadClusterKubeconfig(existing.id), timeoutMs: 5000 });
  if (stored.ok && existing.server === me.server) return 'unchanged';
  if (!stored.ok && stored.error?.errorClass !== 'unauthorized' && existing.server === me.server) return 'unverified';
  const mine = await testConnection({ kubeconfigText: me.kubeconfig, timeoutMs: 5000 });
  if (!mine.ok) throw new QuorumError(mine.error?.errorClass ?? 'internal', `in-cluster registration: this pod's ServiceAccount cannot reach ${me.server}: ${mine.error?.message ?? 'no answer'}`);
  await replaceClusterKubeconfig(existing.id, me.kubeconfig);
  log({ event: 'self-registration-renewed', cluster: existing.name, why: existing.server !== me.server ? `API server moved: ${existing.server} → ${me.server}` : `the stored token was refused (${stored.error?.message ?? '401'}); stored this pod's` });
  return 'updated';
}

/** Runs ensureSelfRegistered once the database is migrated, then every minute, until `signal` aborts. Never rejects. */
export async function selfRegisterLoop(opts: { cfg: SelfRegisterEnv; log: (l: Record<string, unknown>) => void; signal: AbortSignal; after: Promise<unknown> }): Promise<void> {
  await opts.after;
  let warned = false;
  while (!opts.signal.aborted) {
    try {
      const r = await ensureSelfRegistered(opts.cfg, opts.log);
      if (r === 'name-taken' && !warned) {
        warned = true;
        opts.log({ event: 'self-register-skipped', cluster: opts.cfg.name, why: `a cluster named "${opts.cfg.name}" exists and was not registered by Quorum itself (no ${IN_CLUSTER_LABEL} label); set QUORUM_SELF_CLUSTER_NAME` });
      }
    } catch (e) {
      opts.log({ event: 'self-register-failed', cluster: opts.cfg.name, error: describeError(e) });
    }
    await pause(CHECK_EVERY_MS * (0.8 + Math.random() * 0.4), opts.signal);
  }
}
