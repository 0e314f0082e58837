import type { Metadata } from 'next';
import { Suspense } from 'react';
import { CardSkeleton } from '@/components/skeletons';
import { ClusterHeader } from '@/components/cluster/cluster-header';
import { ComponentAvailabilityCard, SloCard, SreTableCard } from '@/components/cluster/slo-cards';
import { clusterPage, clusterTitle, type ClusterPageProps } from '../page-context';

export const dynamic = 'force-dynamic';

export async function generateMetadata(props: ClusterPageProps): Promise<Metadata> {
  return { title: await clusterTitle(props, ' SLO') };
}

/** The composite's budget, burn-down and burn-rate alerts; availability per component; the SRE table. */
export default async function ClusterSloPage(props: ClusterPageProps) {
  const ctx = await clusterPage(props);
  const { cluster, range, nowMs, zone, base } = ctx;
  return (
    <>
      <Suspense fallback={<CardSkeleton title={cluster.name} />}>
        <ClusterHeader cluster={cluster} title={`${cluster.name}: SLO and error budget`} tab="slo" range={range} rangeError={ctx.rangeError} nowMs={nowMs} zone={zone} />
      </Suspense>
      <Suspense fallback={<CardSkeleton title="Error budget" />}>
        <SloCard clusterId={cluster.id} range={range} now={nowMs} zone={zone} zoomPath={`${base}/slo`} />
      </Suspense>
      <Suspense fallback={<CardSkeleton title="Availability by component" />}>
        <ComponentAvailabilityCard clusterId={cluster.id} range={range} now={nowMs} zone={zone} />
      </Suspense>
      <Suspense fallback={<CardSkeleton title="Allowed vs actual downtime" />}>
        <SreTableCard clusterId={cluster.id} now={nowMs} />
      </Suspense>
    </>
  );
}
