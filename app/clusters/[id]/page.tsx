import type { Metadata } from 'next';
import { Suspense } from 'react';
import { notFound } from 'next/navigation';
import { clusterParam } from './cluster-param';
import { AutoRefresh } from '@/components/auto-refresh';
import { ComponentsCard } from '@/components/cluster/components-card';
import { FailoversCard } from '@/components/cluster/failovers-card';
import { ReadinessCard } from '@/components/cluster/readiness-card';
import { ClusterTabs } from '@/components/cluster/cluster-tabs';
import { ComponentAvailabilityCard, OutagesCard, SloCard, SreTableCard } from '@/components/cluster/slo-cards';
import { WindowToolbar } from '@/components/window-picker';
import { parseClusterWindow, windowHrefs } from './search-params';
import { toChartPoints } from '@/components/chart-points';
import { StatusBadge } from '@/components/status-badge';
import { StatusChart } from '@/components/status-chart';
import { getCluster } from '@/lib/data/clusters';
import { WINDOW_MS, getClusterDetail, type LatestChecks } from '@/lib/data/overview';
import { formatAge, formatAvailability, formatLabels, formatLatency, formatTime } from '@/lib/format';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  await requirePage();
  const { id } = await params;
  const cluster = await getCluster(clusterParam(id));
  return { title: cluster?.name ?? 'Cluster not found' };
}

export default async function ClusterPage({ params, searchParams }: Props) {
  await requirePage();
  const { id } = await params;
  const { window, error: windowError } = parseClusterWindow(await searchParams);
  const nowDate = new Date();
  const detail = await getClusterDetail(clusterParam(id), { now: nowDate });
  if (!detail) notFound();
  const { cluster } = detail;
  const now = nowDate.getTime();
  const hasData = detail.lastSampleAt !== null;
  // The apiserver health probes this page is about; other probes get their own pages in later issues.
  const history = detail.history.filter((s) => s.probe === 'apiserver-readyz' || s.probe === 'apiserver-livez');
  const troubled = detail.checkHistory.filter((c) => c.okNow === false || c.failures24h > 0);

  return (
    <>
      <AutoRefresh seconds={10} />
      <header className="card" aria-labelledby="cluster-title">
        <div className="cluster-card-head">
          <h1 id="cluster-title" style={{ margin: 0 }}>
            {cluster.name}
          </h1>
          <StatusBadge status={hasData ? detail.status : null} testId="cluster-status" />
        </div>
        <p className="muted">{hasData ? detail.reason : 'No sample yet: the collector probes every cluster on its next run.'}</p>
        <dl className="facts">
          <div>
            <dt>Server</dt>
            <dd className="mono">{cluster.server}</dd>
          </div>
          <div>
            <dt>Context</dt>
            <dd className="mono">{cluster.context}</dd>
          </div>
          <div>
            <dt>Labels</dt>
            <dd>{Object.keys(cluster.labels).length > 0 ? formatLabels(cluster.labels) : '—'}</dd>
          </div>
          <div>
            <dt>Availability 24 h</dt>
            <dd>{formatAvailability(detail.availability24h)}</dd>
          </div>
          <div>
            <dt>Last sample</dt>
            <dd>
              <time dateTime={detail.lastSampleAt ?? undefined} title={formatTime(detail.lastSampleAt)}>
                {formatAge(detail.lastSampleAt, now)}
              </time>
            </dd>
          </div>
          <div>
            <dt>Added</dt>
            <dd>{formatTime(cluster.createdAt)}</dd>
          </div>
        </dl>
      </header>

      <ClusterTabs id={cluster.id} current="overview" window={window} />
      <WindowToolbar current={window} hrefs={windowHrefs(`/clusters/${encodeURIComponent(cluster.id)}`)} error={windowError} />

      <Suspense fallback={<CardSkeleton title="Components now" />}>
        <ComponentsCard clusterId={cluster.id} now={now} />
      </Suspense>

      <Suspense fallback={<CardSkeleton title={`Error budget, last ${window}`} />}>
        <SloCard clusterId={cluster.id} window={window} now={now} />
      </Suspense>

      <Suspense fallback={<CardSkeleton title={`Availability by component, last ${window}`} />}>
        <ComponentAvailabilityCard clusterId={cluster.id} window={window} now={now} />
      </Suspense>

      <Suspense fallback={<CardSkeleton title={`Outage intervals, last ${window}`} />}>
        <OutagesCard clusterId={cluster.id} window={window} now={now} />
      </Suspense>

      <Suspense fallback={<CardSkeleton title="Allowed vs actual downtime" />}>
        <SreTableCard clusterId={cluster.id} now={now} />
      </Suspense>

      <section className="card" aria-labelledby="chart-title">
        <h2 id="chart-title" style={{ marginTop: 0 }}>
          Readiness and latency, last 24 h
        </h2>
        <StatusChart
          points={toChartPoints(detail.series)}
          label={`Readiness and latency of ${cluster.name}, last 24 h`}
          windowStartMs={now - WINDOW_MS}
          windowEndMs={now}
        />
      </section>

      <Suspense fallback={<CardSkeleton title="HA readiness" />}>
        <ReadinessCard clusterId={cluster.id} server={cluster.server} now={now} />
      </Suspense>

      <Suspense fallback={<CardSkeleton title="Leader-election failovers, last 7 days" />}>
        <FailoversCard clusterId={cluster.id} now={now} moreHref={`/clusters/${encodeURIComponent(cluster.id)}/failovers?window=${window}`} />
      </Suspense>

      <div className="cluster-grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))' }}>
        <ChecksCard probe="readyz" latest={detail.readyz} />
        <ChecksCard probe="livez" latest={detail.livez} />
      </div>

      <section className="card" aria-labelledby="check-history-title">
        <h2 id="check-history-title" style={{ marginTop: 0 }}>
          Named checks, last 24 h
        </h2>
        {detail.checkHistory.length === 0 ? (
          <p className="muted">No named checks recorded yet.</p>
        ) : troubled.length === 0 ? (
          <p data-testid="check-history-summary">
            <span className="check-ok">✓</span> None of the {detail.checkHistory.length} named livez/readyz checks failed in
            the last 24 h.
          </p>
        ) : (
          <div className="table-wrap" tabIndex={0}>
            <table>
              <caption>Checks that failed in the last 24 h (the other {detail.checkHistory.length - troubled.length} never did)</caption>
              <thead>
                <tr>
                  <th scope="col">Probe</th>
                  <th scope="col">Check</th>
                  <th scope="col">Now</th>
                  <th scope="col">Failures 24 h</th>
                  <th scope="col">Last failure</th>
                </tr>
              </thead>
              <tbody>
                {troubled.map((c) => (
                  <tr key={`${c.probe}-${c.name}`}>
                    <td className="mono">{c.probe}</td>
                    <td className="mono">{c.name}</td>
                    <td className={c.okNow === false ? 'check-failed' : c.okNow ? 'check-ok' : 'muted'}>
                      {c.okNow === null ? 'not reported' : c.okNow ? '✓ ok' : '✕ failed'}
                    </td>
                    <td>{c.failures24h}</td>
                    <td>
                      {c.lastFailedAt ? (
                        <>
                          <time dateTime={c.lastFailedAt}>{formatTime(c.lastFailedAt)}</time>
                          {c.lastFailureMessage ? ` — ${c.lastFailureMessage}` : ''}
                        </>
                      ) : (
                        'none'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title" style={{ marginTop: 0 }}>
          History
        </h2>
        {history.length === 0 ? (
          <p className="muted">No samples yet.</p>
        ) : (
          <div className="table-wrap" tabIndex={0}>
            <table>
              <caption>Recent samples of /readyz and /livez, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Probe</th>
                  <th scope="col">Status</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Latency</th>
                </tr>
              </thead>
              <tbody>
                {history.map((s, i) => (
                  <tr key={`${s.at}-${s.probe}-${i}`}>
                    <td>
                      <time dateTime={s.at}>{formatTime(s.at)}</time>
                    </td>
                    <td className="mono">{s.probe}</td>
                    <td>
                      <StatusBadge status={s.status} />
                    </td>
                    <td>{s.reason}</td>
                    <td>{formatLatency(s.latencyMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

    </>
  );
}

function CardSkeleton({ title }: { title: string }) {
  return (
    <section className="card" aria-busy="true" data-testid="card-skeleton">
      <h2 style={{ marginTop: 0 }}>{title}</h2>
      <div className="skeleton" style={{ height: '1rem', width: '60%', marginBottom: '0.5rem' }} />
      <div className="skeleton" style={{ height: '5rem' }} />
      <p className="sr-only">Loading…</p>
    </section>
  );
}

function ChecksTable({ checks, caption }: { checks: LatestChecks['checks']; caption: string }) {
  return (
    <div className="table-wrap" tabIndex={0}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Result</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {checks.map((c) => (
            <tr key={c.name}>
              <td className="mono">{c.name}</td>
              <td className={c.ok ? 'check-ok' : 'check-failed'}>{c.ok ? '✓ ok' : '✕ failed'}</td>
              <td>{c.message ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const HOOK_PREFIX = 'poststarthook/';

function ChecksCard({ probe, latest }: { probe: 'readyz' | 'livez'; latest: LatestChecks | null }) {
  const titleId = `${probe}-title`;
  // Failing checks first; passing post-start hooks (there are ~30, all alike) folded away.
  const sorted = latest ? [...latest.checks].sort((a, b) => Number(a.ok) - Number(b.ok)) : [];
  const main = sorted.filter((c) => !c.ok || !c.name.startsWith(HOOK_PREFIX));
  const hooks = sorted.filter((c) => c.ok && c.name.startsWith(HOOK_PREFIX));
  return (
    <section className="card" aria-labelledby={titleId}>
      <div className="cluster-card-head">
        <h2 id={titleId} style={{ margin: 0 }}>
          /{probe}
        </h2>
        <StatusBadge status={latest ? latest.status : null} />
      </div>
      {!latest ? (
        <p className="muted">No {probe} sample yet.</p>
      ) : latest.checks.length === 0 ? (
        <p className="muted">
          {latest.reason} — no named checks in the latest answer ({formatTime(latest.at)}).
        </p>
      ) : (
        <>
          <p className="muted">
            {latest.reason} · {formatLatency(latest.latencyMs)}
          </p>
          <ChecksTable checks={main} caption={`${probe} checks at ${formatTime(latest.at)}`} />
          {hooks.length > 0 ? (
            <details>
              <summary>{hooks.length} post-start hooks, all ok</summary>
              <ChecksTable checks={hooks} caption={`${probe} post-start hooks`} />
            </details>
          ) : null}
        </>
      )}
    </section>
  );
}
