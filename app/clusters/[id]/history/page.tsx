import type { Metadata } from 'next';
import { Suspense } from 'react';
import { CardSkeleton } from '@/components/skeletons';
import { ClusterHeader } from '@/components/cluster/cluster-header';
import { RecentSamplesCards } from '@/components/cluster/checks-cards';
import { clusterPage, clusterTitle, type ClusterPageProps } from '../page-context';

export const dynamic = 'force-dynamic';

export async function generateMetadata(props: ClusterPageProps): Promise<Metadata> {
  return { title: await clusterTitle(props, ' history') };
}

/** The endpoint's readiness and latency over the last 24 h, and the latest runs of /readyz and /livez. */
export default async function ClusterHistoryPage(props: ClusterPageProps) {
  const ctx = await clusterPage(props);
  const { cluster, range, nowMs, zone } = ctx;
  return (
    <>
      <Suspense fallback={<CardSkeleton title={cluster.name} />}>
        <ClusterHeader cluster={cluster} title={`${cluster.name}: recent history`} tab="history" range={range} rangeError={ctx.rangeError} nowMs={nowMs} zone={zone} />
      </Suspense>
      <Suspense fallback={<CardSkeleton title="Readiness and latency, last 24 h" />}>
        <RecentSamplesCards clusterId={cluster.id} name={cluster.name} now={nowMs} zone={zone} />
      </Suspense>
    </>
  );
}
