// Shared by the pages' URL state parsers (audit log, delivery log): one way to read Next's
// searchParams through a zod schema, and one way to write a filter back into a query string.
import type { z } from 'zod';

/** Next's searchParams: a repeated key arrives as an array. */
export type RawSearchParams = Record<string, string | string[] | undefined>;

/**
 * The first value of each key, empty ones dropped, parsed by `schema`; a refusal names the first
 * issue ("page: page must be a number").
 */
export function parseSearchParams<S extends z.ZodType>(schema: S, params: RawSearchParams): { ok: true; data: z.output<S> } | { ok: false; message: string } {
  const flat = Object.fromEntries(
    Object.entries(params).flatMap(([k, v]) => {
      const x = Array.isArray(v) ? v[0] : v;
      return x === undefined || x === '' ? [] : [[k, x]];
    }),
  );
  const r = schema.safeParse(flat);
  if (r.success) return { ok: true, data: r.data };
  const i = r.error.issues[0];
  return { ok: false, message: `${i?.path.join('.') ? `${i.path.join('.')}: ` : ''}${i?.message ?? 'invalid query'}` };
}

/** `?k=v&…` of the set values (undefined and '' left out), or '' when none is set. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const s = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (v === undefined || v === '' ? [] : [[k, String(v)]]))).toString();
  return s ? `?${s}` : '';
}
