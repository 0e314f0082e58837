// Deadlines and the one retry policy (exponential backoff with full jitter). Sleeps are
// node:timers/promises, abortable through their signal.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Settles like `work`, or rejects with `onTimeout()` after `ms`. The work is NOT cancelled (a
 * database call cannot be, once sent): it runs on in the background, and a late rejection is
 * swallowed here so it never becomes an unhandled rejection.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  work.catch(() => undefined);
  // A plain timer, cleared when the work settles first (an AbortController + timers/promises sleep built a
  // DOMException and an AbortError on every call that finished in time: per cluster and cycle, measurable).
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
        timer.unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An abortable pause that resolves (never rejects) when the signal fires. `ref: false`: the timer does
 * not keep the process alive (background retries, e.g. a watch waiting to reconnect).
 */
export async function pause(ms: number, signal?: AbortSignal, o: { ref?: boolean } = {}): Promise<void> {
  try {
    await sleep(ms, undefined, { ...(signal ? { signal } : {}), ...(o.ref === false ? { ref: false } : {}) });
  } catch {
    /* aborted */
  }
}

/**
 * Waits until `work` settles or `ms` pass, whichever comes first, then returns (a rejection of `work`
 * within the time still rejects). For "give it this long, then look at the state".
 */
export async function waitAtMost(work: Promise<unknown>, ms: number): Promise<void> {
  // As withDeadline: a plain timer (the probes call this several times per cluster and cycle, mostly on settled work).
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
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

/** Re-establishing a dropped Kubernetes watch or list (lib/k8s/informer.ts): up to 1 s, 2 s, 4 s … 30 s. */
export const WATCH_RETRY: BackoffPolicy = { baseMs: 1000, maxMs: 30_000 };

/** Consecutive-failure counter over a policy, for long-lived connections: reset once one has proven healthy. */
export class Backoff {
  private attempt = 0;
  constructor(
    readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next retry; each call counts one more consecutive failure. */
  next(): number {
    return backoffMs(this.policy, ++this.attempt, this.random);
  }

  /** The connection worked: the next failure starts from the first delay again. */
  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}

/** One request's deadline and cancellation (lib/k8s/client.ts, lib/etcd/client.ts): see requestDeadline. */
export interface RequestDeadline {
  /** Aborts when the deadline passes or the caller's signal aborts. */
  signal: AbortSignal;
  /** Whether it was the deadline (not the caller) that aborted. */
  readonly timedOut: boolean;
  /** The request settled: drop the timer and the listener on the caller's signal. Idempotent. */
  done(): void;
}

/**
 * A deadline for one request: one AbortController, one timer and one listener on the caller's
 * signal, all released by `done()` when the request settles. `AbortSignal.timeout` + `AbortSignal.any`
 * do the same but leave their timer to fire (and build a DOMException and run the abort listeners)
 * after every request that already finished — per probe, per cycle, per cluster: measurable churn at
 * hundreds of clusters (README "Collector performance").
 */
export function requestDeadline(timeoutMs: number, outer?: AbortSignal): RequestDeadline {
  const controller = new AbortController();
  let timedOut = false;
  const onOuter = (): void => controller.abort(outer?.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    done: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}
