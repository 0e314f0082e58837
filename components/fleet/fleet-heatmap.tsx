// Server component: clusters × days (or hours for short ranges). One row per cluster in the table's
// order; a cell per bucket coloured by availability against the cluster's objective (lib/slo/fleet-view.ts
// heatLevel: met / below / bad / no data). Runs of met or no-data buckets are one SVG rect, so a healthy
// 30-day row is one element and 500 clusters stay light. Hover: the day, its availability and the
// target; click: that cluster over that bucket.
import { HeatmapZoom } from '@/components/fleet/heatmap-zoom';
import { SloStateBadge } from '@/components/slo-state-badge';
import type { OverviewQuery } from '@/app/(overview)/search-params';
import type { Fleet, FleetRow } from '@/lib/data/fleet';
import { formatDay, formatPercent, formatRange, type DisplayZone } from '@/lib/format';
import { bucketLabel } from '@/lib/slo/buckets';
import { heatRuns, type HeatRun } from '@/lib/slo/fleet-view';
import { absoluteQuery } from '@/lib/slo/range';
import { targetPercentLabel } from '@/lib/slo/targets';
import { clusterHref } from './fleet-table';

const LEVEL_TEXT = { met: 'at or above target', below: 'below target', bad: 'far below target (more than 10× the error budget)', nodata: 'no data' } as const;

function runTitle(run: HeatRun, r: FleetRow, zone: DisplayZone): string {
  const when = formatRange(run.startMs, run.endMs, zone);
  if (run.level === 'nodata') return `${r.cluster.name} · ${when}: no data`;
  const a = formatPercent(run.availability, 3);
  return run.buckets > 1
    ? `${r.cluster.name} · ${when}: ${LEVEL_TEXT[run.level]} ${targetPercentLabel(r.policy.objective)} (lowest ${a})`
    : `${r.cluster.name} · ${when}: ${a} (target ${targetPercentLabel(r.policy.objective)})`;
}

function HeatRow({ r, query, zone, startMs, endMs, bucketMs }: { r: FleetRow; query: OverviewQuery; zone: DisplayZone; startMs: number; endMs: number; bucketMs: number }) {
  const runs = heatRuns(r.buckets, r.policy.objective, endMs);
  const span = endMs - startMs;
  const below = r.buckets.filter((b) => b.availability !== null && b.availability < r.policy.objective);
  const withData = r.buckets.filter((b) => b.availability !== null).length;
  const worst = [...below].sort((a, b) => a.availability! - b.availability!)[0];
  const summary = `Availability of ${r.cluster.name} per ${bucketLabel(bucketMs)}: ${withData} of ${r.buckets.length} with data, ${below.length} below ${targetPercentLabel(r.policy.objective)}${worst ? `, lowest ${formatPercent(worst.availability, 3)} on ${formatDay(worst.startMs, zone)}` : ''}`;
  return (
    <li className="heat-row" data-cluster={r.cluster.name}>
      <span className="heat-name">
        <SloStateBadge state={r.state} testId="heat-state" />
        <a href={clusterHref(r.cluster.id, query)}>{r.cluster.name}</a>
      </span>
      <svg className="heat-cells" viewBox={`0 0 ${(span / bucketMs).toFixed(4)} 1`} preserveAspectRatio="none" role="img" aria-label={summary}>
        {runs.map((run) => {
          const q = absoluteQuery(run.startMs, run.endMs);
          return (
            <rect key={run.startMs} x={((run.startMs - startMs) / bucketMs).toFixed(4)} width={((run.endMs - run.startMs) / bucketMs).toFixed(4)} y={0} height={1} className={`heat heat-${run.level}`} data-level={run.level} data-href={`/clusters/${encodeURIComponent(r.cluster.id)}?from=${encodeURIComponent(q.from)}&to=${encodeURIComponent(q.to)}`}>
              <title>{runTitle(run, r, zone)}</title>
            </rect>
          );
        })}
      </svg>
    </li>
  );
}

export function FleetHeatmap({ fleet, query, zone, bucketMs }: { fleet: Fleet; query: OverviewQuery; zone: DisplayZone; bucketMs: number }) {
  const startMs = query.range.startMs;
  const endMs = Math.min(query.range.endMs, Date.parse(fleet.now));
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => startMs + f * (endMs - startMs));
  return (
    <section className="card heatmap" aria-labelledby="heatmap-title" data-testid="fleet-heatmap">
      <h2 id="heatmap-title" className="mt-0">
        Availability per {bucketLabel(bucketMs)}
      </h2>
      <p className="chart-legend">
        <span>
          <i className="slot heat-met" /> at or above target
        </span>
        <span>
          <i className="slot heat-below" /> below target
        </span>
        <span>
          <i className="slot heat-bad" /> more than 10× the budget below
        </span>
        <span>
          <i className="slot heat-nodata" /> no data
        </span>
        <span className="muted">· hover a cell for its figure, click to open that cluster for that {bucketLabel(bucketMs).replace('UTC ', '')}</span>
      </p>
      <HeatmapZoom>
        <ul className="heat-rows" aria-label="Clusters by day">
          {fleet.rows.map((r) => (
            <HeatRow key={r.cluster.id} r={r} query={query} zone={zone} startMs={startMs} endMs={endMs} bucketMs={bucketMs} />
          ))}
        </ul>
      </HeatmapZoom>
      <div className="heat-axis" aria-hidden="true">
        {ticks.map((t, i) => (
          <span key={t} style={{ left: `${(i / (ticks.length - 1)) * 100}%` }}>
            {formatDay(t, zone, endMs - startMs < 3 * 86_400_000)}
          </span>
        ))}
      </div>
    </section>
  );
}
