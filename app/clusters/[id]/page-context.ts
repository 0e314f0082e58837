// What every cluster tab needs first: the signed-in user, the cluster (or a 404), the time range from
// the URL, now, and the display zone.
import { notFound } from 'next/navigation';
import { getDisplayZone } from '@/components/time/zone';
import { requirePage } from '@/lib/auth/page';
import type { Principal } from '@/lib/auth/principal';
import { getCluster } from '@/lib/data/clusters';
import type { DisplayZone } from '@/lib/format';
import type { TimeRange } from '@/lib/slo/range';
import type { ClusterSummary } from '@/lib/types';
import { clusterParam } from './cluster-param';
import { parseClusterRange, rangeQuery } from './search-params';

export interface ClusterPageContext {
  me: Principal;
  cluster: ClusterSummary;
  range: TimeRange;
  rangeError: string | null;
  nowMs: number;
  zone: DisplayZone;
  /** The range as a query string, for links that keep it. */
  query: URLSearchParams;
  base: string;
}

export type ClusterPageProps = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function clusterPage({ params, searchParams }: ClusterPageProps): Promise<ClusterPageContext> {
  const me = await requirePage();
  const { id } = await params;
  const cluster = await getCluster(clusterParam(id));
  if (!cluster) notFound();
  const nowMs = Date.now();
  const { range, error } = parseClusterRange(await searchParams, nowMs);
  return { me, cluster, range, rangeError: error, nowMs, zone: await getDisplayZone(), query: rangeQuery(range), base: `/clusters/${encodeURIComponent(cluster.id)}` };
}

export async function clusterTitle({ params }: Pick<ClusterPageProps, 'params'>, suffix: string): Promise<string> {
  await requirePage();
  const { id } = await params;
  const cluster = await getCluster(clusterParam(id));
  return cluster ? `${cluster.name}${suffix}` : 'Cluster not found';
}
