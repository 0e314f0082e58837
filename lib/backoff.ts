// The ONE retry policy of Quorum's long-lived connections (Kubernetes watches, list retries):
// exponential backoff with jitter, reset once a connection has proven healthy. Sleeps use
// node:timers/promises so an abort ends them at once.
import { setTimeout as sleepFor } from 'node:timers/promises';

export interface BackoffPolicy {
  /** First delay (ms) after a failure. */
  initialMs: number;
  /** Upper bound of the delay (ms), before jitter. */
  maxMs: number;
  /** Growth per consecutive failure. */
  factor: number;
  /** ± fraction of the delay drawn at random (0.2 → 80 %–120 %), so many clients never retry in step. */
  jitter: number;
}

/** Re-establishing a dropped watch or list: ~1 s, 2 s, 4 s … capped at 30 s, ± 20 %. */
export const WATCH_RETRY: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.2 };

/** Pure: the delay before retry number `attempt` (0-based) for a random draw `u` in [0, 1). */
export function backoffDelayMs(p: BackoffPolicy, attempt: number, u: number): number {
  const base = Math.min(p.maxMs, p.initialMs * p.factor ** Math.max(0, attempt));
  return Math.round(base * (1 - p.jitter + 2 * p.jitter * u));
}

/** Consecutive-failure counter over a policy. */
export class Backoff {
  private attempt = 0;
  constructor(
    readonly policy: BackoffPolicy = WATCH_RETRY,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay for the next retry; each call counts one more consecutive failure. */
  next(): number {
    return backoffDelayMs(this.policy, this.attempt++, this.random());
  }

  /** A connection worked: the next failure starts from the initial delay again. */
  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}

/**
 * Sleeps `ms` unless `signal` aborts first (then resolves early; never rejects). `ref: false`: the
 * timer does not keep the process alive (background retries).
 */
export async function sleep(ms: number, signal?: AbortSignal, o: { ref?: boolean } = {}): Promise<void> {
  try {
    await sleepFor(ms, undefined, { ...(signal ? { signal } : {}), ref: o.ref ?? true });
  } catch {
    // aborted: the caller checks its signal
  }
}
