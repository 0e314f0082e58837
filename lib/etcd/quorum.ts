// etcd quorum arithmetic (the etcd FAQ table): majority = floor(n/2)+1, failure tolerance = n − majority.
//   members 1 → majority 1, tolerance 0;  3 → 2, 1;  4 → 3, 1;  5 → 3, 2;  6 → 4, 2;  7 → 4, 3.
import type { Status } from '../types';

export interface QuorumState {
  members: number;
  healthy: number;
  majority: number;
  /** Failures the cluster can still absorb right now (never negative). */
  toleranceNow: number;
  /** Failures the full membership tolerates by design. */
  toleranceDesign: number;
  hasQuorum: boolean;
  status: Status;
  reason: string;
}

export function majority(members: number): number {
  if (!Number.isInteger(members) || members < 0) throw new RangeError(`members must be a non-negative integer, got ${members}`);
  return Math.floor(members / 2) + 1;
}

export function quorumState(members: number, healthy: number, hasLeader: boolean): QuorumState {
  const m = majority(members);
  const hasQuorum = members > 0 && healthy >= m && hasLeader;
  const toleranceDesign = Math.max(0, members - m);
  const toleranceNow = hasQuorum ? healthy - m : 0;
  let status: Status;
  let reason: string;
  if (members === 0) {
    status = 'unknown';
    reason = 'no etcd members known';
  } else if (!hasQuorum) {
    status = 'down';
    reason = !hasLeader && healthy >= m ? `no leader (${healthy}/${members} healthy)` : `quorum lost: ${healthy}/${members} healthy, ${m} needed`;
  } else if (healthy < members) {
    status = 'degraded';
    reason = `${healthy}/${members} healthy; can lose ${toleranceNow} more`;
  } else {
    status = 'up';
    reason = `${healthy}/${members} healthy; tolerates ${toleranceDesign} failure${toleranceDesign === 1 ? '' : 's'}`;
  }
  return { members, healthy, majority: m, toleranceNow, toleranceDesign, hasQuorum, status, reason };
}
