'use client';

// Availability per bucket as a small line (recharts). Buckets without data are gaps, not zeros.
import { Line, LineChart, ReferenceLine, ResponsiveContainer, YAxis } from 'recharts';

export interface SparkPoint {
  t: number;
  /** 0–1, null = no data in the bucket. */
  a: number | null;
}

export function Sparkline({ points, target, label, height = 36 }: { points: SparkPoint[]; target: number; label: string; height?: number }) {
  const known = points.filter((p) => p.a !== null) as Array<{ t: number; a: number }>;
  const min = known.length ? Math.min(...known.map((p) => p.a), target) : target;
  const lo = Math.max(0, min - (1 - min) * 0.2 - 0.0005);
  return (
    <figure className="sparkline m-0" role="img" aria-label={label}>
      {known.length === 0 ? (
        <div className="sparkline-empty" style={{ height }}>
          no data
        </div>
      ) : (
        <ResponsiveContainer width="100%" height={height}>
          <LineChart data={points} margin={{ top: 4, right: 6, bottom: 4, left: 4 }}>
            <YAxis hide domain={[lo, 1]} />
            <ReferenceLine y={target} stroke="var(--muted)" strokeDasharray="2 2" />
            <Line dataKey="a" type="stepAfter" stroke="var(--accent)" strokeWidth={1.5} dot={known.length < 3 ? { r: 3, fill: 'var(--accent)' } : false} connectNulls={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}
