'use client';

import {
  Bar,
  CartesianGrid,
  Cell,
  ComposedChart,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatClock, formatLatency, formatTime } from '@/lib/format';
import type { Status } from '@/lib/types';
import type { ChartPoint } from './chart-points';

const COLOUR: Record<Status, string> = {
  up: 'var(--up)',
  degraded: 'var(--degraded)',
  down: 'var(--down)',
  unknown: 'var(--unknown)',
};

interface Props {
  points: ChartPoint[];
  /** Accessible name, e.g. "Readiness and latency of lab, last 24 h". */
  label: string;
  height?: number;
}

/**
 * Readiness (bars: full = up, half = degraded, none = down; unknown drawn as a thin marker) and
 * apiserver latency (line) over time. Plain serialisable props only.
 */
export function StatusChart({ points, label, height = 180 }: Props) {
  if (points.length === 0) {
    return (
      <p className="chart-empty" role="note">
        No samples in this window yet.
      </p>
    );
  }
  // Unknown samples get a small stub so the gap is visible but not mistaken for "down".
  const data = points.map((p) => ({ ...p, bar: p.readiness === null ? 0.08 : Math.max(p.readiness, 0.04) }));
  const up = points.filter((p) => p.status === 'up').length;
  return (
    <figure className="chart" role="img" aria-label={`${label}: ${points.length} points, ${up} up`} style={{ margin: 0 }}>
      <ResponsiveContainer width="100%" height={height}>
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(v: number) => formatClock(v)}
            stroke="var(--muted)"
            fontSize={12}
          />
          <YAxis yAxisId="readiness" domain={[0, 1]} hide />
          <YAxis
            yAxisId="latency"
            orientation="left"
            width={56}
            stroke="var(--muted)"
            fontSize={12}
            tickFormatter={(v: number) => `${v} ms`}
          />
          <Tooltip
            labelFormatter={(v) => (typeof v === 'number' ? formatTime(new Date(v)) : String(v))}
            formatter={(value, name, item) => {
              if (name === 'latency') return [formatLatency(typeof value === 'number' ? value : null), 'latency'];
              const payload = item.payload as { status?: Status } | undefined;
              return [payload?.status ?? '—', 'status'];
            }}
            contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' }}
          />
          <Bar yAxisId="readiness" dataKey="bar" name="status" isAnimationActive={false} fillOpacity={0.35}>
            {data.map((p) => (
              <Cell key={p.t} fill={COLOUR[p.status]} />
            ))}
          </Bar>
          <Line
            yAxisId="latency"
            dataKey="latencyMs"
            name="latency"
            type="monotone"
            stroke="var(--accent)"
            strokeWidth={1.5}
            dot={false}
            connectNulls={false}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
