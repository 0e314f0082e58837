import { NextResponse } from 'next/server';
import { checkDb } from '@/lib/db';
import pkg from '@/package.json';

export const dynamic = 'force-dynamic';

/** Process and database health. 200 when the database answers, 503 when it does not. */
export async function GET() {
  const db = await checkDb();
  const body = {
    status: db.ok ? 'ok' : 'unavailable',
    version: pkg.version,
    uptimeSeconds: Math.round(process.uptime()),
    pid: process.pid,
    node: process.version,
    db,
  };
  return NextResponse.json(body, { status: db.ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
