import { NextResponse } from 'next/server';
import { z } from 'zod';
import { parseLabels, registerCluster } from '@/lib/clusters/register';
import { listClusters } from '@/lib/data/clusters';
import { readJson } from '../_lib/respond';
import { audit, route } from '../_lib/guard';

export const dynamic = 'force-dynamic';

/** All registered clusters. ClusterSummary never carries credentials. */
export const GET = route('read', async () => {
  const clusters = await listClusters();
  return NextResponse.json({ clusters }, { headers: { 'cache-control': 'no-store' } });
});

const CreateBody = z.object({
  name: z.string().min(1, 'name is required'),
  kubeconfig: z.string().min(1, 'kubeconfig is required'),
  context: z.string().min(1).optional(),
  /** "k=v,k=v" as typed in the form, or an object. Validated by the same rules as the CLI's --label. */
  labels: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  /** Extra leader-election Leases (namespace/name) to watch, as a list or comma-separated. */
  leases: z.union([z.string(), z.array(z.string())]).optional(),
  /** Extra DNS servers (IP[:port]) to query, as a list or comma-separated. */
  dnsServers: z.union([z.string(), z.array(z.string())]).optional(),
});

/** Registers a cluster (admins only): validates the kubeconfig, tests the connection, stores it encrypted. */
export const POST = route('clusters:write', async (req, _p, { principal }) => {
  const body = await readJson(req, CreateBody);
  if (!body.ok) return body.response;
  const labelsText =
    typeof body.data.labels === 'string'
      ? body.data.labels
      : Object.entries(body.data.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const labels = parseLabels(labelsText);
  const { test, ...cluster } = await registerCluster({
    name: body.data.name,
    kubeconfigText: body.data.kubeconfig,
    ...(body.data.context ? { context: body.data.context } : {}),
    labels,
    settings: { leases: body.data.leases, dnsServers: body.data.dnsServers },
  });
  await audit(principal, { action: 'cluster.create', target: `cluster ${cluster.name}`, after: { id: cluster.id, server: cluster.server, context: cluster.context, labels: cluster.labels, settings: cluster.settings } });
  return NextResponse.json(
    { cluster, version: test?.version ?? null },
    { status: 201, headers: { location: `/api/clusters/${encodeURIComponent(cluster.id)}` } },
  );
});
