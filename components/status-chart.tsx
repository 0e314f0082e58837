'use client';

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClock, formatLatency, formatTime } from '@/lib/format';
import type { Status } from '@/lib/types';
import { toStatusSlots, type ChartPoint } from './chart-points';

interface Props {
  points: ChartPoint[];
  /** Accessible name, e.g. "Readiness and latency of lab, last 24 h". */
  label: string;
  windowStartMs: number;
  windowEndMs: number;
  /** Number of readiness slots in the strip (288 = 5 minutes each over 24 h). */
  slots?: number;
  height?: number;
  zone?: string;
}

const Y_AXIS_WIDTH = 56;
const RIGHT_MARGIN = 12;

/**
 * Apiserver latency over time (recharts line) above a readiness strip: one slot per bucket, coloured by
 * its worst status; slots without samples stay blank so "no data" never looks like "down".
 * Plain serialisable props only.
 */
export function StatusChart({ points, label, windowStartMs, windowEndMs, slots = 288, height = 150, zone = 'UTC' }: Props) {
  const strip = toStatusSlots(points, windowStartMs, windowEndMs, slots);
  const count = (s: Status) => strip.filter((x) => x === s).length;
  const withData = strip.filter((x) => x !== null).length;
  const slotMinutes = Math.round((windowEndMs - windowStartMs) / slots / 60_000);
  const summary =
    withData === 0
      ? 'no samples yet'
      : `${withData} of ${slots} ${slotMinutes}-minute slots with samples: ${count('up')} up, ${count('degraded')} degraded, ${count('down')} down, ${count('unknown')} unknown`;
  const ticks: number[] = [];
  const step = 4 * 60 * 60 * 1000;
  for (let t = Math.ceil(windowStartMs / step) * step; t < windowEndMs; t += step) ticks.push(t);

  return (
    <figure className="chart m-0" role="img" aria-label={`${label}: ${summary}`}>
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={points} margin={{ top: 8, right: RIGHT_MARGIN, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={[windowStartMs, windowEndMs]}
            ticks={ticks}
            tickFormatter={(v: number) => formatClock(v, zone)}
            stroke="var(--muted)"
            fontSize={12}
            allowDataOverflow
          />
          <YAxis width={Y_AXIS_WIDTH} stroke="var(--muted)" fontSize={12} tickFormatter={(v: number) => `${v} ms`} />
          <Tooltip
            labelFormatter={(v) => (typeof v === 'number' ? formatTime(v, zone) : String(v))}
            formatter={(value, _name, item) => {
              const payload = item.payload as { status?: Status } | undefined;
              return [`${formatLatency(typeof value === 'number' ? value : null)} (${payload?.status ?? '—'})`, 'latency'];
            }}
            contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' }}
          />
          <Line
            dataKey="latencyMs"
            name="latency"
            type="monotone"
            stroke="var(--accent)"
            strokeWidth={1.5}
            dot={points.length < 40 ? { r: 2 } : false}
            connectNulls={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
      <div className="status-strip" style={{ marginLeft: Y_AXIS_WIDTH, marginRight: RIGHT_MARGIN }} aria-hidden="true">
        {strip.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: one slot per time bucket; the bucket's position is its identity.
          <span key={i} className={`slot slot-${s ?? 'nodata'}`} />
        ))}
      </div>
      <figcaption className="chart-legend">
        <span><i className="slot slot-up" /> up</span>
        <span><i className="slot slot-degraded" /> degraded</span>
        <span><i className="slot slot-down" /> down</span>
        <span><i className="slot slot-unknown" /> unknown</span>
        <span><i className="slot slot-nodata" /> no data</span>
        <span className="muted">· line: apiserver /readyz latency</span>
      </figcaption>
    </figure>
  );
}
