// Time ranges of the dashboard (pure): an SLO window preset (?window=30d) or any from–to
// (?from=…&to=…), Grafana style. A bound is an ISO 8601 time ("2026-11-20T10:00:00Z"), epoch ms, "now",
// or "now-<n><unit>" with unit m, h, d or w ("now-6h"). A range whose end is "now" is relative: it
// moves with every refresh. Every range is [startMs, endMs) and evaluated like an SLO window of its
// own length (budget = (1 − target) × length); time after now is not elapsed yet.
import { SloInputError } from './errors';
import { DAY_MS, HOUR_MS, MINUTE_MS, WEEK_MS } from './units';

export const RANGE_PRESETS = ['7d', '28d', '30d', '90d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
const PRESET_DAYS: Readonly<Record<RangePreset, number>> = { '7d': 7, '28d': 28, '30d': 30, '90d': 90 };
/** A preset's length in ms ('7d' → 7 days). */
export const presetMs = (w: RangePreset): number => PRESET_DAYS[w] * 86_400_000;

/** Shortest range: one minute. Longest: 400 days (the rollups' retention). */
const MIN_RANGE_MS = MINUTE_MS;
const MAX_RANGE_MS = 400 * DAY_MS;

export interface TimeRange {
  startMs: number;
  endMs: number;
  /** The preset it is (window=…), or null for a from–to range. */
  preset: RangePreset | null;
  /** Ends at "now" (a preset, or to=now): it slides with every refresh. */
  relative: boolean;
  /** URL bounds as given (for links): { window } or { from, to }. */
  query: { window: RangePreset } | { from: string; to: string };
}

const UNIT_MS: Readonly<Record<string, number>> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: WEEK_MS };

/** A bound as ms since epoch; throws `slo-time` with a message that names the accepted forms. */
export function parseBound(text: string, nowMs: number, name: 'from' | 'to'): number {
  const t = text.trim();
  if (t === 'now') return nowMs;
  const rel = /^now-(\d{1,6})([mhdw])$/.exec(t);
  if (rel) return nowMs - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  if (/^\d{10,16}$/.test(t)) return Number(t);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(t)) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  }
  throw new SloInputError('slo-time', `${name} must be an ISO time with a zone (2026-11-20T10:00:00Z), epoch ms, "now" or "now-6h" (m, h, d, w); got ${JSON.stringify(t.slice(0, 60))}`);
}

export function presetRange(preset: RangePreset, nowMs: number): TimeRange {
  return { startMs: nowMs - PRESET_DAYS[preset] * DAY_MS, endMs: nowMs, preset, relative: true, query: { window: preset } };
}

/** from–to → a range, validated (start before end, 1 minute to 400 days, not starting in the future). */
export function parseRange(from: string, to: string, nowMs: number): TimeRange {
  const startMs = parseBound(from, nowMs, 'from');
  const endMs = parseBound(to, nowMs, 'to');
  if (!(endMs > startMs)) throw new SloInputError('slo-time', `from (${new Date(startMs).toISOString()}) must be before to (${new Date(endMs).toISOString()})`);
  if (endMs - startMs < MIN_RANGE_MS) throw new SloInputError('slo-time', 'the range must be at least one minute long');
  if (endMs - startMs > MAX_RANGE_MS) throw new SloInputError('slo-time', 'the range can be at most 400 days long (the rollups are kept 400 days)');
  if (startMs >= nowMs) throw new SloInputError('slo-time', `from (${new Date(startMs).toISOString()}) is in the future`);
  return { startMs, endMs, preset: null, relative: to.trim() === 'now', query: { from: from.trim(), to: to.trim() } };
}

/** The measured part: [startMs, min(endMs, now)). */
export function elapsedEnd(r: Pick<TimeRange, 'startMs' | 'endMs'>, nowMs: number): number {
  return Math.max(r.startMs, Math.min(r.endMs, nowMs));
}

/** Query-string pairs of a range (for links that keep it). */
export function rangeParams(r: Pick<TimeRange, 'query'>): Array<[string, string]> {
  return 'window' in r.query ? [['window', r.query.window]] : [['from', r.query.from], ['to', r.query.to]];
}

/** ISO text of an absolute range around [startMs, endMs) (drag-to-zoom, heatmap days). */
export function absoluteQuery(startMs: number, endMs: number): { from: string; to: string } {
  return { from: new Date(Math.floor(startMs)).toISOString(), to: new Date(Math.ceil(endMs)).toISOString() };
}

/** "7 days", "6 hours", "90 minutes", "2 days 3 hours" — a range's length, short. */
export function rangeLengthLabel(ms: number): string {
  const plural = (n: number, u: string): string => `${n} ${u}${n === 1 ? '' : 's'}`;
  if (ms % DAY_MS === 0) return plural(ms / DAY_MS, 'day');
  if (ms >= 2 * DAY_MS) return `${plural(Math.floor(ms / DAY_MS), 'day')} ${plural(Math.round((ms % DAY_MS) / HOUR_MS), 'hour')}`;
  if (ms % HOUR_MS === 0) return plural(ms / HOUR_MS, 'hour');
  if (ms >= 2 * HOUR_MS) return `${plural(Math.floor(ms / HOUR_MS), 'hour')} ${plural(Math.round((ms % HOUR_MS) / MINUTE_MS), 'minute')}`;
  return plural(Math.round(ms / MINUTE_MS), 'minute');
}
