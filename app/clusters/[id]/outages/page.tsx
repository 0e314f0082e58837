import type { Metadata } from 'next';
import { Suspense } from 'react';
import { CardSkeleton } from '@/components/skeletons';
import { ClusterHeader } from '@/components/cluster/cluster-header';
import { OutagesCard } from '@/components/cluster/slo-cards';
import { StateTimelineCard } from '@/components/cluster/state-timeline-card';
import { clusterPage, clusterTitle, type ClusterPageProps } from '../page-context';

export const dynamic = 'force-dynamic';

export async function generateMetadata(props: ClusterPageProps): Promise<Metadata> {
  return { title: await clusterTitle(props, ' outages') };
}

/** Every down interval of every component in the range (outside maintenance), newest first; the timeline links here. */
export default async function ClusterOutagesPage(props: ClusterPageProps) {
  const ctx = await clusterPage(props);
  const { cluster, range, nowMs, zone, base, query } = ctx;
  return (
    <>
      <Suspense fallback={<CardSkeleton title={cluster.name} />}>
        <ClusterHeader cluster={cluster} title={`${cluster.name}: outages`} tab="outages" range={range} rangeError={ctx.rangeError} nowMs={nowMs} zone={zone} />
      </Suspense>
      <Suspense fallback={<CardSkeleton title="Outage intervals" />}>
        <OutagesCard clusterId={cluster.id} range={range} now={nowMs} zone={zone} />
      </Suspense>
      <Suspense fallback={<CardSkeleton title="State timeline" />}>
        <StateTimelineCard clusterId={cluster.id} range={range} nowMs={nowMs} zone={zone} zoomPath={`${base}/outages`} keep="" outagesHref={`${base}/outages?${query.toString()}`} />
      </Suspense>
    </>
  );
}
