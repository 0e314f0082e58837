// Leader election: the state of each watched Lease, from the collector's watch (never polled).
import { waitAtMost } from '../deadline';
import type { LeaseView } from '../failover/lease-types';
import type { ProbeResult, Status } from '../types';
import type { Probe, ProbeContext } from './types';

/** Pure: one Lease view → status. Held and renewed within its duration: up; expired or empty: down. */
export function classifyLease(v: LeaseView): { status: Status; reason: string } {
  if (v.watchDown) return { status: 'unknown', reason: `lease watch is down; holder unknown${v.watchReason ? ` (${v.watchReason})` : ''}` };
  if (!v.seen) return { status: 'unknown', reason: 'lease does not exist (component not deployed or not elected yet)' };
  if (!v.holder) return { status: 'down', reason: 'no holder: leadership released and not taken' };
  const durMs = (v.leaseDurationSeconds ?? 15) * 1000;
  if (v.renewAgeMs !== null && v.renewAgeMs > durMs) {
    return { status: 'down', reason: `holder ${v.holder} last renewed ${(v.renewAgeMs / 1000).toFixed(1)} s ago, past the ${durMs / 1000} s lease` };
  }
  return { status: 'up', reason: `held by ${v.holder}, renewed ${v.renewAgeMs === null ? '?' : (v.renewAgeMs / 1000).toFixed(1)} s ago (lease ${durMs / 1000} s)` };
}

async function run(ctx: ProbeContext): Promise<ProbeResult[]> {
  if (!ctx.leases) return [];
  if (ctx.leasesSynced) {
    // A new watch (collector start, changed credentials): wait for its first list, within the probe's budget.
    await waitAtMost(ctx.leasesSynced, ctx.timeoutMs);
  }
  const at = ctx.now();
  return ctx.leases(at).map((v) => {
    const c = classifyLease(v);
    return { probe: 'leader-election' as const, target: v.lease, status: c.status, reason: c.reason, latencyMs: null, at, detail: { facts: { ...v } } };
  });
}

export const leaderElection: Probe = { id: 'leader-election', title: 'Leader-election Leases (watched): holder and renew age vs lease duration', run };
