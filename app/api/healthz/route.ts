import { NextResponse } from 'next/server';
import { readCollectorHealth } from '@/lib/collector/status';
import { getQuorumItself } from '@/lib/data/collectors';
import { checkDb } from '@/lib/db';
import { loadEnv } from '@/lib/env';
import pkg from '@/package.json';
import { publicRoute } from '../_lib/guard';

export const dynamic = 'force-dynamic';

/**
 * Process and database health, within 3 s whatever the database does: 200 when the database answers a
 * read of Quorum's tables, 503 when it does not (db.kind says why: timeout, unreachable, busy, …).
 * Anonymous callers (load balancers, uptime checks) get the status only; a signed-in user or an API
 * token also gets the version, pid, Node version, the database detail and `collector`: the heartbeat of
 * the collector on the same data folder (null when there is none) — when its last cycle was, and how
 * many samples wait on disk for the database — and `collectors`: how many collectors are live (from their
 * heartbeats in the database, wherever they run) and how many clusters none of them owns.
 */
export const GET = publicRoute(async (_req, _p, { principal }) => {
  const db = await checkDb();
  const status = db.ok ? 'ok' : 'unavailable';
  let collector: ReturnType<typeof readCollectorHealth> = null;
  if (principal) {
    try {
      collector = readCollectorHealth(loadEnv().dataDir);
    } catch {
      /* a bad environment is already in db.error */
    }
  }
  // Every collector, wherever it runs (another pod on Kubernetes): from their heartbeats in the database.
  let collectors: { mode: string; live: number; clusters: number; unowned: number } | null = null;
  if (principal && db.ok) {
    try {
      const q = await getQuorumItself({ since: new Date() });
      collectors = { mode: q.mode, live: q.collectors.filter((c) => c.state === 'live').length, clusters: q.clusters, unowned: q.unowned.length };
    } catch {
      /* the database check above is the status of record */
    }
  }
  const body = principal
    ? { status, version: pkg.version, uptimeSeconds: Math.round(process.uptime()), pid: process.pid, node: process.version, db, collector, collectors }
    : { status };
  return NextResponse.json(body, { status: db.ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
});
