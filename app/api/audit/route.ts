// GET /api/audit?actor=&action=&q=&since=&until=&page= — the audit log, newest first, 100 per page.
import { NextResponse } from 'next/server';
import { listAudit } from '@/lib/data/audit';
import { AUDIT_PAGE_SIZE, parseAuditQuery } from '@/app/settings/audit/search-params';
import { errorResponse } from '../_lib/respond';
import { route } from '../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route('read', async (req) => {
  const parsed = parseAuditQuery(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.ok) return errorResponse('bad-request', parsed.message);
  const { filter, page } = parsed.query;
  const r = await listAudit(filter, { limit: AUDIT_PAGE_SIZE, offset: (page - 1) * AUDIT_PAGE_SIZE });
  return NextResponse.json({ ...r, page, pageSize: AUDIT_PAGE_SIZE }, { headers: { 'cache-control': 'no-store' } });
});
