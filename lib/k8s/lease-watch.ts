// Watches (never polls) the Leases of one namespace with the informer machinery (lib/k8s/informer.ts):
// list, then watch from the list's resourceVersion with bookmarks; resume from the last
// resourceVersion after a drop; relist on 410 Gone; retries per the one backoff policy. Every drop is
// reported as WATCH_DOWN so the failover reducer never invents a gap.
import { describeError } from '../errors';
import type { LeaseSnapshot, WatchInput } from '../failover/reducer';
import type { K8sConnection } from './client';
import { runListWatch, type KubeObject } from './informer';

interface LeaseObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> } | null;
  spec?: { holderIdentity?: string | null; leaseDurationSeconds?: number | null; acquireTime?: string | null; renewTime?: string | null; leaseTransitions?: number | null };
}

/** The label of the apiserver identity Leases (one per kube-apiserver, kube-system). */
const IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';

function toSnapshot(o: LeaseObject): LeaseSnapshot {
  return {
    namespace: o.metadata?.namespace ?? '',
    name: o.metadata?.name ?? '',
    holderIdentity: o.spec?.holderIdentity ?? null,
    leaseDurationSeconds: o.spec?.leaseDurationSeconds ?? null,
    acquireTime: o.spec?.acquireTime ?? null,
    renewTime: o.spec?.renewTime ?? null,
    leaseTransitions: o.spec?.leaseTransitions ?? null,
    resourceVersion: o.metadata?.resourceVersion ?? '',
  };
}

export interface LeaseWatchOptions {
  namespace: string;
  /** Only these lease names (undefined = all in the namespace). */
  names?: ReadonlySet<string>;
  onInput: (input: WatchInput) => void;
  /** After every (re)list has been delivered through onInput. */
  onSynced?: () => void;
  onLog?: (line: Record<string, unknown>) => void;
  now?: () => number;
  signal: AbortSignal;
  timeoutMs?: number;
}

/** Runs until `signal` aborts. Resolves then; never rejects. */
export async function watchLeases(conn: K8sConnection, o: LeaseWatchOptions): Promise<void> {
  const keep = (s: LeaseSnapshot): boolean => !o.names || o.names.has(s.name);
  const snap = (obj: KubeObject): LeaseSnapshot => {
    const lo = obj as LeaseObject;
    return toSnapshot({ ...lo, metadata: { ...lo.metadata, namespace: o.namespace } });
  };
  // kube-system also holds one identity Lease per apiserver, renewed every 10 s: not leader election,
  // and dropped by `keep` anyway, so the server leaves them out (unless one is asked for by name).
  const identities = !o.names || [...o.names].some((n) => n.startsWith('apiserver-'));
  await runListWatch(conn, {
    path: `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(o.namespace)}/leases`,
    ...(identities ? {} : { labelSelector: `!${IDENTITY_LABEL}` }),
    signal: o.signal,
    timeoutMs: o.timeoutMs ?? 10_000,
    ...(o.now ? { now: o.now } : {}),
    ...(o.onLog ? { onLog: o.onLog } : {}),
    onEvent: (e) => {
      switch (e.type) {
        case 'RELIST':
        case 'RESUMED':
          return;
        case 'LISTED': {
          // A listed Lease is its current state: folded like a modification, observed now.
          const s = snap(e.object);
          if (keep(s)) o.onInput({ type: 'MODIFIED', lease: s, observedAt: e.at });
          return;
        }
        case 'SYNCED':
          o.onSynced?.();
          o.onLog?.({ event: 'lease-list', namespace: o.namespace, items: e.items, resourceVersion: e.resourceVersion, mode: e.mode });
          return;
        case 'ADDED':
        case 'MODIFIED':
        case 'DELETED': {
          const s = snap(e.object);
          if (keep(s)) o.onInput({ type: e.type, lease: s, observedAt: e.at });
          return;
        }
        case 'DOWN':
          o.onInput({ type: 'WATCH_DOWN', at: e.at, reason: `${e.gone ? 'lease watch expired (410 Gone), relisting' : 'lease watch dropped'}: ${describeError(e.error)}` });
          o.onLog?.({ event: 'lease-watch-down', namespace: o.namespace, gone: e.gone, error: describeError(e.error), retryInMs: e.retryInMs });
          return;
        default: {
          const never: never = e;
          throw new Error(`unknown list-watch event ${String((never as { type: unknown }).type)}`);
        }
      }
    },
  });
}
