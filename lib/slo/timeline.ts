// Timelines (pure): how samples become attributed time, coalesced intervals and time buckets, and
// how a window is measured from them. Used by the write path (lib/data/samples.ts) to maintain
// rollups and by the read path (lib/data/slo.ts) to measure windows exactly without raw rows.
//
// The rule (the same as availability.ts, with the cap given explicitly):
//  - a sample speaks for the time from its own timestamp until the next sample of the same series,
//    but for at most `capMs` (3 × the collector interval); beyond that there is NO DATA;
//  - up and degraded are good, down is bad, unknown is unknown time;
//  - a sample's own span is only known once the next sample arrives: until then it is the series'
//    "open tail", which readers add as [lastAtMs, min(lastAtMs + capMs, now)).
import type { Status } from '../types';

export interface Range {
  /** Inclusive start, ms since epoch. */
  startMs: number;
  /** Exclusive end. */
  endMs: number;
}

export interface Span extends Range {
  status: Status;
}

export interface TimelineSample {
  t: number;
  status: Status;
  reason: string;
  latencyMs: number | null;
  /** JSON text of the sample's detail; carried through to `accepted` untouched (the cursor keeps the last one). */
  detail?: string | null;
}

/** What the write path keeps per series between writes (the Series row). */
export interface SeriesCursor {
  /** Time of the last sample; its span is not attributed yet. */
  lastAtMs: number;
  lastStatus: Status;
  /** The open (last) coalesced interval: it starts here; its attributed end is lastAtMs. */
  openStartMs: number;
  openReason: string;
  openSamples: number;
}

/** A coalesced interval as written (absolute values: writing it twice is harmless). */
export interface CoalescedInterval extends Span {
  reason: string;
  samples: number;
}

export interface AdvanceResult {
  cursor: SeriesCursor;
  /** Newly attributed time, in time order. */
  spans: Span[];
  /** Intervals created or changed by this batch (the open one last), as their full new values. */
  intervals: CoalescedInterval[];
  /** Samples accepted (t > previous lastAtMs), in time order. */
  accepted: TimelineSample[];
  /** Samples at or before the series' last time: stored raw but not rolled up (count only). */
  late: number;
}

/**
 * Reasons are compared with digits masked, so "renewed 1.2 s ago" and "renewed 1.9 s ago" are the same
 * result: reasonKey("held by a, renewed 1.2 s ago (lease 15 s)") === "held by a, renewed # s ago (lease # s)".
 */
export function reasonKey(reason: string): string {
  return reason.replace(/\d+(?:\.\d+)?/g, '#');
}

/**
 * Detail fields that are measurements taken afresh every cycle (a Lease's renew age, etcd's raft index
 * and database size, a latency): compared without their value, or every sample would differ from the
 * previous one. Everything else in a detail — named checks and their ok flags and messages, HTTP
 * status, error class, a Lease's holder, transitions and watch state, etcd's leader and term, DNS
 * answers, node counts — is compared exactly.
 */
const VOLATILE_DETAIL_KEYS: ReadonlySet<string> = new Set(['renewAgeMs', 'raftIndex', 'dbSize', 'dbSizeInUse', 'latencyMs']);

/**
 * The part of a sample's detail (JSON text) that makes it a different result:
 * detailKey('{"facts":{"holder":"a","renewAgeMs":1200}}') === '{"facts":{"holder":"a","renewAgeMs":"#"}}'.
 * Text that is not JSON is compared with digits masked, as reasons are.
 */
export function detailKey(detail: string | null | undefined): string {
  if (detail === null || detail === undefined) return '';
  let v: unknown;
  try {
    v = JSON.parse(detail);
  } catch {
    return `!${reasonKey(detail)}`;
  }
  return JSON.stringify(v, (k: string, x: unknown) => (VOLATILE_DETAIL_KEYS.has(k) && typeof x === 'number' ? '#' : x));
}

/** The last sample of a series as the cursor keeps it. */
export interface LastSample {
  lastAtMs: number;
  lastStatus: Status;
  lastReason: string;
  lastDetail: string | null;
}

/**
 * Whether `s` (after `prev` in time) starts a new run of its series — a change row of the sparse raw
 * tier (prisma/README.md): the first sample, a sample after a gap longer than the cap, or one whose
 * status, reason (digits masked) or detail (detailKey) differs from the previous sample. A sample
 * that differs only in its latency, the digits of its reason or a volatile detail field is not.
 */
export function startsRun(prev: LastSample | null, s: Pick<TimelineSample, 't' | 'status' | 'reason' | 'detail'>, capMs: number): boolean {
  if (!prev) return true;
  if (s.t - prev.lastAtMs > capMs || s.status !== prev.lastStatus) return true;
  // Equal texts have equal keys: most samples repeat the previous one exactly (a healthy /readyz's
  // fifty named checks), and are told apart without parsing their detail.
  if (s.reason !== prev.lastReason && reasonKey(s.reason) !== reasonKey(prev.lastReason)) return true;
  const detail = s.detail ?? null;
  return detail !== prev.lastDetail && detailKey(detail) !== detailKey(prev.lastDetail);
}

/** How many sample times before the last one a series keeps (Series.recentGaps): the alert rules' longest "for N cycles" + 1. */
const RECENT_SAMPLES = 100;

/** The times of a series' last samples, newest first: the last one and the ones recentGaps encodes. Pure. */
export function recentTimes(lastAtMs: number, recentGaps: string): number[] {
  const out = [lastAtMs];
  if (recentGaps === '') return out;
  let t = lastAtMs;
  for (const g of recentGaps.split(',')) {
    const n = Number(g);
    if (!Number.isSafeInteger(n) || n <= 0) break;
    t -= n;
    out.push(t);
  }
  return out;
}

/** recentGaps after `accepted` (in time order) followed the cursor (null: a new series). Pure. */
export function nextRecentGaps(prev: { lastAtMs: number; recentGaps: string } | null, accepted: readonly Pick<TimelineSample, 't'>[]): string {
  const times = [...accepted.map((a) => a.t).reverse(), ...(prev ? recentTimes(prev.lastAtMs, prev.recentGaps) : [])].slice(0, RECENT_SAMPLES + 1);
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(times[i - 1]! - times[i]!);
  return gaps.join(',');
}

/** A run of equal results as the Sample table keeps it: its first sample, how many samples, the last one's time. */
export interface Run {
  first: TimelineSample;
  samples: number;
  lastAtMs: number;
}

/** The open run as the series cursor knows it: its row (null: none, the next sample starts one) and count. */
export interface OpenRun extends LastSample {
  runSampleId: number | null;
  runSamples: number;
}

/**
 * Splits a series' accepted samples (in time order, after `prev`) into runs (startsRun). `continued`
 * is the cursor's open run when the first samples extend it (its new count and last time); `runs`
 * are the runs the batch starts, the last of them open. Pure.
 */
export function advanceRuns(prev: OpenRun | null, accepted: readonly TimelineSample[], capMs: number): { continued: { samples: number; lastAtMs: number } | null; runs: Run[] } {
  const runs: Run[] = [];
  let continued: { samples: number; lastAtMs: number } | null = null;
  let open: { samples: number; lastAtMs: number } | null = prev && prev.runSampleId !== null ? { samples: prev.runSamples, lastAtMs: prev.lastAtMs } : null;
  let last: LastSample | null = prev;
  for (const s of accepted) {
    if (!open || startsRun(last, s, capMs)) {
      const r: Run = { first: s, samples: 1, lastAtMs: s.t };
      runs.push(r);
      open = r;
    } else {
      open.samples++;
      open.lastAtMs = s.t;
      if (runs.length === 0) continued = open;
    }
    last = { lastAtMs: s.t, lastStatus: s.status, lastReason: s.reason, lastDetail: s.detail ?? null };
  }
  return { continued, runs };
}

/**
 * Advances one series by a batch of samples (any order; sorted here). Pure. The previous cursor
 * (null for a new series) supplies the pending span of the last sample written before.
 */
export function advanceSeries(prev: SeriesCursor | null, samples: readonly TimelineSample[], capMs: number): AdvanceResult {
  if (!(Number.isInteger(capMs) && capMs > 0)) throw new RangeError(`advanceSeries: capMs must be a whole number > 0, got ${capMs}`);
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const spans: Span[] = [];
  const intervals: CoalescedInterval[] = [];
  const accepted: TimelineSample[] = [];
  let late = 0;
  let cur: SeriesCursor | null = prev ? { ...prev } : null;
  let openTouched = false;
  const closeOpen = (c: SeriesCursor, endMs: number): void => {
    intervals.push({ startMs: c.openStartMs, endMs, status: c.lastStatus, reason: c.openReason, samples: c.openSamples });
  };
  for (const s of sorted) {
    if (!Number.isFinite(s.t)) throw new RangeError(`advanceSeries: sample time ${String(s.t)} is not a number`);
    if (cur && s.t <= cur.lastAtMs) {
      late++;
      continue;
    }
    accepted.push(s);
    if (!cur) {
      cur = { lastAtMs: s.t, lastStatus: s.status, openStartMs: s.t, openReason: s.reason, openSamples: 1 };
      openTouched = true;
      continue;
    }
    const gapMs = s.t - cur.lastAtMs;
    const coveredMs = Math.min(gapMs, capMs);
    spans.push({ startMs: cur.lastAtMs, endMs: cur.lastAtMs + coveredMs, status: cur.lastStatus });
    const sameRun = coveredMs === gapMs && s.status === cur.lastStatus && reasonKey(s.reason) === reasonKey(cur.openReason);
    if (sameRun) {
      cur = { ...cur, lastAtMs: s.t, openSamples: cur.openSamples + 1 };
    } else {
      closeOpen(cur, cur.lastAtMs + coveredMs);
      cur = { lastAtMs: s.t, lastStatus: s.status, openStartMs: s.t, openReason: s.reason, openSamples: 1 };
    }
    openTouched = true;
  }
  if (cur && openTouched) intervals.push({ startMs: cur.openStartMs, endMs: cur.lastAtMs, status: cur.lastStatus, reason: cur.openReason, samples: cur.openSamples });
  if (!cur) throw new RangeError('advanceSeries: a new series needs at least one sample');
  return { cursor: cur, spans, intervals, accepted, late };
}

/** The open tail of a series at `nowMs`: the last sample's span so far (null when none). */
export function openTail(cursor: Pick<SeriesCursor, 'lastAtMs' | 'lastStatus'>, capMs: number, nowMs: number): Span | null {
  const endMs = Math.min(cursor.lastAtMs + capMs, nowMs);
  return endMs > cursor.lastAtMs ? { startMs: cursor.lastAtMs, endMs, status: cursor.lastStatus } : null;
}

export interface TimeTotals {
  goodMs: number;
  badMs: number;
  /** Time covered by samples whose status is unknown (not "no data"). */
  unknownMs: number;
}

export interface BucketStats extends TimeTotals {
  bucketStartMs: number;
  samples: number;
  badSamples: number;
  latencyCount: number;
  latencySumMs: number;
  latencyMinMs: number | null;
  latencyMaxMs: number | null;
}

export const HOUR_BUCKET_MS = 3_600_000;
export const DAY_BUCKET_MS = 86_400_000;

function addTime(t: TimeTotals, status: Status, ms: number): void {
  switch (status) {
    case 'up':
    case 'degraded':
      t.goodMs += ms;
      return;
    case 'down':
      t.badMs += ms;
      return;
    case 'unknown':
      t.unknownMs += ms;
      return;
    default: {
      const never: never = status;
      throw new RangeError(`unknown status ${String(never)}`);
    }
  }
}

type LatencyStats = Pick<BucketStats, 'latencyCount' | 'latencySumMs' | 'latencyMinMs' | 'latencyMaxMs'>;

/** Adds one sample's latency (rounded; none when null or not finite) to a bucket's count/sum/min/max. */
function addLatency(b: LatencyStats, latencyMs: number | null): void {
  if (latencyMs === null || !Number.isFinite(latencyMs)) return;
  const l = Math.round(latencyMs);
  b.latencyCount++;
  b.latencySumMs += l;
  b.latencyMinMs = b.latencyMinMs === null ? l : Math.min(b.latencyMinMs, l);
  b.latencyMaxMs = b.latencyMaxMs === null ? l : Math.max(b.latencyMaxMs, l);
}

/**
 * Splits spans into epoch-aligned buckets of bucketMs (hours; UTC days) and counts samples and
 * latency by each sample's own time. Returns buckets sorted by start. Pure.
 */
export function bucketize(spans: readonly Span[], samples: readonly TimelineSample[], bucketMs: number): BucketStats[] {
  const map = new Map<number, BucketStats>();
  const get = (start: number): BucketStats => {
    let b = map.get(start);
    if (!b) {
      b = { bucketStartMs: start, goodMs: 0, badMs: 0, unknownMs: 0, samples: 0, badSamples: 0, latencyCount: 0, latencySumMs: 0, latencyMinMs: null, latencyMaxMs: null };
      map.set(start, b);
    }
    return b;
  };
  for (const sp of spans) {
    let a = sp.startMs;
    while (a < sp.endMs) {
      const start = Math.floor(a / bucketMs) * bucketMs;
      const b = Math.min(sp.endMs, start + bucketMs);
      addTime(get(start), sp.status, b - a);
      a = b;
    }
  }
  for (const s of samples) {
    const b = get(Math.floor(s.t / bucketMs) * bucketMs);
    b.samples++;
    if (s.status === 'down') b.badSamples++;
    addLatency(b, s.latencyMs);
  }
  return [...map.values()].sort((x, y) => x.bucketStartMs - y.bucketStartMs);
}

/** Samples of one series in one UTC minute (RollupMinute): counts by status and latency. */
export interface MinuteStats {
  bucketStartMs: number;
  samples: number;
  badSamples: number;
  degradedSamples: number;
  unknownSamples: number;
  latencyCount: number;
  latencySumMs: number;
  latencyMinMs: number | null;
  latencyMaxMs: number | null;
}

export const MINUTE_BUCKET_MS = 60_000;

/**
 * Per-minute counts of samples by their own time (pure): samples, down (bad), degraded and unknown
 * samples, latency count/sum/min/max — the same latency rule as bucketize. Sorted by minute.
 */
export function minuteBuckets(samples: readonly TimelineSample[]): MinuteStats[] {
  const map = new Map<number, MinuteStats>();
  for (const s of samples) {
    const start = Math.floor(s.t / MINUTE_BUCKET_MS) * MINUTE_BUCKET_MS;
    let b = map.get(start);
    if (!b) {
      b = { bucketStartMs: start, samples: 0, badSamples: 0, degradedSamples: 0, unknownSamples: 0, latencyCount: 0, latencySumMs: 0, latencyMinMs: null, latencyMaxMs: null };
      map.set(start, b);
    }
    b.samples++;
    if (s.status === 'down') b.badSamples++;
    else if (s.status === 'degraded') b.degradedSamples++;
    else if (s.status === 'unknown') b.unknownSamples++;
    addLatency(b, s.latencyMs);
  }
  return [...map.values()].sort((x, y) => x.bucketStartMs - y.bucketStartMs);
}

/** Sorts and merges overlapping or touching ranges; drops empty ones. */
export function mergeRanges(ranges: readonly Range[]): Range[] {
  const sorted = ranges.filter((r) => r.endMs > r.startMs).map((r) => ({ ...r })).sort((a, b) => a.startMs - b.startMs);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.startMs <= last.endMs) last.endMs = Math.max(last.endMs, r.endMs);
    else out.push({ startMs: r.startMs, endMs: r.endMs });
  }
  return out;
}

/** `window` minus the union of `holes`: the included ranges, in order. */
export function subtractRanges(window: Range, holes: readonly Range[]): Range[] {
  const out: Range[] = [];
  let a = window.startMs;
  for (const h of mergeRanges(holes)) {
    if (h.endMs <= a) continue;
    if (h.startMs >= window.endMs) break;
    if (h.startMs > a) out.push({ startMs: a, endMs: h.startMs });
    a = Math.max(a, h.endMs);
  }
  if (a < window.endMs) out.push({ startMs: a, endMs: window.endMs });
  return out;
}

/** Total length of ranges (assumed disjoint). */
export function totalMs(ranges: readonly Range[]): number {
  return ranges.reduce((s, r) => s + (r.endMs - r.startMs), 0);
}

/** Intersections of `a` with the disjoint, sorted `ranges`. */
export function clipToRanges(a: Range, ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const r of ranges) {
    const s = Math.max(a.startMs, r.startMs);
    const e = Math.min(a.endMs, r.endMs);
    if (e > s) out.push({ startMs: s, endMs: e });
  }
  return out;
}

/** Good/bad/unknown time of spans inside the disjoint, sorted `ranges`. */
export function measureSpans(spans: readonly Span[], ranges: readonly Range[]): TimeTotals {
  const t: TimeTotals = { goodMs: 0, badMs: 0, unknownMs: 0 };
  for (const sp of spans) for (const c of clipToRanges(sp, ranges)) addTime(t, sp.status, c.endMs - c.startMs);
  return t;
}

export interface RangePlan {
  /** Whole UTC days: read from day rollups. */
  days: Range[];
  /** Whole hours outside those days: read from hour rollups. */
  hours: Range[];
  /** Sub-hour pieces at the edges: read from coalesced intervals. */
  edges: Range[];
}

/**
 * Splits disjoint ranges into whole days, whole hours and sub-hour edges, so a window is measured
 * from at most 2 partial days of hour rows and 2 sub-hour edges per range, however long it is.
 * planRanges([{ startMs: 10:20, endMs: next day 03:05 }]) → edges 10:20–11:00 and 03:00–03:05,
 * hours 11:00–24:00 and 00:00–03:00, no whole day.
 */
export function planRanges(ranges: readonly Range[]): RangePlan {
  const plan: RangePlan = { days: [], hours: [], edges: [] };
  const push = (list: Range[], startMs: number, endMs: number): void => {
    if (endMs > startMs) list.push({ startMs, endMs });
  };
  for (const r of ranges) {
    const h0 = Math.ceil(r.startMs / HOUR_BUCKET_MS) * HOUR_BUCKET_MS;
    const h1 = Math.floor(r.endMs / HOUR_BUCKET_MS) * HOUR_BUCKET_MS;
    if (h0 >= h1) {
      push(plan.edges, r.startMs, r.endMs);
      continue;
    }
    push(plan.edges, r.startMs, h0);
    const d0 = Math.ceil(h0 / DAY_BUCKET_MS) * DAY_BUCKET_MS;
    const d1 = Math.floor(h1 / DAY_BUCKET_MS) * DAY_BUCKET_MS;
    if (d0 >= d1) {
      push(plan.hours, h0, h1);
    } else {
      push(plan.hours, h0, d0);
      push(plan.days, d0, d1);
      push(plan.hours, d1, h1);
    }
    push(plan.edges, h1, r.endMs);
  }
  return plan;
}
