// Leader-election tracking: per cluster, one Lease watch per namespace (kube-system for the default
// Leases, plus the namespaces of Leases the user added), folded by the pure reducer. Failover events
// go to `onFailover` as they happen; `view()` gives the current state for samples.
import { describeError } from '../errors';
import type { K8sConnection } from '../k8s/client';
import { watchLeases } from '../k8s/lease-watch';
import { initialLeaseState, parseMicroTime, reduceLease, type FailoverEvent, type LeaseState, type WatchInput } from '../failover/reducer';
import type { LeaseSeed, LeaseView, WatchGap } from '../failover/lease-types';

const DEFAULT_LEASES = ['kube-scheduler', 'kube-controller-manager', 'cloud-controller-manager'] as const;
export const DEFAULT_LEASE_REFS: readonly string[] = DEFAULT_LEASES.map((n) => `kube-system/${n}`);

export interface LeaseTracker {
  view(now: number): LeaseView[];
  /** Resolves once every namespace's first list has been folded in, or failed once (never rejects). */
  synced: Promise<void>;
  stop(): void;
  /** Earliest start of a current watch outage over all namespaces, null when every watch delivers. */
  readonly watchDownSince: number | null;
}

function splitRef(ref: string): { namespace: string; name: string } {
  const i = ref.indexOf('/');
  return { namespace: ref.slice(0, i), name: ref.slice(i + 1) };
}

export function startLeaseTracker(
  conn: K8sConnection,
  opts: {
    /** namespace/name of every Lease to watch (default: the three control-plane Leases in kube-system). */
    leases?: readonly string[];
    onFailover: (e: FailoverEvent) => void;
    /** Called when a namespace's watch delivers again after a drop (or after the collector was not running). */
    onWatchGap?: (g: WatchGap) => void;
    /**
     * What a previous run last saw. A different holder (or more transitions) at the first list is a
     * takeover that happened while nobody watched: recorded as `unobserved`, gap unknown.
     */
    seeds?: readonly LeaseSeed[];
    /** Why the seeded period was unwatched (for the recorded gap). */
    seedReason?: string;
    onLog?: (l: Record<string, unknown>) => void;
    now?: () => number;
  },
): LeaseTracker {
  const refs = [...new Set(opts.leases ?? DEFAULT_LEASE_REFS)].filter((r) => r.indexOf('/') > 0);
  const byNamespace = new Map<string, Set<string>>();
  for (const r of refs) {
    const { namespace, name } = splitRef(r);
    byNamespace.set(namespace, (byNamespace.get(namespace) ?? new Set()).add(name));
  }
  const states = new Map<string, LeaseState>();
  const watches = new Map<string, { downSince: number | null; reason: string; synced: boolean }>();
  for (const ns of byNamespace.keys()) watches.set(ns, { downSince: null, reason: '', synced: false });
  for (const seed of opts.seeds ?? []) {
    if (!refs.includes(seed.lease) || !seed.holder) continue;
    const { namespace, name } = splitRef(seed.lease);
    const snap = { namespace, name, holderIdentity: seed.holder, leaseDurationSeconds: seed.leaseDurationSeconds, acquireTime: null, renewTime: null, leaseTransitions: seed.leaseTransitions, resourceVersion: '' };
    states.set(seed.lease, { current: snap, lastHolder: { identity: seed.holder, renewTime: null, leaseDurationSeconds: seed.leaseDurationSeconds }, blind: true, released: false });
    const w = watches.get(namespace)!;
    if (w.downSince === null || seed.observedAt < w.downSince) {
      w.downSince = seed.observedAt;
      w.reason = opts.seedReason ?? 'collector was not running';
    }
  }
  const controller = new AbortController();
  const now = opts.now ?? Date.now;
  let markSynced!: () => void;
  const synced = new Promise<void>((r) => (markSynced = r));
  const checkSynced = (): void => {
    if ([...watches.values()].every((w) => w.synced)) markSynced();
  };
  if (watches.size === 0) markSynced();

  const closeGap = (namespace: string, at: number): void => {
    const w = watches.get(namespace);
    if (!w || w.downSince === null) return;
    const gap: WatchGap = { namespace, startedAt: w.downSince, endedAt: at, reason: w.reason || 'watch down' };
    w.downSince = null;
    try {
      opts.onWatchGap?.(gap);
    } catch (e) {
      opts.onLog?.({ event: 'watch-gap-handler-error', error: describeError(e) });
    }
  };

  for (const [namespace, names] of byNamespace) {
    const w = watches.get(namespace)!;
    const onSynced = (): void => {
      closeGap(namespace, now());
      // A seeded Lease the list did not return no longer exists: forget what the last run saw.
      for (const [ref, st] of states) if (st.current?.resourceVersion === '' && splitRef(ref).namespace === namespace) states.delete(ref);
      w.synced = true;
      checkSynced();
    };
    const onInput = (input: WatchInput): void => {
      if (input.type === 'WATCH_DOWN') {
        w.synced = true;
        checkSynced();
        if (w.downSince === null) {
          w.downSince = input.at;
          w.reason = input.reason;
        }
        for (const [ref, s] of states) if (splitRef(ref).namespace === namespace) states.set(ref, reduceLease(s, input).state);
        return;
      }
      closeGap(namespace, input.observedAt);
      const ref = `${namespace}/${input.lease.name}`;
      const r = reduceLease(states.get(ref) ?? initialLeaseState, input);
      states.set(ref, r.state);
      if (r.event) {
        try {
          opts.onFailover(r.event);
        } catch (e) {
          opts.onLog?.({ event: 'failover-handler-error', error: describeError(e) });
        }
      }
    };
    void watchLeases(conn, { namespace, names, onInput, onSynced, signal: controller.signal, ...(opts.onLog ? { onLog: opts.onLog } : {}), now });
  }

  return {
    synced,
    get watchDownSince(): number | null {
      const downs = [...watches.values()].flatMap((w) => (w.downSince === null ? [] : [w.downSince]));
      return downs.length ? Math.min(...downs) : null;
    },
    view(at: number): LeaseView[] {
      return refs.map((ref) => {
        const cur = states.get(ref)?.current ?? null;
        const renew = parseMicroTime(cur?.renewTime);
        return {
          lease: ref,
          holder: cur?.holderIdentity || null,
          renewAgeMs: renew === null ? null : Math.max(0, at - renew / 1000),
          leaseDurationSeconds: cur?.leaseDurationSeconds ?? null,
          leaseTransitions: cur?.leaseTransitions ?? null,
          watchDown: watches.get(splitRef(ref).namespace)?.downSince != null,
          ...(watches.get(splitRef(ref).namespace)?.downSince != null ? { watchReason: watches.get(splitRef(ref).namespace)!.reason } : {}),
          seen: cur !== null,
        };
      });
    },
    stop: () => controller.abort(),
  };
}
