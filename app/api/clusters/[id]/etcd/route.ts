// GET /api/clusters/{id}/etcd?since=ISO&until=ISO: etcd leader changes and leaderless time, from the
// direct etcd probe (needs the cluster's etcd endpoints registered). Default window: the last 24 h.
import { NextResponse } from 'next/server';
import { getCluster } from '@/lib/data/clusters';
import { getEtcdHistory } from '@/lib/data/etcd';
import { errorResponse, readTimeWindow } from '../../../_lib/respond';
import { route } from '../../../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route<{ id: string }>('read', async (req, { id }) => {
  const url = new URL(req.url);
  const w = readTimeWindow(url, 86_400_000);
  if (!w.ok) return w.response;
  const sinceD = w.since;
  const untilD = w.until;
  const cluster = await getCluster(id);
  if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
  const history = await getEtcdHistory({ clusterId: cluster.id, since: sinceD, until: untilD });
  return NextResponse.json({ cluster: { id: cluster.id, name: cluster.name }, since: sinceD.toISOString(), until: untilD.toISOString(), ...history }, { headers: { 'cache-control': 'no-store' } });
});
