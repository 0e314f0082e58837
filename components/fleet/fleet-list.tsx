// Server component: the fleet as cards (the overview's ?view=cards), in the table's order, from the
// same read model (lib/data/fleet.ts getFleet).
import { BudgetBar } from '@/components/fleet/budget-bar';
import { BurnAlerts } from '@/components/fleet/burn-alerts';
import { SparkSvg } from '@/components/charts/spark-svg';
import { SloStateBadge } from '@/components/slo-state-badge';
import { StatusBadge } from '@/components/status-badge';
import type { OverviewQuery } from '@/app/(overview)/search-params';
import type { Fleet } from '@/lib/data/fleet';
import { formatAge, formatBurnRate, formatCoverage, formatPercent, formatTime, formatWindowShort, type DisplayZone } from '@/lib/format';
import { bucketLabel } from '@/lib/slo/buckets';
import { rangeLengthLabel } from '@/lib/slo/range';
import { targetPercentLabel } from '@/lib/slo/targets';
import { clusterHref } from './fleet-table';

export function FleetCards({ fleet, query, zone, period }: { fleet: Fleet; query: OverviewQuery; zone: DisplayZone; period: string }) {
  const nowMs = Date.parse(fleet.now);
  const rangeText = query.range.preset ?? rangeLengthLabel(query.range.endMs - query.range.startMs);
  return (
    <ul className="cluster-grid" aria-label="Clusters">
      {fleet.rows.map((r) => {
        const c = r.cluster;
        const bucket = r.bucketMs ? bucketLabel(r.bucketMs) : '';
        const worst = r.buckets.filter((p) => p.availability !== null).sort((a, b) => a.availability! - b.availability!)[0];
        return (
          <li key={c.id} className="card cluster-card fleet-row" aria-labelledby={`cluster-${c.id}`} data-testid="cluster-card">
            <div className="cluster-card-head">
              <h2 id={`cluster-${c.id}`}>
                <a href={clusterHref(c.id, query)}>{c.name}</a>
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
                <SloStateBadge state={r.state} />
                <StatusBadge status={r.status} testId="cluster-status" />
              </div>
            </div>
            <p className="muted reason" data-testid="cluster-reason">
              {r.reason}
              {r.lastSampleAt ? (
                <>
                  {' · '}
                  <time dateTime={r.lastSampleAt} title={formatTime(r.lastSampleAt, zone)}>
                    {formatAge(r.lastSampleAt, nowMs)}
                  </time>
                </>
              ) : null}
            </p>
            <div className="fleet-figures">
              <dl className="facts">
                <div>
                  <dt>Availability</dt>
                  <dd data-testid="availability" className={r.state === 'breached' ? 'bad' : undefined}>
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
                    <a href={clusterHref(c.id, query, '/failovers')} aria-label={`${r.failovers} failovers of ${c.name} in the range`}>
                      {r.failovers}
                    </a>
                  </dd>
                </div>
              </dl>
              <BudgetBar budget={r.slo ? r.budget : null} period={period} compact />
              <BurnAlerts alerts={r.alerts} compact />
              <SparkSvg
                points={r.buckets.map((p) => ({ t: p.startMs, a: p.availability }))}
                target={r.policy.objective}
                label={`Availability of ${c.name} per ${bucket}, last ${rangeText}: ${r.buckets.filter((p) => p.availability !== null).length} of ${r.buckets.length} buckets with data${worst ? `, lowest ${formatPercent(worst.availability, 3)}` : ''}`}
              />
            </div>
          </li>
        );
      })}
    </ul>
  );
}
