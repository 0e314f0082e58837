// Burn rate and multiwindow, multi-burn-rate alerts (pure).
//
// burnRate = errorRatio / (1 − target): 1 spends exactly the budget over the SLO window, 14.4 spends
// 2 % of a 30-day budget in one hour.
//
// The table is the SRE Workbook's ("Alerting on SLOs", recommended parameters) for a 30-day window:
//
//   severity  budget consumed  long window  short window  factor
//   page       2 %              1 h          5 m          14.4
//   page       5 %              6 h         30 m           6
//   ticket    10 %              1 d          2 h           3
//   ticket    10 %              3 d          6 h           1
//
// Other windows scale the long and short windows in proportion (pyrra's slo/rules.go Windows()
// does the same from a 28-day base), rounded to whole minutes (at least 1 minute), and derive
// the factor so that each row still consumes its budget fraction in its long window:
//   factor = budgetFraction × sloWindow / longWindow.
// An alert fires when the error ratio over BOTH windows is above factor × (1 − target).
import { SloInputError, assertRatio } from './errors';
import { divideByBudget, scaleByBudget, validateTarget } from './targets';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './units';

export type BurnSeverity = 'page' | 'ticket';

export interface BurnRateWindow {
  severity: BurnSeverity;
  longWindowMs: number;
  shortWindowMs: number;
  /** Burn rate both windows must exceed. */
  factor: number;
  /** Share of the whole window's budget consumed in longWindowMs at exactly `factor`. */
  budgetConsumedFraction: number;
  /** At exactly `factor`, the whole budget is gone after sloWindowMs / factor (pyrra's "exhaustion"). */
  exhaustsBudgetInMs: number;
}

const BASE_WINDOW_MS = 30 * DAY_MS;

/** The Workbook rows for 30 days; budget shares in whole percent so the factor stays exact. */
const WORKBOOK_ROWS: ReadonlyArray<{ severity: BurnSeverity; budgetPercent: number; longMs: number; shortMs: number }> = [
  { severity: 'page', budgetPercent: 2, longMs: 1 * HOUR_MS, shortMs: 5 * MINUTE_MS },
  { severity: 'page', budgetPercent: 5, longMs: 6 * HOUR_MS, shortMs: 30 * MINUTE_MS },
  { severity: 'ticket', budgetPercent: 10, longMs: 1 * DAY_MS, shortMs: 2 * HOUR_MS },
  { severity: 'ticket', budgetPercent: 10, longMs: 3 * DAY_MS, shortMs: 6 * HOUR_MS },
];

/** Smallest SLO window the table is defined for: below 1 day the short windows collapse to the 1-minute floor. */
export const MIN_BURN_RATE_SLO_WINDOW_MS = DAY_MS;

/** errorRatio / (1 − target), with the budget ratio as an exact decimal: burnRate(0.0144, 0.999) === 14.4. */
export function burnRate(errorRatio: number, target: number): number {
  validateTarget(target);
  assertRatio('errorRatio', errorRatio);
  return divideByBudget(errorRatio, target);
}

function scaleToMinutes(baseMs: number, sloWindowMs: number): number {
  const minutes = Math.round((baseMs * sloWindowMs) / BASE_WINDOW_MS / MINUTE_MS);
  return Math.max(1, minutes) * MINUTE_MS;
}

/** The Workbook table scaled to `sloWindowMs` (whole ms, at least one day). */
export function burnRateWindows(sloWindowMs: number): BurnRateWindow[] {
  if (typeof sloWindowMs !== 'number' || !Number.isInteger(sloWindowMs) || sloWindowMs < MIN_BURN_RATE_SLO_WINDOW_MS) {
    throw new SloInputError('slo-window', `SLO window must be a whole number of ms, at least one day (${MIN_BURN_RATE_SLO_WINDOW_MS}), got ${String(sloWindowMs)}`);
  }
  return WORKBOOK_ROWS.map((row) => {
    const longWindowMs = scaleToMinutes(row.longMs, sloWindowMs);
    const shortWindowMs = scaleToMinutes(row.shortMs, sloWindowMs);
    // Integers first, one division last: 2 × 2,592,000,000 / (100 × 3,600,000) is exactly 14.4.
    const factor = (row.budgetPercent * sloWindowMs) / (100 * longWindowMs);
    return {
      severity: row.severity,
      longWindowMs,
      shortWindowMs,
      factor,
      budgetConsumedFraction: row.budgetPercent / 100,
      exhaustsBudgetInMs: (100 * longWindowMs) / row.budgetPercent,
    };
  });
}

export type BurnAlertState = 'firing' | 'ok' | 'no-data';

export interface BurnAlertEvaluation extends BurnRateWindow {
  /** factor × (1 − target): the error ratio both windows must exceed. */
  thresholdErrorRatio: number;
  longErrorRatio: number | null;
  shortErrorRatio: number | null;
  longBurnRate: number | null;
  shortBurnRate: number | null;
  /** 'no-data' when either window has no eligible time or is covered below the floor (errorRatioFor returned null). */
  state: BurnAlertState;
  firing: boolean;
  /** Share of each window covered by data (when the caller measured it); null = not given. */
  longCoverage: number | null;
  shortCoverage: number | null;
}

/**
 * Evaluates each row: it fires when the error ratio over the long window AND over the short window
 * are both strictly above factor × (1 − target) (the same comparison pyrra's alert rules make).
 * `errorRatioFor(windowMs)` returns the bad share of eligible time over the last windowMs, or null
 * when that window has no eligible time or is covered below the SLO's coverage floor (no data never
 * fires; lib/data/dashboard.ts burnAlerts applies the floor to each alert window on its own, so a
 * new cluster can page as soon as its 1-hour window is covered). `coverageFor` only annotates.
 */
export function evaluateBurnAlerts(
  rows: readonly BurnRateWindow[],
  target: number,
  errorRatioFor: (windowMs: number) => number | null,
  coverageFor: (windowMs: number) => number | null = () => null,
): BurnAlertEvaluation[] {
  validateTarget(target);
  return rows.map((row) => {
    const thresholdErrorRatio = scaleByBudget(row.factor, target);
    const longErrorRatio = errorRatioFor(row.longWindowMs);
    const shortErrorRatio = errorRatioFor(row.shortWindowMs);
    if (longErrorRatio !== null) assertRatio(`error ratio over ${row.longWindowMs} ms`, longErrorRatio);
    if (shortErrorRatio !== null) assertRatio(`error ratio over ${row.shortWindowMs} ms`, shortErrorRatio);
    const noData = longErrorRatio === null || shortErrorRatio === null;
    const firing = !noData && longErrorRatio > thresholdErrorRatio && shortErrorRatio > thresholdErrorRatio;
    return {
      ...row,
      thresholdErrorRatio,
      longErrorRatio,
      shortErrorRatio,
      longBurnRate: longErrorRatio === null ? null : divideByBudget(longErrorRatio, target),
      shortBurnRate: shortErrorRatio === null ? null : divideByBudget(shortErrorRatio, target),
      state: noData ? 'no-data' : firing ? 'firing' : 'ok',
      firing,
      longCoverage: coverageFor(row.longWindowMs),
      shortCoverage: coverageFor(row.shortWindowMs),
    };
  });
}
