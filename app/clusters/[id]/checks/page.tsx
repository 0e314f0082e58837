import type { Metadata } from 'next';
import { Suspense } from 'react';
import { CardSkeleton } from '@/components/skeletons';
import { ClusterHeader } from '@/components/cluster/cluster-header';
import { NamedChecksCards } from '@/components/cluster/checks-cards';
import { ReadinessCard } from '@/components/cluster/readiness-card';
import { clusterPage, clusterTitle, type ClusterPageProps } from '../page-context';

export const dynamic = 'force-dynamic';

export async function generateMetadata(props: ClusterPageProps): Promise<Metadata> {
  return { title: await clusterTitle(props, ' checks') };
}

/** HA readiness, the latest named /readyz and /livez checks, and which failed in the last 24 h. */
export default async function ClusterChecksPage(props: ClusterPageProps) {
  const ctx = await clusterPage(props);
  const { cluster, range, nowMs, zone } = ctx;
  return (
    <>
      <Suspense fallback={<CardSkeleton title={cluster.name} />}>
        <ClusterHeader cluster={cluster} title={`${cluster.name}: checks and HA readiness`} tab="checks" range={range} rangeError={ctx.rangeError} nowMs={nowMs} zone={zone} />
      </Suspense>
      <Suspense fallback={<CardSkeleton title="HA readiness" />}>
        <ReadinessCard clusterId={cluster.id} server={cluster.server} now={nowMs} />
      </Suspense>
      <Suspense fallback={<CardSkeleton title="Named checks" />}>
        <NamedChecksCards clusterId={cluster.id} now={nowMs} zone={zone} />
      </Suspense>
    </>
  );
}
