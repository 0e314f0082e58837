// Server component: the summary every cluster page starts with — SLO state, availability against the
// target, error budget, coverage, last failover and what is wrong right now — then the identity facts,
// the tabs and the time range. Read from the fleet read model (lib/data/fleet.ts), as the overview.
import Link from 'next/link';
import { BudgetBar } from '@/components/fleet/budget-bar';
import { LiveStatus } from '@/components/live-status';
import { RangePicker } from '@/components/range-picker';
import { SloStateBadge } from '@/components/slo-state-badge';
import { StatusBadge } from '@/components/status-badge';
import { ClusterTabs, type ClusterTab } from '@/components/cluster/cluster-tabs';
import { clusterComponents, clusterRow, componentStateName } from '@/components/cluster/cluster-data';
import { staleAfterMs } from '@/lib/data/components';
import { listFailovers } from '@/lib/data/failovers';
import type { ClusterSummary } from '@/lib/types';
import { collectorIntervalMs } from '@/lib/env';
import { budgetPeriodLabel, componentLabel, coverageText, formatAge, formatCoverage, formatFor, formatLabels, formatPercent, formatTime, formatWindowShort, rangeTitle, type DisplayZone } from '@/lib/format';
import { rangeParams, type TimeRange } from '@/lib/slo/range';
import { formatDuration } from '@/lib/slo/format';
import { targetPercentLabel } from '@/lib/slo/targets';

export async function ClusterHeader({ cluster, title, tab, range, rangeError, nowMs, zone }: { cluster: ClusterSummary; title: string; tab: ClusterTab; range: TimeRange; rangeError: string | null; nowMs: number; zone: DisplayZone }) {
  const [row, snap] = await Promise.all([clusterRow(cluster.id, range.startMs, range.endMs, nowMs), clusterComponents(cluster.id, nowMs)]);
  const lastFailover = row?.lastFailoverAt ? (await listFailovers({ clusterId: cluster.id, since: new Date(row.lastFailoverAt) })).at(-1) ?? null : null;
  const base = `/clusters/${encodeURIComponent(cluster.id)}`;
  const query = new URLSearchParams(rangeParams(range));
  const path = `${base}${tab === 'overview' ? '' : `/${tab}`}`;
  const broken = snap.components.filter((c) => c.at !== null && (c.status === 'down' || c.status === 'degraded'));
  const blind = snap.components.filter((c) => c.at !== null && c.status === 'unknown');
  const firing = row?.alerts.filter((a) => a.firing) ?? [];
  const hasData = row?.status !== null && row !== null;
  const rangeText = rangeTitle(range, zone);
  return (
    <>
      <header className="card cluster-header" data-testid="cluster-summary">
        <div className="cluster-card-head">
          <h1 id="cluster-title" className="m-0">
            {title}
          </h1>
          <div className="row">
            {row ? <SloStateBadge state={row.state} testId="summary-slo-state" title={row.budget.kind === 'absolute' ? coverageText(row.budget) : undefined} /> : null}
            <StatusBadge status={hasData ? (row?.status ?? null) : null} testId="cluster-status" />
          </div>
        </div>
        <p className="muted" data-testid="cluster-reason">
          {hasData ? (
            <>
              {row!.stale && row!.credentialsOk && row!.lastSampleAt ? `no sample for ${formatAge(row!.lastSampleAt, nowMs).replace(/ ago$/, '')}: is the collector running?` : row!.reason}
              {row!.sinceMs !== null ? ` · ${formatFor(row!.sinceMs, nowMs)}` : ''}
            </>
          ) : (
            'No sample yet: the collector probes every cluster on its next run.'
          )}
        </p>
        {row ? (
          <dl className="summary-facts">
            <div>
              <dt>Availability, {rangeText}</dt>
              <dd>
                <strong data-testid="summary-availability" className={row.state === 'breached' ? 'bad' : undefined}>
                  {formatPercent(row.slo?.availability ?? null, 3)}
                </strong>{' '}
                <span className="muted">target {targetPercentLabel(row.policy.objective)}</span>
                {row.slo && row.state === 'insufficient-data' ? (
                  // Below the coverage floor the ratio is of the little that was measured, not of the range.
                  <span className="muted" data-testid="summary-availability-basis">
                    {' '}
                    · over the {formatDuration(row.slo.goodMs + row.slo.badMs)} measured
                  </span>
                ) : null}
              </dd>
            </div>
            <div className="summary-budget">
              <dt>Error budget</dt>
              <dd>
                <BudgetBar budget={row.slo ? row.budget : null} period={budgetPeriodLabel(row.range.windowMs)} testId="summary-budget" compact />
              </dd>
            </div>
            <div>
              <dt>Coverage</dt>
              <dd data-testid="summary-coverage">
                {formatCoverage(row.slo?.coverage ?? 0)} <span className="muted">({formatPercent(row.policy.coverageFloor, 0)} needed)</span>
              </dd>
            </div>
            <div>
              <dt>Last failover</dt>
              <dd data-testid="summary-last-failover">
                {lastFailover ? (
                  <Link href={`${base}/failovers?${query.toString()}`}>
                    <time dateTime={lastFailover.at} title={formatTime(lastFailover.at, zone)}>
                      {formatAge(lastFailover.at, nowMs)}
                    </time>{' '}
                    ({componentLabel(`leader-election/${lastFailover.lease}`)}, {lastFailover.kind})
                  </Link>
                ) : (
                  <span className="muted">none seen</span>
                )}
                {row.failovers > 0 ? <span className="muted"> · {row.failovers} in range</span> : null}
              </dd>
            </div>
            <div className="summary-incidents">
              <dt>Now</dt>
              <dd data-testid="summary-incidents">
                {broken.length === 0 && firing.length === 0 ? (
                  <span className="check-ok">{blind.length ? `no component down · ${blind.length} unknown` : 'no incident: every component up'}</span>
                ) : (
                  <ul className="incident-list">
                    {(['page', 'ticket'] as const)
                      .filter((sev) => firing.some((a) => a.severity === sev))
                      .map((sev) => (
                        <li key={sev} className="check-failed" data-testid="summary-alert">
                          ▲ {sev} burn-rate alert firing ({firing.filter((a) => a.severity === sev).map((a) => `${formatWindowShort(a.longWindowMs)}/${formatWindowShort(a.shortWindowMs)}`).join(', ')})
                        </li>
                      ))}
                    {broken.map((c) => (
                      <li key={`${c.probe}|${c.target}|${c.component}`}>
                        <StatusBadge status={c.status} /> {componentStateName(c)}
                      </li>
                    ))}
                    {blind.length ? <li className="muted">{blind.length} unknown</li> : null}
                  </ul>
                )}
              </dd>
            </div>
          </dl>
        ) : null}
        <dl className="facts identity-facts">
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
            <dt>Last sample</dt>
            <dd>
              <time dateTime={row?.lastSampleAt ?? undefined} title={formatTime(row?.lastSampleAt ?? null, zone)}>
                {formatAge(row?.lastSampleAt ?? null, nowMs)}
              </time>
            </dd>
          </div>
          <div>
            <dt>Added</dt>
            <dd>{formatTime(cluster.createdAt, zone)}</dd>
          </div>
        </dl>
      </header>
      <ClusterTabs id={cluster.id} current={tab} query={query} />
      {tab === 'settings' ? null : (
        <div className="toolbar">
          <RangePicker path={path} keep={new URLSearchParams()} range={range} zone={zone} />
          <LiveStatus renderedAtMs={nowMs} intervalMs={collectorIntervalMs()} newestSampleMs={row?.lastSampleAt ? Date.parse(row.lastSampleAt) : null} staleAfterMs={staleAfterMs()} />
        </div>
      )}
      {rangeError ? (
        <p className="form-error" role="alert">
          <code>invalid-input</code>: {rangeError} — showing the last 30 days.
        </p>
      ) : null}
    </>
  );
}
