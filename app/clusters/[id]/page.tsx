import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ClusterHeader } from '@/components/cluster/cluster-header';
import { ComponentsCard } from '@/components/cluster/components-card';
import { StateTimelineCard } from '@/components/cluster/state-timeline-card';
import { CardSkeleton } from '@/components/skeletons';
import { clusterPage, clusterTitle, type ClusterPageProps } from './page-context';

export const dynamic = 'force-dynamic';

export async function generateMetadata(props: ClusterPageProps): Promise<Metadata> {
  return { title: await clusterTitle(props, '') };
}

/** The cluster's overview: summary, the component grid and the state timeline first. */
export default async function ClusterPage(props: ClusterPageProps) {
  const ctx = await clusterPage(props);
  const { cluster, range, nowMs, zone, query, base } = ctx;
  return (
    <>
      <Suspense fallback={<CardSkeleton title={cluster.name} />}>
        <ClusterHeader cluster={cluster} title={cluster.name} tab="overview" range={range} rangeError={ctx.rangeError} nowMs={nowMs} zone={zone} />
      </Suspense>
      <Suspense fallback={<CardSkeleton title="Components now" />}>
        <ComponentsCard clusterId={cluster.id} now={nowMs} zone={zone} />
      </Suspense>
      <Suspense fallback={<CardSkeleton title="State timeline" />}>
        <StateTimelineCard clusterId={cluster.id} range={range} nowMs={nowMs} zone={zone} zoomPath={base} keep="" outagesHref={`${base}/outages?${query.toString()}`} />
      </Suspense>
    </>
  );
}
