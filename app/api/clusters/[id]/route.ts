import { NextResponse } from 'next/server';
import { z } from 'zod';
import { parseLabels } from '@/lib/clusters/register';
import { getCluster, removeCluster, updateClusterLabels, updateClusterSettings } from '@/lib/data/clusters';
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
  /** Replaces the labels: "k=v,k2=v2" or an object; "" or {} clears them. */
  labels: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
}).strict();

/** Updates a cluster's probe settings; the collector applies them on its next cycle. */
export async function PATCH(req: Request, { params }: Ctx) {
  const { id } = await params;
  const body = await readJson(req, PatchBody);
  if (!body.ok) return body.response;
  try {
    const { labels, ...settings } = body.data;
    // Validate everything before writing anything.
    const parsedLabels = labels === undefined ? undefined : parseLabels(typeof labels === 'string' ? labels : Object.entries(labels).map(([k, v]) => `${k}=${v}`));
    let cluster = await getCluster(id);
    if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
    if (settings.leases !== undefined || settings.dnsServers !== undefined) cluster = await updateClusterSettings(cluster.id, settings);
    if (parsedLabels !== undefined && cluster) cluster = await updateClusterLabels(cluster.id, parsedLabels);
    if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
    return NextResponse.json({ cluster });
  } catch (e) {
    return toErrorResponse(e);
  }
}
