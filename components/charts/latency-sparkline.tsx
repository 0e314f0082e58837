'use client';

// Probe latency per bucket (mean, and max as a lighter line), recharts. Buckets without data are gaps.
import { Line, LineChart, ResponsiveContainer, Tooltip, YAxis } from 'recharts';

export interface LatencyPoint {
  t: number;
  avg: number | null;
  max: number | null;
}

export function LatencySparkline({ points, label, height = 36 }: { points: LatencyPoint[]; label: string; height?: number }) {
  const known = points.filter((p) => p.avg !== null);
  return (
    <figure className="sparkline m-0" role="img" aria-label={label}>
      {known.length === 0 ? (
        <div className="sparkline-empty" style={{ height }}>
          no latency data
        </div>
      ) : (
        <ResponsiveContainer width="100%" height={height}>
          <LineChart data={points} margin={{ top: 4, right: 6, bottom: 4, left: 4 }}>
            <YAxis hide domain={[0, 'dataMax']} />
            <Tooltip formatter={(v) => `${Math.round(Number(v))} ms`} labelFormatter={() => ''} />
            <Line dataKey="max" type="stepAfter" stroke="var(--muted)" strokeWidth={1} dot={false} connectNulls={false} isAnimationActive={false} />
            <Line dataKey="avg" type="stepAfter" stroke="var(--accent)" strokeWidth={1.5} dot={known.length < 3 ? { r: 3, fill: 'var(--accent)' } : false} connectNulls={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}
