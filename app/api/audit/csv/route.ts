// GET /api/audit/csv?… — the filtered audit log as CSV (at most 100,000 rows, newest first).
import { auditToCsv, listAudit } from '@/lib/data/audit';
import { parseAuditQuery } from '@/app/settings/audit/search-params';
import { errorResponse } from '../../_lib/respond';
import { route } from '../../_lib/guard';

export const dynamic = 'force-dynamic';

const MAX_ROWS = 100_000;

export const GET = route('read', async (req) => {
  const parsed = parseAuditQuery(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.ok) return errorResponse('bad-request', parsed.message);
  const { events } = await listAudit(parsed.query.filter, { limit: MAX_ROWS });
  return new Response(auditToCsv(events), {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="quorum-audit-${new Date().toISOString().slice(0, 10)}.csv"`, 'cache-control': 'no-store' },
  });
});
