// Server component: the state timeline of every component of one cluster over the page's range
// (lib/data/dashboard.ts getStateTimeline: coalesced intervals, exact to the ms), drawn by the client
// component components/charts/state-timeline.tsx.
import { StateTimeline } from '@/components/charts/state-timeline';
import { getStateTimeline } from '@/lib/data/dashboard';
import { componentName, formatRange, type DisplayZone } from '@/lib/format';
import { formatDuration } from '@/lib/slo/format';
import { TIMELINE_STATES } from '@/lib/slo/state-timeline';
import type { TimeRange } from '@/lib/slo/range';

const TEXT = { up: 'up', degraded: 'degraded', down: 'down', unknown: 'unknown', maintenance: 'maintenance', nodata: 'no data' } as const;

export async function StateTimelineCard({ clusterId, range, nowMs, zone, zoomPath, keep, outagesHref, title = 'State timeline', headingLevel = 2, onlyComposite = false }: { clusterId: string; range: Pick<TimeRange, 'startMs' | 'endMs'>; nowMs: number; zone: DisplayZone; zoomPath: string; keep: string; outagesHref: string; title?: string; headingLevel?: 2 | 3; onlyComposite?: boolean }) {
  const t = await getStateTimeline(clusterId, { range, now: new Date(nowMs) });
  if (!t) return null;
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const rows = t.components.filter((c) => !onlyComposite || c.isComposite).map((c) => {
    const name = c.isComposite ? componentName('control-plane') : componentName(c.probe, c.target);
    const parts = TIMELINE_STATES.filter((s) => c.totals[s] > 0).map((s) => `${TEXT[s]} ${formatDuration(c.totals[s])}`);
    return { component: c.component, name, segments: c.segments, binned: c.binned, summary: `${name}: ${parts.join(', ') || 'no data'}` };
  });
  return (
    <section className="card" aria-labelledby={`timeline-title-${clusterId}`} data-testid="state-timeline-card">
      <H id={`timeline-title-${clusterId}`} className="mt-0">
        {title}
      </H>
      <p className="muted">
        {formatRange(t.startMs, t.endMs, zone)} · every component&apos;s state from its coalesced status intervals
        {t.components.some((c) => c.binned) ? '; long ranges are drawn in bins that show their worst state (hover for the mix)' : ''}
        {t.truncated ? '; too many status changes: the oldest part of the range is not drawn' : ''}.
      </p>
      {rows.length === 0 ? (
        <p className="muted" data-testid="timeline-empty">
          No data yet: the collector writes the first samples on its next run.
        </p>
      ) : (
        <StateTimeline rows={rows} startMs={t.startMs} endMs={t.endMs} zone={zone} zoomPath={zoomPath} keep={keep} outagesHref={outagesHref} label={`State of each component, ${formatRange(t.startMs, t.endMs, zone)}`} />
      )}
    </section>
  );
}
