// GET /api/clusters/{id}/components: the current state of every component and replica
// (latest sample per probe target; stale ones read `unknown`).
import { NextResponse } from 'next/server';
import { getCluster } from '@/lib/data/clusters';
import { getComponents } from '@/lib/data/components';
import { errorResponse, toErrorResponse } from '../../../_lib/respond';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export async function GET(_req: Request, { params }: Ctx) {
  const { id } = await params;
  try {
    const cluster = await getCluster(id);
    if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
    const snap = await getComponents(cluster.id);
    return NextResponse.json({ cluster: { id: cluster.id, name: cluster.name }, ...snap }, { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    return toErrorResponse(e);
  }
}
