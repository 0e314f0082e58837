// GET /api/clusters/{id}/etcd?since=ISO&until=ISO: etcd leader changes and leaderless time, from the
// direct etcd probe (needs the cluster's etcd endpoints registered). Default window: the last 24 h.
import { NextResponse } from 'next/server';
import { getCluster } from '@/lib/data/clusters';
import { getEtcdHistory } from '@/lib/data/etcd';
import { errorResponse, readTimeWindow, toErrorResponse } from '../../../_lib/respond';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };


export async function GET(req: Request, { params }: Ctx) {
  const { id } = await params;
  const url = new URL(req.url);
  const w = readTimeWindow(url, 86_400_000);
  if (!w.ok) return w.response;
  const sinceD = w.since;
  const untilD = w.until;
  try {
    const cluster = await getCluster(id);
    if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
    const history = await getEtcdHistory({ clusterId: cluster.id, since: sinceD, until: untilD });
    return NextResponse.json({ cluster: { id: cluster.id, name: cluster.name }, since: sinceD.toISOString(), until: untilD.toISOString(), ...history }, { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    return toErrorResponse(e);
  }
}
