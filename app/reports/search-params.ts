// URL state of /reports and /api/reports: ?cluster=<id|name|all>&period=2026-10 | 2026-Q4.
import { z } from 'zod';
import { currentReportPeriod, formatReportPeriod, parseReportPeriod, type ReportPeriod } from '@/lib/slo/targets';

const ReportSearchParams = z.object({
  cluster: z.string().trim().min(1).max(200).optional(),
  period: z
    .string()
    .trim()
    .regex(/^\d{4}-(0[1-9]|1[0-2]|[Qq][1-4])$/, 'period must look like 2026-10 (month) or 2026-Q4 (quarter)')
    .optional(),
});

export interface ReportQuery {
  /** null = the whole fleet. */
  clusterId: string | null;
  period: ReportPeriod;
}

/** Parses ?cluster and ?period (default: the fleet, the current month). */
export function parseReportQuery(raw: Record<string, string | string[] | undefined>, now: Date): { ok: true; query: ReportQuery } | { ok: false; message: string } {
  const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
  const parsed = ReportSearchParams.safeParse({ cluster: first(raw.cluster) || undefined, period: first(raw.period) || undefined });
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'invalid report query' };
  const cluster = parsed.data.cluster;
  return {
    ok: true,
    query: {
      clusterId: cluster === undefined || cluster === 'all' ? null : cluster,
      period: parsed.data.period ? parseReportPeriod(parsed.data.period) : currentReportPeriod('month', now),
    },
  };
}

/** The query string of a report link. */
export function reportHref(base: string, q: ReportQuery): string {
  const p = new URLSearchParams({ cluster: q.clusterId ?? 'all', period: formatReportPeriod(q.period) });
  return `${base}?${p.toString()}`;
}
