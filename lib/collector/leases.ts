// Leader-election tracking: one Lease watch per cluster (kube-system), folded by the pure reducer.
// Failover events go to `onFailover` as they happen; `view()` gives the current state for samples.
import { describeError } from '../errors';
import type { K8sConnection } from '../k8s/client';
import { watchLeases } from '../k8s/lease-watch';
import { initialLeaseState, parseMicroTime, reduceLease, type FailoverEvent, type LeaseState, type WatchInput } from '../failover/reducer';

export const DEFAULT_LEASES = ['kube-scheduler', 'kube-controller-manager', 'cloud-controller-manager'] as const;

export interface LeaseView {
  lease: string; // namespace/name
  holder: string | null;
  renewAgeMs: number | null;
  leaseDurationSeconds: number | null;
  leaseTransitions: number | null;
  /** The watch is not delivering right now (state may be stale). */
  watchDown: boolean;
  /** Ever seen in this collector's lifetime (cloud-controller-manager often does not exist). */
  seen: boolean;
}

/** The watch of `namespace` delivered nothing in [startedAt, endedAt] (ms since epoch). */
export interface WatchGap {
  namespace: string;
  startedAt: number;
  endedAt: number;
  reason: string;
}

/** What the collector last knew of a Lease before it (re)started: the holder and its transitions counter. */
export interface LeaseSeed {
  name: string;
  holder: string;
  leaseTransitions: number | null;
  leaseDurationSeconds: number | null;
  /** When that was observed (ms); the watch is treated as down since then. */
  observedAt: number;
}

export interface LeaseTracker {
  view(now: number): LeaseView[];
  /** Resolves once the first list has been folded in, or the first attempt failed (never rejects). */
  synced: Promise<void>;
  stop(): void;
  watchDownSince: number | null;
}

export function startLeaseTracker(
  conn: K8sConnection,
  opts: {
    names?: readonly string[];
    onFailover: (e: FailoverEvent) => void;
    /** Called when the watch delivers again after a drop (or after the collector was not running). */
    onWatchGap?: (g: WatchGap) => void;
    /**
     * What a previous collector run last saw. A different holder (or more transitions) at the first
     * list is a takeover that happened while nobody watched: recorded as `unobserved`, gap unknown.
     */
    seeds?: readonly LeaseSeed[];
    onLog?: (l: Record<string, unknown>) => void;
    now?: () => number;
  },
): LeaseTracker {
  const names = new Set(opts.names ?? DEFAULT_LEASES);
  const states = new Map<string, LeaseState>();
  let downReason = '';
  for (const seed of opts.seeds ?? []) {
    if (!names.has(seed.name) || !seed.holder) continue;
    const snap = {
      namespace: 'kube-system',
      name: seed.name,
      holderIdentity: seed.holder,
      leaseDurationSeconds: seed.leaseDurationSeconds,
      acquireTime: null,
      renewTime: null,
      leaseTransitions: seed.leaseTransitions,
      resourceVersion: '',
    };
    states.set(seed.name, { current: snap, lastHolder: { identity: seed.holder, renewTime: null, leaseDurationSeconds: seed.leaseDurationSeconds }, blind: true, released: false });
  }
  const controller = new AbortController();
  const seededSince = Math.min(...(opts.seeds ?? []).filter((x) => names.has(x.name)).map((x) => x.observedAt));
  if (Number.isFinite(seededSince)) downReason = 'collector was not running';
  let markSynced!: () => void;
  const synced = new Promise<void>((r) => (markSynced = r));
  const tracker: LeaseTracker = {
    synced,
    watchDownSince: Number.isFinite(seededSince) ? seededSince : null,
    view(now: number): LeaseView[] {
      return [...names].sort().map((name) => {
        const s = states.get(name);
        const cur = s?.current ?? null;
        const renew = parseMicroTime(cur?.renewTime);
        return {
          lease: `kube-system/${name}`,
          holder: cur?.holderIdentity || null,
          renewAgeMs: renew === null ? null : Math.max(0, now - renew / 1000),
          leaseDurationSeconds: cur?.leaseDurationSeconds ?? null,
          leaseTransitions: cur?.leaseTransitions ?? null,
          watchDown: tracker.watchDownSince !== null,
          seen: cur !== null,
        };
      });
    },
    stop: () => controller.abort(),
  };
  const closeGap = (at: number): void => {
    if (tracker.watchDownSince === null) return;
    const gap: WatchGap = { namespace: 'kube-system', startedAt: tracker.watchDownSince, endedAt: at, reason: downReason || 'watch down' };
    tracker.watchDownSince = null;
    try {
      opts.onWatchGap?.(gap);
    } catch (e) {
      opts.onLog?.({ event: 'watch-gap-handler-error', error: describeError(e) });
    }
  };
  const now = opts.now ?? Date.now;
  const onSynced = (): void => {
    closeGap(now());
    // A seeded Lease the list did not return no longer exists: forget what the last run saw.
    for (const [name, st] of states) if (st.current?.resourceVersion === '') states.delete(name);
    markSynced();
  };
  const onInput = (input: WatchInput): void => {
    if (input.type === 'WATCH_DOWN') {
      markSynced();
      if (tracker.watchDownSince === null) {
        tracker.watchDownSince = input.at;
        downReason = input.reason;
      }
      for (const [k, s] of states) states.set(k, reduceLease(s, input).state);
      return;
    }
    closeGap(input.observedAt);
    const name = input.lease.name;
    const r = reduceLease(states.get(name) ?? initialLeaseState, input);
    states.set(name, r.state);
    if (r.event) {
      try {
        opts.onFailover(r.event);
      } catch (e) {
        opts.onLog?.({ event: 'failover-handler-error', error: describeError(e) });
      }
    }
  };
  void watchLeases(conn, { namespace: 'kube-system', names, onInput, signal: controller.signal, onSynced, ...(opts.onLog ? { onLog: opts.onLog } : {}), ...(opts.now ? { now: opts.now } : {}) });
  return tracker;
}
