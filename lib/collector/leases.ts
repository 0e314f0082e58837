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

export interface LeaseTracker {
  view(now: number): LeaseView[];
  stop(): void;
  watchDownSince: number | null;
}

export function startLeaseTracker(
  conn: K8sConnection,
  opts: { names?: readonly string[]; onFailover: (e: FailoverEvent) => void; onLog?: (l: Record<string, unknown>) => void; now?: () => number },
): LeaseTracker {
  const names = new Set(opts.names ?? DEFAULT_LEASES);
  const states = new Map<string, LeaseState>();
  const controller = new AbortController();
  const tracker: LeaseTracker = {
    watchDownSince: null,
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
  const onInput = (input: WatchInput): void => {
    if (input.type === 'WATCH_DOWN') {
      tracker.watchDownSince ??= input.at;
      for (const [k, s] of states) states.set(k, reduceLease(s, input).state);
      return;
    }
    tracker.watchDownSince = null;
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
  void watchLeases(conn, { namespace: 'kube-system', names, onInput, signal: controller.signal, ...(opts.onLog ? { onLog: opts.onLog } : {}), ...(opts.now ? { now: opts.now } : {}) });
  return tracker;
}
