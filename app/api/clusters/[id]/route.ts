import { NextResponse } from 'next/server';
import { z } from 'zod';
import { parseLabels } from '@/lib/clusters/register';
import { getCluster, removeCluster, updateClusterLabels, updateClusterSettings } from '@/lib/data/clusters';
import { errorResponse, readJson } from '../../_lib/respond';
import { audit, route } from '../../_lib/guard';

export const dynamic = 'force-dynamic';

type Params = { id: string };

export const GET = route<Params>('read', async (_req, { id }) => {
  const cluster = await getCluster(id);
  if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
  return NextResponse.json({ cluster }, { headers: { 'cache-control': 'no-store' } });
});

/** Removes the cluster and its samples (admins only). */
export const DELETE = route<Params>('clusters:write', async (_req, { id }, { principal }) => {
  const existing = await getCluster(id);
  if (!existing) return errorResponse('not-found', `no cluster "${id}"`);
  await removeCluster(existing.id);
  await audit(principal, { action: 'cluster.remove', target: `cluster ${existing.name}`, before: { id: existing.id, server: existing.server, labels: existing.labels, settings: existing.settings } });
  return NextResponse.json({ removed: { id: existing.id, name: existing.name } });
});

const PatchBody = z.object({
  /** Replaces the extra Leases (namespace/name) to watch; [] clears them. */
  leases: z.union([z.string(), z.array(z.string())]).optional(),
  /** Replaces the extra DNS servers (IP[:port]) to query; [] clears them. */
  dnsServers: z.union([z.string(), z.array(z.string())]).optional(),
  /** Replaces the labels: "k=v,k2=v2" or an object; "" or {} clears them. */
  labels: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
}).strict();

/** Updates a cluster's labels and probe settings (editors); the collector applies them on its next cycle. */
export const PATCH = route<Params>('settings:write', async (req, { id }, { principal }) => {
  const body = await readJson(req, PatchBody);
  if (!body.ok) return body.response;
  const { labels, ...settings } = body.data;
  // Validate everything before writing anything.
  const parsedLabels = labels === undefined ? undefined : parseLabels(typeof labels === 'string' ? labels : Object.entries(labels).map(([k, v]) => `${k}=${v}`));
  const before = await getCluster(id);
  if (!before) return errorResponse('not-found', `no cluster "${id}"`);
  let cluster = before;
  if (settings.leases !== undefined || settings.dnsServers !== undefined) cluster = (await updateClusterSettings(cluster.id, settings)) ?? cluster;
  if (parsedLabels !== undefined) cluster = (await updateClusterLabels(cluster.id, parsedLabels)) ?? cluster;
  await audit(principal, {
    action: 'cluster.update',
    target: `cluster ${cluster.name}`,
    before: { labels: before.labels, settings: before.settings },
    after: { labels: cluster.labels, settings: cluster.settings },
  });
  return NextResponse.json({ cluster });
});
