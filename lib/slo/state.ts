// SLO states and the coverage floor (pure).
//
// An SLO is judged only when its window is covered by data. Coverage = measured (good + bad) time ÷
// the elapsed part of the window outside maintenance (evaluate.ts). Time before the cluster was
// registered, time the collector did not run and time whose samples say `unknown` (401, TLS, a
// collector-side error) are all uncovered. Below the floor (default 75 %, per policy) the state is
// `insufficient-data`: never "met", and the budget is shown in absolute time ("25 s of downtime so
// far; 43.2 minutes allowed per 30 days"), never as a ratio of the few seconds measured so far.
//
//   insufficient-data  coverage < floor
//   breached           budget overspent (availability below the objective; exact, budget.ts)
//   at-risk            budget left < AT_RISK_BUDGET_REMAINING (25 %), or a burn-rate alert firing, or —
//                      in a window still in progress (a calendar month on its 10th) — the average burn
//                      so far empties the budget before the window ends (budget.ts exhaustionInMs)
//   met                otherwise
//
// Burn-rate alerts are judged apart, each over its own (short) windows, so a new cluster can page
// long before its SLO window is covered (burn-rate.ts, `coverageFloor` of evaluateBurnAlerts).
import { SloInputError } from './errors';
import type { ErrorBudget } from './budget';
import { scaleByBudget, validateTarget } from './targets';

export type SloState = 'met' | 'at-risk' | 'breached' | 'insufficient-data';
export const SLO_STATES = ['breached', 'at-risk', 'insufficient-data', 'met'] as const satisfies readonly SloState[];

/** Worst first: the order of the overview and of `?state=` filters. */
export const SLO_STATE_RANK: Readonly<Record<SloState, number>> = { breached: 0, 'at-risk': 1, 'insufficient-data': 2, met: 3 };

export const SLO_STATE_LABELS: Readonly<Record<SloState, string>> = { met: 'met', 'at-risk': 'at risk', breached: 'breached', 'insufficient-data': 'insufficient data' };

export function isSloState(v: unknown): v is SloState {
  return typeof v === 'string' && (SLO_STATES as readonly string[]).includes(v);
}

/** Default share of the window that must be covered before an SLO is judged. */
export const DEFAULT_COVERAGE_FLOOR = 0.75;
/** Budget left below this share makes a met SLO "at risk". */
const AT_RISK_BUDGET_REMAINING = 0.25;

/** Throws `slo-ratio` unless 0 ≤ floor ≤ 1 with at most 4 decimals (75 % = 0.75, 99.5 % = 0.995). */
export function validateCoverageFloor(floor: number): number {
  if (typeof floor !== 'number' || !Number.isFinite(floor) || floor < 0 || floor > 1 || Number(floor.toFixed(4)) !== floor) {
    throw new SloInputError('slo-ratio', `coverage floor must be a ratio from 0 to 1 with at most 4 decimals (0.75 = 75 %), got ${String(floor)}`);
  }
  return floor;
}

/**
 * measuredMs ≥ floor × includedMs, compared exactly (the floor as an integer over 10⁴, so 0.75 × 4 h is
 * not lost to binary rounding). An empty window (includedMs = 0, all maintenance) is not covered.
 */
export function coverageMet(measuredMs: number, includedMs: number, floor: number): boolean {
  validateCoverageFloor(floor);
  if (!(includedMs > 0)) return false;
  const units = Math.round(floor * 10_000);
  return measuredMs * 10_000 >= units * includedMs;
}

export interface SloStateInput {
  /** good + bad time measured in the elapsed part of the window (outside maintenance). */
  measuredMs: number;
  /** Elapsed part of the window minus maintenance. */
  includedMs: number;
  coverageFloor: number;
  budget: Pick<ErrorBudget, 'remainingBadMs' | 'remainingFraction'> & Partial<Pick<ErrorBudget, 'exhaustionInMs'>>;
  /** Any burn-rate alert (page or ticket) firing now. */
  alertFiring: boolean;
  /** Time left until the window ends (0 for rolling windows, which end now). */
  remainingWindowMs?: number;
  atRiskRemaining?: number;
}

export function sloState(input: SloStateInput): SloState {
  if (!coverageMet(input.measuredMs, input.includedMs, input.coverageFloor)) return 'insufficient-data';
  if (input.budget.remainingBadMs < 0) return 'breached';
  const atRisk = input.atRiskRemaining ?? AT_RISK_BUDGET_REMAINING;
  if (input.alertFiring || input.budget.remainingFraction < atRisk) return 'at-risk';
  const left = input.remainingWindowMs ?? 0;
  const gone = input.budget.exhaustionInMs;
  if (left > 0 && gone !== null && gone !== undefined && gone < left) return 'at-risk';
  return 'met';
}

/**
 * How the budget is shown: as a share of the allowed bad time when the window is covered, else in
 * absolute time against the nominal allowance of the whole window.
 */
export type BudgetView =
  | {
      kind: 'ratio';
      allowedBadMs: number;
      remainingBadMs: number;
      /** 1 untouched … 0 exhausted; negative when overspent (the UI shows "overspent by …", never a negative %). */
      remainingFraction: number;
      consumedFraction: number;
    }
  | {
      kind: 'absolute';
      /** Bad time so far in the window (outside maintenance). */
      downtimeMs: number;
      /** (1 − target) × the whole window: what a fully covered window would allow. */
      allowedMs: number;
      windowMs: number;
      /** measured ÷ included, floored (evaluate.ts). */
      coverage: number;
      coverageFloor: number;
      /**
       * With every moment from now on covered, how long until the floor is reached: null when it can no
       * longer be reached in this window (a calendar window nearly over), 0 when reached.
       */
      judgedInMs: number | null;
    };

export interface BudgetViewInput {
  target: number;
  windowMs: number;
  /** The elapsed part of the window (windowMs for rolling windows). */
  elapsedMs: number;
  /** Maintenance inside the elapsed part. */
  maintenanceMs: number;
  goodMs: number;
  badMs: number;
  coverage: number;
  coverageFloor: number;
  budget: Pick<ErrorBudget, 'allowedBadMs' | 'remainingBadMs' | 'remainingFraction' | 'consumedFraction'>;
  /** Rolling windows slide (the included time stays windowMs − maintenance); calendar windows grow. */
  rolling: boolean;
}

export function budgetView(i: BudgetViewInput): BudgetView {
  validateTarget(i.target);
  const includedMs = i.elapsedMs - i.maintenanceMs;
  const measuredMs = i.goodMs + i.badMs;
  if (coverageMet(measuredMs, includedMs, i.coverageFloor)) {
    return { kind: 'ratio', allowedBadMs: i.budget.allowedBadMs, remainingBadMs: i.budget.remainingBadMs, remainingFraction: i.budget.remainingFraction, consumedFraction: i.budget.consumedFraction };
  }
  return {
    kind: 'absolute',
    downtimeMs: i.badMs,
    allowedMs: scaleByBudget(i.windowMs, i.target),
    windowMs: i.windowMs,
    coverage: i.coverage,
    coverageFloor: i.coverageFloor,
    judgedInMs: judgedInMs({ measuredMs, includedMs, coverageFloor: i.coverageFloor, rolling: i.rolling, remainingMs: i.windowMs - i.elapsedMs }),
  };
}

/**
 * Time until measured ≥ floor × included if everything from now on is covered (pure).
 *  - rolling: the window slides; nothing old slides out for a cluster short of data (its uncovered
 *    time is the oldest), so x = floor × included − measured;
 *  - calendar: included grows with x as well: measured + x ≥ floor × (included + x)
 *    ⇒ x = (floor × included − measured) / (1 − floor); null when that is past the window's end.
 */
export function judgedInMs(i: { measuredMs: number; includedMs: number; coverageFloor: number; rolling: boolean; remainingMs: number }): number | null {
  validateCoverageFloor(i.coverageFloor);
  const need = i.coverageFloor * i.includedMs - i.measuredMs;
  if (need <= 0 && i.includedMs > 0) return 0;
  if (i.rolling) return Math.ceil(Math.max(0, need));
  if (i.coverageFloor >= 1) return null;
  const x = Math.ceil(Math.max(0, need) / (1 - i.coverageFloor));
  return x <= i.remainingMs ? x : null;
}
