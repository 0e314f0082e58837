// URL state of the overview: ?window=7d|28d|30d|90d&q=<name substring>&label=<key or key=value>.
import { z } from 'zod';
import { DASHBOARD_WINDOWS, type DashboardWindow } from '@/lib/data/dashboard';

export const DEFAULT_WINDOW: DashboardWindow = '30d';

const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const emptyToUndefined = (v: unknown): unknown => {
  const f = first(v);
  return typeof f === 'string' && f.trim() === '' ? undefined : f;
};

export const OverviewSearchParams = z.object({
  window: z.preprocess(emptyToUndefined, z.enum(DASHBOARD_WINDOWS, { error: `window must be one of ${DASHBOARD_WINDOWS.join(', ')}` }).optional()),
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
});

export interface OverviewQuery {
  window: DashboardWindow;
  q?: string;
  label?: string;
}

/** Parses the overview's search params; an invalid value is reported (class invalid-input) and replaced by the default. */
export function parseOverviewQuery(raw: Record<string, string | string[] | undefined>): { query: OverviewQuery; errors: string[] } {
  const errors: string[] = [];
  const out: OverviewQuery = { window: DEFAULT_WINDOW };
  for (const key of ['window', 'q', 'label'] as const) {
    const one = OverviewSearchParams.shape[key].safeParse(raw[key]);
    if (!one.success) {
      errors.push(one.error.issues[0]?.message ?? `invalid ${key}`);
      continue;
    }
    if (one.data !== undefined) (out as unknown as Record<string, string>)[key] = one.data;
  }
  return { query: out, errors };
}

/** A link to the overview with some parameters changed (undefined drops one). */
export function overviewHref(q: OverviewQuery, change: Partial<OverviewQuery> = {}): string {
  const next = { ...q, ...change };
  const p = new URLSearchParams();
  p.set('window', next.window);
  if (next.q) p.set('q', next.q);
  if (next.label) p.set('label', next.label);
  return `/?${p.toString()}`;
}
