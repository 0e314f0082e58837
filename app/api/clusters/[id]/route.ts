import { NextResponse } from 'next/server';
import { z } from 'zod';
import { getCluster, removeCluster, updateClusterSettings } from '@/lib/data/clusters';
import { errorResponse, readJson, toErrorResponse } from '../../_lib/respond';

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

const PatchBody = z.object({
  /** Replaces the extra Leases (namespace/name) to watch; [] clears them. */
  leases: z.union([z.string(), z.array(z.string())]).optional(),
  /** Replaces the extra DNS servers (IP[:port]) to query; [] clears them. */
  dnsServers: z.union([z.string(), z.array(z.string())]).optional(),
}).strict();

/** Updates a cluster's probe settings; the collector applies them on its next cycle. */
export async function PATCH(req: Request, { params }: Ctx) {
  const { id } = await params;
  const body = await readJson(req, PatchBody);
  if (!body.ok) return body.response;
  try {
    const cluster = await updateClusterSettings(id, body.data);
    if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
    return NextResponse.json({ cluster });
  } catch (e) {
    return toErrorResponse(e);
  }
}
