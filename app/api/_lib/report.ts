// Shared by /api/reports and /api/reports/csv: query → report, or the ready 400/404/5xx response.
import type { NextResponse } from 'next/server';
import { parseReportQuery } from '@/app/reports/search-params';
import { getReport, type Report } from '@/lib/data/reports';
import type { ReportPeriod } from '@/lib/slo/targets';
import { errorResponse, toErrorResponse, type ApiError } from './respond';

export async function loadReport(req: Request): Promise<{ ok: true; report: Report; period: ReportPeriod } | { ok: false; response: NextResponse<ApiError> }> {
  const now = new Date();
  const parsed = parseReportQuery(Object.fromEntries(new URL(req.url).searchParams), now);
  if (!parsed.ok) return { ok: false, response: errorResponse('bad-request', parsed.message) };
  try {
    const report = await getReport({ ...parsed.query, now });
    if (!report) return { ok: false, response: errorResponse('not-found', `no cluster "${parsed.query.clusterId}"`) };
    return { ok: true, report, period: parsed.query.period };
  } catch (e) {
    return { ok: false, response: toErrorResponse(e) };
  }
}
