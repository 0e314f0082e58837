// GET /api/clusters/{id}/components: the current state of every component and replica
// (latest sample per probe target; stale ones read `unknown`).
import { NextResponse } from 'next/server';
import { getCluster } from '@/lib/data/clusters';
import { getComponents } from '@/lib/data/components';
import { errorResponse } from '../../../_lib/respond';
import { route } from '../../../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route<{ id: string }>('read', async (_req, { id }) => {
  const cluster = await getCluster(id);
  if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
  const snap = await getComponents(cluster.id);
  return NextResponse.json({ cluster: { id: cluster.id, name: cluster.name }, ...snap }, { headers: { 'cache-control': 'no-store' } });
});
