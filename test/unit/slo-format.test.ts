import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floorPercent, formatDuration, formatPercent, roundSignificant, SloInputError } from '@/lib/slo';

function throwsCode(fn: () => unknown, code: string) {
  assert.throws(fn, (e: unknown) => e instanceof SloInputError && e.code === code, `expected SloInputError ${code}`);
}

test('formatDuration: the SRE book style, three significant figures', () => {
  const table: Array<[number | null, string]> = [
    [31_536_000, '8.76 hours'],
    [2_592_000, '43.2 minutes'],
    [604_800, '10.1 minutes'],
    [86_400, '1.44 minutes'],
    [8_640, '8.64 seconds'],
    [864, '864 milliseconds'],
    [3_153_600_000, '36.5 days'],
    [157_680_000, '1.83 days'], // 1.825 rounds half up
    [8_640_000, '2.4 hours'],
    [60_000, '1 minute'],
    [1_000, '1 second'],
    [86_400_000, '1 day'],
    [59_940, '59.9 seconds'],
    [59_960, '1 minute'], // 59.96 s rounds to 60 s: promoted
    [999.6, '1 second'],
    [86_399_999, '1 day'],
    [123_456_789_000, '1429 days'], // never drops integer digits
    [0.5, '0.5 milliseconds'],
    [0, '0 seconds'],
    [-2_592_000, '-43.2 minutes'],
    [null, '—'],
    [Number.NaN, '—'],
    [Number.POSITIVE_INFINITY, '—'],
  ];
  for (const [ms, text] of table) assert.equal(formatDuration(ms), text, `formatDuration(${ms})`);
});

test('roundSignificant rounds half up on the decimal value, not the binary one', () => {
  const table: Array<[number, number, number, number]> = [
    [1.825, 3, 1.83, 2],
    [0.0364, 3, 0.0364, 4],
    [1234.5, 3, 1235, 0],
    [60.48, 3, 60.5, 1],
    [0.1 + 0.2, 3, 0.3, 3],
    [9.995, 3, 10, 2],
  ];
  for (const [v, sig, value, decimals] of table) assert.deepEqual(roundSignificant(v, sig), { value, decimals }, `roundSignificant(${v}, ${sig})`);
  throwsCode(() => roundSignificant(0, 3), 'slo-format');
  throwsCode(() => roundSignificant(-1, 3), 'slo-format');
});

test('floorPercent rounds down and never shows 100 unless exactly 1', () => {
  const table: Array<[number, number, number]> = [
    [0.99999, 2, 99.99],
    [0.99995, 2, 99.99],
    [0.9993, 2, 99.93], // 0.9993 × 10⁴ is 9992.999… in binary: not 99.92
    [1, 2, 100],
    [1, 0, 100],
    [1 - 1e-15, 2, 99.99],
    [1 - 1e-15, 6, 99.999999],
    [0.999999, 0, 99],
    [0.5, 0, 50],
    [0.123456, 3, 12.345],
    [0, 2, 0],
    [-0.38888, 2, -38.89], // an overspent budget floors towards −∞
    [1.3888888, 1, 138.8],
  ];
  for (const [ratio, decimals, percent] of table) assert.equal(floorPercent(ratio, decimals), percent, `floorPercent(${ratio}, ${decimals})`);
  throwsCode(() => floorPercent(0.5, 7), 'slo-format');
  throwsCode(() => floorPercent(0.5, 1.5), 'slo-format');
  throwsCode(() => floorPercent(Number.NaN, 2), 'slo-ratio');
});

test('formatPercent: floored, fixed decimals, em dash for no data', () => {
  const table: Array<[number | null, number, string]> = [
    [0.99999, 2, '99.99 %'],
    [1, 2, '100.00 %'],
    [0.9995, 3, '99.950 %'],
    [0.7685185185185185, 1, '76.8 %'],
    [-0.3888888888888889, 0, '-39 %'],
    [null, 2, '—'],
  ];
  for (const [ratio, decimals, text] of table) assert.equal(formatPercent(ratio, decimals), text, `formatPercent(${ratio}, ${decimals})`);
});
