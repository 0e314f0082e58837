// Server components of the cluster drill-down's SLO part: composite budget with burn-down and burn
// alerts, availability per component, outage intervals, the SRE availability table with the actual
// downtime beside it. All read lib/data/dashboard (rollups, never raw scans over the window).
import { LatencySparkline } from '@/components/charts/latency-sparkline';
import { cache } from 'react';
import { BudgetBar } from '@/components/fleet/budget-bar';
import { BurnAlerts } from '@/components/fleet/burn-alerts';
import { BurnDownChart } from '@/components/charts/burn-down-chart';
import { Sparkline } from '@/components/charts/sparkline';
import { getClusterSlo, getSreTable, type DashboardWindow } from '@/lib/data/dashboard';
import { formatCoverage, formatTime } from '@/lib/format';
import { formatDuration, formatPercent } from '@/lib/slo/format';
import { COMPOSITE_LABEL } from '@/lib/slo/policy';
import { targetPercentLabel } from '@/lib/slo/targets';
import { RetroactiveBadge } from '@/components/settings/maintenance-list';

/** One read per request, shared by the cards below. */
const clusterSlo = cache((clusterId: string, window: DashboardWindow, nowMs: number) => getClusterSlo(clusterId, { window, now: new Date(nowMs) }));

const bucketText = (ms: number): string => (ms >= 86_400_000 ? 'UTC day' : ms === 3_600_000 ? 'hour' : `${ms / 3_600_000} h`);

export async function SloCard({ clusterId, window, now }: { clusterId: string; window: DashboardWindow; now: number }) {
  const v = await clusterSlo(clusterId, window, now);
  if (!v) return null;
  const c = v.composite;
  return (
    <section className="card" aria-labelledby="slo-title" data-testid="slo-card">
      <h2 id="slo-title" style={{ marginTop: 0 }}>
        Error budget, last {window}
      </h2>
      <p className="muted">
        {COMPOSITE_LABEL}. Objective {targetPercentLabel(v.policy.objective)} ({v.policy.source === 'built-in' ? 'built-in default' : v.policy.source === 'cluster' ? 'cluster policy' : 'component policy'}).
      </p>
      {!c ? (
        <p className="muted" data-testid="slo-nodata">
          No data yet: the composite series is written with the first endpoint /readyz sample.
        </p>
      ) : (
        <>
          <dl className="facts">
            <div>
              <dt>Availability</dt>
              <dd data-testid="composite-availability" className={c.slo.meetsObjective === false ? 'bad' : undefined}>
                {formatPercent(c.slo.availability, 3)}
              </dd>
            </div>
            <div>
              <dt>Bad time</dt>
              <dd>{formatDuration(c.slo.badMs)}</dd>
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
          <RetroactiveNote windows={v.maintenance} />
          <BudgetBar budget={c.slo.budget} />
          <h3 style={{ marginTop: '1rem' }}>Burn-down</h3>
          <BurnDownChart
            points={v.burnDown}
            maintenance={v.maintenance}
            startMs={v.windowStartMs}
            endMs={v.nowMs}
            label={`Error budget burn-down of the composite over the last ${window}: ${formatPercent(c.slo.budget.remainingFraction, 1)} left now; ${v.maintenance.length} maintenance window${v.maintenance.length === 1 ? '' : 's'} shaded`}
          />
          <h3 style={{ marginTop: '1rem' }}>Burn-rate alerts</h3>
          <BurnAlerts alerts={v.alerts} />
        </>
      )}
    </section>
  );
}

export async function ComponentAvailabilityCard({ clusterId, window, now }: { clusterId: string; window: DashboardWindow; now: number }) {
  const v = await clusterSlo(clusterId, window, now);
  if (!v) return null;
  const rows = [...(v.composite ? [v.composite] : []), ...v.components];
  return (
    <section className="card" aria-labelledby="by-component-title" data-testid="component-availability-card">
      <h2 id="by-component-title" style={{ marginTop: 0 }}>
        Availability and latency by component, last {window}
      </h2>
      {rows.length === 0 ? (
        <p className="muted">No data yet.</p>
      ) : (
        <>
          <p className="muted">One point per {bucketText(v.bucketMs)}; gaps are buckets without data; the dashed line is the objective; latency is the probes' mean per bucket (grey: max).</p>
          <ul className="small-multiples" aria-label="Availability per component">
            {rows.map((r) => {
              const withData = r.points.filter((p) => p.availability !== null).length;
              return (
                <li key={`${r.probe}|${r.target}`} data-series={r.component}>
                  <h3>{r.isComposite ? 'control-plane (composite)' : r.component}</h3>
                  <p style={{ margin: 0 }}>
                    <strong className={r.slo.meetsObjective === false ? 'bad' : undefined}>{formatPercent(r.slo.availability, 3)}</strong>{' '}
                    <span className="muted">
                      of {targetPercentLabel(r.slo.objective)} · coverage {formatCoverage(r.slo.coverage)} · bad {formatDuration(r.slo.badMs)}
                    </span>
                  </p>
                  <Sparkline
                    height={48}
                    points={r.points.map((p) => ({ t: p.startMs, a: p.availability }))}
                    target={r.slo.objective}
                    label={`Availability of ${r.component} per ${bucketText(v.bucketMs)}, last ${window}: ${withData} of ${r.points.length} buckets with data, overall ${formatPercent(r.slo.availability, 3)}`}
                  />
                  {(() => {
                    const lat = r.points.filter((p) => p.latencyAvgMs !== null);
                    const n = lat.length;
                    const avg = n ? lat.reduce((a, p) => a + p.latencyAvgMs!, 0) / n : null;
                    const max = n ? Math.max(...lat.map((p) => p.latencyMaxMs ?? 0)) : null;
                    return (
                      <>
                        <p className="muted" style={{ margin: '0.25rem 0 0' }} data-testid="component-latency">
                          latency {avg === null ? 'no data' : `avg ${Math.round(avg)} ms · max ${max} ms`}
                        </p>
                        <LatencySparkline
                          height={36}
                          points={r.points.map((p) => ({ t: p.startMs, avg: p.latencyAvgMs, max: p.latencyMaxMs }))}
                          label={`Latency of ${r.component} per ${bucketText(v.bucketMs)}, last ${window}: ${avg === null ? 'no data' : `mean of bucket means ${Math.round(avg)} ms, max ${max} ms`}`}
                        />
                      </>
                    );
                  })()}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

export async function OutagesCard({ clusterId, window, now }: { clusterId: string; window: DashboardWindow; now: number }) {
  const v = await clusterSlo(clusterId, window, now);
  if (!v) return null;
  const newest = [...v.outages].reverse().slice(0, 200);
  return (
    <section className="card" aria-labelledby="outages-title" data-testid="outages-card">
      <h2 id="outages-title" style={{ marginTop: 0 }}>
        Outage intervals, last {window}
      </h2>
      {v.outages.length === 0 ? (
        <p className="muted" data-testid="outages-empty">
          No component was down in this window (outside maintenance).
        </p>
      ) : (
        <div className="table-wrap" tabIndex={0}>
          <table data-testid="outages-table">
            <caption>
              {v.outages.length} down interval{v.outages.length === 1 ? '' : 's'} outside maintenance, newest first{v.outages.length > newest.length ? ` (first ${newest.length} shown)` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Component</th>
                <th scope="col">Start</th>
                <th scope="col">End</th>
                <th scope="col">Duration</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {newest.map((o, i) => (
                <tr key={`${o.component}|${o.startAt}|${i}`}>
                  <th scope="row" className="mono">
                    {o.component}
                  </th>
                  <td>
                    <time dateTime={o.startAt}>{formatTime(o.startAt)}</time>
                  </td>
                  <td>
                    <time dateTime={o.endAt}>{formatTime(o.endAt)}</time>
                  </td>
                  <td>{formatDuration(o.durationMs)}</td>
                  <td>{o.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
      <h2 id="sre-title" style={{ marginTop: 0 }}>
        Allowed vs actual downtime at {t.label}
      </h2>
      <div className="table-wrap" tabIndex={0}>
        <table>
          <caption>SRE book availability table for this cluster&apos;s objective, with the composite bad time over each trailing period (maintenance excluded)</caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col">Allowed at {t.label}</th>
              <th scope="col">Actual (last period)</th>
              <th scope="col">Coverage</th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Maintenance that was created after it started (elapsed time turned into maintenance) is named, with its author. */
function RetroactiveNote({ windows }: { windows: ReadonlyArray<{ title: string; startMs: number; retroactive: boolean; createdBy: string | null }> }) {
  const retro = windows.filter((w) => w.retroactive);
  if (retro.length === 0) return null;
  return (
    <p className="muted" data-testid="retroactive-maintenance">
      Includes maintenance created after it started:{' '}
      {retro.map((w, i) => (
        <span key={`${w.title}-${w.startMs}`}>
          {i > 0 ? '; ' : ''}“{w.title}” from {formatTime(new Date(w.startMs))} <RetroactiveBadge by={w.createdBy} />
        </span>
      ))}
    </p>
  );
}
