'use client';

// Error-budget burn-down over the range (recharts): budget left after each bucket, 100 % → 0 %, never a
// negative axis. Once nothing is left the line stays at 0 and a marker says when the budget ran out
// (the SLO card says by how much, in time). Maintenance is shaded (neither good nor bad time); gaps are
// buckets without data. Drag across the chart to zoom to that interval (?from=…&to=…).
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Area, AreaChart, CartesianGrid, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDay, formatTime } from '@/lib/format';

export interface BurnDownProps {
  points: Array<{ t: number; remaining: number | null }>;
  exhaustedAtMs: number | null;
  maintenance: Array<{ startMs: number; endMs: number; title: string }>;
  startMs: number;
  endMs: number;
  zone: string;
  /** Page to zoom on (the range params are replaced). */
  zoomPath: string;
  label: string;
  height?: number;
}

export function BurnDownChart({ points, exhaustedAtMs, maintenance, startMs, endMs, zone, zoomPath, label, height = 200 }: BurnDownProps) {
  const router = useRouter();
  const [sel, setSel] = useState<{ a: number; b: number } | null>(null);
  // Shown clamped at 0; the true share stays in `over` for the tooltip.
  const data = points.map((p) => ({ t: p.t, pct: p.remaining === null ? null : Math.max(0, Math.floor(Math.min(1, p.remaining) * 1000) / 10), over: p.remaining !== null && p.remaining <= 0 }));
  const short = endMs - startMs < 3 * 86_400_000;
  const zoom = (a: number, b: number): void => {
    const p = new URLSearchParams(window.location.search);
    for (const k of ['window', 'from', 'to']) p.delete(k);
    p.set('from', new Date(Math.floor(Math.min(a, b))).toISOString());
    p.set('to', new Date(Math.ceil(Math.max(a, b))).toISOString());
    router.push(`${zoomPath}?${p.toString()}`);
  };
  return (
    <figure className="chart m-0" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={height}>
        <AreaChart
          data={data}
          margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
          onMouseDown={(e) => {
            if (typeof e?.activeLabel === 'number') setSel({ a: e.activeLabel, b: e.activeLabel });
          }}
          onMouseMove={(e) => {
            if (sel && typeof e?.activeLabel === 'number') setSel({ ...sel, b: e.activeLabel });
          }}
          onMouseUp={() => {
            if (sel && Math.abs(sel.b - sel.a) >= 60_000) zoom(sel.a, sel.b);
            setSel(null);
          }}
        >
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="t" type="number" scale="time" domain={[startMs, endMs]} tickFormatter={(v: number) => formatDay(v, zone, short)} stroke="var(--muted)" fontSize={12} allowDataOverflow />
          <YAxis width={56} domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} tickFormatter={(v: number) => `${v} %`} stroke="var(--muted)" fontSize={12} allowDataOverflow />
          {maintenance.map((m) => (
            <ReferenceArea key={`${m.startMs}-${m.endMs}`} x1={Math.max(startMs, m.startMs)} x2={Math.min(endMs, m.endMs)} fill="var(--unknown)" fillOpacity={0.18} stroke="var(--unknown)" strokeOpacity={0.5} ifOverflow="hidden" />
          ))}
          {exhaustedAtMs !== null ? <ReferenceLine x={exhaustedAtMs} stroke="var(--down)" strokeDasharray="4 2" label={{ value: 'budget exhausted', position: 'insideTopLeft', fill: 'var(--down)', fontSize: 12 }} /> : null}
          {sel ? <ReferenceArea x1={Math.min(sel.a, sel.b)} x2={Math.max(sel.a, sel.b)} fill="var(--accent)" fillOpacity={0.15} /> : null}
          <Tooltip
            labelFormatter={(v) => (typeof v === 'number' ? formatTime(v, zone) : String(v))}
            formatter={(v, _n, item) => [(item.payload as { over?: boolean } | undefined)?.over ? 'exhausted' : `${String(v)} %`, 'budget left']}
            contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' }}
          />
          <Area dataKey="pct" type="stepAfter" stroke="var(--accent)" fill="var(--accent)" fillOpacity={0.15} isAnimationActive={false} connectNulls={false} dot={data.filter((d) => d.pct !== null).length < 3 ? { r: 3 } : false} />
        </AreaChart>
      </ResponsiveContainer>
      <figcaption className="chart-legend">
        <span>line: error budget left after each bucket; gaps: no data</span>
        <span>
          <i className="slot slot-maintenance" /> maintenance (excluded)
        </span>
        {exhaustedAtMs !== null ? <span>dashed: the budget ran out at {formatTime(exhaustedAtMs, zone)}</span> : null}
        <span className="muted">drag across to zoom</span>
      </figcaption>
    </figure>
  );
}
