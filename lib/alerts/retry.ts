// When to retry a notification delivery (pure). The response decides whether to retry at all —
// 5xx, timeouts and connection errors are retried; a 4xx (the receiver refuses the request: wrong
// URL, bad token, payload it will never accept) is not, except 408 and 429, which ask the client to
// come back — and the backoff decides when, honouring Retry-After.
//
// The delay comes from the repo's one retry policy (lib/deadline.ts backoffMs: exponential, full
// jitter, floored at half the base).
import { backoffMs, type BackoffPolicy } from '../deadline';

/** Notification deliveries: up to 1 s, 2 s, 4 s … capped at 5 min (full jitter); given up after 12 attempts (≈ 25 min at most). */
export const DELIVERY_RETRY: BackoffPolicy & { maxAttempts: number } = { baseMs: 1000, maxMs: 300_000, maxAttempts: 12 };

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
 * delivery is given up (not retryable, or out of attempts). Retry-After wins when longer (capped).
 */
export function nextAttemptAt(outcome: AttemptOutcome, attempts: number, nowMs: number, random: () => number, retryAfter: number | null = null, policy = DELIVERY_RETRY): number | null {
  if (outcome !== 'retry' || attempts >= policy.maxAttempts) return null;
  return nowMs + Math.min(policy.maxMs, Math.max(backoffMs(policy, attempts, random), retryAfter ?? 0));
}
