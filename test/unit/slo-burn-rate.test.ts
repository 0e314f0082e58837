import { test } from 'node:test';
import assert from 'node:assert/strict';
import { burnRate, burnRateWindows, evaluateBurnAlerts, SloInputError, type BurnRateWindow } from '@/lib/slo';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function throwsCode(fn: () => unknown, code: string) {
  assert.throws(fn, (e: unknown) => e instanceof SloInputError && e.code === code, `expected SloInputError ${code}`);
}

test('burnRate = errorRatio / (1 − target), exact', () => {
  const table: Array<[number, number, number]> = [
    [0.0144, 0.999, 14.4],
    [0.006, 0.999, 6],
    [0.003, 0.999, 3],
    [0.001, 0.999, 1],
    [0, 0.999, 0],
    [1, 0.999, 1000],
    [0.01, 0.99, 1],
    [0.05, 0.95, 1],
    [0.5, 0.9, 5],
    [0.00144, 0.9999, 14.4],
  ];
  for (const [errorRatio, target, rate] of table) assert.equal(burnRate(errorRatio, target), rate, `burnRate(${errorRatio}, ${target})`);
  throwsCode(() => burnRate(1.2, 0.999), 'slo-ratio');
  throwsCode(() => burnRate(-0.01, 0.999), 'slo-ratio');
  throwsCode(() => burnRate(0.01, 1), 'slo-target');
});

type Row = [BurnRateWindow['severity'], number, number, number, number, number];
const rows = (sloWindowMs: number): Row[] =>
  burnRateWindows(sloWindowMs).map((r) => [r.severity, r.longWindowMs, r.shortWindowMs, r.factor, r.budgetConsumedFraction, r.exhaustsBudgetInMs]);

test('burnRateWindows(30 d) is the SRE Workbook table', () => {
  assert.deepEqual(rows(30 * DAY), [
    // severity, long, short, factor, budget consumed in long window, whole budget gone after
    ['page', 1 * HOUR, 5 * MIN, 14.4, 0.02, 50 * HOUR],
    ['page', 6 * HOUR, 30 * MIN, 6, 0.05, 5 * DAY],
    ['ticket', 1 * DAY, 2 * HOUR, 3, 0.1, 10 * DAY],
    ['ticket', 3 * DAY, 6 * HOUR, 1, 0.1, 30 * DAY],
  ]);
});

test('burnRateWindows(28 d) scales the windows by 28/30, minutes rounded; factors unchanged', () => {
  assert.deepEqual(rows(28 * DAY), [
    ['page', 56 * MIN, 5 * MIN, 14.4, 0.02, 2800 * MIN], // short 4 m 40 s rounds to 5 m
    ['page', 336 * MIN, 28 * MIN, 6, 0.05, 6720 * MIN],
    ['ticket', 1344 * MIN, 112 * MIN, 3, 0.1, 13_440 * MIN],
    ['ticket', 4032 * MIN, 336 * MIN, 1, 0.1, 28 * DAY],
  ]);
});

test('burnRateWindows(7 d) scales by 7/30', () => {
  assert.deepEqual(rows(7 * DAY), [
    ['page', 14 * MIN, 1 * MIN, 14.4, 0.02, 700 * MIN], // short 70 s rounds to 1 m
    ['page', 84 * MIN, 7 * MIN, 6, 0.05, 1680 * MIN],
    ['ticket', 336 * MIN, 28 * MIN, 3, 0.1, 3360 * MIN],
    ['ticket', 1008 * MIN, 84 * MIN, 1, 0.1, 7 * DAY],
  ]);
});

test('burnRateWindows for 90 d and calendar months; bad windows are classified', () => {
  assert.deepEqual(rows(90 * DAY), [
    ['page', 3 * HOUR, 15 * MIN, 14.4, 0.02, 150 * HOUR],
    ['page', 18 * HOUR, 90 * MIN, 6, 0.05, 15 * DAY],
    ['ticket', 3 * DAY, 6 * HOUR, 3, 0.1, 30 * DAY],
    ['ticket', 9 * DAY, 18 * HOUR, 1, 0.1, 90 * DAY],
  ]);
  assert.deepEqual(rows(31 * DAY).map((r) => [r[1] / MIN, r[2] / MIN, r[3]]), [[62, 5, 14.4], [372, 31, 6], [1488, 124, 3], [4464, 372, 1]]);
  assert.deepEqual(rows(29 * DAY).map((r) => [r[1] / MIN, r[2] / MIN, r[3]]), [[58, 5, 14.4], [348, 29, 6], [1392, 116, 3], [4176, 348, 1]]);
  // 1 day: windows floor at 1 minute.
  assert.deepEqual(rows(DAY).map((r) => [r[1] / MIN, r[2] / MIN, r[3]]), [[2, 1, 14.4], [12, 1, 6], [48, 4, 3], [144, 12, 1]]);
  // Every row keeps factor × longWindow / sloWindow = budget fraction.
  for (const days of [1, 7, 14, 28, 29, 30, 31, 90, 91, 92]) {
    for (const r of burnRateWindows(days * DAY)) {
      assert.ok(Math.abs((r.factor * r.longWindowMs) / (days * DAY) - r.budgetConsumedFraction) < 1e-15, `${days} d row ${r.longWindowMs}`);
      assert.ok(r.shortWindowMs < r.longWindowMs, `${days} d short < long`);
    }
  }
  throwsCode(() => burnRateWindows(DAY - 1), 'slo-window');
  throwsCode(() => burnRateWindows(30.5 * DAY + 0.5), 'slo-window');
  throwsCode(() => burnRateWindows(Number.NaN), 'slo-window');
});

const ROWS_30D = burnRateWindows(30 * DAY);

function ratios(map: Record<number, number | null>, fallback: number | null): (windowMs: number) => number | null {
  return (windowMs) => (windowMs in map ? (map[windowMs] ?? null) : fallback);
}

test('evaluateBurnAlerts: fires only when both windows are strictly above factor × (1 − target)', () => {
  const firing = (fn: (w: number) => number | null) => evaluateBurnAlerts(ROWS_30D, 0.999, fn).map((e) => e.state);
  // 1.5 % errors everywhere: burn 15 > 14.4, every row fires.
  assert.deepEqual(firing(() => 0.015), ['firing', 'firing', 'firing', 'firing']);
  // Exactly at the threshold is not above it.
  assert.deepEqual(firing(() => 0.0144), ['ok', 'firing', 'firing', 'firing']);
  // Burn 0.7 everywhere: nothing fires.
  assert.deepEqual(firing(() => 0.0007), ['ok', 'ok', 'ok', 'ok']);
  // A big hour that has already recovered: the 5 m short window stops the page.
  assert.deepEqual(firing(ratios({ [HOUR]: 0.02, [5 * MIN]: 0 }, 0)), ['ok', 'ok', 'ok', 'ok']);
  // Slow burn 1.2 on 3 d and 6 h: only the last ticket.
  assert.deepEqual(firing(ratios({ [3 * DAY]: 0.0012, [6 * HOUR]: 0.0012 }, 0.0005)), ['ok', 'ok', 'ok', 'firing']);
  // No eligible time in the short window: no data never fires.
  assert.deepEqual(firing(ratios({ [5 * MIN]: null }, 0.5)), ['no-data', 'firing', 'firing', 'firing']);
});

test('evaluateBurnAlerts: exact evaluation rows', () => {
  const [page] = evaluateBurnAlerts(ROWS_30D, 0.999, ratios({ [HOUR]: 0.02, [5 * MIN]: 0.03 }, 0));
  assert.deepEqual(page, {
    severity: 'page',
    longWindowMs: HOUR,
    shortWindowMs: 5 * MIN,
    factor: 14.4,
    budgetConsumedFraction: 0.02,
    exhaustsBudgetInMs: 50 * HOUR,
    thresholdErrorRatio: 0.0144,
    longErrorRatio: 0.02,
    shortErrorRatio: 0.03,
    longBurnRate: 20,
    shortBurnRate: 30,
    state: 'firing',
    firing: true,
    longCoverage: null,
    shortCoverage: null,
  });
  const last = evaluateBurnAlerts(ROWS_30D, 0.99, ratios({ [5 * MIN]: null }, 0.005)).at(-1);
  assert.deepEqual(last, {
    severity: 'ticket',
    longWindowMs: 3 * DAY,
    shortWindowMs: 6 * HOUR,
    factor: 1,
    budgetConsumedFraction: 0.1,
    exhaustsBudgetInMs: 30 * DAY,
    thresholdErrorRatio: 0.01,
    longErrorRatio: 0.005,
    shortErrorRatio: 0.005,
    longBurnRate: 0.5,
    shortBurnRate: 0.5,
    state: 'ok',
    firing: false,
    longCoverage: null,
    shortCoverage: null,
  });
  throwsCode(() => evaluateBurnAlerts(ROWS_30D, 0.999, () => 2), 'slo-ratio');
  throwsCode(() => evaluateBurnAlerts(ROWS_30D, 1, () => 0), 'slo-target');
});
