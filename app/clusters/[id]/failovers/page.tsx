import type { Metadata } from 'next';
import { Suspense } from 'react';
import { CardSkeleton } from '@/components/skeletons';
import { ClusterHeader } from '@/components/cluster/cluster-header';
import { FailoversCard } from '@/components/cluster/failovers-card';
import { componentLabel, formatGap, rangeTitle, type DisplayZone } from '@/lib/format';
import { FailoverTimeline } from '@/components/charts/failover-timeline';
import { elapsedEnd, type TimeRange } from '@/lib/slo/range';
import { listFailovers, listWatchGaps } from '@/lib/data/failovers';
import { failoverStats } from '@/lib/failover/stats';
import { clusterPage, clusterTitle, type ClusterPageProps } from '../page-context';
import { DataTable } from '@/components/data-table';

export const dynamic = 'force-dynamic';

export async function generateMetadata(props: ClusterPageProps): Promise<Metadata> {
  return { title: await clusterTitle(props, ' failovers') };
}

export default async function FailoversPage(props: ClusterPageProps) {
  const ctx = await clusterPage(props);
  const { cluster, range, nowMs, zone } = ctx;
  const endMs = elapsedEnd(range, nowMs);
  return (
    <>
      <Suspense fallback={<CardSkeleton title={cluster.name} />}>
        <ClusterHeader cluster={cluster} title={`${cluster.name}: leader-election failovers`} tab="failovers" range={range} rangeError={ctx.rangeError} nowMs={nowMs} zone={zone} />
      </Suspense>
      <Suspense fallback={<CardSkeleton title="Per component" />}>
        <TimelineCard clusterId={cluster.id} range={range} endMs={endMs} nowMs={nowMs} zone={zone} />
      </Suspense>
      <Suspense fallback={<CardSkeleton title="History" />}>
        <FailoversCard clusterId={cluster.id} startMs={range.startMs} endMs={endMs} rangeLabel={rangeTitle(range, zone)} zone={zone} limit={500} showStats={false} />
      </Suspense>
    </>
  );
}

async function TimelineCard({ clusterId, range, endMs, nowMs, zone }: { clusterId: string; range: TimeRange; endMs: number; nowMs: number; zone: DisplayZone }) {
  const since = new Date(range.startMs);
  const until = new Date(endMs);
  const [events, gaps] = await Promise.all([listFailovers({ clusterId, since, until }), listWatchGaps({ clusterId, since, until })]);
  const stats = failoverStats(events.map((e) => ({ ...e, lease: e.component })));
  const leaseSeconds = [...new Set(events.map((e) => e.leaseDurationSeconds).filter((s): s is number => s !== null))].sort((a, b) => a - b);
  const measured = events.filter((e) => e.gapMs !== null);
  const leaseOf = new Map(events.map((e) => [e.component, e.lease]));
  const text = rangeTitle(range, zone);
  return (
    <section className="card" aria-labelledby="timeline-title" data-testid="failover-timeline-card">
      <h2 id="timeline-title" className="mt-0">
        Per component, {text}
      </h2>
      {events.length === 0 ? (
        <p className="muted" data-testid="failovers-none">
          No failover in this range.{gaps.length ? ` The Lease watch was down ${gaps.length} time${gaps.length === 1 ? '' : 's'}: takeovers then would be recorded as unobserved.` : ''}
        </p>
      ) : (
        <>
          <DataTable testId="failover-stats" caption="Count by kind; p50 / p95 / max over measured gaps only" columns={['Component', 'Failovers', 'crash', 'graceful', 'unobserved', 'p50 gap', 'p95 gap', 'max gap']}>
            {stats.map((s) => (
              <tr key={s.lease} data-component={s.lease}>
                <th scope="row">{componentLabel(`leader-election/${leaseOf.get(s.lease) ?? s.lease}`)}</th>
                <td>{s.count}</td>
                <td>{s.crash}</td>
                <td>{s.graceful}</td>
                <td>{s.unobserved}</td>
                <td>{formatGap(s.p50Ms)}</td>
                <td>{formatGap(s.p95Ms)}</td>
                <td>{formatGap(s.maxMs)}</td>
              </tr>
            ))}
          </DataTable>
          <FailoverTimeline
            events={events.map((e) => ({ t: Date.parse(e.at), gapS: e.gapMs === null ? null : e.gapMs / 1000, kind: e.kind, component: e.component, holders: `${e.previousHolder} → ${e.newHolder}` }))}
            leaseSeconds={leaseSeconds}
            startMs={range.startMs}
            endMs={endMs}
            zone={zone}
            endsNow={endMs >= nowMs}
            label={`Failover timeline, ${text}: ${events.length} takeovers, ${measured.length} with a measured gap${measured.length ? ` (max ${formatGap(Math.max(...measured.map((e) => e.gapMs!)))})` : ''}, against lease duration${leaseSeconds.length === 1 ? '' : 's'} ${leaseSeconds.map((s) => `${s} s`).join(', ') || 'unknown'}`}
          />
        </>
      )}
    </section>
  );
}
