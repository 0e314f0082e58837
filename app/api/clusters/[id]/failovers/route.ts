// GET /api/clusters/{id}/failovers?since=ISO[&until=ISO][&lease=ns/name]
// Leader-election failovers measured by the collector's Lease watch, oldest first, with per-Lease
// statistics (p50/p95/max over measured gaps) and the periods the watch was down (events inside
// those are `unobserved`, gapMs null). Default window: the last 7 days.
import { NextResponse } from 'next/server';
import { getCluster } from '@/lib/data/clusters';
import { listFailovers, listWatchGaps } from '@/lib/data/failovers';
import { failoverStats } from '@/lib/failover/stats';
import { errorResponse, toErrorResponse } from '../../../_lib/respond';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

const DEFAULT_WINDOW_MS = 7 * 86_400_000;

function parseTime(name: string, v: string | null): Date | undefined | string {
  if (v === null || v === '') return undefined;
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) return `${name} must be an ISO 8601 time, e.g. 2026-11-26T00:00:00Z (got "${v.slice(0, 64)}")`;
  return d;
}

export async function GET(req: Request, { params }: Ctx) {
  const { id } = await params;
  const url = new URL(req.url);
  const since = parseTime('since', url.searchParams.get('since'));
  const until = parseTime('until', url.searchParams.get('until'));
  if (typeof since === 'string') return errorResponse('bad-request', since);
  if (typeof until === 'string') return errorResponse('bad-request', until);
  const lease = url.searchParams.get('lease') ?? undefined;
  if (lease !== undefined && !/^[a-z0-9.-]{1,253}\/[a-z0-9.-]{1,253}$/.test(lease)) return errorResponse('bad-request', 'lease must be namespace/name, e.g. kube-system/kube-scheduler');
  const untilD = until ?? new Date();
  const sinceD = since ?? new Date(untilD.getTime() - DEFAULT_WINDOW_MS);
  if (sinceD.getTime() >= untilD.getTime()) return errorResponse('bad-request', 'since must be before until');
  try {
    const cluster = await getCluster(id);
    if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
    const [events, watchGaps] = await Promise.all([
      listFailovers({ clusterId: cluster.id, since: sinceD, until: untilD, ...(lease ? { lease } : {}) }),
      listWatchGaps({ clusterId: cluster.id, since: sinceD, until: untilD }),
    ]);
    return NextResponse.json(
      { cluster: { id: cluster.id, name: cluster.name }, since: sinceD.toISOString(), until: untilD.toISOString(), events, stats: failoverStats(events), watchGaps },
      { headers: { 'cache-control': 'no-store' } },
    );
  } catch (e) {
    return toErrorResponse(e);
  }
}
