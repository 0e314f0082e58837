// GET /api/reports?cluster=<id|name|all>&period=2026-10|2026-Q4 — the /reports data as JSON.
import { NextResponse } from 'next/server';
import { getReport } from '@/lib/data/reports';
import { errorResponse, toErrorResponse } from '../_lib/respond';
import { parseReportQuery } from '@/app/reports/search-params';

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  const now = new Date();
  const parsed = parseReportQuery(Object.fromEntries(new URL(req.url).searchParams), now);
  if (!parsed.ok) return errorResponse('bad-request', parsed.message);
  try {
    const report = await getReport({ ...parsed.query, now });
    if (!report) return errorResponse('not-found', `no cluster "${parsed.query.clusterId}"`);
    return NextResponse.json(report, { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    return toErrorResponse(e);
  }
}
