import { NextResponse } from 'next/server';
import { getCluster, removeCluster } from '@/lib/data/clusters';
import { errorResponse, toErrorResponse } from '../../_lib/respond';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export async function GET(_req: Request, { params }: Ctx) {
  const { id } = await params;
  try {
    const cluster = await getCluster(id);
    if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
    return NextResponse.json({ cluster }, { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    return toErrorResponse(e);
  }
}

/** Removes the cluster and its samples. */
export async function DELETE(_req: Request, { params }: Ctx) {
  const { id } = await params;
  try {
    const existing = await getCluster(id);
    if (!existing) return errorResponse('not-found', `no cluster "${id}"`);
    await removeCluster(existing.id);
    return NextResponse.json({ removed: { id: existing.id, name: existing.name } });
  } catch (e) {
    return toErrorResponse(e);
  }
}
