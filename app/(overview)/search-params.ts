// URL state of the overview (and the time range of every dashboard page):
//   ?window=7d|28d|30d|90d  or  ?from=<ISO|epoch ms|now|now-6h>&to=<…>   (lib/slo/range.ts)
//   &q=<name substring>&label=<key or key=value>&state=breached,at-risk
//   &view=table|heatmap|cards&sort=<column>&dir=asc|desc
// An invalid value is reported (class invalid-input) and replaced by its default, never a 500.
import { z } from 'zod';
import { DEFAULT_SORT_DIR, FLEET_SORT_KEYS, type FleetSortKey, type SortDir } from '@/lib/slo/fleet-view';
import { parseRange, presetRange, RANGE_PRESETS, rangeParams, type RangePreset, type TimeRange } from '@/lib/slo/range';
import { isSloState, SLO_STATES, type SloState } from '@/lib/slo/state';

const DEFAULT_WINDOW: RangePreset = '30d';
export const FLEET_VIEWS = ['table', 'heatmap', 'cards'] as const;
export type FleetView = (typeof FLEET_VIEWS)[number];

type Raw = Record<string, string | string[] | undefined>;

const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const emptyToUndefined = (v: unknown): unknown => {
  const f = first(v);
  return typeof f === 'string' && f.trim() === '' ? undefined : f;
};

export const OverviewSearchParams = z.object({
  window: z.preprocess(emptyToUndefined, z.enum(RANGE_PRESETS, { error: `window must be one of ${RANGE_PRESETS.join(', ')}` }).optional()),
  q: z.preprocess(emptyToUndefined, z.string().trim().max(100, 'search is at most 100 characters').optional()),
  label: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .max(200)
      .regex(/^[A-Za-z0-9./_-]+(=[^,]*)?$/, 'label filter must be key or key=value')
      .optional(),
  ),
  view: z.preprocess(emptyToUndefined, z.enum(FLEET_VIEWS, { error: `view must be one of ${FLEET_VIEWS.join(', ')}` }).optional()),
  sort: z.preprocess(emptyToUndefined, z.enum(FLEET_SORT_KEYS, { error: `sort must be one of ${FLEET_SORT_KEYS.join(', ')}` }).optional()),
  dir: z.preprocess(emptyToUndefined, z.enum(['asc', 'desc'], { error: 'dir must be asc or desc' }).optional()),
});

/** ?window=… or ?from=…&to=… → a range (default: the last 30 days); an error message when it was invalid. */
export function parseRangeParams(raw: Raw, nowMs: number): { range: TimeRange; error: string | null } {
  const from = first(raw.from);
  const to = first(raw.to);
  if (typeof from === 'string' && from.trim() !== '') {
    try {
      return { range: parseRange(from, typeof to === 'string' && to.trim() !== '' ? to : 'now', nowMs), error: null };
    } catch (e) {
      return { range: presetRange(DEFAULT_WINDOW, nowMs), error: e instanceof Error ? e.message : String(e) };
    }
  }
  const w = OverviewSearchParams.shape.window.safeParse(raw.window);
  if (!w.success) return { range: presetRange(DEFAULT_WINDOW, nowMs), error: w.error.issues[0]?.message ?? 'invalid window' };
  return { range: presetRange(w.data ?? DEFAULT_WINDOW, nowMs), error: null };
}

export interface OverviewQuery {
  range: TimeRange;
  q?: string;
  label?: string;
  states: SloState[];
  view: FleetView;
  sort: FleetSortKey;
  dir: SortDir;
}

/** Parses the overview's search params; every invalid value is reported and replaced by its default. */
export function parseOverviewQuery(raw: Raw, nowMs: number): { query: OverviewQuery; errors: string[] } {
  const errors: string[] = [];
  const { range, error } = parseRangeParams(raw, nowMs);
  if (error) errors.push(error);
  const pick = <K extends 'q' | 'label' | 'view' | 'sort' | 'dir'>(key: K): z.infer<(typeof OverviewSearchParams.shape)[K]> | undefined => {
    const one = OverviewSearchParams.shape[key].safeParse(raw[key]);
    if (one.success) return one.data as z.infer<(typeof OverviewSearchParams.shape)[K]>;
    errors.push(one.error.issues[0]?.message ?? `invalid ${key}`);
    return undefined;
  };
  const states: SloState[] = [];
  const rawStates = [raw.state].flat().filter((v): v is string => typeof v === 'string').flatMap((v) => v.split(','));
  for (const s of rawStates.map((x) => x.trim()).filter((x) => x !== '')) {
    if (isSloState(s)) {
      if (!states.includes(s)) states.push(s);
    } else errors.push(`state must be one of ${SLO_STATES.join(', ')}`);
  }
  const sort = pick('sort') ?? 'state';
  return { query: { range, q: pick('q'), label: pick('label'), states, view: pick('view') ?? 'table', sort, dir: pick('dir') ?? DEFAULT_SORT_DIR[sort] }, errors };
}

/** The overview's query string with some parameters changed (undefined drops one; defaults are left out). */
export function overviewParams(q: OverviewQuery, change: Partial<Omit<OverviewQuery, 'range'>> = {}): URLSearchParams {
  const next = { ...q, ...change };
  const p = new URLSearchParams();
  for (const [k, v] of rangeParams(q.range)) p.set(k, v);
  if (next.q) p.set('q', next.q);
  if (next.label) p.set('label', next.label);
  if (next.states.length > 0) p.set('state', next.states.join(','));
  if (next.view !== 'table') p.set('view', next.view);
  if (next.sort !== 'state' || next.dir !== DEFAULT_SORT_DIR.state) {
    p.set('sort', next.sort);
    p.set('dir', next.dir);
  }
  return p;
}

export function overviewHref(q: OverviewQuery, change: Partial<Omit<OverviewQuery, 'range'>> = {}): string {
  const s = overviewParams(q, change).toString();
  return s ? `/?${s}` : '/';
}
