// Error budgets over time (pure).
//
// Time-based SLO: good time and bad time are measured; unknown time (no sample) and maintenance
// are left out of both, exactly as in availability = good / (good + bad). The budget is therefore
// defined over the same eligible time, so "budget overspent" and "availability below target" are
// the same statement at the end of a window:
//
//   eligibleWindowMs = windowMs × (goodMs + badMs) / elapsedMs    (projected to the whole window)
//   allowedBadMs     = (1 − target) × eligibleWindowMs
//   consumedBadMs    = badMs
//   remainingBadMs   = allowedBadMs − consumedBadMs                (negative when overspent)
//
// For a rolling window elapsedMs = windowMs (the default) and the projection is the identity; for a
// calendar month in progress the eligible share seen so far is assumed to hold for the rest of it.
// With full coverage this is the textbook figure: 99.9 % over 30 days allows 43.2 minutes.
// With no eligible time at all (zero traffic, nothing measured yet) nothing can be consumed: the
// budget is the nominal (1 − target) × windowMs, untouched, and `hasData` is false.
import { SloInputError, assertNonNegativeMs, assertPositiveMs, assertRatio } from './errors';
import { scaleByBudget, validateTarget } from './targets';

export interface ErrorBudgetInput {
  /** SLO target, 0 < target < 1 (0.999 = 99.9 %). */
  target: number;
  /** Full length of the SLO window (e.g. 30 days, or the length of this calendar month). */
  windowMs: number;
  /** Good time measured in the elapsed part of the window. */
  goodMs: number;
  /** Bad time measured in the elapsed part of the window. */
  badMs: number;
  /** How much of the window has passed; defaults to windowMs (rolling windows). */
  elapsedMs?: number;
}

export interface ErrorBudget {
  target: number;
  windowMs: number;
  elapsedMs: number;
  /** goodMs + badMs: the time that counts. */
  measuredMs: number;
  /** False when nothing was measured (zero traffic): the budget is then nominal and untouched. */
  hasData: boolean;
  /** Eligible time projected to the whole window (windowMs when nothing was measured). */
  eligibleWindowMs: number;
  /** Bad time the SLO allows over the whole window. */
  allowedBadMs: number;
  /** Bad time spent so far (= badMs). */
  consumedBadMs: number;
  /** allowedBadMs − consumedBadMs. NEGATIVE when the budget is overspent (by that much). */
  remainingBadMs: number;
  /** remainingBadMs / allowedBadMs: 1 untouched, 0 exhausted, NEGATIVE when overspent (−0.5 = spent 150 %). */
  remainingFraction: number;
  /** consumedBadMs / allowedBadMs: 0 untouched, 1 exhausted, above 1 when overspent. */
  consumedFraction: number;
  /**
   * At the average burn since the window started (badMs per elapsed ms), ms from the end of the
   * elapsed part until the budget is gone; 0 when already gone; null when not burning (badMs = 0).
   * A linear estimate: it ignores old bad time sliding out of a rolling window.
   */
  exhaustionInMs: number | null;
}

/** Bad time a target allows in a period: allowedDowntimeMs(0.999, 30 days) = 2,592,000 ms = 43.2 minutes. */
export function allowedDowntimeMs(target: number, periodMs: number): number {
  validateTarget(target);
  assertNonNegativeMs('periodMs', periodMs);
  return scaleByBudget(periodMs, target);
}

/**
 * When the remaining budget is gone if bad time keeps accruing at `errorRatio` (bad ms per ms of wall
 * time, e.g. a measured 1 h error ratio, or burnRate × (1 − target)): ms from now; 0 when the budget
 * is already gone (remainingBadMs ≤ 0); null when not burning (errorRatio = 0).
 */
export function exhaustionForecastMs(remainingBadMs: number, errorRatio: number): number | null {
  if (typeof remainingBadMs !== 'number' || !Number.isFinite(remainingBadMs)) {
    throw new SloInputError('slo-duration', `remainingBadMs must be a finite number of milliseconds, got ${String(remainingBadMs)}`);
  }
  assertRatio('errorRatio', errorRatio);
  if (remainingBadMs <= 0) return 0;
  if (errorRatio === 0) return null;
  return remainingBadMs / errorRatio;
}

export function errorBudget(input: ErrorBudgetInput): ErrorBudget {
  const { target, windowMs, goodMs, badMs } = input;
  validateTarget(target);
  assertPositiveMs('windowMs', windowMs);
  assertNonNegativeMs('goodMs', goodMs);
  assertNonNegativeMs('badMs', badMs);
  const elapsedMs = input.elapsedMs ?? windowMs;
  assertNonNegativeMs('elapsedMs', elapsedMs);
  if (elapsedMs > windowMs) {
    throw new SloInputError('slo-duration', `elapsedMs (${elapsedMs}) cannot exceed windowMs (${windowMs})`);
  }
  const measuredMs = goodMs + badMs;
  if (measuredMs > elapsedMs) {
    throw new SloInputError('slo-duration', `good + bad time (${measuredMs} ms) cannot exceed the elapsed time (${elapsedMs} ms)`);
  }

  const hasData = measuredMs > 0;
  let eligibleWindowMs: number;
  if (!hasData || measuredMs === elapsedMs) eligibleWindowMs = windowMs;
  else if (elapsedMs === windowMs) eligibleWindowMs = measuredMs;
  else eligibleWindowMs = windowMs * (measuredMs / elapsedMs);

  const allowedBadMs = scaleByBudget(eligibleWindowMs, target);
  const consumedBadMs = badMs;
  const remainingBadMs = allowedBadMs - consumedBadMs;
  // allowedBadMs > 0 always: windowMs > 0, target < 1, and eligible time is > 0 whenever hasData.
  const consumedFraction = consumedBadMs / allowedBadMs;
  const remainingFraction = remainingBadMs / allowedBadMs;
  const exhaustionInMs = remainingBadMs <= 0 ? 0 : badMs === 0 ? null : (remainingBadMs * elapsedMs) / badMs;

  return {
    target,
    windowMs,
    elapsedMs,
    measuredMs,
    hasData,
    eligibleWindowMs,
    allowedBadMs,
    consumedBadMs,
    remainingBadMs,
    remainingFraction,
    consumedFraction,
    exhaustionInMs,
  };
}
