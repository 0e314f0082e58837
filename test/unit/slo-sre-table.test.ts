import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availabilityTable, availabilityTableRow, SloInputError, SRE_BOOK_TABLE, SRE_TABLE_PERIOD_MS, SRE_TABLE_PERIODS, type SreTablePeriod } from '@/lib/slo';

const DAY = 86_400_000;

test('the book periods: 365-day year, 90-day quarter, 30-day month, week, day, hour', () => {
  assert.deepEqual(SRE_TABLE_PERIOD_MS, { year: 365 * DAY, quarter: 90 * DAY, month: 30 * DAY, week: 7 * DAY, day: DAY, hour: 3_600_000 });
});

test('allowed downtime in exact milliseconds for the eight levels', () => {
  const expected: Array<[string, number, number, number, number, number, number]> = [
    // level, year, quarter, month, week, day, hour
    ['90 %', 3_153_600_000, 777_600_000, 259_200_000, 60_480_000, 8_640_000, 360_000],
    ['95 %', 1_576_800_000, 388_800_000, 129_600_000, 30_240_000, 4_320_000, 180_000],
    ['99 %', 315_360_000, 77_760_000, 25_920_000, 6_048_000, 864_000, 36_000],
    ['99.5 %', 157_680_000, 38_880_000, 12_960_000, 3_024_000, 432_000, 18_000],
    ['99.9 %', 31_536_000, 7_776_000, 2_592_000, 604_800, 86_400, 3_600],
    ['99.95 %', 15_768_000, 3_888_000, 1_296_000, 302_400, 43_200, 1_800],
    ['99.99 %', 3_153_600, 777_600, 259_200, 60_480, 8_640, 360],
    ['99.999 %', 315_360, 77_760, 25_920, 6_048, 864, 36],
  ];
  assert.deepEqual(
    availabilityTable().map((r) => [r.label, ...SRE_TABLE_PERIODS.map((p) => r.allowedMs[p])]),
    expected,
  );
});

const UNIT_MS: Record<string, number> = { days: DAY, hours: 3_600_000, minutes: 60_000, seconds: 1_000 };

/** "43.2 minutes" → [2_592_000 ms, half a unit of the last printed digit in ms]. */
function parsePrinted(text: string): [number, number] {
  const m = /^(\d+)(?:\.(\d+))? (days|hours|minutes|seconds)$/.exec(text);
  assert.ok(m, `unparseable book cell ${text}`);
  const unit = UNIT_MS[m[3]!]!;
  const decimals = m[2]?.length ?? 0;
  return [Number(`${m[1]}.${m[2] ?? '0'}`) * unit, (0.5 * unit) / 10 ** decimals];
}

test('every printed cell of the book agrees with the exact figure to the precision printed', () => {
  // The one printing error: 99.999 % of a day is 0.864 s, which the book prints as "0.87 seconds".
  const misprints = new Set(['0.99999/day']);
  let checked = 0;
  for (const book of SRE_BOOK_TABLE) {
    const row = availabilityTableRow(book.target);
    for (const period of SRE_TABLE_PERIODS) {
      const [printedMs, halfUnitMs] = parsePrinted(book.printed[period]);
      const exactMs = row.allowedMs[period];
      const agrees = Math.abs(printedMs - exactMs) <= halfUnitMs + 1e-9;
      assert.equal(agrees, !misprints.has(`${book.target}/${period}`), `${book.level} per ${period}: book ${book.printed[period]}, exact ${exactMs} ms`);
      checked++;
    }
  }
  assert.equal(checked, 48);
  assert.equal(availabilityTableRow(0.99999).allowedMs.day, 864);
});

test('formatted cells equal the book text, except where the book mixes styles (each listed)', () => {
  // [target/period]: what formatDuration prints, where the book's text differs.
  const differs: Record<string, string> = {
    '0.95/year': '18.3 days', // book "18.25 days": four figures here, three elsewhere
    '0.995/day': '7.2 minutes', // book "7.20 minutes" but "7.2 hours" for 99 %/month
    '0.9999/quarter': '13 minutes', // book "12.96 minutes" but "52.6 minutes" for 52.56
    '0.9999/week': '1.01 minutes', // book "60.5 seconds"
    '0.9999/hour': '360 milliseconds', // book "0.36 seconds"
    '0.99999/quarter': '1.3 minutes', // book "1.30 minutes"
    '0.99999/day': '864 milliseconds', // book "0.87 seconds" (misprint of 0.864 s)
    '0.99999/hour': '36 milliseconds', // book "0.04 seconds"
  };
  let same = 0;
  for (const book of SRE_BOOK_TABLE) {
    const row = availabilityTableRow(book.target);
    for (const period of SRE_TABLE_PERIODS) {
      const key = `${book.target}/${period}`;
      const expected = differs[key] ?? book.printed[period];
      assert.equal(row.formatted[period], expected, `${book.level} per ${period}`);
      if (!(key in differs)) same++;
    }
  }
  assert.equal(same, 40);
});

test('99.9 %: 8.76 hours a year, 2.16 hours a quarter, 43.2 minutes a 30-day month, 10.1 minutes a week, 1.44 minutes a day', () => {
  const row = availabilityTableRow(0.999);
  assert.equal(row.label, '99.9 %');
  assert.deepEqual(row.formatted, { year: '8.76 hours', quarter: '2.16 hours', month: '43.2 minutes', week: '10.1 minutes', day: '1.44 minutes', hour: '3.6 seconds' });
});

test('computed for any target', () => {
  const table: Array<[number, string, Record<SreTablePeriod, string>]> = [
    [0.98, '98 %', { year: '7.3 days', quarter: '1.8 days', month: '14.4 hours', week: '3.36 hours', day: '28.8 minutes', hour: '1.2 minutes' }],
    [0.999999, '99.9999 %', { year: '31.5 seconds', quarter: '7.78 seconds', month: '2.59 seconds', week: '605 milliseconds', day: '86.4 milliseconds', hour: '3.6 milliseconds' }],
    [0.9975, '99.75 %', { year: '21.9 hours', quarter: '5.4 hours', month: '1.8 hours', week: '25.2 minutes', day: '3.6 minutes', hour: '9 seconds' }],
  ];
  for (const [target, label, formatted] of table) {
    const row = availabilityTableRow(target);
    assert.equal(row.label, label);
    assert.deepEqual(row.formatted, formatted, label);
  }
  assert.throws(() => availabilityTableRow(1), (e: unknown) => e instanceof SloInputError && e.code === 'slo-target');
});
