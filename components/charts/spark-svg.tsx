// Availability per bucket as a small step line (server-rendered SVG, no client JavaScript, so a page of
// 500 cards stays light). Buckets without data are gaps, not zeros; the dashed line is the objective.
export interface SparkPoint {
  t: number;
  /** 0–1, null = no data in the bucket. */
  a: number | null;
}

export function SparkSvg({ points, target, label, height = 36 }: { points: SparkPoint[]; target: number; label: string; height?: number }) {
  const known = points.filter((p): p is { t: number; a: number } => p.a !== null);
  if (known.length === 0) {
    return (
      <figure className="sparkline m-0" role="img" aria-label={label}>
        <div className="sparkline-empty" style={{ height }}>
          no data
        </div>
      </figure>
    );
  }
  const min = Math.min(...known.map((p) => p.a), target);
  const lo = Math.max(0, min - (1 - min) * 0.2 - 0.0005);
  const n = points.length;
  const y = (a: number): number => (1 - (a - lo) / (1 - lo)) * (height - 4) + 2;
  // One path: a segment per bucket, broken where there is no data.
  let d = '';
  points.forEach((p, i) => {
    if (p.a === null) return;
    const prevKnown = i > 0 && points[i - 1]!.a !== null;
    d += `${prevKnown ? 'L' : 'M'}${i} ${y(p.a).toFixed(2)}H${i + 1}`;
  });
  return (
    <figure className="sparkline m-0" role="img" aria-label={label}>
      <svg viewBox={`0 0 ${n} ${height}`} preserveAspectRatio="none" width="100%" height={height} aria-hidden="true">
        <line x1={0} x2={n} y1={y(target)} y2={y(target)} className="spark-target" vectorEffect="non-scaling-stroke" />
        <path d={d} className="spark-line" fill="none" vectorEffect="non-scaling-stroke" />
      </svg>
    </figure>
  );
}
