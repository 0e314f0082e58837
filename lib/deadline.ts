// Deadlines and the one retry policy (exponential backoff with full jitter). Sleeps are
// node:timers/promises, abortable through their signal.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Settles like `work`, or rejects with `onTimeout()` after `ms`. The work is NOT cancelled (a
 * database call cannot be, once sent): it runs on in the background, and a late rejection is
 * swallowed here so it never becomes an unhandled rejection.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  const timer = new AbortController();
  work.catch(() => undefined);
  try {
    return await Promise.race([
      work,
      sleep(ms, undefined, { signal: timer.signal, ref: false }).then(() => {
        throw onTimeout();
      }),
    ]);
  } finally {
    timer.abort();
  }
}

/** An abortable pause that resolves (never rejects) when the signal fires. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch {
    /* aborted */
  }
}

export interface BackoffPolicy {
  /** First delay. */
  baseMs: number;
  /** Delays never exceed this. */
  maxMs: number;
}

/** Delay before retry number `attempt` (1-based): a random time in [base/2, min(max, base·2^(attempt−1))] ("full jitter", floored at half the base). */
export function backoffMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
  const floor = Math.min(ceiling, policy.baseMs / 2);
  return Math.round(floor + random() * (ceiling - floor));
}
