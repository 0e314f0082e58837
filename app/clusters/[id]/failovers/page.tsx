import type { Metadata } from 'next';
import { Suspense } from 'react';
import { notFound } from 'next/navigation';
import { ClusterTabs } from '@/components/cluster/cluster-tabs';
import { FailoversCard } from '@/components/cluster/failovers-card';
import { formatGap } from '@/lib/format';
import { FailoverTimeline } from '@/components/charts/failover-timeline';
import { WindowToolbar } from '@/components/window-picker';
import { getCluster } from '@/lib/data/clusters';
import { windowMsOf, type DashboardWindow } from '@/lib/data/dashboard';
import { listFailovers, listWatchGaps } from '@/lib/data/failovers';
import { failoverStats } from '@/lib/failover/stats';
import { clusterParam } from '../cluster-param';
import { parseClusterWindow, windowHrefs } from '../search-params';
import { requirePage } from '@/lib/auth/page';
import { CardSkeleton } from '@/components/skeletons';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  await requirePage();
  const { id } = await params;
  const cluster = await getCluster(clusterParam(id));
  return { title: cluster ? `${cluster.name} failovers` : 'Cluster not found' };
}

export default async function FailoversPage({ params, searchParams }: Props) {
  await requirePage();
  const { id } = await params;
  const { window, error } = parseClusterWindow(await searchParams);
  const cluster = await getCluster(clusterParam(id));
  if (!cluster) notFound();
  const now = Date.now();
  return (
    <>
      <h1>{cluster.name}: leader-election failovers</h1>
      <ClusterTabs id={cluster.id} current="failovers" window={window} />
      <WindowToolbar current={window} hrefs={windowHrefs(`/clusters/${encodeURIComponent(cluster.id)}/failovers`)} error={error} />
      <Suspense fallback={<CardSkeleton title="Per component" />}>
        <TimelineCard clusterId={cluster.id} window={window} now={now} />
      </Suspense>
      <Suspense fallback={<CardSkeleton title="History" />}>
        <FailoversCard clusterId={cluster.id} now={now} windowMs={windowMsOf(window)} windowLabel={window} limit={500} showStats={false} />
      </Suspense>
    </>
  );
}

async function TimelineCard({ clusterId, window, now }: { clusterId: string; window: DashboardWindow; now: number }) {
  const startMs = now - windowMsOf(window);
  const [events, gaps] = await Promise.all([listFailovers({ clusterId, since: new Date(startMs) }), listWatchGaps({ clusterId, since: new Date(startMs) })]);
  const stats = failoverStats(events.map((e) => ({ ...e, lease: e.component })));
  const leaseSeconds = [...new Set(events.map((e) => e.leaseDurationSeconds).filter((s): s is number => s !== null))].sort((a, b) => a - b);
  const measured = events.filter((e) => e.gapMs !== null);
  return (
    <section className="card" aria-labelledby="timeline-title" data-testid="failover-timeline-card">
      <h2 id="timeline-title" style={{ marginTop: 0 }}>
        Per component, last {window}
      </h2>
      {events.length === 0 ? (
        <p className="muted" data-testid="failovers-none">
          No failover in the last {window}.{gaps.length ? ` The Lease watch was down ${gaps.length} time${gaps.length === 1 ? '' : 's'}: takeovers then would be recorded as unobserved.` : ''}
        </p>
      ) : (
        <>
          <div className="table-wrap" tabIndex={0}>
            <table data-testid="failover-stats">
              <caption>Count by kind; p50 / p95 / max over measured gaps only</caption>
              <thead>
                <tr>
                  <th scope="col">Component</th>
                  <th scope="col">Failovers</th>
                  <th scope="col">crash</th>
                  <th scope="col">graceful</th>
                  <th scope="col">unobserved</th>
                  <th scope="col">p50 gap</th>
                  <th scope="col">p95 gap</th>
                  <th scope="col">max gap</th>
                </tr>
              </thead>
              <tbody>
                {stats.map((s) => (
                  <tr key={s.lease} data-component={s.lease}>
                    <th scope="row" className="mono">
                      {s.lease}
                    </th>
                    <td>{s.count}</td>
                    <td>{s.crash}</td>
                    <td>{s.graceful}</td>
                    <td>{s.unobserved}</td>
                    <td>{formatGap(s.p50Ms)}</td>
                    <td>{formatGap(s.p95Ms)}</td>
                    <td>{formatGap(s.maxMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <FailoverTimeline
            events={events.map((e) => ({ t: Date.parse(e.at), gapS: e.gapMs === null ? null : e.gapMs / 1000, kind: e.kind, component: e.component, holders: `${e.previousHolder} → ${e.newHolder}` }))}
            leaseSeconds={leaseSeconds}
            startMs={startMs}
            endMs={now}
            label={`Failover timeline, last ${window}: ${events.length} takeovers, ${measured.length} with a measured gap${measured.length ? ` (max ${formatGap(Math.max(...measured.map((e) => e.gapMs!)))})` : ''}, against lease duration${leaseSeconds.length === 1 ? '' : 's'} ${leaseSeconds.map((s) => `${s} s`).join(', ') || 'unknown'}`}
          />
        </>
      )}
    </section>
  );
}
