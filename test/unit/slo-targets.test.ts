import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  budgetFraction,
  calendarMonthBounds,
  calendarQuarterBounds,
  divideByBudget,
  errorBudgetRatio,
  isSloWindow,
  isValidTarget,
  parseSloWindow,
  scaleByBudget,
  SLO_WINDOWS,
  SloInputError,
  targetPercentLabel,
  validateTarget,
  windowBounds,
  type SloWindow,
} from '@/lib/slo';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

function throwsCode(fn: () => unknown, code: string) {
  assert.throws(fn, (e: unknown) => e instanceof SloInputError && e instanceof RangeError && e.code === code, `expected SloInputError ${code}`);
}

test('validateTarget accepts 0 < target < 1 and classifies everything else as slo-target', () => {
  for (const t of [0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999, 0.5, 1e-9, 1 - 1e-12]) {
    assert.equal(validateTarget(t), t);
    assert.equal(isValidTarget(t), true);
  }
  for (const t of [0, 1, -0.1, 1.5, 99.9, Number.NaN, Number.POSITIVE_INFINITY, '0.999' as unknown as number]) {
    throwsCode(() => validateTarget(t), 'slo-target');
    assert.equal(isValidTarget(t), false);
  }
});

test('budget ratio 1 − target is an exact decimal fraction', () => {
  const table: Array<[number, number, number, number]> = [
    // target, numerator, denominator, errorBudgetRatio
    [0.9, 1, 10, 0.1],
    [0.95, 5, 100, 0.05],
    [0.99, 1, 100, 0.01],
    [0.995, 5, 1000, 0.005],
    [0.999, 1, 1000, 0.001],
    [0.9995, 5, 10_000, 0.0005],
    [0.9999, 1, 10_000, 0.0001],
    [0.99999, 1, 100_000, 0.00001],
    [0.5, 5, 10, 0.5],
    [0.123456789, 876_543_211, 1_000_000_000, 0.876543211],
  ];
  for (const [target, numerator, denominator, ratio] of table) {
    assert.deepEqual(budgetFraction(target), { numerator, denominator }, `budgetFraction(${target})`);
    assert.equal(errorBudgetRatio(target), ratio, `errorBudgetRatio(${target})`);
  }
  // The float subtraction would be wrong in the last digit; ours is not.
  assert.notEqual(1 - 0.999, 0.001);
  // No short decimal form: falls back to the float difference.
  assert.deepEqual(budgetFraction(2 / 3), { numerator: 1 - 2 / 3, denominator: 1 });
  assert.equal(scaleByBudget(30 * DAY, 0.999), 2_592_000);
  assert.equal(scaleByBudget(14.4, 0.999), 0.0144);
  assert.equal(divideByBudget(0.0144, 0.999), 14.4);
  throwsCode(() => budgetFraction(1), 'slo-target');
});

test('targetPercentLabel prints the target as written, never rounded', () => {
  const table: Array<[number, string]> = [
    [0.9, '90 %'], [0.95, '95 %'], [0.99, '99 %'], [0.995, '99.5 %'], [0.999, '99.9 %'], [0.9995, '99.95 %'],
    [0.9999, '99.99 %'], [0.99999, '99.999 %'], [0.999999, '99.9999 %'], [0.5, '50 %'], [0.05, '5 %'], [0.001, '0.1 %'],
    [0.123456789, '12.3456789 %'],
  ];
  for (const [target, label] of table) assert.equal(targetPercentLabel(target), label, `targetPercentLabel(${target})`);
});

test('window ids: 7d 28d 30d 90d month quarter, anything else is slo-window', () => {
  assert.deepEqual([...SLO_WINDOWS], ['7d', '28d', '30d', '90d', 'month', 'quarter']);
  for (const w of SLO_WINDOWS) {
    assert.equal(parseSloWindow(w), w);
    assert.equal(isSloWindow(w), true);
  }
  for (const bad of ['30', '1d', 'year', 'Month', '', '30d ']) {
    throwsCode(() => parseSloWindow(bad), 'slo-window');
    assert.equal(isSloWindow(bad), false);
  }
  throwsCode(() => windowBounds('week' as SloWindow, new Date()), 'slo-window');
});

test('rolling windows end at now and last exactly N days', () => {
  const now = new Date('2026-11-26T19:25:00.000Z');
  const table: Array<[SloWindow, string, number]> = [
    ['7d', '2026-11-19T19:25:00.000Z', 7],
    ['28d', '2026-10-29T19:25:00.000Z', 28],
    ['30d', '2026-10-27T19:25:00.000Z', 30],
    ['90d', '2026-08-28T19:25:00.000Z', 90],
  ];
  for (const [window, start, days] of table) {
    const b = windowBounds(window, now);
    assert.equal(iso(b.startMs), start, `${window} start`);
    assert.equal(b.endMs, now.getTime(), `${window} end`);
    assert.equal(b.durationMs, days * DAY, `${window} duration`);
    assert.equal(b.elapsedMs, days * DAY, `${window} elapsed`);
    assert.equal(b.window, window);
  }
  throwsCode(() => windowBounds('30d', new Date('not a date')), 'slo-time');
});

test('calendar month in UTC: exact boundaries, leap Februaries, 28–31-day months', () => {
  const table: Array<[string, string, string, number, number]> = [
    // now, start, end (exclusive), days, elapsed ms
    ['2024-02-15T12:00:00.000Z', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z', 29, 14.5 * DAY],
    ['2024-02-29T23:59:59.999Z', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z', 29, 29 * DAY - 1],
    ['2023-02-15T12:00:00.000Z', '2023-02-01T00:00:00.000Z', '2023-03-01T00:00:00.000Z', 28, 14.5 * DAY],
    ['2000-02-10T00:00:00.000Z', '2000-02-01T00:00:00.000Z', '2000-03-01T00:00:00.000Z', 29, 9 * DAY], // divisible by 400: leap
    ['2100-02-10T00:00:00.000Z', '2100-02-01T00:00:00.000Z', '2100-03-01T00:00:00.000Z', 28, 9 * DAY], // divisible by 100: not leap
    ['2025-03-01T00:00:00.000Z', '2025-03-01T00:00:00.000Z', '2025-04-01T00:00:00.000Z', 31, 0],
    ['2025-04-30T23:59:59.999Z', '2025-04-01T00:00:00.000Z', '2025-05-01T00:00:00.000Z', 30, 30 * DAY - 1],
    ['2025-12-31T23:59:59.999Z', '2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 31, 31 * DAY - 1],
    ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z', 31, 0],
  ];
  for (const [now, start, end, days, elapsedMs] of table) {
    const b = windowBounds('month', new Date(now));
    assert.deepEqual(
      { start: iso(b.startMs), end: iso(b.endMs), durationMs: b.durationMs, elapsedMs: b.elapsedMs },
      { start, end, durationMs: days * DAY, elapsedMs },
      `month containing ${now}`,
    );
  }
  const days = (year: number) => Array.from({ length: 12 }, (_, i) => calendarMonthBounds(year, i + 1).durationMs / DAY);
  assert.deepEqual(days(2024), [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
  assert.deepEqual(days(2025), [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
  throwsCode(() => calendarMonthBounds(2025, 13), 'slo-time');
  throwsCode(() => calendarMonthBounds(2025, 0), 'slo-time');
  throwsCode(() => calendarMonthBounds(2025.5, 1), 'slo-time');
});

test('calendar quarter in UTC: boundaries to the millisecond, 90/91/92 days', () => {
  const table: Array<[string, string, string, number, number]> = [
    ['2025-03-31T23:59:59.999Z', '2025-01-01T00:00:00.000Z', '2025-04-01T00:00:00.000Z', 90, 90 * DAY - 1],
    ['2025-04-01T00:00:00.000Z', '2025-04-01T00:00:00.000Z', '2025-07-01T00:00:00.000Z', 91, 0],
    ['2025-08-15T06:00:00.000Z', '2025-07-01T00:00:00.000Z', '2025-10-01T00:00:00.000Z', 92, 45.25 * DAY],
    ['2025-12-31T23:59:59.999Z', '2025-10-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 92, 92 * DAY - 1],
    ['2024-02-29T12:00:00.000Z', '2024-01-01T00:00:00.000Z', '2024-04-01T00:00:00.000Z', 91, 59.5 * DAY], // leap Q1
  ];
  for (const [now, start, end, days, elapsedMs] of table) {
    const b = windowBounds('quarter', new Date(now));
    assert.deepEqual(
      { start: iso(b.startMs), end: iso(b.endMs), durationMs: b.durationMs, elapsedMs: b.elapsedMs },
      { start, end, durationMs: days * DAY, elapsedMs },
      `quarter containing ${now}`,
    );
  }
  assert.deepEqual([1, 2, 3, 4].map((q) => calendarQuarterBounds(2024, q).durationMs / DAY), [91, 91, 92, 92]);
  assert.deepEqual([1, 2, 3, 4].map((q) => calendarQuarterBounds(2025, q).durationMs / DAY), [90, 91, 92, 92]);
  throwsCode(() => calendarQuarterBounds(2025, 5), 'slo-time');
  throwsCode(() => calendarQuarterBounds(1969, 1), 'slo-time');
});
