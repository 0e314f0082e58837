import { NextResponse } from 'next/server';
import { checkDb } from '@/lib/db';
import pkg from '@/package.json';
import { publicRoute } from '../_lib/guard';

export const dynamic = 'force-dynamic';

/**
 * Process and database health: 200 when the database answers, 503 when it does not. Anonymous callers
 * (load balancers, uptime checks) get the status only; a signed-in user or an API token also gets the
 * version, pid, Node version and the database detail (provider, latency, error text).
 */
export const GET = publicRoute(async (_req, _p, { principal }) => {
  const db = await checkDb();
  const status = db.ok ? 'ok' : 'unavailable';
  const body = principal
    ? { status, version: pkg.version, uptimeSeconds: Math.round(process.uptime()), pid: process.pid, node: process.version, db }
    : { status };
  return NextResponse.json(body, { status: db.ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
});
