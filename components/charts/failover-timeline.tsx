'use client';

// Failover timeline (recharts): each takeover at its time, its gap (s) as height, against the lease
// duration (dashed line). crash and graceful differ in colour AND shape; unobserved takeovers have no
// gap, so they are drawn as vertical dotted lines at their time, never as a made-up height.
import { CartesianGrid, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, Legend } from 'recharts';
import { formatDay, formatTime, timeTicks } from '@/lib/format';

export interface TimelineEvent {
  t: number;
  gapS: number | null;
  kind: 'crash' | 'graceful' | 'unobserved';
  component: string;
  holders: string;
}

export function FailoverTimeline({
  events,
  leaseSeconds,
  startMs,
  endMs,
  label,
  height = 260,
  zone = 'UTC',
  endsNow = true,
  heightMeans = "gap from the old leader's last renew to the new leader's acquire",
  kindNames = { crash: 'crash (lease expired)', graceful: 'graceful (released)' },
}: {
  events: TimelineEvent[];
  leaseSeconds: number[];
  startMs: number;
  endMs: number;
  label: string;
  height?: number;
  zone?: string;
  endsNow?: boolean;
  /** What a point's height is (the caption says it). */
  heightMeans?: string;
  /** Legend names of the two measured kinds. */
  kindNames?: { crash: string; graceful: string };
}) {
  const crash = events.filter((e) => e.kind === 'crash' && e.gapS !== null);
  const graceful = events.filter((e) => e.kind === 'graceful' && e.gapS !== null);
  const unobserved = events.filter((e) => e.gapS === null);
  // Zoom to where the takeovers are (with an hour of context); the caption says so.
  const first = events.length ? Math.min(...events.map((e) => e.t)) : startMs;
  const from = Math.max(startMs, first - Math.max(3_600_000, (endMs - first) * 0.1));
  const maxY = Math.max(1, ...leaseSeconds.map((s) => s * 1.5), ...events.map((e) => e.gapS ?? 0));
  return (
    <figure className="chart m-0" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={height}>
        <ScatterChart margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis dataKey="t" type="number" scale="time" domain={[from, endMs]} ticks={timeTicks(from, endMs)} tickFormatter={(v: number) => formatDay(v, zone, true)} stroke="var(--muted)" fontSize={12} name="time" allowDataOverflow />
          <YAxis dataKey="gapS" type="number" width={56} domain={[0, Math.ceil(maxY)]} tickFormatter={(v: number) => `${v} s`} stroke="var(--muted)" fontSize={12} name="gap" />
          {leaseSeconds.map((s) => (
            <ReferenceLine key={s} y={s} stroke="var(--degraded)" strokeDasharray="6 3" label={{ value: `lease ${s} s`, position: 'insideTopRight', fill: 'var(--text)', fontSize: 12 }} />
          ))}
          {unobserved.map((e) => (
            <ReferenceLine key={`u${e.t}`} x={e.t} stroke="var(--unknown)" strokeDasharray="2 3" />
          ))}
          <Tooltip
            cursor={{ strokeDasharray: '3 3' }}
            content={({ payload }) => {
              const p = payload?.[0]?.payload as TimelineEvent | undefined;
              if (!p) return null;
              return (
                <div className="chart-tooltip">
                  <div>{formatTime(p.t, zone)}</div>
                  <div>
                    {p.component}: {p.kind}, gap {p.gapS === null ? 'unknown' : `${p.gapS.toFixed(2)} s`}
                  </div>
                  <div className="mono">{p.holders}</div>
                </div>
              );
            }}
          />
          <Legend wrapperStyle={{ fontSize: 12, color: 'var(--text)' }} />
          <Scatter name={kindNames.crash} data={crash} fill="var(--down)" shape="cross" isAnimationActive={false} />
          <Scatter name={kindNames.graceful} data={graceful} fill="var(--up)" shape="circle" isAnimationActive={false} />
        </ScatterChart>
      </ResponsiveContainer>
      <figcaption className="chart-legend">
        <span>from {formatTime(from, zone)} to {endsNow ? 'now' : formatTime(endMs, zone)}{from > startMs ? ' (no takeover earlier in the range)' : ''};</span>
        <span>height: {heightMeans}</span>
        {leaseSeconds.length ? <span>dashed: lease duration</span> : null}
        <span>
          <i className="slot slot-unknown-line" /> dotted vertical: unobserved takeover ({unobserved.length}, gap unknown)
        </span>
      </figcaption>
    </figure>
  );
}
