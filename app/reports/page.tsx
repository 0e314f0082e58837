// /reports: error-budget report per cluster or for the fleet, per calendar month or quarter.
// A server component reading lib/data/reports (rollups + coalesced intervals), print-friendly
// (@media print in globals.css), with a CSV download and the same data as JSON (/api/reports).
import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { getReport, type ClusterReport, type FleetReportRow, type ReportRow } from '@/lib/data/reports';
import { listClusters } from '@/lib/data/clusters';
import { budgetShort, componentLabel, formatCoverage, formatGap, formatTime, outageAnchor, type DisplayZone } from '@/lib/format';
import { formatDuration, formatPercent } from '@/lib/slo/format';
import { SLO_WINDOW_LABELS, currentReportPeriod, formatReportPeriod, targetPercentLabel, type ReportPeriod } from '@/lib/slo/targets';
import { SLO_STATE_LABELS, SLO_STATES } from '@/lib/slo/state';
import { parseReportQuery, reportHref } from './search-params';
import { requirePage } from '@/lib/auth/page';
import { RetroactiveBadge } from '@/components/settings/maintenance-list';
import { SloStateBadge } from '@/components/slo-state-badge';
import { StateTimelineCard } from '@/components/cluster/state-timeline-card';
import { CardSkeleton } from '@/components/skeletons';
import { getDisplayZone } from '@/components/time/zone';
import { DataTable } from '@/components/data-table';
import { FailoverStatsRows } from '@/components/failover-stats-rows';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Reports' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function recentPeriods(now: Date): ReportPeriod[] {
  const out: ReportPeriod[] = [];
  const m = currentReportPeriod('month', now);
  for (let i = 0; i < 6; i++) {
    const idx = m.index - i;
    out.push({ kind: 'month', year: idx > 0 ? m.year : m.year - 1, index: idx > 0 ? idx : idx + 12 });
  }
  const qtr = currentReportPeriod('quarter', now);
  for (let i = 0; i < 4; i++) {
    const idx = qtr.index - i;
    out.push({ kind: 'quarter', year: idx > 0 ? qtr.year : qtr.year - 1, index: idx > 0 ? idx : idx + 4 });
  }
  return out;
}

const dur = (ms: number): string => (ms === 0 ? '0' : formatDuration(ms));

export default async function ReportsPage({ searchParams }: { searchParams: SearchParams }) {
  await requirePage();
  const now = new Date();
  const parsed = parseReportQuery(await searchParams, now);
  if (!parsed.ok) {
    return (
      <section className="card" role="alert">
        <h1>Report</h1>
        <p>{parsed.message}</p>
        <Link href="/reports">Show this month&apos;s fleet report</Link>
      </section>
    );
  }
  const { query } = parsed;
  const [report, clusters, zone] = await Promise.all([getReport({ clusterId: query.clusterId, period: query.period, now }), listClusters(), getDisplayZone()]);
  if (!report) {
    return (
      <section className="card" role="alert">
        <h1>Report</h1>
        <p>No cluster named or numbered “{query.clusterId}”.</p>
        <Link href="/reports">Show the fleet report</Link>
      </section>
    );
  }
  const periodId = formatReportPeriod(query.period);
  const period = `per calendar ${query.period.kind}`;
  const scopeName = report.scope === 'fleet' ? 'Fleet' : report.clusters[0]!.name;
  return (
    <article className="report">
      <div className="page-head">
        <h1>
          {scopeName} error-budget report — {report.period.label}
        </h1>
        <div className="no-print report-actions">
          <a className="button" href={reportHref('/api/reports/csv', query)} download>
            Download CSV
          </a>
          <a className="button secondary" href={reportHref('/api/reports', query)}>
            JSON
          </a>
        </div>
      </div>
      <form className="no-print report-picker" method="get" action="/reports" aria-label="Choose a report">
        <label>
          Scope{' '}
          <select name="cluster" defaultValue={query.clusterId ?? 'all'}>
            <option value="all">Fleet (all clusters)</option>
            {clusters.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Period{' '}
          <select name="period" defaultValue={periodId}>
            {[...new Set([periodId, ...recentPeriods(now).map(formatReportPeriod)])].map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Show</button>
      </form>
      <p className="muted">
        {formatTime(report.period.startAt, zone)} to {formatTime(report.period.endAt, zone)}
        {report.period.elapsedEndAt !== report.period.endAt ? ` (in progress: measured until ${formatTime(report.period.elapsedEndAt, zone)})` : ''}. Generated{' '}
        {formatTime(report.generatedAt, zone)}. Availability = good ÷ (good + bad) time, rounded down; unknown time and maintenance are left out and
        shown apart. An SLO is judged (met, at risk, breached) once its coverage floor (default 75 %) of the period is covered by data; below it, “insufficient data”
        and the downtime in absolute time.
      </p>
      {report.scope === 'fleet' ? (
        <section className="card" aria-labelledby="fleet-summary">
          <h2 id="fleet-summary">Fleet</h2>
          <dl className="facts">
            <div>
              <dt>Clusters</dt>
              <dd>{report.fleet.clusters}</dd>
            </div>
            <div>
              <dt>Composite availability (all clusters)</dt>
              <dd>{formatPercent(report.fleet.availability, 3)}</dd>
            </div>
            <div>
              <dt>Bad time</dt>
              <dd>{dur(report.fleet.badMs)}</dd>
            </div>
            <div>
              <dt>Outages</dt>
              <dd>{report.fleet.outages}</dd>
            </div>
            {SLO_STATES.map((st) => (
              <div key={st}>
                <dt>{SLO_STATE_LABELS[st]}</dt>
                <dd>{report.fleet.states[st]}</dd>
              </div>
            ))}
          </dl>
          <FleetTable rows={report.fleetRows} period={period} />
        </section>
      ) : null}
      {report.clusters.length === 0 ? <p className="card">No clusters registered.</p> : null}
      {report.clusters.map((c) => (
        <ClusterSection key={c.clusterId} c={c} zone={zone} startMs={Date.parse(report.period.startAt)} endMs={Date.parse(report.period.endAt)} nowMs={now.getTime()} composite={report.scope === 'fleet'} periodQuery={`period=${periodId}`} />
      ))}
    </article>
  );
}

function FleetTable({ rows, period }: { rows: FleetReportRow[]; period: string }) {
  return (
    <DataTable className="report-table" testId="report-fleet-table" caption={<>Every cluster, worst SLO state first (the overview&apos;s read model over the period)</>} columns={['Cluster', 'State', 'Availability / SLO', 'Coverage', 'Bad time', 'Error budget', 'Failovers']}>
      {rows.map((r) => (
        <tr key={r.clusterId} data-cluster={r.name}>
          <th scope="row">
            <a href={`#cluster-${r.clusterId}`}>{r.name}</a>
          </th>
          <td>
            <SloStateBadge state={r.state} testId="report-state" />
          </td>
          <td className={r.state === 'breached' ? 'bad' : undefined}>
            {r.availability === null ? 'no data' : formatPercent(r.availability, 3)} / {targetPercentLabel(r.objective)}
          </td>
          <td>{formatCoverage(r.coverage)}</td>
          <td>{dur(r.badMs)}</td>
          <td title={period}>{budgetShort(r.budget)}</td>
          <td>{r.failovers}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function budgetCell(r: ReportRow): string {
  if (r.availability === null) return '—';
  if (r.budget.kind === 'absolute') return `not judged (${formatCoverage(r.coverage)} covered, ${formatPercent(r.coverageFloor, 0)} needed)`;
  return r.remainingBadMs >= 0 ? `${formatPercent(r.budgetUsedFraction, 1)} used` : `all, overspent by ${formatDuration(-r.remainingBadMs)}`;
}

function SloTable({ rows, name }: { rows: ReportRow[]; name: string }) {
  return (
    <DataTable className="report-table" caption={<>Availability vs SLO, {name}</>} columns={['Component', 'SLO (policy)', 'State', 'Availability', 'Budget used', 'Bad time', 'Allowed', 'Unknown / no data', 'Maintenance', 'Coverage']}>
      {rows.map((r) => (
        <tr key={r.component} className={r.component === 'control-plane' ? 'composite' : undefined} data-component={r.component}>
          <th scope="row" title={r.component === 'control-plane' ? r.label : r.component}>
            {r.component === 'control-plane' ? 'Control plane (composite)' : r.label}
          </th>
          <td>
            {targetPercentLabel(r.objective)} · {SLO_WINDOW_LABELS[r.policyWindow]}
          </td>
          <td>
            <SloStateBadge state={r.state} testId="report-row-state" />
          </td>
          <td className={r.meetsObjective === false && r.state !== 'insufficient-data' ? 'bad' : undefined}>
            {r.availability === null ? 'no data' : formatPercent(r.availability, 3)}
            {r.meetsObjective === false && r.state !== 'insufficient-data' ? ' (below SLO)' : ''}
          </td>
          <td>{budgetCell(r)}</td>
          <td>{dur(r.badMs)}</td>
          <td>{dur(r.budget.kind === 'absolute' ? r.budget.allowedMs : r.allowedBadMs)}</td>
          <td>{dur(r.unknownMs)}</td>
          <td>{dur(r.maintenanceMs)}</td>
          <td>{formatPercent(r.coverage, 1)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function ClusterSection({ c, zone, startMs, endMs, nowMs, composite, periodQuery }: { c: ClusterReport; zone: DisplayZone; startMs: number; endMs: number; nowMs: number; composite: boolean; periodQuery: string }) {
  const hid = `cluster-${c.clusterId}`;
  const range = `from=${encodeURIComponent(new Date(startMs).toISOString())}&to=${encodeURIComponent(new Date(endMs).toISOString())}`;
  const base = `/clusters/${encodeURIComponent(c.clusterId)}`;
  return (
    <section className="card report-cluster" aria-labelledby={hid}>
      <h2 id={hid}>
        <Link href={`${base}?${range}`}>{c.name}</Link> <span className="muted mono">{c.server}</span>
      </h2>
      {c.rows.length === 0 ? <p>No samples for this cluster yet.</p> : <SloTable rows={c.rows} name={c.name} />}
      {c.rows.length === 0 ? null : (
        <Suspense fallback={<CardSkeleton title="State timeline" />}>
          <StateTimelineCard clusterId={c.clusterId} range={{ startMs, endMs }} nowMs={nowMs} zone={zone} zoomPath={base} keep="" outagesHref={`/reports?cluster=${encodeURIComponent(c.clusterId)}&${periodQuery}`} title={composite ? 'State timeline (composite)' : 'State timeline'} headingLevel={3} onlyComposite={composite} />
        </Suspense>
      )}
      <h3>Outages</h3>
      {c.outages.length === 0 ? (
        <p>No outages in this period (outside maintenance).</p>
      ) : (
        <DataTable className="report-table" caption={<>Outage intervals of {c.name} (bad time outside maintenance)</>} columns={['Start', 'End', 'Duration', 'Component', 'Reason']}>
          {c.outages.map((o) => (
            <tr key={`${o.component}-${o.startAt}`} id={outageAnchor(o.component, Date.parse(o.startAt))} className="anchor-row">
              <td>{formatTime(o.startAt, zone)}</td>
              <td>{formatTime(o.endAt, zone)}</td>
              <td>{dur(o.durationMs)}</td>
              <td title={o.component}>{componentLabel(o.component)}</td>
              <td>{o.reason}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <h3>Maintenance (excluded from the SLO)</h3>
      {c.maintenance.length === 0 ? (
        <p>No maintenance in this period.</p>
      ) : (
        <DataTable className="report-table" caption={<>Maintenance windows of {c.name}</>} columns={['Title', 'Start', 'End', 'Duration', 'Control plane down during it']}>
          {c.maintenance.map((m) => (
            <tr key={`${m.title}-${m.startAt}`}>
              <td>
                {m.title} {m.retroactive ? <RetroactiveBadge by={m.createdBy} /> : null}
              </td>
              <td>{formatTime(m.startAt, zone)}</td>
              <td>{formatTime(m.endAt, zone)}</td>
              <td>{dur(m.durationMs)}</td>
              <td>{dur(m.downDuringMs)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <h3>Failovers</h3>
      {c.failovers.events.length === 0 ? (
        <p className="muted" data-testid="failovers-none">
          No leader-election failover in this period.
        </p>
      ) : (
        <>
          <DataTable caption={<>Failovers per Lease, {c.name} (percentiles over measured gaps)</>} columns={['Lease', 'Failovers', 'crash / graceful / unobserved', 'p50 gap', 'p95 gap', 'max gap']}>
            <FailoverStatsRows stats={c.failovers.stats} rowHeaders={false} />
          </DataTable>
          <DataTable caption={<>Failovers of {c.name}</>} columns={['Acquired', 'Component', 'Kind', 'Previous → new holder', 'Gap (last renew → acquire)']}>
            {c.failovers.events.map((f) => (
              <tr key={f.id}>
                <td>{formatTime(f.at, zone)}</td>
                <td title={f.lease}>{componentLabel(`leader-election/${f.lease}`)}</td>
                <td>{f.kind}</td>
                <td className="mono">
                  {f.previousHolder} → {f.newHolder}
                </td>
                <td>{formatGap(f.gapMs)}</td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
      {c.failovers.watchGaps.length > 0 ? (
        <p className="muted">
          The Lease watch was down {c.failovers.watchGaps.length} time{c.failovers.watchGaps.length === 1 ? '' : 's'} in this period (
          {dur(c.failovers.watchGaps.reduce((a, g) => a + g.durationMs, 0))} in all); takeovers then are counted as unobserved, without a gap.
        </p>
      ) : null}
    </section>
  );
}
