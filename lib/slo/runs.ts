// Runs (pure): how the sparse raw tier's rows — one per run of equal results of a series, with the
// run's sample count and last sample time (prisma/README.md "Sparse raw tier") — are read back
// exactly. Within a run every sample has the run's status and consecutive samples are at most the
// cap apart (a longer gap starts a run: lib/slo/timeline.ts startsRun), so a run speaks for
// [first, min(next run's first, last + cap)) without a hole: time figures from runs equal the ones
// from every sample.
import type { Status } from '../types';
import { floorRatio } from './availability';
import type { Span } from './timeline';

/** One run of one series: first and last sample time, sample count, status. */
export interface RunTimes {
  atMs: number;
  lastAtMs: number;
  samples: number;
  status: Status;
}

/** The time each run (of ONE series, sorted by atMs) speaks for, clipped to [startMs, endMs). */
function runSpans(runs: readonly RunTimes[], capMs: number, startMs: number, endMs: number): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i]!;
    if (r.atMs >= endMs) break;
    const next = runs[i + 1];
    const until = Math.min(next ? next.atMs : Number.POSITIVE_INFINITY, r.lastAtMs + capMs, endMs);
    const from = Math.max(r.atMs, startMs);
    if (until > from) out.push({ startMs: from, endMs: until, status: r.status });
  }
  return out;
}

/**
 * Time-based availability of [startMs, endMs) from one series' runs: the same figures
 * lib/slo/availability.ts `availability` gives for every sample of those runs (maxGapMs = capMs).
 */
export function runsAvailability(runs: readonly RunTimes[], o: { startMs: number; endMs: number; capMs: number }): { availability: number | null; coverage: number; goodMs: number; badMs: number } {
  if (!(o.endMs > o.startMs)) throw new RangeError(`runsAvailability: empty window [${o.startMs}, ${o.endMs})`);
  let goodMs = 0;
  let badMs = 0;
  for (const s of runSpans(runs, o.capMs, o.startMs, o.endMs)) {
    const ms = s.endMs - s.startMs;
    if (s.status === 'up' || s.status === 'degraded') goodMs += ms;
    else if (s.status === 'down') badMs += ms;
  }
  const known = goodMs + badMs;
  return { availability: known > 0 ? floorRatio(goodMs, known) : null, coverage: floorRatio(known, o.endMs - o.startMs), goodMs, badMs };
}

/**
 * Episodes of one series: maximal stretches of consecutive runs (each next run starting at most
 * `capMs` after the previous one's last sample) for which `member` holds. Runs sorted by atMs.
 * The same stretches as consecutive samples give, whatever splits a stretch into several runs.
 */
export function episodes<R extends RunTimes>(runs: readonly R[], capMs: number, member: (r: R) => boolean): Array<{ first: R; last: R; samples: number }> {
  const out: Array<{ first: R; last: R; samples: number }> = [];
  let cur: { first: R; last: R; samples: number } | null = null;
  for (const r of runs) {
    if (!member(r)) {
      cur = null;
      continue;
    }
    if (cur && r.atMs - cur.last.lastAtMs <= capMs) {
      cur.last = r;
      cur.samples += r.samples;
    } else {
      cur = { first: r, last: r, samples: r.samples };
      out.push(cur);
    }
  }
  return out;
}
