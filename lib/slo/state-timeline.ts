// State timeline of one component over a range (pure), as a status page's uptime bar or Grafana's
// state timeline draws it: up / degraded / down / unknown / maintenance / no data, from the coalesced
// status intervals (lib/slo/timeline.ts) and the series' open tail.
//
//  - exactSegments: the range cut into consecutive segments, each one state and reason: intervals
//    clipped to the range; maintenance (neither good nor bad time) drawn over them; any time no
//    interval covers is `nodata`; touching pieces with the same state and reason are merged.
//  - binSegments: when there are more segments than can be drawn, the range in equal bins, each
//    showing its WORST state (so a 10-second outage in 30 days stays visible), with the time of every
//    state in `breakdown`; touching bins with the same state merge.
//    Worst first: down > degraded > unknown > nodata > maintenance > up.
import type { Status } from '../types';
import { mergeRanges, subtractRanges, type Range } from './timeline';

export type TimelineState = Status | 'maintenance' | 'nodata';
export const TIMELINE_STATES = ['down', 'degraded', 'unknown', 'nodata', 'maintenance', 'up'] as const satisfies readonly TimelineState[];
const SEVERITY: Readonly<Record<TimelineState, number>> = { down: 5, degraded: 4, unknown: 3, nodata: 2, maintenance: 1, up: 0 };

export interface TimelineInterval extends Range {
  status: Status;
  reason: string;
}

export interface TimelineSegment extends Range {
  state: TimelineState;
  /** The reason of the (worst) state; null for no data and for maintenance without a title. */
  reason: string | null;
  /** Binned segments only: ms of each state inside the segment. */
  breakdown?: Partial<Record<TimelineState, number>>;
}

/** Maintenance with its title (shown as the reason). */
export interface TitledRange extends Range {
  title?: string;
}

function pushMerged(out: TimelineSegment[], s: TimelineSegment): void {
  if (s.endMs <= s.startMs) return;
  const last = out[out.length - 1];
  if (last && last.endMs === s.startMs && last.state === s.state && last.reason === s.reason) last.endMs = s.endMs;
  else out.push({ ...s });
}

/** Consecutive segments covering exactly [range.startMs, range.endMs). Intervals may overlap the range's edges; they must not overlap each other. */
export function exactSegments(intervals: readonly TimelineInterval[], range: Range, maintenance: readonly TitledRange[] = []): TimelineSegment[] {
  if (!(range.endMs > range.startMs)) return [];
  const sorted = intervals
    .map((i) => ({ ...i, startMs: Math.max(i.startMs, range.startMs), endMs: Math.min(i.endMs, range.endMs) }))
    .filter((i) => i.endMs > i.startMs)
    .sort((a, b) => a.startMs - b.startMs);
  const base: TimelineSegment[] = [];
  let at = range.startMs;
  for (const i of sorted) {
    const from = Math.max(at, i.startMs);
    if (i.startMs > at) pushMerged(base, { startMs: at, endMs: i.startMs, state: 'nodata', reason: null });
    pushMerged(base, { startMs: from, endMs: i.endMs, state: i.status, reason: i.reason });
    at = Math.max(at, i.endMs);
  }
  if (at < range.endMs) pushMerged(base, { startMs: at, endMs: range.endMs, state: 'nodata', reason: null });
  const maint = maintenance
    .map((m) => ({ startMs: Math.max(m.startMs, range.startMs), endMs: Math.min(m.endMs, range.endMs), title: m.title }))
    .filter((m) => m.endMs > m.startMs)
    .sort((a, b) => a.startMs - b.startMs);
  if (maint.length === 0) return base;
  const holes = mergeRanges(maint);
  const titleAt = (t: number): string | null => maint.find((m) => m.startMs <= t && t < m.endMs)?.title ?? null;
  const pieces: TimelineSegment[] = [];
  for (const s of base) for (const r of subtractRanges(s, holes)) pieces.push({ ...s, startMs: r.startMs, endMs: r.endMs });
  for (const h of holes) {
    // One piece per title change inside a merged maintenance range.
    const cuts = [...new Set([h.startMs, ...maint.filter((m) => m.startMs > h.startMs && m.startMs < h.endMs).map((m) => m.startMs), h.endMs])].sort((a, b) => a - b);
    for (let i = 0; i + 1 < cuts.length; i++) pieces.push({ startMs: cuts[i]!, endMs: cuts[i + 1]!, state: 'maintenance', reason: titleAt(cuts[i]!) });
  }
  pieces.sort((a, b) => a.startMs - b.startMs);
  const out: TimelineSegment[] = [];
  for (const p of pieces) pushMerged(out, p);
  return out;
}

/**
 * At most `maxBins` segments: exact segments when they fit, else equal bins showing the worst state
 * (see the header), its reason (the longest span of that state in the bin), and the breakdown.
 */
export function binSegments(segments: readonly TimelineSegment[], range: Range, maxBins: number): TimelineSegment[] {
  if (!(Number.isInteger(maxBins) && maxBins > 0)) throw new RangeError(`binSegments: maxBins must be a whole number > 0, got ${maxBins}`);
  if (segments.length <= maxBins) return segments.map((s) => ({ ...s }));
  const width = (range.endMs - range.startMs) / maxBins;
  const edge = (k: number): number => (k >= maxBins ? range.endMs : Math.round(range.startMs + k * width));
  const out: TimelineSegment[] = [];
  let j = 0;
  for (let k = 0; k < maxBins; k++) {
    const a = edge(k);
    const b = edge(k + 1);
    if (b <= a) continue;
    const breakdown: Partial<Record<TimelineState, number>> = {};
    const longest = new Map<TimelineState, { ms: number; reason: string | null }>();
    while (j < segments.length && segments[j]!.endMs <= a) j++;
    for (let i = j; i < segments.length && segments[i]!.startMs < b; i++) {
      const s = segments[i]!;
      const ms = Math.min(b, s.endMs) - Math.max(a, s.startMs);
      if (ms <= 0) continue;
      breakdown[s.state] = (breakdown[s.state] ?? 0) + ms;
      const l = longest.get(s.state);
      if (!l || ms > l.ms) longest.set(s.state, { ms, reason: s.reason });
    }
    let worst: TimelineState = 'nodata';
    let seen = false;
    for (const st of Object.keys(breakdown) as TimelineState[]) {
      if (!seen || SEVERITY[st] > SEVERITY[worst]) worst = st;
      seen = true;
    }
    const seg: TimelineSegment = { startMs: a, endMs: b, state: worst, reason: longest.get(worst)?.reason ?? null, breakdown };
    const last = out[out.length - 1];
    if (last && last.endMs === a && last.state === seg.state && last.reason === seg.reason) {
      last.endMs = b;
      for (const [st, ms] of Object.entries(breakdown) as Array<[TimelineState, number]>) last.breakdown![st] = (last.breakdown![st] ?? 0) + ms;
    } else out.push(seg);
  }
  return out;
}

/** Time per state over segments (binned ones count their breakdown). */
export function stateTotals(segments: readonly TimelineSegment[]): Record<TimelineState, number> {
  const t: Record<TimelineState, number> = { up: 0, degraded: 0, down: 0, unknown: 0, maintenance: 0, nodata: 0 };
  for (const s of segments) {
    if (s.breakdown) for (const [st, ms] of Object.entries(s.breakdown) as Array<[TimelineState, number]>) t[st] += ms;
    else t[s.state] += s.endMs - s.startMs;
  }
  return t;
}
