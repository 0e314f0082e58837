import type { Metadata } from 'next';
import Link from 'next/link';
import { AutoRefresh } from '@/components/auto-refresh';
import { toChartPoints } from '@/components/chart-points';
import { StatusBadge } from '@/components/status-badge';
import { StatusChart } from '@/components/status-chart';
import { WINDOW_MS, getFleetOverview } from '@/lib/data/overview';
import { formatAge, formatAvailability, formatCoverage, formatLabels, formatTime } from '@/lib/format';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage() {
  const now = new Date();
  const fleet = await getFleetOverview({ now });
  return (
    <>
      <AutoRefresh seconds={10} />
      <div className="page-head">
        <h1>Overview</h1>
        {fleet.length > 0 ? (
          <Link href="/clusters/new" className="button">
            Add cluster
          </Link>
        ) : null}
      </div>
      {fleet.length === 0 ? (
        <EmptyState />
      ) : (
        <ul className="cluster-grid" aria-label="Clusters">
          {fleet.map((c) => (
            <li key={c.id} className="card cluster-card" aria-labelledby={`cluster-${c.id}`} data-testid="cluster-card">
              <div className="cluster-card-head">
                <h2 id={`cluster-${c.id}`}>
                  <Link href={`/clusters/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                </h2>
                <StatusBadge status={c.lastSampleAt ? c.status : null} testId="cluster-status" />
              </div>
              <p className="muted" data-testid="cluster-reason">
                {c.lastSampleAt ? c.reason : 'No sample yet: the collector probes every cluster on its next run.'}
              </p>
              <dl className="facts">
                <div>
                  <dt>Availability 24 h</dt>
                  <dd data-testid="availability-24h">{formatAvailability(c.availability24h)}</dd>
                </div>
                <div>
                  <dt>Coverage</dt>
                  <dd>{formatCoverage(c.coverage24h)}</dd>
                </div>
                <div>
                  <dt>Last sample</dt>
                  <dd>
                    <time dateTime={c.lastSampleAt ?? undefined} title={formatTime(c.lastSampleAt)}>
                      {formatAge(c.lastSampleAt, now.getTime())}
                    </time>
                  </dd>
                </div>
                <div>
                  <dt>Server</dt>
                  <dd className="mono">{c.server}</dd>
                </div>
                {Object.keys(c.labels).length > 0 ? (
                  <div>
                    <dt>Labels</dt>
                    <dd>{formatLabels(c.labels)}</dd>
                  </div>
                ) : null}
              </dl>
              <StatusChart
                points={toChartPoints(c.series)}
                label={`Readiness and latency of ${c.name}, last 24 h`}
                windowStartMs={now.getTime() - WINDOW_MS}
                windowEndMs={now.getTime()}
                height={120}
              />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function EmptyState() {
  return (
    <section className="card empty-state" aria-labelledby="empty-title">
      <h2 id="empty-title">No clusters yet</h2>
      <p>Quorum watches the control plane of each cluster you register. To add your first one:</p>
      <ol>
        <li>
          In the browser: <Link href="/clusters/new">add a cluster</Link> by pasting or uploading its kubeconfig.
        </li>
        <li>
          Or from a terminal:
          <pre>npm run quorum -- cluster add --name N --kubeconfig PATH</pre>
        </li>
      </ol>
      <p>No cluster at hand? Start the local lab (a real multi-member control plane) and register it:</p>
      <pre>{'npm run lab -- up\nnpm run quorum -- cluster add --name lab --kubeconfig lab/.state/quorum.kubeconfig'}</pre>
    </section>
  );
}
