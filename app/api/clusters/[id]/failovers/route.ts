// GET /api/clusters/{id}/failovers?since=ISO[&until=ISO][&lease=ns/name]
// Leader-election failovers measured by the collector's Lease watch, oldest first, with per-Lease
// statistics (p50/p95/max over measured gaps) and the periods the watch was down (events inside
// those are `unobserved`, gapMs null). Default window: the last 7 days.
import { NextResponse } from 'next/server';
import { getCluster } from '@/lib/data/clusters';
import { listFailovers, listWatchGaps } from '@/lib/data/failovers';
import { failoverStats } from '@/lib/failover/stats';
import { errorResponse, readTimeWindow } from '../../../_lib/respond';
import { route } from '../../../_lib/guard';

export const dynamic = 'force-dynamic';

const DEFAULT_WINDOW_MS = 7 * 86_400_000;

export const GET = route<{ id: string }>('read', async (req, { id }) => {
  const url = new URL(req.url);
  const w = readTimeWindow(url, DEFAULT_WINDOW_MS);
  if (!w.ok) return w.response;
  const sinceD = w.since;
  const untilD = w.until;
  const lease = url.searchParams.get('lease') ?? undefined;
  if (lease !== undefined && !/^[a-z0-9.-]{1,253}\/[a-z0-9.-]{1,253}$/.test(lease)) return errorResponse('bad-request', 'lease must be namespace/name, e.g. kube-system/kube-scheduler');
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
});
