'use client';

// Error-budget burn-down over the window (recharts): remaining budget after each bucket, maintenance
// windows shaded (they are neither good nor bad time), 0 % marked.
import { Area, AreaChart, CartesianGrid, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatTime } from '@/lib/format';

export interface BurnDownProps {
  points: Array<{ t: number; remaining: number | null }>;
  maintenance: Array<{ startMs: number; endMs: number; title: string }>;
  startMs: number;
  endMs: number;
  label: string;
  height?: number;
}

function day(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

export function BurnDownChart({ points, maintenance, startMs, endMs, label, height = 200 }: BurnDownProps) {
  const data = points.map((p) => ({ t: p.t, pct: p.remaining === null ? null : Math.round(p.remaining * 10000) / 100 }));
  const min = Math.min(0, ...data.flatMap((d) => (d.pct === null ? [] : [d.pct])));
  return (
    <figure className="chart" role="img" aria-label={label} style={{ margin: 0 }}>
      <ResponsiveContainer width="100%" height={height}>
        <AreaChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="t" type="number" scale="time" domain={[startMs, endMs]} tickFormatter={(v: number) => day(v)} stroke="var(--muted)" fontSize={12} allowDataOverflow />
          <YAxis width={56} domain={[Math.floor(min), 100]} tickFormatter={(v: number) => `${v} %`} stroke="var(--muted)" fontSize={12} allowDataOverflow />
          {maintenance.map((m, i) => (
            <ReferenceArea key={i} x1={Math.max(startMs, m.startMs)} x2={Math.min(endMs, m.endMs)} fill="var(--unknown)" fillOpacity={0.18} stroke="var(--unknown)" strokeOpacity={0.5} ifOverflow="hidden" />
          ))}
          <ReferenceLine y={0} stroke="var(--down)" strokeDasharray="4 2" />
          <Tooltip
            labelFormatter={(v) => (typeof v === 'number' ? formatTime(new Date(v)) : String(v))}
            formatter={(v) => [`${String(v)} %`, 'budget left']}
            contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' }}
          />
          <Area dataKey="pct" type="stepAfter" stroke="var(--accent)" fill="var(--accent)" fillOpacity={0.15} isAnimationActive={false} connectNulls={false} dot={data.filter((d) => d.pct !== null).length < 3 ? { r: 3 } : false} />
        </AreaChart>
      </ResponsiveContainer>
      <figcaption className="chart-legend">
        <span>line: error budget left after each bucket; gaps: no data</span>
        <span>
          <i className="slot" style={{ background: 'var(--unknown)', opacity: 0.35 }} /> maintenance (excluded)
        </span>
        <span>dashed: budget exhausted</span>
      </figcaption>
    </figure>
  );
}
