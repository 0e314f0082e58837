// GET /api/reports?cluster=<id|name|all>&period=2026-10|2026-Q4 — the /reports data as JSON.
import { NextResponse } from 'next/server';
import { loadReport } from '../_lib/report';

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  const r = await loadReport(req);
  if (!r.ok) return r.response;
  return NextResponse.json(r.report, { headers: { 'cache-control': 'no-store' } });
}
