// GET /api/clusters/{id}/etcd?since=ISO&until=ISO: etcd leader changes and leaderless time, from the
// direct etcd probe (needs the cluster's etcd endpoints registered). Default window: the last 24 h.
import { NextResponse } from 'next/server';
import { getCluster } from '@/lib/data/clusters';
import { getEtcdHistory } from '@/lib/data/etcd';
import { errorResponse, toErrorResponse } from '../../../_lib/respond';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

function parseTime(name: string, v: string | null): Date | undefined | string {
  if (v === null || v === '') return undefined;
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) return `${name} must be an ISO 8601 time, e.g. 2026-11-26T00:00:00Z`;
  return d;
}

export async function GET(req: Request, { params }: Ctx) {
  const { id } = await params;
  const url = new URL(req.url);
  const since = parseTime('since', url.searchParams.get('since'));
  const until = parseTime('until', url.searchParams.get('until'));
  if (typeof since === 'string') return errorResponse('bad-request', since);
  if (typeof until === 'string') return errorResponse('bad-request', until);
  const untilD = until ?? new Date();
  const sinceD = since ?? new Date(untilD.getTime() - 86_400_000);
  if (sinceD.getTime() >= untilD.getTime()) return errorResponse('bad-request', 'since must be before until');
  try {
    const cluster = await getCluster(id);
    if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
    const history = await getEtcdHistory({ clusterId: cluster.id, since: sinceD, until: untilD });
    return NextResponse.json({ cluster: { id: cluster.id, name: cluster.name }, since: sinceD.toISOString(), until: untilD.toISOString(), ...history }, { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    return toErrorResponse(e);
  }
}
