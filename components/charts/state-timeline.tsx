'use client';

// State timeline (Grafana's state timeline / a status page's uptime bars): one strip per component
// over the range, coloured up / degraded / down / unknown / maintenance / no data (pattern and colour
// differ). Hover or focus a segment: its interval, state, duration and reason. A down segment links to
// its outage (Outages tab); any other non-up segment, and every bin of a long range, zooms to itself.
// Drag across a strip to zoom to that interval (?from=…&to=…). Plain serialisable props only.
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { formatDay, formatRange, outageAnchor } from '@/lib/format';
import { formatDuration } from '@/lib/slo/format';
import type { TimelineSegment, TimelineState } from '@/lib/slo/state-timeline';

export interface TimelineRowProps {
  /** Component id ("control-plane", "leader-election/kube-system/kube-scheduler"). */
  component: string;
  name: string;
  segments: TimelineSegment[];
  binned: boolean;
  /** Screen-reader summary of the row. */
  summary: string;
}

const STATE_TEXT: Record<TimelineState, string> = { up: 'up', degraded: 'degraded', down: 'down', unknown: 'unknown', maintenance: 'maintenance', nodata: 'no data' };

interface Props {
  rows: TimelineRowProps[];
  startMs: number;
  endMs: number;
  zone: string;
  /** The page to zoom on ("/clusters/ID"), with the query to keep (range params are replaced). */
  zoomPath: string;
  keep: string;
  /** The Outages tab with this range, for outage links. */
  outagesHref: string;
  label: string;
}

function zoomHref(path: string, keep: string, a: number, b: number): string {
  const p = new URLSearchParams(keep);
  for (const k of ['window', 'from', 'to']) p.delete(k);
  p.set('from', new Date(Math.floor(a)).toISOString());
  p.set('to', new Date(Math.ceil(b)).toISOString());
  return `${path}?${p.toString()}`;
}

function describe(s: TimelineSegment, zone: string): string {
  const head = `${formatRange(s.startMs, s.endMs, zone)} · ${STATE_TEXT[s.state]} for ${formatDuration(s.endMs - s.startMs)}`;
  const parts = s.breakdown
    ? Object.entries(s.breakdown)
        .filter(([, ms]) => (ms ?? 0) > 0)
        .map(([st, ms]) => `${STATE_TEXT[st as TimelineState]} ${formatDuration(ms!)}`)
        .join(', ')
    : '';
  return `${head}${s.reason ? ` — ${s.reason}` : ''}${s.breakdown ? ` (worst of this stretch; ${parts})` : ''}`;
}

export function StateTimeline({ rows, startMs, endMs, zone, zoomPath, keep, outagesHref, label }: Props) {
  const router = useRouter();
  const span = endMs - startMs;
  const [tip, setTip] = useState<{ text: string; x: number; y: number } | null>(null);
  const [drag, setDrag] = useState<{ track: HTMLElement; x0: number; x1: number } | null>(null);
  const dragged = useRef(false);
  const box = useRef<HTMLDivElement>(null);

  const at = (track: HTMLElement, clientX: number): number => {
    const r = track.getBoundingClientRect();
    return Math.min(1, Math.max(0, (clientX - r.left) / r.width));
  };
  const showTip = (text: string, el: Element, clientX?: number): void => {
    const outer = box.current?.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    if (!outer) return;
    setTip({ text, x: (clientX ?? r.left + r.width / 2) - outer.left, y: r.bottom - outer.top + 6 });
  };
  const ticks = [0, 0.25, 0.5, 0.75, 1];

  return (
    <figure className="state-timeline m-0" aria-label={label} ref={box} onPointerLeave={() => setTip(null)}>
      <ul className="timeline-rows">
        {rows.map((row) => (
          <li key={row.component} className="timeline-row" data-component={row.component}>
            <span className="timeline-name" title={row.component}>
              {row.name}
            </span>
            <div
              className="timeline-track"
              data-testid="timeline-track"
              onPointerDown={(e) => {
                if (e.button !== 0) return;
                dragged.current = false;
                setDrag({ track: e.currentTarget, x0: at(e.currentTarget, e.clientX), x1: at(e.currentTarget, e.clientX) });
              }}
              onPointerMove={(e) => {
                if (drag && drag.track === e.currentTarget) {
                  const x1 = at(e.currentTarget, e.clientX);
                  if (!dragged.current && Math.abs(x1 - drag.x0) * e.currentTarget.getBoundingClientRect().width > 5) {
                    dragged.current = true;
                    e.currentTarget.setPointerCapture(e.pointerId);
                  }
                  setDrag({ ...drag, x1 });
                  return;
                }
                const seg = (e.target as Element).closest('[data-seg]');
                if (seg) showTip(seg.getAttribute('data-tip') ?? '', seg, e.clientX);
              }}
              onPointerUp={(e) => {
                if (drag && dragged.current) {
                  const a = startMs + Math.min(drag.x0, drag.x1) * span;
                  const b = startMs + Math.max(drag.x0, drag.x1) * span;
                  if (b - a >= 60_000) router.push(zoomHref(zoomPath, keep, a, b));
                  e.preventDefault();
                }
                setDrag(null);
              }}
              onClickCapture={(e) => {
                if (dragged.current) {
                  e.preventDefault();
                  e.stopPropagation();
                  dragged.current = false;
                }
              }}
            >
              {row.segments.map((s) => {
                const style = { left: `${((s.startMs - startMs) / span) * 100}%`, width: `${((s.endMs - s.startMs) / span) * 100}%` };
                const tipText = describe(s, zone);
                const cls = `seg seg-${s.state}`;
                const data = { 'data-seg': '', 'data-state': s.state, 'data-start': s.startMs, 'data-end': s.endMs, 'data-tip': tipText };
                if (s.state === 'up' || s.state === 'nodata') return <span key={s.startMs} className={cls} style={style} {...data} aria-hidden="true" />;
                const href = s.state === 'down' && !row.binned ? `${outagesHref}#${outageAnchor(row.component, s.startMs)}` : zoomHref(zoomPath, keep, s.startMs, s.endMs);
                return (
                  // A plain link (a document navigation): the outage row becomes :target and is highlighted.
                  <a key={s.startMs} href={href} className={cls} style={style} {...data} aria-label={`${row.name}: ${tipText}`} onFocus={(e) => showTip(tipText, e.currentTarget)} onBlur={() => setTip(null)} />
                );
              })}
              {drag?.track && dragged.current ? <span className="timeline-selection" style={{ left: `${Math.min(drag.x0, drag.x1) * 100}%`, width: `${Math.abs(drag.x1 - drag.x0) * 100}%` }} /> : null}
            </div>
            <span className="sr-only">{row.summary}</span>
          </li>
        ))}
      </ul>
      <div className="timeline-axis" aria-hidden="true">
        <span className="timeline-name" />
        <div className="timeline-ticks">
          {ticks.map((f) => (
            <span key={f} style={{ left: `${f * 100}%` }}>
              {formatDay(startMs + f * span, zone, span < 3 * 86_400_000)}
            </span>
          ))}
        </div>
      </div>
      {tip ? (
        <div className="timeline-tip" role="tooltip" style={{ left: tip.x, top: tip.y }}>
          {tip.text}
        </div>
      ) : null}
      <figcaption className="chart-legend">
        {(['up', 'degraded', 'down', 'unknown', 'maintenance', 'nodata'] as const).map((s) => (
          <span key={s}>
            <i className={`slot seg-${s}`} /> {STATE_TEXT[s]}
          </span>
        ))}
        <span className="muted">· hover for the interval and reason, click a down stretch for its outage, drag to zoom</span>
      </figcaption>
    </figure>
  );
}
