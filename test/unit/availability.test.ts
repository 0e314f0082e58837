// Exact values for the time-based availability rule in lib/slo/availability.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availability, floorRatio, type TimedStatus } from '@/lib/slo/availability';
import type { Status } from '@/lib/types';

const S = 1000;
const MIN = 60 * S;
/** Samples every `step` ms from `from`, one status each. */
const every = (from: number, step: number, statuses: Status[]): TimedStatus[] => statuses.map((status, i) => ({ t: from + i * step, status }));

test('all up, perfectly covered: availability 1, coverage 1', () => {
  const r = availability({ samples: every(0, 10 * S, Array<Status>(6).fill('up')), startMs: 0, endMs: MIN, intervalMs: 10 * S });
  assert.deepEqual(r, { availability: 1, coverage: 1, goodMs: MIN, badMs: 0, unknownMs: 0 });
});

test('each sample counts until the next: 1 down of 6 → 5/6, floored', () => {
  const r = availability({ samples: every(0, 10 * S, ['up', 'up', 'down', 'up', 'up', 'up']), startMs: 0, endMs: MIN, intervalMs: 10 * S });
  assert.equal(r.goodMs, 50 * S);
  assert.equal(r.badMs, 10 * S);
  assert.equal(r.availability, 0.833333); // 0.8333… floored, not 0.833334
  assert.equal(r.coverage, 1);
});

test('degraded is good time, unknown is left out of the denominator and lowers coverage', () => {
  const r = availability({ samples: every(0, 10 * S, ['up', 'degraded', 'unknown', 'unknown', 'down', 'up']), startMs: 0, endMs: MIN, intervalMs: 10 * S });
  assert.deepEqual(r, { availability: 0.75, coverage: 0.666666, goodMs: 30 * S, badMs: 10 * S, unknownMs: 20 * S });
});

test('a gap longer than 2 × interval is unknown beyond the cap', () => {
  // up at 0 then nothing until 50 s: the first sample speaks for 20 s only; 20–50 s is unknown.
  const r = availability({ samples: [{ t: 0, status: 'up' }, { t: 50 * S, status: 'up' }], startMs: 0, endMs: MIN, intervalMs: 10 * S });
  assert.deepEqual(r, { availability: 1, coverage: 0.5, goodMs: 30 * S, badMs: 0, unknownMs: 30 * S });
});

test('a custom maxGapMs caps each sample', () => {
  const r = availability({ samples: [{ t: 0, status: 'down' }], startMs: 0, endMs: MIN, intervalMs: 10 * S, maxGapMs: 15 * S });
  assert.deepEqual(r, { availability: 0, coverage: 0.25, goodMs: 0, badMs: 15 * S, unknownMs: 45 * S });
});

test('a sample before the window speaks for the window start; samples after the window are ignored', () => {
  const r = availability({
    samples: [{ t: -5 * S, status: 'down' }, { t: 5 * S, status: 'up' }, { t: 70 * S, status: 'down' }],
    startMs: 0,
    endMs: 30 * S,
    intervalMs: 10 * S,
    maxGapMs: 40 * S,
  });
  // down 0–5 s (5 s), up 5–30 s (25 s)
  assert.deepEqual(r, { availability: 0.833333, coverage: 1, goodMs: 25 * S, badMs: 5 * S, unknownMs: 0 });
});

test('unsorted input is sorted; the last sample stops at the window end', () => {
  const r = availability({ samples: [{ t: 20 * S, status: 'down' }, { t: 0, status: 'up' }, { t: 10 * S, status: 'up' }], startMs: 0, endMs: 25 * S, intervalMs: 10 * S });
  assert.deepEqual(r, { availability: 0.8, coverage: 1, goodMs: 20 * S, badMs: 5 * S, unknownMs: 0 });
});

test('never rounds up to 100 %: 1 ms down in 24 h stays below 1', () => {
  const day = 24 * 60 * MIN;
  const r = availability({ samples: [{ t: 0, status: 'up' }, { t: day - 1, status: 'down' }], startMs: 0, endMs: day, intervalMs: day, maxGapMs: day });
  assert.equal(r.badMs, 1);
  assert.equal(r.availability, 0.999999);
  assert.ok(r.availability! < 1);
});

test('no samples, or only unknown: availability null, coverage 0', () => {
  assert.deepEqual(availability({ samples: [], startMs: 0, endMs: MIN, intervalMs: 10 * S }), { availability: null, coverage: 0, goodMs: 0, badMs: 0, unknownMs: MIN });
  const r = availability({ samples: every(0, 10 * S, ['unknown', 'unknown']), startMs: 0, endMs: MIN, intervalMs: 10 * S });
  assert.equal(r.availability, null);
  assert.equal(r.coverage, 0);
});

test('two samples at the same instant: the later one in order speaks', () => {
  const r = availability({ samples: [{ t: 0, status: 'down' }, { t: 0, status: 'up' }], startMs: 0, endMs: 10 * S, intervalMs: 10 * S });
  assert.deepEqual(r, { availability: 1, coverage: 1, goodMs: 10 * S, badMs: 0, unknownMs: 0 });
});

test('bad windows and intervals are refused', () => {
  assert.throws(() => availability({ samples: [], startMs: 10, endMs: 10, intervalMs: 1 }), RangeError);
  assert.throws(() => availability({ samples: [], startMs: 0, endMs: 10, intervalMs: 0 }), RangeError);
});

test('floorRatio floors to 6 decimals', () => {
  assert.equal(floorRatio(2, 3), 0.666666);
  assert.equal(floorRatio(29, 100), 0.29);
  assert.equal(floorRatio(999_999_999, 1_000_000_000), 0.999999);
  assert.equal(floorRatio(5, 5), 1);
  assert.throws(() => floorRatio(1, 0), RangeError);
});
