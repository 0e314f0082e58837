// GET /api/reports/csv?cluster=…&period=… — the report as one CSV (section column: slo, outage, maintenance, failover, lease-watch-gap).
import { reportToCsv } from '@/lib/data/reports';
import { formatReportPeriod } from '@/lib/slo/targets';
import { loadReport } from '../../_lib/report';
import { route } from '../../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route('read', async (req) => {
  const r = await loadReport(req);
  if (!r.ok) return r.response;
  const scope = r.report.scope === 'fleet' ? 'fleet' : r.report.clusters[0]!.name.replace(/[^A-Za-z0-9._-]+/g, '_');
  return new Response(reportToCsv(r.report), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="quorum-report-${scope}-${formatReportPeriod(r.period)}.csv"`,
      'cache-control': 'no-store',
    },
  });
});
