// Server component: the dense fleet table — one row per cluster, every column sortable by a link
// (?sort=…&dir=…, aria-sort on the header), worst SLO state first by default. Light markup per row
// (no chart, plain links: nothing to hydrate or prefetch per row), so 500 clusters stay one fast page.
import { SloStateBadge } from '@/components/slo-state-badge';
import { StatusBadge } from '@/components/status-badge';
import { overviewHref, type OverviewQuery } from '@/app/(overview)/search-params';
import type { Fleet, FleetRow } from '@/lib/data/fleet';
import { budgetShort, coverageText, outageAnchor, formatAge, formatBurnRate, formatCoverage, formatFor, formatPercent, formatTime, formatWindowShort, type DisplayZone } from '@/lib/format';
import { formatDuration } from '@/lib/slo/format';
import { DEFAULT_SORT_DIR, type FleetSortKey } from '@/lib/slo/fleet-view';
import { rangeParams } from '@/lib/slo/range';
import { targetPercentLabel } from '@/lib/slo/targets';
import { budgetTone } from './budget-bar';
import { TableWrap } from '@/components/table-wrap';

const COLUMNS: ReadonlyArray<{ key: FleetSortKey; label: string; className?: string }> = [
  { key: 'state', label: 'SLO state' },
  { key: 'name', label: 'Cluster' },
  { key: 'status', label: 'Now' },
  { key: 'availability', label: 'Availability / target', className: 'num' },
  { key: 'budget', label: 'Error budget' },
  { key: 'burn', label: 'Burn rate', className: 'num' },
  { key: 'failovers', label: 'Failovers', className: 'num' },
  { key: 'outage', label: 'Last outage' },
];

export function clusterHref(id: string, query: Pick<OverviewQuery, 'range'>, sub = ''): string {
  return `/clusters/${encodeURIComponent(id)}${sub}?${new URLSearchParams(rangeParams(query.range)).toString()}`;
}

function SortHeader({ col, query }: { col: (typeof COLUMNS)[number]; query: OverviewQuery }) {
  const active = query.sort === col.key;
  const dir = active ? (query.dir === 'asc' ? 'desc' : 'asc') : DEFAULT_SORT_DIR[col.key];
  return (
    <th scope="col" aria-sort={active ? (query.dir === 'asc' ? 'ascending' : 'descending') : undefined} className={col.className}>
      <a href={overviewHref(query, { sort: col.key, dir })} className="sort-link" data-sort={col.key}>
        {col.label}
        <span aria-hidden="true" className="sort-mark">
          {active ? (query.dir === 'asc' ? ' ▲' : ' ▼') : ' ↕'}
        </span>
      </a>
    </th>
  );
}

/** The "Now" cell's second line: why it is not up, and since when (a stale cluster: for how long nothing came). */
function nowText(r: FleetRow, nowMs: number): string {
  if (r.status === null) return 'no sample yet';
  if (!r.credentialsOk) return r.reason;
  if (r.stale && r.lastSampleAt) return `no sample for ${formatAge(r.lastSampleAt, nowMs).replace(/ ago$/, '')}: is the collector running?`;
  if (r.status === 'up') return '';
  return `${r.reason}${r.sinceMs !== null ? ` (${formatFor(r.sinceMs, nowMs)})` : ''}`;
}

function Row({ r, query, zone, nowMs }: { r: FleetRow; query: OverviewQuery; zone: DisplayZone; nowMs: number }) {
  const c = r.cluster;
  const href = clusterHref(c.id, query);
  const b = r.budget;
  const coverage = r.slo?.coverage ?? 0;
  return (
    <tr data-cluster={c.name} data-state={r.state} data-testid="fleet-row">
      <td>
        <SloStateBadge state={r.state} title={b.kind === 'absolute' ? coverageText(b) : undefined} />
      </td>
      <th scope="row" className="cluster-cell">
        <a href={href}>{c.name}</a>
        {Object.keys(c.labels).length ? (
          <span className="row-labels">
            {Object.entries(c.labels).map(([k, v]) => (
              <span key={k} className="chip">
                {k}={v}
              </span>
            ))}
          </span>
        ) : null}
        {r.credentialsOk ? null : (
          <span className="status status-down" data-testid="credentials-state">
            <span aria-hidden="true">⚿</span>credentials
          </span>
        )}
      </th>
      <td className="now-cell">
        <StatusBadge status={r.status} testId="cluster-status" />{' '}
        <span className="muted nowrap">{r.status === 'up' ? formatFor(r.sinceMs, nowMs) : ''}</span>
        <span className="reason muted" data-testid="cluster-reason" title={r.reason}>
          {nowText(r, nowMs)}
        </span>
      </td>
      <td className="num">
        <span data-testid="availability" className={r.state === 'breached' ? 'bad' : r.state === 'insufficient-data' ? 'muted' : undefined}>
          {formatPercent(r.slo?.availability ?? null, 3)}
        </span>
        <span className="muted">
          {' / '}
          <span data-testid="target">{targetPercentLabel(r.policy.objective)}</span>
        </span>
        {r.state === 'insufficient-data' ? <span className="cell-note muted">{formatCoverage(coverage)} covered</span> : null}
      </td>
      <td>
        <span className={`mini-bar ${b.kind === 'ratio' ? `budget-${budgetTone(b.remainingFraction)}` : 'budget-nodata'}`} data-testid="budget-bar" data-kind={b.kind} data-remaining={b.kind === 'ratio' ? String(b.remainingFraction) : ''} data-downtime-ms={b.kind === 'absolute' ? String(b.downtimeMs) : undefined} aria-hidden="true">
          {b.kind === 'ratio' ? <span style={{ width: `${Math.max(0, Math.min(1, b.remainingFraction)) * 100}%` }} /> : null}
        </span>
        <span className="budget-cell-text" data-testid="budget-text">
          {budgetShort(b)}
        </span>
      </td>
      <td className="num" data-testid="burn-rate" title={r.burnRate ? `over the last ${formatWindowShort(r.burnRate.windowMs)}` : 'burn rates are evaluated for ranges of a day or more that end now'}>
        {formatBurnRate(r.burnRate?.value)}
        {r.alerts.some((a) => a.firing) ? (
          <span className={`alert-chip alert-${r.alerts.some((a) => a.firing && a.severity === 'page') ? 'page' : 'ticket'}`} data-testid="burn-alerts" data-firing={r.alerts.filter((a) => a.firing).length} title={r.alerts.filter((a) => a.firing).map((a) => `${a.severity} ${formatWindowShort(a.longWindowMs)}/${formatWindowShort(a.shortWindowMs)} above ${formatBurnRate(a.factor)}`).join('; ')}>
            <span aria-hidden="true">▲</span> {r.alerts.some((a) => a.firing && a.severity === 'page') ? 'page' : 'ticket'}
          </span>
        ) : null}
      </td>
      <td className="num" data-testid="failovers">
        <a href={clusterHref(c.id, query, '/failovers')} aria-label={`${r.failovers} failovers of ${c.name}`} title={r.lastFailoverAt ? `last ${formatTime(r.lastFailoverAt, zone)}` : undefined}>
          {r.failovers}
        </a>
      </td>
      <td data-testid="last-outage">
        {r.lastOutage ? (
          <a href={`${clusterHref(c.id, query, '/outages')}#${outageAnchor('control-plane', r.lastOutage.startMs)}`} title={`${formatTime(r.lastOutage.startMs, zone)} – ${formatTime(r.lastOutage.endMs, zone)}: ${r.lastOutage.reason}`} className={r.lastOutage.ongoing ? 'bad' : undefined}>
            {r.lastOutage.ongoing ? 'ongoing' : formatAge(new Date(r.lastOutage.endMs).toISOString(), nowMs)} · {formatDuration(r.lastOutage.durationMs)}
          </a>
        ) : (
          <span className="muted">none</span>
        )}
      </td>
    </tr>
  );
}

export function FleetTable({ fleet, query, zone }: { fleet: Fleet; query: OverviewQuery; zone: DisplayZone; period: string }) {
  const nowMs = Date.parse(fleet.now);
  return (
    <TableWrap className="fleet-table-wrap">
      <table className="fleet-table" data-testid="fleet-table" aria-label="Clusters">
        <caption className="sr-only">Clusters, sorted by {COLUMNS.find((c) => c.key === query.sort)?.label ?? query.sort} ({query.dir === 'asc' ? 'ascending' : 'descending'}); follow a column header to sort by it</caption>
        <thead>
          <tr>
            {COLUMNS.map((col) => (
              <SortHeader key={col.key} col={col} query={query} />
            ))}
          </tr>
        </thead>
        <tbody>
          {fleet.rows.map((r) => (
            <Row key={r.cluster.id} r={r} query={query} zone={zone} nowMs={nowMs} />
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
