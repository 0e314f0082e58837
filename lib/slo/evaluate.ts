// One SLO figure from measured time (pure): availability, coverage and error budget of a component
// over a window, with maintenance and unknown time left out of the denominator.
//
//   includedMs   = elapsed part of the window − maintenance
//   unknownMs    = includedMs − good − bad           (unknown-status samples AND no data)
//   availability = floor6(good / (good + bad))        null when good + bad = 0
//   coverage     = floor6((good + bad) / includedMs)  0 when includedMs = 0
//   budget       = errorBudget({ target, windowMs, goodMs, badMs, elapsedMs })  (budget.ts)
//
// The budget projects the measured share of the elapsed time onto the whole window, so with
// maintenance or unknown time the allowed bad time shrinks in proportion and "budget overspent"
// stays the same statement as "availability below target".
import { floorRatio } from './availability';
import { errorBudget, type ErrorBudget } from './budget';
import { SloInputError } from './errors';
import type { TimeTotals } from './timeline';

export interface SloEvaluationInput {
  objective: number;
  /** Full window length (a calendar month: its whole length). */
  windowMs: number;
  /** Elapsed part of the window (windowMs for rolling or past windows). */
  elapsedMs: number;
  /** Maintenance time inside the elapsed part. */
  maintenanceMs: number;
  /** Good/bad time measured outside maintenance. */
  measured: Pick<TimeTotals, 'goodMs' | 'badMs'>;
}

export interface SloEvaluation {
  objective: number;
  /** Elapsed part of the window minus maintenance: the denominator of coverage. */
  includedMs: number;
  availability: number | null;
  coverage: number;
  goodMs: number;
  badMs: number;
  unknownMs: number;
  maintenanceMs: number;
  /** null when nothing was measured; else availability ≥ objective (exact, unfloored comparison). */
  meetsObjective: boolean | null;
  budget: ErrorBudget;
}

export function evaluateSlo(input: SloEvaluationInput): SloEvaluation {
  const { objective, windowMs, elapsedMs, maintenanceMs } = input;
  const { goodMs, badMs } = input.measured;
  if (!(maintenanceMs >= 0) || maintenanceMs > elapsedMs) {
    throw new SloInputError('slo-duration', `maintenance (${maintenanceMs} ms) must be between 0 and the elapsed time (${elapsedMs} ms)`);
  }
  const includedMs = elapsedMs - maintenanceMs;
  const known = goodMs + badMs;
  if (known > includedMs) throw new SloInputError('slo-duration', `good + bad (${known} ms) exceeds the time outside maintenance (${includedMs} ms)`);
  const budget = errorBudget({ target: objective, windowMs, goodMs, badMs, elapsedMs });
  return {
    objective,
    includedMs,
    availability: known > 0 ? floorRatio(goodMs, known) : null,
    coverage: includedMs > 0 ? floorRatio(known, includedMs) : 0,
    goodMs,
    badMs,
    unknownMs: includedMs - known,
    maintenanceMs,
    // good / known ≥ objective  ⇔  bad ≤ allowed share (compared via the budget, exact decimals).
    meetsObjective: known > 0 ? budget.remainingBadMs >= 0 : null,
    budget,
  };
}
