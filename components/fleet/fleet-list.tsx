// Server component: the fleet, worst error budget first (lib/data/dashboard getFleetDashboard).
import Link from 'next/link';
import { BudgetBar } from '@/components/fleet/budget-bar';
import { BurnAlerts } from '@/components/fleet/burn-alerts';
import { Sparkline } from '@/components/charts/sparkline';
import { StatusBadge } from '@/components/status-badge';
import { getFleetDashboard, type DashboardWindow } from '@/lib/data/dashboard';
import { formatAge, formatBurnRate, formatCoverage, formatTime, formatWindowShort } from '@/lib/format';
import { formatPercent } from '@/lib/slo/format';
import { SLO_WINDOW_LABELS, targetPercentLabel } from '@/lib/slo/targets';

export async function FleetList({ window, q, label, emptyState }: { window: DashboardWindow; q?: string; label?: string; emptyState: React.ReactNode }) {
  const fleet = await getFleetDashboard({ window, q, label });
  const nowMs = Date.parse(fleet.now);
  if (fleet.total === 0) return <>{emptyState}</>;
  if (fleet.rows.length === 0) {
    return (
      <section className="card" aria-labelledby="no-match-title">
        <h2 id="no-match-title" style={{ marginTop: 0 }}>
          No cluster matches
        </h2>
        <p>
          None of the {fleet.total} clusters matches {q ? <>name “{q}”</> : null}
          {q && label ? ' and ' : null}
          {label ? <>label “{label}”</> : null}. <Link href={`/?window=${window}`}>Clear the filter</Link>.
        </p>
      </section>
    );
  }
  return (
    <>
      <p className="muted" data-testid="fleet-summary">
        {fleet.rows.length} of {fleet.total} cluster{fleet.total === 1 ? '' : 's'}, worst error budget first · composite “control plane available” over the
        last {SLO_WINDOW_LABELS[window].replace('rolling ', '')}
      </p>
      <ul className="cluster-grid" aria-label="Clusters">
        {fleet.rows.map((r) => {
          const c = r.cluster;
          const bucket = r.sparklineBucketMs >= 86_400_000 ? 'UTC day' : `${r.sparklineBucketMs / 3_600_000} h`;
          const worst = r.sparkline.filter((p) => p.availability !== null).sort((a, b) => a.availability! - b.availability!)[0];
          return (
            <li key={c.id} className="card cluster-card fleet-row" aria-labelledby={`cluster-${c.id}`} data-testid="cluster-card">
              <div className="cluster-card-head">
                <h2 id={`cluster-${c.id}`}>
                  <Link href={`/clusters/${encodeURIComponent(c.id)}?window=${window}`}>{c.name}</Link>
                </h2>
                <div className="row">
                  {Object.entries(c.labels).map(([k, v]) => (
                    <span key={k} className="chip">
                      {k}={v}
                    </span>
                  ))}
                  {r.credentialsOk ? null : (
                    <span className="status status-down" data-testid="credentials-state">
                      <span aria-hidden="true">⚿</span>credentials
                    </span>
                  )}
                  <StatusBadge status={r.status} testId="cluster-status" />
                </div>
              </div>
              <p className="muted reason" data-testid="cluster-reason">
                {r.status === null ? 'No sample yet: the collector probes every cluster on its next run.' : r.reason}
                {r.lastSampleAt ? (
                  <>
                    {' · '}
                    <time dateTime={r.lastSampleAt} title={formatTime(r.lastSampleAt)}>
                      {formatAge(r.lastSampleAt, nowMs)}
                    </time>
                  </>
                ) : null}
              </p>
              <div className="fleet-figures">
                <dl className="facts">
                  <div>
                    <dt>Availability</dt>
                    <dd data-testid="availability" className={r.slo?.meetsObjective === false ? 'bad' : undefined}>
                      {formatPercent(r.slo?.availability ?? null, 3)}
                    </dd>
                  </div>
                  <div>
                    <dt>Target</dt>
                    <dd data-testid="target">{targetPercentLabel(r.policy.objective)}</dd>
                  </div>
                  <div>
                    <dt>Coverage</dt>
                    <dd>{formatCoverage(r.slo?.coverage ?? null)}</dd>
                  </div>
                  <div>
                    <dt>Burn rate {r.burnRate ? formatWindowShort(r.burnRate.windowMs) : ''}</dt>
                    <dd data-testid="burn-rate">{formatBurnRate(r.burnRate?.value)}</dd>
                  </div>
                  <div>
                    <dt>Failovers</dt>
                    <dd data-testid="failovers">
                      <Link href={`/clusters/${encodeURIComponent(c.id)}/failovers?window=${window}`} aria-label={`${r.failovers} failovers of ${c.name} in the window`}>
                        {r.failovers}
                      </Link>
                    </dd>
                  </div>
                </dl>
                <BudgetBar budget={r.slo?.budget ?? null} />
                <BurnAlerts alerts={r.alerts} compact />
                <Sparkline
                  points={r.sparkline.map((p) => ({ t: p.startMs, a: p.availability }))}
                  target={r.policy.objective}
                  label={`Availability of ${c.name} per ${bucket}, last ${window}: ${r.sparkline.filter((p) => p.availability !== null).length} of ${r.sparkline.length} buckets with data${worst ? `, lowest ${formatPercent(worst.availability, 3)}` : ''}`}
                />
              </div>
            </li>
          );
        })}
      </ul>
    </>
  );
}
