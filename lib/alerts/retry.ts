// When to retry a notification delivery (pure). The response decides whether to retry at all —
// 5xx, timeouts and connection errors are retried; a 4xx (the receiver refuses the request: wrong
// URL, bad token, payload it will never accept) is not, except 408 and 429, which ask the client to
// come back — and the backoff decides when: exponential with jitter, honouring Retry-After.
//
// Issue 9 adds the repo's one backoff policy (lib/backoff.ts: BackoffPolicy, backoffDelayMs) on its
// branch; this file uses the same shape and formula so the two merge into that one module when it
// lands on main (then import it from there and delete the copy below).

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

/** Pure: the delay before retry number `attempt` (0-based) for a random draw `u` in [0, 1). */
export function backoffDelayMs(p: BackoffPolicy, attempt: number, u: number): number {
  const base = Math.min(p.maxMs, p.initialMs * p.factor ** Math.max(0, attempt));
  return Math.round(base * (1 - p.jitter + 2 * p.jitter * u));
}

/** Notification deliveries: ~1 s, 2 s, 4 s … capped at 5 min, ± 20 %; given up after 12 attempts (≈ 25 min). */
export const DELIVERY_RETRY: BackoffPolicy & { maxAttempts: number } = { initialMs: 1000, maxMs: 300_000, factor: 2, jitter: 0.2, maxAttempts: 12 };

export type AttemptOutcome = 'ok' | 'retry' | 'failed';

/** What one HTTP attempt came to. `status` null: no response (timeout, refused, reset, DNS). */
export function classifyAttempt(status: number | null, errorCode?: string): AttemptOutcome {
  if (status === null) return errorCode === 'outbound-denied' || errorCode === 'invalid-url' ? 'failed' : 'retry';
  if (status >= 200 && status < 300) return 'ok';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'failed'; // 3xx (redirects are not followed) and every other 4xx
}

/** Retry-After (seconds or an HTTP date) → ms from now, or null. */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | null {
  const v = header?.trim();
  if (!v) return null;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - nowMs) : null;
}

/**
 * After a failed attempt number `attempts` (1 = the first): the next attempt time, or null when the
 * delivery is given up (not retryable, or out of attempts).
 */
export function nextAttemptAt(outcome: AttemptOutcome, attempts: number, nowMs: number, u: number, retryAfter: number | null = null, policy = DELIVERY_RETRY): number | null {
  if (outcome !== 'retry' || attempts >= policy.maxAttempts) return null;
  const backoff = backoffDelayMs(policy, attempts - 1, u);
  return nowMs + Math.min(policy.maxMs, Math.max(backoff, retryAfter ?? 0));
}
