// The sparse raw tier's runs (lib/slo/timeline.ts advanceRuns, recentTimes; lib/slo/runs.ts): a stream
// split into runs by startsRun reads back the same figures as every sample of it — availability and
// coverage for any window, failure episodes — and the cursor's recent times are the last samples'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availability } from '@/lib/slo/availability';
import { episodes, runsAvailability, type RunTimes } from '@/lib/slo/runs';
import { advanceRuns, nextRecentGaps, recentTimes, type OpenRun, type TimelineSample } from '@/lib/slo/timeline';
import type { Status } from '@/lib/types';

const CAP = 30_000;

/** A deterministic stream: 10 s cycles with jitter, outages, unknowns, digit-changing reasons, a detail change, gaps beyond the cap. */
function stream(n: number, seed: number): TimelineSample[] {
  let x = seed;
  const rnd = (): number => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  const out: TimelineSample[] = [];
  let t = 1_800_000_000_000;
  let status: Status = 'up';
  let holder = 'a';
  for (let i = 0; i < n; i++) {
    const r = rnd();
    t += r < 0.03 ? 45_000 + Math.floor(rnd() * 60_000) : 9_000 + Math.floor(rnd() * 2_000);
    if (rnd() < 0.05) status = (['up', 'down', 'degraded', 'unknown'] as const)[Math.floor(rnd() * 4)]!;
    if (rnd() < 0.01) holder = holder === 'a' ? 'b' : 'a';
    out.push({ t, status, reason: status === 'up' ? `held by ${holder}, renewed ${(rnd() * 9).toFixed(1)} s ago` : `failing: ${status}`, latencyMs: Math.floor(rnd() * 50), detail: JSON.stringify({ facts: { holder, renewAgeMs: Math.floor(rnd() * 9000) } }) });
  }
  return out;
}

/** The stream in batches through advanceRuns, as the write path does (the cursor carried between batches). */
function toRuns(samples: readonly TimelineSample[], batch: number): RunTimes[] {
  const runs: RunTimes[] = [];
  let cur: OpenRun | null = null;
  for (let i = 0; i < samples.length; i += batch) {
    const part = samples.slice(i, i + batch);
    const r = advanceRuns(cur, part, CAP);
    if (r.continued) {
      const open = runs[runs.length - 1]!;
      open.samples = r.continued.samples;
      open.lastAtMs = r.continued.lastAtMs;
    }
    for (const run of r.runs) runs.push({ atMs: run.first.t, lastAtMs: run.lastAtMs, samples: run.samples, status: run.first.status });
    const last = part[part.length - 1]!;
    cur = { lastAtMs: last.t, lastStatus: last.status, lastReason: last.reason, lastDetail: last.detail ?? null, runSampleId: 1, runSamples: runs[runs.length - 1]!.samples };
  }
  return runs;
}

test('runs of a stream (any batching) give the availability and coverage of every sample, for any window', () => {
  const samples = stream(3000, 7);
  const runs = toRuns(samples, 1);
  assert.deepEqual(toRuns(samples, 97), runs, 'batching does not change the runs');
  assert.equal(runs.reduce((a, r) => a + r.samples, 0), samples.length);
  assert.ok(runs.length < samples.length / 5, `${runs.length} runs of ${samples.length} samples`);
  const t0 = samples[0]!.t;
  const t1 = samples[samples.length - 1]!.t;
  for (let k = 0; k < 200; k++) {
    const a = t0 - 60_000 + Math.floor(((t1 - t0 + 120_000) * k) / 200);
    const b = a + 1 + ((k * 7_919_371) % (t1 - t0));
    const want = availability({ samples, startMs: a, endMs: b, intervalMs: 10_000, maxGapMs: CAP });
    const got = runsAvailability(runs, { startMs: a, endMs: b, capMs: CAP });
    assert.deepEqual(got, { availability: want.availability, coverage: want.coverage, goodMs: want.goodMs, badMs: want.badMs }, `[${a}, ${b})`);
  }
});

test('failure episodes from runs equal the stretches of consecutive failing samples', () => {
  const samples = stream(3000, 11);
  const runs = toRuns(samples, 10);
  const failing = (s: Status): boolean => s === 'down' || s === 'degraded';
  let want = 0;
  for (let i = 0; i < samples.length; i++) {
    if (failing(samples[i]!.status) && (i === 0 || !failing(samples[i - 1]!.status) || samples[i]!.t - samples[i - 1]!.t > CAP)) want++;
  }
  const got = episodes(runs, CAP, (r) => failing(r.status));
  assert.equal(got.length, want);
  assert.equal(got.reduce((a, e) => a + e.samples, 0), samples.filter((s) => failing(s.status)).length);
});

test('the cursor keeps the times of the last 101 samples', () => {
  const samples = stream(400, 3);
  let cur: { lastAtMs: number; recentGaps: string } | null = null;
  for (let i = 0; i < samples.length; i += 7) {
    const part = samples.slice(i, i + 7);
    cur = { lastAtMs: part[part.length - 1]!.t, recentGaps: nextRecentGaps(cur, part) };
    const upTo = samples.slice(0, i + part.length).map((s) => s.t).reverse().slice(0, 101);
    assert.deepEqual(recentTimes(cur.lastAtMs, cur.recentGaps), upTo);
  }
  assert.deepEqual(recentTimes(5, ''), [5]);
  assert.deepEqual(recentTimes(100, '10,x,5'), [100, 90], 'a damaged list stops at the damage');
});
