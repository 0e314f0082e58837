import { NextResponse } from 'next/server';
import { readCollectorHealth } from '@/lib/collector/status';
import { checkDb } from '@/lib/db';
import { loadEnv } from '@/lib/env';
import pkg from '@/package.json';

export const dynamic = 'force-dynamic';

/**
 * Process and database health, within 3 s whatever the database does. 200 when the database answers
 * a read of Quorum's tables, 503 when it does not (db.kind says why: timeout, unreachable, busy, …).
 * `collector` is the heartbeat of the collector on the same data folder (null when there is none):
 * when its last cycle was, and how many samples wait on disk for the database.
 */
export async function GET() {
  const db = await checkDb();
  let collector: ReturnType<typeof readCollectorHealth> = null;
  try {
    collector = readCollectorHealth(loadEnv().dataDir);
  } catch {
    /* a bad environment is already in db.error */
  }
  const body = {
    status: db.ok ? 'ok' : 'unavailable',
    version: pkg.version,
    uptimeSeconds: Math.round(process.uptime()),
    pid: process.pid,
    node: process.version,
    db,
    collector,
  };
  return NextResponse.json(body, { status: db.ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
