// GET /api/reports?cluster=<id|name|all>&period=2026-10|2026-Q4 — the /reports data as JSON.
import { NextResponse } from 'next/server';
import { loadReport } from '../_lib/report';
import { route } from '../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route('read', async (req) => {
  const r = await loadReport(req);
  if (!r.ok) return r.response;
  return NextResponse.json(r.report, { headers: { 'cache-control': 'no-store' } });
});
