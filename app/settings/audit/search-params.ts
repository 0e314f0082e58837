// URL state of /settings/audit and /api/audit(/csv): ?actor=&action=&q=&since=&until=&page=
import { z } from 'zod';
import { parseSearchParams } from '../../_lib/search-params';
import type { AuditFilter } from '@/lib/data/audit';

export const AUDIT_PAGE_SIZE = 100;

const iso = (name: string) =>
  z
    .string()
    .trim()
    .refine((s) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(s) && Number.isFinite(Date.parse(s)), `${name} must be a date or ISO time, e.g. 2026-12-01 or 2026-12-01T02:00:00Z`)
    .transform((s) => new Date(s));

const Query = z.object({
  actor: z.string().trim().max(200).optional(),
  action: z.string().trim().regex(/^[a-z0-9.-]{1,80}$/, 'action must look like cluster.create or cluster.').optional(),
  q: z.string().trim().max(200).optional(),
  since: iso('since').optional(),
  until: iso('until').optional(),
  page: z.coerce.number({ error: 'page must be a number' }).int().min(1).max(100_000).default(1),
});

export type AuditQuery = { filter: AuditFilter; page: number };

export function parseAuditQuery(params: Record<string, string | string[] | undefined>): { ok: true; query: AuditQuery } | { ok: false; message: string } {
  const r = parseSearchParams(Query, params);
  if (!r.ok) return r;
  const { page, ...f } = r.data;
  if (f.since && f.until && f.since >= f.until) return { ok: false, message: 'since must be before until' };
  const filter: AuditFilter = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
  return { ok: true, query: { filter, page } };
}
