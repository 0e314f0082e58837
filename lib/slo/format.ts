// Display helpers for SLO figures (pure). Ratios stay 0–1 everywhere else; only these turn them
// into text.
import { SloInputError } from './errors';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from './units';

// ---------------------------------------------------------------------------------------------
// Durations in the SRE book's style: three significant figures, trailing zeros dropped, the
// largest unit that keeps the number ≥ 1: "8.76 hours", "43.2 minutes", "8.64 seconds",
// "864 milliseconds", "36.5 days".

const UNITS: ReadonlyArray<{ ms: number; singular: string; plural: string; nextAt: number | null }> = [
  { ms: DAY_MS, singular: 'day', plural: 'days', nextAt: null },
  { ms: HOUR_MS, singular: 'hour', plural: 'hours', nextAt: 24 },
  { ms: MINUTE_MS, singular: 'minute', plural: 'minutes', nextAt: 60 },
  { ms: SECOND_MS, singular: 'second', plural: 'seconds', nextAt: 60 },
  { ms: 1, singular: 'millisecond', plural: 'milliseconds', nextAt: 1000 },
];

/** Strips binary noise (0.1 + 0.2) before decimal rounding. */
function clean(v: number): number {
  return Number(v.toPrecision(12));
}

/**
 * Rounds v > 0 half-up to `sig` significant figures, but never drops integer digits
 * (1234.5 → 1235). Returns the value and the number of decimals it is shown with.
 */
export function roundSignificant(v: number, sig: number): { value: number; decimals: number } {
  if (!Number.isFinite(v) || v <= 0) throw new SloInputError('slo-format', `roundSignificant needs a finite number > 0, got ${String(v)}`);
  const c = clean(v);
  const exponent = Number(c.toExponential().split('e')[1]);
  const decimals = Math.max(0, sig - 1 - exponent);
  const scale = 10 ** decimals;
  return { value: Math.round(clean(c * scale)) / scale, decimals };
}

function numberText(value: number, decimals: number): string {
  const fixed = value.toFixed(decimals);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/**
 * "8.76 hours", "43.2 minutes", "1 minute", "864 milliseconds"; negative durations get a leading
 * "-" (an overspent budget); 0 is "0 seconds"; null or a non-finite number is "—".
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0 seconds';
  let index = UNITS.findIndex((u) => ms >= u.ms);
  if (index === -1) index = UNITS.length - 1; // below 1 ms: fractional milliseconds
  let unit = UNITS[index]!;
  let { value, decimals } = roundSignificant(ms / unit.ms, 3);
  // 59.96 seconds rounds to 60: show "1 minute" rather than "60 seconds".
  if (unit.nextAt !== null && value >= unit.nextAt && index > 0) {
    const bigger = UNITS[index - 1]!;
    ({ value, decimals } = roundSignificant((value * unit.ms) / bigger.ms, 3));
    unit = bigger;
  }
  const text = numberText(value, decimals);
  return `${text} ${text === '1' ? unit.singular : unit.plural}`;
}

// ---------------------------------------------------------------------------------------------
// Percentages, floored: 0.99999 at two decimals is 99.99 %, never 100.00 %. Only exactly 1 shows
// 100 %. Negative ratios (an overspent budget) floor towards −∞, i.e. they never look better.

const MAX_DECIMALS = 6;

function assertDecimals(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw new SloInputError('slo-format', `decimals must be a whole number 0–${MAX_DECIMALS}, got ${String(decimals)}`);
  }
}

/** ratio × 100 rounded DOWN to `decimals`: floorPercent(0.99999, 2) === 99.99, floorPercent(1, 2) === 100. */
export function floorPercent(ratio: number, decimals = 2): number {
  assertDecimals(decimals);
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) {
    throw new SloInputError('slo-ratio', `ratio must be a finite number, got ${String(ratio)}`);
  }
  const unitsPerOne = 10 ** (decimals + 2);
  // clean() absorbs binary noise (0.9993 × 10⁴ = 9992.999…), which must not cost a whole unit…
  let units = Math.floor(clean(ratio * unitsPerOne));
  // …but it must never lift anything short of 1 to 100 %.
  if (ratio < 1 && units >= unitsPerOne) units = unitsPerOne - 1;
  return units / 10 ** decimals;
}

/**
 * "99.99 %" (floored, fixed decimals); null or a non-finite number is "—". A ratio above 0 that floors to
 * 0 is "< 0.01 %" (at 2 decimals; "< 1 %" at 0), so "some" never reads as "none". The UI's only
 * percentage formatter (lib/format.ts re-exports it).
 */
export function formatPercent(ratio: number | null | undefined, decimals = 2): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const p = floorPercent(ratio, decimals);
  if (p === 0 && ratio > 0) return `< ${(10 ** -decimals).toFixed(decimals)} %`;
  return `${p.toFixed(decimals)} %`;
}
