// Watches (never polls) the Leases of one namespace: list, then watch from the list's
// resourceVersion with bookmarks; resume from the last resourceVersion after a drop; relist on
// 410 Gone. Every drop is reported as WATCH_DOWN so the failover reducer never invents a gap.
import { Watch } from '@kubernetes/client-node';
import { describeError } from '../errors';
import type { LeaseSnapshot, WatchInput } from '../failover/reducer';
import type { K8sConnection } from './client';

interface LeaseObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: { holderIdentity?: string | null; leaseDurationSeconds?: number | null; acquireTime?: string | null; renewTime?: string | null; leaseTransitions?: number | null };
}

export function toSnapshot(o: LeaseObject): LeaseSnapshot {
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
  /** Delay before re-establishing a dropped watch. */
  retryMs?: number;
  timeoutMs?: number;
}

class GoneError extends Error {}

/** Runs until `signal` aborts. Resolves then; never rejects. */
export async function watchLeases(conn: K8sConnection, o: LeaseWatchOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const retryMs = o.retryMs ?? 1000;
  const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(o.namespace)}/leases`;
  const keep = (s: LeaseSnapshot): boolean => !o.names || o.names.has(s.name);
  let resourceVersion: string | null = null;
  const sleep = (ms: number) => new Promise<void>((r) => { const t = setTimeout(r, ms); o.signal.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true }); });

  while (!o.signal.aborted) {
    try {
      if (resourceVersion === null) {
        const res = await conn.get(base, { timeoutMs: o.timeoutMs ?? 10_000, signal: o.signal });
        if (res.status !== 200) throw new Error(`list leases: HTTP ${res.status} ${res.body.slice(0, 200)}`);
        const list = JSON.parse(res.body) as { metadata?: { resourceVersion?: string }; items?: LeaseObject[] };
        const at = now();
        for (const item of list.items ?? []) {
          const s = toSnapshot({ ...item, metadata: { ...item.metadata, namespace: o.namespace } });
          if (keep(s)) o.onInput({ type: 'MODIFIED', lease: s, observedAt: at });
        }
        resourceVersion = list.metadata?.resourceVersion ?? null;
        o.onSynced?.();
        o.onLog?.({ event: 'lease-list', namespace: o.namespace, items: list.items?.length ?? 0, resourceVersion });
      }
      await new Promise<void>((resolve, reject) => {
        let controller: AbortController | undefined;
        const onAbort = (): void => controller?.abort();
        o.signal.addEventListener('abort', onAbort, { once: true });
        new Watch(conn.kubeConfig)
          .watch(
            base,
            { allowWatchBookmarks: true, resourceVersion: resourceVersion ?? undefined, timeoutSeconds: 240 },
            (phase: string, obj: unknown) => {
              const at = now();
              if (phase === 'ERROR') {
                const st = obj as { code?: number; message?: string };
                if (st.code === 410) reject(new GoneError(st.message ?? '410 Gone'));
                else reject(new Error(`watch error ${st.code ?? ''}: ${st.message ?? ''}`));
                controller?.abort();
                return;
              }
              const lo = obj as LeaseObject;
              if (lo.metadata?.resourceVersion) resourceVersion = lo.metadata.resourceVersion;
              if (phase === 'BOOKMARK') return;
              const s = toSnapshot({ ...lo, metadata: { ...lo.metadata, namespace: o.namespace } });
              if (!keep(s)) return;
              if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') o.onInput({ type: phase, lease: s, observedAt: at });
            },
            (err: unknown) => {
              o.signal.removeEventListener('abort', onAbort);
              const code = (err as { statusCode?: number } | null)?.statusCode;
              if (code === 410) reject(new GoneError('410 Gone'));
              else if (err && !o.signal.aborted) reject(err instanceof Error ? err : new Error(describeError(err)));
              else resolve(); // server closed the watch normally (timeoutSeconds): resume from resourceVersion
            },
          )
          .then((c) => {
            controller = c;
            if (o.signal.aborted) c.abort();
          })
          .catch(reject);
      });
    } catch (e) {
      if (o.signal.aborted) break;
      const gone = e instanceof GoneError;
      if (gone) resourceVersion = null;
      o.onInput({ type: 'WATCH_DOWN', at: now(), reason: `${gone ? 'lease watch expired (410 Gone), relisting' : 'lease watch dropped'}: ${describeError(e)}` });
      o.onLog?.({ event: 'lease-watch-down', namespace: o.namespace, gone, error: describeError(e) });
      await sleep(retryMs);
    }
  }
}
