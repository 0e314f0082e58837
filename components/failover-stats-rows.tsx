// One row per Lease of failover statistics (lib/failover/stats.ts): the cluster's failovers card and
// the report print the same figures.
import type { FailoverStats } from '@/lib/failover/stats';
import { componentLabel, formatGap } from '@/lib/format';

/** `rowHeaders`: the Lease cell is the row's header (`<th scope="row">`), as on the cluster page. */
export function FailoverStatsRows({ stats, rowHeaders }: { stats: readonly FailoverStats[]; rowHeaders: boolean }) {
  return stats.map((s) => {
    const lease = componentLabel(`leader-election/${s.lease}`);
    return (
      <tr key={s.lease}>
        {rowHeaders ? (
          <th scope="row" title={s.lease}>
            {lease}
          </th>
        ) : (
          <td title={s.lease}>{lease}</td>
        )}
        <td>{s.count}</td>
        <td>
          {s.crash} / {s.graceful} / {s.unobserved}
        </td>
        <td>{formatGap(s.p50Ms)}</td>
        <td>{formatGap(s.p95Ms)}</td>
        <td>{formatGap(s.maxMs)}</td>
      </tr>
    );
  });
}
