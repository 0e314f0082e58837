// Leader-election failover detection: a pure reducer over Lease watch events.
// Gap = new holder's acquireTime − previous holder's last observed renewTime (both MicroTime).
// Only a watch sees the last renewTime before a takeover; when the watch was down in between, the
// gap is unknown and the event is `unobserved` — never a made-up number.

/** The Lease fields that matter, as the API serves them (MicroTime strings with 6 fractional digits). */
export interface LeaseSnapshot {
  namespace: string;
  name: string;
  holderIdentity: string | null;
  leaseDurationSeconds: number | null;
  acquireTime: string | null;
  renewTime: string | null;
  leaseTransitions: number | null;
  resourceVersion: string;
}

export type WatchInput =
  | { type: 'ADDED' | 'MODIFIED'; lease: LeaseSnapshot; observedAt: number }
  | { type: 'DELETED'; lease: LeaseSnapshot; observedAt: number }
  /** The watch stopped (error, 410 Gone, collector restart): anything until the next event is unseen. */
  | { type: 'WATCH_DOWN'; at: number; reason: string };

export type FailoverKind = 'crash' | 'graceful' | 'unobserved';

export interface FailoverEvent {
  lease: string; // namespace/name
  kind: FailoverKind;
  previousHolder: string;
  newHolder: string;
  /** Previous holder's last renewTime seen by the watch (ISO with µs as served), null if unobserved. */
  previousRenewTime: string | null;
  newAcquireTime: string | null;
  /** Exact to the microsecond, expressed in ms (may be fractional); null when not measurable. */
  gapMs: number | null;
  leaseDurationSeconds: number | null;
  /** Transitions counter of the new record; a jump >1 means takeovers happened unseen. */
  leaseTransitions: number | null;
  observedAt: number;
}

export interface LeaseState {
  current: LeaseSnapshot | null;
  /** The last holder that actually held the lease, with its last renewTime while holding it. */
  lastHolder: { identity: string; renewTime: string | null; leaseDurationSeconds: number | null } | null;
  /** True when the watch was down since the last observation. */
  blind: boolean;
  /** The holder released the lease gracefully (empty holder written) and nobody took it yet. */
  released: boolean;
}

export const initialLeaseState: LeaseState = { current: null, lastHolder: null, blind: false, released: false };

/** Parses a Kubernetes MicroTime/Time ("2026-11-26T19:22:09.123456Z") into microseconds since epoch. */
export function parseMicroTime(s: string | null | undefined): number | null {
  if (!s) return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return null;
  const base = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(base)) return null;
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return base * 1000 + Number(frac);
}

function gapMsBetween(fromMicro: string | null, toMicro: string | null): number | null {
  const a = parseMicroTime(fromMicro);
  const b = parseMicroTime(toMicro);
  if (a === null || b === null) return null;
  return (b - a) / 1000;
}

const held = (l: LeaseSnapshot | null): l is LeaseSnapshot & { holderIdentity: string } => !!l && !!l.holderIdentity;

/**
 * Folds one watch input into the state, returning the new state and the failover it revealed, if any.
 * - first observation: remember, no event;
 * - same holder renewing: remember its renewTime;
 * - holder → empty (graceful release, leaseDurationSeconds 1): remember the release;
 * - empty → B after a release: `graceful`; A → B directly: `crash` (the lease had to expire);
 * - same holder but leaseTransitions grew: it lost and re-acquired the lease: `crash`;
 * - any of these after WATCH_DOWN: `unobserved` with gapMs null.
 */
export function reduceLease(state: LeaseState, input: WatchInput): { state: LeaseState; event: FailoverEvent | null } {
  if (input.type === 'WATCH_DOWN') return { state: { ...state, blind: true }, event: null };
  if (input.type === 'DELETED') return { state: { ...initialLeaseState, blind: true }, event: null };
  const next = input.lease;
  const prev = state.current;
  const key = `${next.namespace}/${next.name}`;
  const base: LeaseState = { ...state, current: next, blind: false };

  if (!held(next)) {
    // Released (or never held). Keep lastHolder: the failover is recorded when someone takes it.
    return { state: { ...base, released: state.released || held(prev) }, event: null };
  }
  const holderState = { identity: next.holderIdentity, renewTime: next.renewTime, leaseDurationSeconds: next.leaseDurationSeconds };
  const last = state.lastHolder;
  if (last === null) {
    // First holder we ever see: an acquisition, not a failover.
    return { state: { ...base, lastHolder: holderState, released: false }, event: null };
  }
  const transitionsGrew = prev?.leaseTransitions != null && next.leaseTransitions != null && next.leaseTransitions > prev.leaseTransitions;
  if (last.identity === next.holderIdentity && !transitionsGrew && !state.released) {
    return { state: { ...base, lastHolder: holderState }, event: null }; // a renewal
  }
  const blind = state.blind;
  const kind: FailoverKind = blind ? 'unobserved' : state.released ? 'graceful' : 'crash';
  const event: FailoverEvent = {
    lease: key,
    kind,
    previousHolder: last.identity,
    newHolder: next.holderIdentity,
    previousRenewTime: blind ? null : last.renewTime,
    newAcquireTime: next.acquireTime,
    gapMs: blind ? null : gapMsBetween(last.renewTime, next.acquireTime),
    leaseDurationSeconds: last.leaseDurationSeconds ?? next.leaseDurationSeconds,
    leaseTransitions: next.leaseTransitions,
    observedAt: input.observedAt,
  };
  return { state: { ...base, lastHolder: holderState, released: false }, event };
}
