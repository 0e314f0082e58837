// SLO states, the coverage floor and the absolute budget below it (lib/slo/state.ts): exact values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetView, coverageMet, errorBudget, judgedInMs, sloState, SloInputError, validateCoverageFloor, DEFAULT_COVERAGE_FLOOR } from '@/lib/slo';
import { resolvePolicy } from '@/lib/slo/policy';
import { evaluateSlo, evaluateSlo as evaluate } from '@/lib/slo/evaluate';
import { budgetShort, budgetText, coverageText, formatFor } from '@/lib/format';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

test('coverageMet compares exactly at the floor; an empty window is never covered', () => {
  assert.equal(coverageMet(3 * HOUR, 4 * HOUR, 0.75), true, 'exactly 75 %');
  assert.equal(coverageMet(3 * HOUR - 1, 4 * HOUR, 0.75), false, '1 ms short');
  assert.equal(coverageMet(0, 0, 0.75), false);
  assert.equal(coverageMet(0, 10, 0), true, 'a floor of 0 judges any window');
  assert.equal(coverageMet(10, 10, 1), true);
  assert.equal(coverageMet(9, 10, 1), false);
  // 0.9995 × 30 d is 2,590,704,000 ms: one ms less is short.
  assert.equal(coverageMet(2_590_704_000, 30 * DAY, 0.9995), true);
  assert.equal(coverageMet(2_590_703_999, 30 * DAY, 0.9995), false);
  for (const bad of [-0.1, 1.5, Number.NaN, 0.12345]) {
    assert.throws(() => validateCoverageFloor(bad), (e: unknown) => e instanceof SloInputError && e.code === 'slo-ratio', String(bad));
  }
  assert.equal(DEFAULT_COVERAGE_FLOOR, 0.75);
});

test('sloState: insufficient data below the floor (never met), then breached / at risk / met', () => {
  const budget = (remainingBadMs: number, remainingFraction: number) => ({ remainingBadMs, remainingFraction });
  const base = { measuredMs: 30 * DAY, includedMs: 30 * DAY, coverageFloor: 0.75, alertFiring: false };
  assert.equal(sloState({ ...base, budget: budget(2_000_000, 0.77) }), 'met');
  assert.equal(sloState({ ...base, budget: budget(600_000, 0.2314) }), 'at-risk', 'less than 25 % left');
  assert.equal(sloState({ ...base, budget: budget(648_000, 0.25) }), 'met', 'exactly 25 % left is not at risk');
  assert.equal(sloState({ ...base, budget: budget(2_000_000, 0.77), alertFiring: true }), 'at-risk', 'a firing ticket or page alert');
  assert.equal(sloState({ ...base, budget: budget(0, 0) }), 'at-risk', 'exhausted to the ms is not breached');
  assert.equal(sloState({ ...base, budget: budget(-1, -0.0000003) }), 'breached');
  // A calendar month 11 h in, 11 min down of a 44.6-minute month budget: 75 % left, but at this burn it
  // is gone in 33 h, long before the month ends: at risk (not "met" at 98.3 % availability).
  const month = errorBudget({ target: 0.999, windowMs: 31 * DAY, elapsedMs: 11 * HOUR, goodMs: 11 * HOUR - 11 * MIN, badMs: 11 * MIN });
  assert.equal(month.exhaustionInMs !== null && month.exhaustionInMs < 31 * DAY - 11 * HOUR, true);
  assert.equal(sloState({ ...base, measuredMs: 11 * HOUR, includedMs: 11 * HOUR, budget: month, remainingWindowMs: 31 * DAY - 11 * HOUR }), 'at-risk');
  assert.equal(sloState({ ...base, measuredMs: 11 * HOUR, includedMs: 11 * HOUR, budget: month, remainingWindowMs: 0 }), 'met', 'a finished or rolling window: no forecast');
  // A fresh cluster: 10 minutes of data in a 30-day window, 25 s of it down: not judged.
  assert.equal(sloState({ ...base, measuredMs: 10 * MIN, budget: budget(600 - 25_000, -40.6) }), 'insufficient-data');
  // Credentials broken for 8 of 30 days: 22/30 = 73.3 % < 75 %.
  assert.equal(sloState({ ...base, measuredMs: 22 * DAY, budget: budget(1_900_000, 0.99) }), 'insufficient-data');
  assert.equal(sloState({ ...base, measuredMs: 22.5 * DAY, budget: budget(1_900_000, 0.99) }), 'met', '22.5 of 30 days is exactly 75 %');
});

test('budgetView: absolute time below the floor ("25 s of downtime so far; 43.2 minutes allowed per 30 days")', () => {
  // The screenshot: a lab cluster a few minutes old after an etcd outage.
  const goodMs = 46 * S;
  const badMs = 25 * S;
  const e = evaluate({ objective: 0.999, windowMs: 30 * DAY, elapsedMs: 30 * DAY, maintenanceMs: 0, measured: { goodMs, badMs } });
  assert.equal(e.budget.allowedBadMs, 71, 'the old, nonsensical figure: 0.1 % of the 71 s measured');
  const v = budgetView({ target: 0.999, windowMs: 30 * DAY, elapsedMs: 30 * DAY, maintenanceMs: 0, goodMs, badMs, coverage: e.coverage, coverageFloor: 0.75, budget: e.budget, rolling: true });
  assert.deepEqual(v, { kind: 'absolute', downtimeMs: 25_000, allowedMs: 2_592_000, windowMs: 30 * DAY, coverage: 0.000027, coverageFloor: 0.75, judgedInMs: 1_943_929_000 });
  assert.equal(budgetText(v, 'per 30 days'), '25 seconds of downtime so far; 43.2 minutes allowed per 30 days');
  assert.equal(budgetShort(v), '25 seconds down, 43.2 minutes allowed');
  assert.equal(formatFor(Date.UTC(2026, 0, 1, 9), Date.UTC(2026, 0, 1, 12)), 'for 3 h');
  assert.equal(formatFor(null, 0), '');
  if (v.kind !== 'absolute') throw new Error('absolute');
  assert.equal(coverageText(v), '< 1 % of the window covered by data (75 % needed); judged in 22.5 days at the earliest');
  // Covered: the ratio-based budget, as before.
  const full = errorBudget({ target: 0.999, windowMs: 30 * DAY, goodMs: 30 * DAY - 10 * MIN, badMs: 10 * MIN });
  const r = budgetView({ target: 0.999, windowMs: 30 * DAY, elapsedMs: 30 * DAY, maintenanceMs: 0, goodMs: 30 * DAY - 10 * MIN, badMs: 10 * MIN, coverage: 1, coverageFloor: 0.75, budget: full, rolling: true });
  assert.deepEqual(r, { kind: 'ratio', allowedBadMs: 2_592_000, remainingBadMs: 1_992_000, remainingFraction: 0.7685185185185185, consumedFraction: 0.23148148148148148 });
  assert.equal(budgetText(r, 'per 30 days'), '76.8 % left (33.2 minutes of 43.2 minutes)');
  assert.equal(budgetShort(r), '76.8 % left');
  // Overspent: said in time, never "135 % used" or a negative percentage.
  const over = errorBudget({ target: 0.999, windowMs: 30 * DAY, goodMs: 30 * DAY - 60 * MIN, badMs: 60 * MIN });
  const o = budgetView({ target: 0.999, windowMs: 30 * DAY, elapsedMs: 30 * DAY, maintenanceMs: 0, goodMs: 30 * DAY - 60 * MIN, badMs: 60 * MIN, coverage: 1, coverageFloor: 0.75, budget: over, rolling: true });
  assert.equal(budgetText(o, 'per 30 days'), 'overspent by 16.8 minutes (allowed 43.2 minutes)');
  assert.equal(budgetShort(o), 'overspent by 16.8 minutes');
});

test('judgedInMs: rolling windows need floor × included − measured more; calendar windows grow too', () => {
  assert.equal(judgedInMs({ measuredMs: 0, includedMs: 30 * DAY, coverageFloor: 0.75, rolling: true, remainingMs: 0 }), 22.5 * DAY);
  assert.equal(judgedInMs({ measuredMs: 23 * DAY, includedMs: 30 * DAY, coverageFloor: 0.75, rolling: true, remainingMs: 0 }), 0);
  // Calendar month, 10 days in, 1 day measured: 1 + x ≥ 0.75 (10 + x) → x = 6.5 / 0.25 = 26 days > 21 left.
  assert.equal(judgedInMs({ measuredMs: DAY, includedMs: 10 * DAY, coverageFloor: 0.75, rolling: false, remainingMs: 21 * DAY }), null);
  // 5 days in, 3 measured: 3 + x ≥ 0.75 (5 + x) → x = 0.75 / 0.25 = 3 days.
  assert.equal(judgedInMs({ measuredMs: 3 * DAY, includedMs: 5 * DAY, coverageFloor: 0.75, rolling: false, remainingMs: 25 * DAY }), 3 * DAY);
});

test('evaluateSlo reports includedMs; resolvePolicy resolves the floor (policy, else 75 %)', () => {
  const e = evaluateSlo({ objective: 0.999, windowMs: 30 * DAY, elapsedMs: 10 * DAY, maintenanceMs: HOUR, measured: { goodMs: DAY, badMs: 0 } });
  assert.equal(e.includedMs, 10 * DAY - HOUR);
  assert.equal(resolvePolicy([], 'control-plane').coverageFloor, 0.75);
  assert.equal(resolvePolicy([{ component: '*', objective: 0.99, window: '30d', coverageFloor: 0.9 }], 'control-plane').coverageFloor, 0.9);
  assert.equal(resolvePolicy([{ component: '*', objective: 0.99, window: '30d', coverageFloor: null }], 'dns/kube-dns').coverageFloor, 0.75);
  assert.equal(resolvePolicy([{ component: 'dns', objective: 0.99, window: '7d', coverageFloor: 0.5 }, { component: '*', objective: 0.999, window: '30d' }], 'dns/kube-dns').coverageFloor, 0.5);
});
