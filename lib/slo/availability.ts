// Time-based availability over a window. Pure: numbers in, numbers out.
//
// The rule (documented here, pinned by test/unit/availability.test.ts):
//  1. Samples are sorted by time. Each sample speaks for the time from its own timestamp until the
//     next sample, but for at most `maxGapMs` (default 2 × the collector interval). Time that no
//     sample speaks for (a collector outage, a gap longer than maxGapMs) is UNKNOWN.
//  2. A sample taken before the window may speak for the window's first moments (clipped to it);
//     the last sample speaks until min(window end, its time + maxGapMs).
//  3. up and degraded are GOOD time, down is BAD time, unknown (including a sample whose status is
//     `unknown`, e.g. 401 or a collector-side error) is UNKNOWN time.
//  4. availability = good / (good + bad): unknown time is left out of the denominator and reported
//     separately as coverage = (good + bad) / window. No good or bad time at all → availability null.
//  5. Ratios are FLOORED to 6 decimals (0.9999996 → 0.999999), so any bad time keeps the result below
//     1: availability never rounds up to 100 %.
import type { Status } from '../types';

export interface TimedStatus {
  /** ms since epoch */
  t: number;
  status: Status;
}

export interface AvailabilityInput {
  samples: readonly TimedStatus[];
  /** Window [startMs, endMs). */
  startMs: number;
  endMs: number;
  /** Expected time between samples (the collector interval). */
  intervalMs: number;
  /** Longest time one sample may speak for; default 2 × intervalMs. */
  maxGapMs?: number;
}

export interface AvailabilityResult {
  /** good / (good + bad), floored to 6 decimals; null when the window has no known time. */
  availability: number | null;
  /** (good + bad) / window, floored to 6 decimals. */
  coverage: number;
  goodMs: number;
  badMs: number;
  unknownMs: number;
}

const RATIO_DECIMALS = 6;
const SCALE = 10 ** RATIO_DECIMALS;

const SCALE_N = BigInt(SCALE);

/**
 * Floors a ratio num/den (den > 0) to RATIO_DECIMALS decimals. Whole numbers (ms) use integer
 * math, so floorRatio(9993, 10000) is 0.9993, not 0.999299 (9993 × 10⁶ / 10⁴ is 999299.999… in
 * binary). Other inputs floor the float quotient, corrected by one unit when that unit still fits.
 */
export function floorRatio(num: number, den: number): number {
  if (!(den > 0)) throw new RangeError('floorRatio: denominator must be > 0');
  if (!Number.isFinite(num)) throw new RangeError('floorRatio: numerator must be finite');
  if (Number.isSafeInteger(num) && Number.isSafeInteger(den)) {
    const n = BigInt(num) * SCALE_N;
    const d = BigInt(den);
    let q = n / d; // truncates toward zero
    if (n % d !== 0n && n < 0n) q -= 1n; // floor for negatives
    return Number(q) / SCALE;
  }
  let units = Math.floor((num * SCALE) / den);
  if ((units + 1) * den <= num * SCALE) units += 1;
  return units / SCALE;
}

function isGood(s: Status): boolean {
  return s === 'up' || s === 'degraded';
}

export function availability(input: AvailabilityInput): AvailabilityResult {
  const { startMs, endMs, intervalMs } = input;
  const maxGapMs = input.maxGapMs ?? 2 * intervalMs;
  if (!(endMs > startMs)) throw new RangeError(`availability: empty window [${startMs}, ${endMs})`);
  if (!(intervalMs > 0) || !(maxGapMs > 0)) throw new RangeError('availability: intervalMs and maxGapMs must be > 0');
  const sorted = input.samples.filter((s) => Number.isFinite(s.t) && s.t < endMs).sort((a, b) => a.t - b.t);
  let goodMs = 0;
  let badMs = 0;
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i]!;
    const next = sorted[i + 1];
    const until = Math.min(next ? next.t : Infinity, s.t + maxGapMs, endMs);
    const from = Math.max(s.t, startMs);
    const span = until - from;
    if (span <= 0) continue;
    if (isGood(s.status)) goodMs += span;
    else if (s.status === 'down') badMs += span;
  }
  const windowMs = endMs - startMs;
  const known = goodMs + badMs;
  return {
    availability: known > 0 ? floorRatio(goodMs, known) : null,
    coverage: floorRatio(known, windowMs),
    goodMs,
    badMs,
    unknownMs: windowMs - known,
  };
}
