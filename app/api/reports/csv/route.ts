// GET /api/reports/csv?cluster=…&period=… — the report as one CSV (section column: slo, outage, maintenance, failovers).
import { getReport, reportToCsv } from '@/lib/data/reports';
import { formatReportPeriod } from '@/lib/slo/targets';
import { errorResponse, toErrorResponse } from '../../_lib/respond';
import { parseReportQuery } from '@/app/reports/search-params';

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  const now = new Date();
  const parsed = parseReportQuery(Object.fromEntries(new URL(req.url).searchParams), now);
  if (!parsed.ok) return errorResponse('bad-request', parsed.message);
  try {
    const report = await getReport({ ...parsed.query, now });
    if (!report) return errorResponse('not-found', `no cluster "${parsed.query.clusterId}"`);
    const scope = report.scope === 'fleet' ? 'fleet' : report.clusters[0]!.name.replace(/[^A-Za-z0-9._-]+/g, '_');
    return new Response(reportToCsv(report), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="quorum-report-${scope}-${formatReportPeriod(parsed.query.period)}.csv"`,
        'cache-control': 'no-store',
      },
    });
  } catch (e) {
    return toErrorResponse(e);
  }
}
