// Server component: the fleet at a glance (lib/data/fleet.ts getFleet) as a dense sortable table, a
// clusters × days heatmap, or the cards. Filter, sort, view and range are URL state (plain links and a
// GET form), so every view is a shareable URL and works without JavaScript.
import Link from 'next/link';
import { FleetCards } from '@/components/fleet/fleet-list';
import { FleetHeatmap } from '@/components/fleet/fleet-heatmap';
import { FleetTable } from '@/components/fleet/fleet-table';
import { LiveStatus } from '@/components/live-status';
import { overviewHref, type OverviewQuery } from '@/app/(overview)/search-params';
import { getFleet } from '@/lib/data/fleet';
import { collectorIntervalMs } from '@/lib/env';
import { budgetPeriodLabel, rangeTitle, type DisplayZone } from '@/lib/format';
import { chooseBucketMs } from '@/lib/slo/buckets';
import { SLO_STATE_LABELS, SLO_STATES } from '@/lib/slo/state';

export async function FleetView({ query, nowMs, zone, emptyState }: { query: OverviewQuery; nowMs: number; zone: DisplayZone; emptyState: React.ReactNode }) {
  const { range } = query;
  const windowMs = range.endMs - range.startMs;
  const bucketMs = query.view === 'table' ? undefined : chooseBucketMs(windowMs, query.view === 'heatmap' ? 'heatmap' : 'sparkline');
  const fleet = await getFleet({ range, now: new Date(nowMs), filter: { q: query.q, label: query.label, states: query.states }, bucketMs, sort: { key: query.sort, dir: query.dir } });
  const live = <LiveStatus renderedAtMs={nowMs} intervalMs={collectorIntervalMs()} newestSampleMs={fleet.newestSampleMs} staleAfterMs={fleet.staleAfterMs} />;
  if (fleet.total === 0) return <>{emptyState}</>;
  const period = budgetPeriodLabel(windowMs);
  const listed = SLO_STATES.reduce((n, s) => n + fleet.states[s], 0);
  return (
    <>
      <div className="fleet-summary-bar">
        <p className="muted" data-testid="fleet-summary">
          {fleet.rows.length} of {fleet.total} cluster{fleet.total === 1 ? '' : 's'} · composite “control plane available” over {range.relative ? 'the ' : ''}{rangeTitle(range, zone)}
        </p>
        <nav aria-label="Filter by SLO state" className="state-filter">
          <ul>
            <li>
              <Link href={overviewHref(query, { states: [] })} aria-current={query.states.length === 0 ? 'page' : undefined}>
                all <span className="count">{listed}</span>
              </Link>
            </li>
            {SLO_STATES.map((s) => (
              <li key={s}>
                <Link href={overviewHref(query, { states: [s] })} aria-current={query.states.length === 1 && query.states[0] === s ? 'page' : undefined} className={`state-link slo-${s}`} data-state={s}>
                  {SLO_STATE_LABELS[s]} <span className="count">{fleet.states[s]}</span>
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        {live}
      </div>
      {fleet.rows.length === 0 ? (
        <section className="card" aria-labelledby="no-match-title">
          <h2 id="no-match-title" className="mt-0">
            No cluster matches
          </h2>
          <p>
            None of the {fleet.total} clusters matches {query.q ? <>name “{query.q}”</> : null}
            {query.q && (query.label || query.states.length) ? ' and ' : null}
            {query.label ? <>label “{query.label}”</> : null}
            {query.label && query.states.length ? ' and ' : null}
            {query.states.length ? <>state {query.states.map((s) => SLO_STATE_LABELS[s]).join(' or ')}</> : null}. <Link href={overviewHref(query, { q: undefined, label: undefined, states: [] })}>Clear the filter</Link>.
          </p>
        </section>
      ) : query.view === 'heatmap' ? (
        <FleetHeatmap fleet={fleet} query={query} zone={zone} bucketMs={bucketMs!} />
      ) : query.view === 'cards' ? (
        <FleetCards fleet={fleet} query={query} zone={zone} period={period} />
      ) : (
        <FleetTable fleet={fleet} query={query} zone={zone} period={period} />
      )}
    </>
  );
}
