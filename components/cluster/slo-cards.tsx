// Server components of a cluster's SLO tab and outage list: the composite's state, budget (ratio, or
// absolute time below the coverage floor) with burn-down and burn-rate alerts, availability per
// component with its state, the outage intervals, the SRE availability table with the actual downtime
// beside it. All read lib/data/dashboard (rollups and intervals, never raw scans over the range).
import { LatencySparkline } from '@/components/charts/latency-sparkline';
import { cache } from 'react';
import { BudgetBar } from '@/components/fleet/budget-bar';
import { BurnAlerts } from '@/components/fleet/burn-alerts';
import { BurnDownChart } from '@/components/charts/burn-down-chart';
import { Sparkline } from '@/components/charts/sparkline';
import { SloStateBadge } from '@/components/slo-state-badge';
import { getClusterSlo, getSreTable } from '@/lib/data/dashboard';
import { budgetPeriodLabel, componentLabel, formatCoverage, formatPercent, formatTime, outageAnchor, rangeTitle, type DisplayZone } from '@/lib/format';
import { bucketLabel } from '@/lib/slo/buckets';
import { formatDuration } from '@/lib/slo/format';
import { COMPOSITE_LABEL } from '@/lib/slo/policy';
import type { TimeRange } from '@/lib/slo/range';
import { targetPercentLabel } from '@/lib/slo/targets';
import { RetroactiveBadge } from '@/components/settings/maintenance-list';
import { DataTable } from '@/components/data-table';

/** One read per request, shared by the cards below. */
const clusterSlo = cache((clusterId: string, startMs: number, endMs: number, nowMs: number) => getClusterSlo(clusterId, { range: { startMs, endMs }, now: new Date(nowMs) }));

type RangeProps = { clusterId: string; range: TimeRange; now: number; zone: DisplayZone };

export async function SloCard({ clusterId, range, now, zone, zoomPath }: RangeProps & { zoomPath: string }) {
  const v = await clusterSlo(clusterId, range.startMs, range.endMs, now);
  if (!v) return null;
  const c = v.composite;
  const period = budgetPeriodLabel(v.endMs - v.startMs);
  return (
    <section className="card" aria-labelledby="slo-title" data-testid="slo-card">
      <h2 id="slo-title" className="mt-0">
        Error budget, {rangeTitle(range, zone)}
      </h2>
      <p className="muted">
        {COMPOSITE_LABEL}. Objective {targetPercentLabel(v.policy.objective)} ({v.policy.source === 'built-in' ? 'built-in default' : v.policy.source === 'cluster' ? 'cluster policy' : 'component policy'}); judged once{' '}
        {formatPercent(v.policy.coverageFloor, 0)} of the range is covered by data.
      </p>
      {!c ? (
        <p className="muted" data-testid="slo-nodata">
          No data yet: the composite series is written with the first endpoint /readyz sample.
        </p>
      ) : (
        <>
          <dl className="facts">
            <div>
              <dt>State</dt>
              <dd>
                <SloStateBadge state={v.state} />
              </dd>
            </div>
            <div>
              <dt>Availability</dt>
              <dd data-testid="composite-availability" className={v.state === 'breached' ? 'bad' : undefined}>
                {formatPercent(c.slo.availability, 3)}
              </dd>
            </div>
            <div>
              <dt>Bad time</dt>
              <dd data-testid="composite-bad-time">{formatDuration(c.slo.badMs)}</dd>
            </div>
            <div>
              <dt>Coverage</dt>
              <dd>{formatCoverage(c.slo.coverage)}</dd>
            </div>
            <div>
              <dt>Unknown / no data</dt>
              <dd>{formatDuration(c.slo.unknownMs)}</dd>
            </div>
            <div>
              <dt>Maintenance</dt>
              <dd>{formatDuration(c.slo.maintenanceMs)}</dd>
            </div>
          </dl>
          <RetroactiveNote windows={v.maintenance} zone={zone} />
          <BudgetBar budget={v.budget} period={period} />
          <h3 className="mt-1">Burn-down</h3>
          {v.burnDown ? (
            <BurnDownChart
              points={v.burnDown.points}
              exhaustedAtMs={v.burnDown.exhaustedAtMs}
              maintenance={v.maintenance}
              startMs={v.startMs}
              endMs={v.elapsedEndMs}
              zone={zone}
              zoomPath={zoomPath}
              label={`Error budget burn-down of the composite, ${rangeTitle(range, zone)}: ${v.budget?.kind === 'ratio' && v.budget.remainingFraction > 0 ? `${formatPercent(v.budget.remainingFraction, 1)} left now` : 'exhausted'}; ${v.maintenance.length} maintenance window${v.maintenance.length === 1 ? '' : 's'} shaded`}
            />
          ) : (
            <p className="muted" data-testid="burn-down-absent">
              {v.budget?.kind === 'absolute'
                ? `No burn-down until the budget is judged (${formatPercent(v.budget.coverageFloor, 0)} needed): a burn-down of the few minutes measured so far would read as nonsense.`
                : 'No burn-down: no data.'}
            </p>
          )}
          <h3 className="mt-1">Burn-rate alerts</h3>
          {v.alerts.length > 0 ? (
            <BurnAlerts alerts={v.alerts} />
          ) : (
            <p className="muted" data-testid="burn-alerts-absent">
              Burn-rate alerts are evaluated now, for a range of a day or more that ends now (pick a window preset).
            </p>
          )}
        </>
      )}
    </section>
  );
}

export async function ComponentAvailabilityCard({ clusterId, range, now, zone }: RangeProps) {
  const v = await clusterSlo(clusterId, range.startMs, range.endMs, now);
  if (!v) return null;
  const rows = [...(v.composite ? [v.composite] : []), ...v.components];
  const title = rangeTitle(range, zone);
  return (
    <section className="card" aria-labelledby="by-component-title" data-testid="component-availability-card">
      <h2 id="by-component-title" className="mt-0">
        Availability and latency by component, {title}
      </h2>
      {rows.length === 0 ? (
        <p className="muted">No data yet.</p>
      ) : (
        <>
          <p className="muted">One point per {bucketLabel(v.bucketMs)}; gaps are buckets without data; the dashed line is the objective; latency is the probes&apos; mean per bucket (grey: max).</p>
          <ul className="small-multiples" aria-label="Availability per component">
            {rows.map((r) => {
              const name = componentLabel(r.component);
              const withData = r.points.filter((p) => p.availability !== null).length;
              const lat = r.points.filter((p) => p.latencyAvgMs !== null);
              const avg = lat.length ? lat.reduce((a, p) => a + p.latencyAvgMs!, 0) / lat.length : null;
              const max = lat.length ? Math.max(...lat.map((p) => p.latencyMaxMs ?? 0)) : null;
              return (
                <li key={`${r.probe}|${r.target}`} data-series={r.component}>
                  <h3 title={r.component}>{name}</h3>
                  <p className="m-0">
                    <SloStateBadge state={r.state} testId="component-state" />{' '}
                    <strong className={r.state === 'breached' ? 'bad' : undefined}>{formatPercent(r.slo.availability, 3)}</strong>{' '}
                    <span className="muted">
                      of {targetPercentLabel(r.slo.objective)} · coverage {formatCoverage(r.slo.coverage)} · bad {formatDuration(r.slo.badMs)}
                    </span>
                  </p>
                  <Sparkline
                    height={48}
                    points={r.points.map((p) => ({ t: p.startMs, a: p.availability }))}
                    target={r.slo.objective}
                    label={`Availability of ${name} per ${bucketLabel(v.bucketMs)}, ${title}: ${withData} of ${r.points.length} buckets with data, overall ${formatPercent(r.slo.availability, 3)}`}
                  />
                  <p className="muted" style={{ margin: '0.25rem 0 0' }} data-testid="component-latency">
                    latency {avg === null ? 'no data' : `avg ${Math.round(avg)} ms · max ${max} ms`}
                  </p>
                  <LatencySparkline
                    height={36}
                    points={r.points.map((p) => ({ t: p.startMs, avg: p.latencyAvgMs, max: p.latencyMaxMs }))}
                    label={`Latency of ${name} per ${bucketLabel(v.bucketMs)}, ${title}: ${avg === null ? 'no data' : `mean of bucket means ${Math.round(avg)} ms, max ${max} ms`}`}
                  />
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

export async function OutagesCard({ clusterId, range, now, zone, limit = 1000 }: RangeProps & { limit?: number }) {
  const v = await clusterSlo(clusterId, range.startMs, range.endMs, now);
  if (!v) return null;
  const newest = [...v.outages].reverse().slice(0, limit);
  return (
    <section className="card" aria-labelledby="outages-title" data-testid="outages-card">
      <h2 id="outages-title" className="mt-0">
        Outage intervals, {rangeTitle(range, zone)}
      </h2>
      {v.outages.length === 0 ? (
        <p className="muted" data-testid="outages-empty">
          No component was down in this range (outside maintenance).
        </p>
      ) : (
        <DataTable testId="outages-table" caption={<>{v.outages.length} down interval{v.outages.length === 1 ? '' : 's'} outside maintenance, newest first{v.outages.length > newest.length ? ` (first ${newest.length} shown)` : ''}</>} columns={['Component', 'Start', 'End', 'Duration', 'Reason']}>
          {newest.map((o, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: two outages may share component and start; the index keeps their keys apart.
            <tr key={`${o.component}|${o.startAt}|${i}`} id={outageAnchor(o.component, Date.parse(o.startAt))} data-component={o.component} className="anchor-row">
              <th scope="row" title={o.component}>
                {componentLabel(o.component)}
              </th>
              <td>
                <time dateTime={o.startAt}>{formatTime(o.startAt, zone)}</time>
              </td>
              <td>
                <time dateTime={o.endAt}>{formatTime(o.endAt, zone)}</time>
              </td>
              <td>{formatDuration(o.durationMs)}</td>
              <td>{o.reason}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

const PERIOD_LABEL = { year: 'Year (365 d)', quarter: 'Quarter (90 d)', month: 'Month (30 d)', week: 'Week', day: 'Day', hour: 'Hour' } as const;

export async function SreTableCard({ clusterId, now }: { clusterId: string; now: number }) {
  const t = await getSreTable(clusterId, { now: new Date(now) });
  if (!t) return null;
  return (
    <section className="card" aria-labelledby="sre-title" data-testid="sre-table-card">
      <h2 id="sre-title" className="mt-0">
        Allowed vs actual downtime at {t.label}
      </h2>
      <DataTable caption={<>SRE book availability table for this cluster&apos;s objective, with the composite bad time over each trailing period (maintenance excluded)</>} columns={['Period', `Allowed at ${t.label}`, 'Actual (last period)', 'Coverage']}>
        {t.rows.map((r) => (
          <tr key={r.period} data-period={r.period}>
            <th scope="row">{PERIOD_LABEL[r.period]}</th>
            <td>{r.allowedText}</td>
            <td className={r.actualBadMs !== null && r.actualBadMs > r.allowedMs ? 'bad' : undefined}>
              {r.actualBadMs === null ? <span className="muted">no data</span> : formatDuration(r.actualBadMs)}
              {r.actualBadMs !== null && r.actualBadMs > r.allowedMs ? ' (over)' : ''}
            </td>
            <td>{formatCoverage(r.coverage)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

/** Maintenance that was created after it started (elapsed time turned into maintenance) is named, with its author. */
function RetroactiveNote({ windows, zone }: { windows: ReadonlyArray<{ title: string; startMs: number; retroactive: boolean; createdBy: string | null }>; zone: DisplayZone }) {
  const retro = windows.filter((w) => w.retroactive);
  if (retro.length === 0) return null;
  return (
    <p className="muted" data-testid="retroactive-maintenance">
      Includes maintenance created after it started:{' '}
      {retro.map((w, i) => (
        <span key={`${w.title}-${w.startMs}`}>
          {i > 0 ? '; ' : ''}“{w.title}” from {formatTime(new Date(w.startMs), zone)} <RetroactiveBadge by={w.createdBy} />
        </span>
      ))}
    </p>
  );
}
