import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedDowntimeMs, errorBudget, exhaustionForecastMs, SloInputError, type ErrorBudget } from '@/lib/slo';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function throwsCode(fn: () => unknown, code: string) {
  assert.throws(fn, (e: unknown) => e instanceof SloInputError && e.code === code, `expected SloInputError ${code}`);
}

test('allowedDowntimeMs: exact milliseconds', () => {
  const table: Array<[number, number, number]> = [
    [0.999, 30 * DAY, 2_592_000], // 43.2 minutes
    [0.999, 365 * DAY, 31_536_000], // 8.76 hours
    [0.999, 7 * DAY, 604_800], // 10.08 minutes
    [0.999, DAY, 86_400], // 1.44 minutes
    [0.99999, DAY, 864],
    [0.9, 7 * DAY, 60_480_000],
    [0.9995, 28 * DAY, 1_209_600],
    [0.99, 31 * DAY, 26_784_000],
    [0.999, 0, 0],
  ];
  for (const [target, periodMs, ms] of table) assert.equal(allowedDowntimeMs(target, periodMs), ms, `allowedDowntimeMs(${target}, ${periodMs})`);
  throwsCode(() => allowedDowntimeMs(1, DAY), 'slo-target');
  throwsCode(() => allowedDowntimeMs(0.999, -1), 'slo-duration');
  throwsCode(() => allowedDowntimeMs(0.999, Number.NaN), 'slo-duration');
});

const W30 = 30 * DAY;
const base = { target: 0.999, windowMs: W30, elapsedMs: W30 } as const;

test('errorBudget: exact values for the edge cases', () => {
  const table: Array<[string, Parameters<typeof errorBudget>[0], Partial<ErrorBudget>]> = [
    [
      '10 minutes bad in a full rolling 30 days',
      { target: 0.999, windowMs: W30, goodMs: W30 - 10 * MIN, badMs: 10 * MIN },
      { ...base, measuredMs: W30, hasData: true, eligibleWindowMs: W30, allowedBadMs: 2_592_000, consumedBadMs: 600_000, remainingBadMs: 1_992_000, remainingFraction: 0.7685185185185185, consumedFraction: 0.23148148148148148, exhaustionInMs: 8_605_440_000 },
    ],
    [
      'zero traffic: nothing measured, nominal budget untouched',
      { target: 0.999, windowMs: W30, goodMs: 0, badMs: 0 },
      { ...base, measuredMs: 0, hasData: false, eligibleWindowMs: W30, allowedBadMs: 2_592_000, consumedBadMs: 0, remainingBadMs: 2_592_000, remainingFraction: 1, consumedFraction: 0, exhaustionInMs: null },
    ],
    [
      'not burning: all good, forecast null',
      { target: 0.999, windowMs: W30, goodMs: W30, badMs: 0 },
      { ...base, measuredMs: W30, hasData: true, eligibleWindowMs: W30, allowedBadMs: 2_592_000, consumedBadMs: 0, remainingBadMs: 2_592_000, remainingFraction: 1, consumedFraction: 0, exhaustionInMs: null },
    ],
    [
      'exactly exhausted: 43.2 minutes bad',
      { target: 0.999, windowMs: W30, goodMs: W30 - 2_592_000, badMs: 2_592_000 },
      { ...base, measuredMs: W30, hasData: true, eligibleWindowMs: W30, allowedBadMs: 2_592_000, consumedBadMs: 2_592_000, remainingBadMs: 0, remainingFraction: 0, consumedFraction: 1, exhaustionInMs: 0 },
    ],
    [
      'overspent: 1 hour bad, remaining goes NEGATIVE',
      { target: 0.999, windowMs: W30, goodMs: W30 - HOUR, badMs: HOUR },
      { ...base, measuredMs: W30, hasData: true, eligibleWindowMs: W30, allowedBadMs: 2_592_000, consumedBadMs: 3_600_000, remainingBadMs: -1_008_000, remainingFraction: -0.3888888888888889, consumedFraction: 1.3888888888888888, exhaustionInMs: 0 },
    ],
    [
      'outage 7 min, maintenance 1 h and unknown 5 min left out: budget over 30 d − 65 min',
      { target: 0.999, windowMs: W30, goodMs: W30 - 72 * MIN, badMs: 7 * MIN },
      { ...base, measuredMs: W30 - 65 * MIN, hasData: true, eligibleWindowMs: W30 - 65 * MIN, allowedBadMs: 2_588_100, consumedBadMs: 420_000, remainingBadMs: 2_168_100, remainingFraction: 0.8377187898458328, consumedFraction: 0.16228121015416716, exhaustionInMs: 13_380_274_285.714285 },
    ],
    [
      'calendar February 2024 (29 d), 10 days in, full coverage, 5 min bad',
      { target: 0.999, windowMs: 29 * DAY, elapsedMs: 10 * DAY, goodMs: 10 * DAY - 5 * MIN, badMs: 5 * MIN },
      { target: 0.999, windowMs: 29 * DAY, elapsedMs: 10 * DAY, measuredMs: 10 * DAY, hasData: true, eligibleWindowMs: 29 * DAY, allowedBadMs: 2_505_600, consumedBadMs: 300_000, remainingBadMs: 2_205_600, remainingFraction: 0.8802681992337165, consumedFraction: 0.11973180076628352, exhaustionInMs: 6_352_128_000 },
    ],
    [
      'calendar month 10 days in, 1 day unknown: 90 % coverage projected to the month',
      { target: 0.999, windowMs: W30, elapsedMs: 10 * DAY, goodMs: 9 * DAY - 5 * MIN, badMs: 5 * MIN },
      { target: 0.999, windowMs: W30, elapsedMs: 10 * DAY, measuredMs: 9 * DAY, hasData: true, eligibleWindowMs: 27 * DAY, allowedBadMs: 2_332_800, consumedBadMs: 300_000, remainingBadMs: 2_032_800, remainingFraction: 0.8713991769547325, consumedFraction: 0.1286008230452675, exhaustionInMs: 5_854_464_000 },
    ],
    [
      'start of a calendar month: nothing elapsed, nothing measured',
      { target: 0.99, windowMs: 31 * DAY, elapsedMs: 0, goodMs: 0, badMs: 0 },
      { target: 0.99, windowMs: 31 * DAY, elapsedMs: 0, measuredMs: 0, hasData: false, eligibleWindowMs: 31 * DAY, allowedBadMs: 26_784_000, consumedBadMs: 0, remainingBadMs: 26_784_000, remainingFraction: 1, consumedFraction: 0, exhaustionInMs: null },
    ],
  ];
  for (const [name, input, expected] of table) assert.deepEqual(errorBudget(input), expected, name);
});

test('errorBudget: overspent exactly when availability = good / (good + bad) is below target', () => {
  // Full rolling windows with various coverage: the budget and the availability never disagree.
  const cases: Array<[number, number, number]> = [
    // target, goodMs, badMs
    [0.999, W30 - 2_592_001, 2_592_001],
    [0.999, W30 - 2_592_000, 2_592_000],
    [0.999, W30 - 2_591_999, 2_591_999],
    [0.999, 20 * DAY, 20 * MIN + 1],
    [0.999, 20 * DAY, 20 * MIN],
    [0.99, 10 * DAY, 3 * HOUR],
    [0.9999, 29 * DAY, 4 * MIN],
  ];
  for (const [target, goodMs, badMs] of cases) {
    const b = errorBudget({ target, windowMs: W30, goodMs, badMs });
    const availability = goodMs / (goodMs + badMs);
    assert.equal(b.remainingBadMs < 0, availability < target, `target ${target}, good ${goodMs}, bad ${badMs}`);
  }
});

test('errorBudget: bad input is classified', () => {
  throwsCode(() => errorBudget({ target: 1, windowMs: W30, goodMs: 0, badMs: 0 }), 'slo-target');
  throwsCode(() => errorBudget({ target: 0.999, windowMs: 0, goodMs: 0, badMs: 0 }), 'slo-duration');
  throwsCode(() => errorBudget({ target: 0.999, windowMs: W30, goodMs: -1, badMs: 0 }), 'slo-duration');
  throwsCode(() => errorBudget({ target: 0.999, windowMs: W30, goodMs: 0, badMs: Number.NaN }), 'slo-duration');
  throwsCode(() => errorBudget({ target: 0.999, windowMs: W30, elapsedMs: W30 + 1, goodMs: 0, badMs: 0 }), 'slo-duration');
  throwsCode(() => errorBudget({ target: 0.999, windowMs: W30, elapsedMs: DAY, goodMs: DAY, badMs: 1 }), 'slo-duration');
});

test('exhaustionForecastMs: ms from now at the current burn, 0 when gone, null when not burning', () => {
  const table: Array<[number, number, number | null]> = [
    [2_592_000, 0.0144, 180_000_000], // whole 30-day 99.9 % budget at burn rate 14.4: 50 hours
    [2_592_000, 0.006, 432_000_000], // burn rate 6: 5 days
    [2_592_000, 0.001, 2_592_000_000], // burn rate 1: exactly the 30-day window
    [1_000, 1, 1_000], // everything bad: the remaining time itself
    [1_992_000, 0, null],
    [0, 0.5, 0],
    [-1_008_000, 0.5, 0],
    [-1_008_000, 0, 0],
  ];
  for (const [remainingBadMs, errorRatio, expected] of table) {
    assert.equal(exhaustionForecastMs(remainingBadMs, errorRatio), expected, `exhaustionForecastMs(${remainingBadMs}, ${errorRatio})`);
  }
  throwsCode(() => exhaustionForecastMs(1_000, 1.5), 'slo-ratio');
  throwsCode(() => exhaustionForecastMs(1_000, -0.1), 'slo-ratio');
  throwsCode(() => exhaustionForecastMs(Number.POSITIVE_INFINITY, 0.1), 'slo-duration');
});
