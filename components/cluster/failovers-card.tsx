// Server component: measured leader-election failovers (lib/data/failovers), newest first, with the
// gap drawn against the lease duration, and per-Lease p50/p95/max over measured gaps.
import { listFailovers, listWatchGaps } from '@/lib/data/failovers';
import { failoverStats } from '@/lib/failover/stats';
import Link from 'next/link';
import { componentLabel, formatGap, formatTime, type DisplayZone } from '@/lib/format';
import { DataTable } from '@/components/data-table';
import { FailoverStatsRows } from '@/components/failover-stats-rows';

/** Failovers in [startMs, min(endMs, now)): the table of takeovers (and per-Lease statistics). */
export async function FailoversCard({ clusterId, startMs, endMs, rangeLabel, zone, limit = 50, moreHref, showStats = true }: { clusterId: string; startMs: number; endMs: number; rangeLabel: string; zone: DisplayZone; limit?: number; moreHref?: string; showStats?: boolean }) {
  const since = new Date(startMs);
  const until = new Date(endMs);
  const windowLabel = rangeLabel;
  const [events, gaps] = await Promise.all([listFailovers({ clusterId, since, until }), listWatchGaps({ clusterId, since, until })]);
  const stats = failoverStats(events);
  const newest = [...events].reverse().slice(0, limit);
  return (
    <section className="card" aria-labelledby="failovers-title" data-testid="failovers-card">
      <h2 id="failovers-title" className="mt-0">
        Leader-election failovers, {windowLabel}
      </h2>
      {moreHref ? (
        <p>
          <Link href={moreHref}>All failovers, timeline and per-component gaps</Link>
        </p>
      ) : null}
      {events.length === 0 ? (
        <p className="muted" data-testid="failovers-empty">
          No failover seen in this range. Gaps are measured from the old leader&apos;s last renew to the new leader&apos;s acquire.
        </p>
      ) : (
        <>
          {showStats ? (
          <DataTable caption="Per Lease: percentiles over measured gaps only (unobserved takeovers have no gap)" columns={['Lease', 'Failovers', 'crash / graceful / unobserved', 'p50', 'p95', 'max']}>
            <FailoverStatsRows stats={stats} rowHeaders />
          </DataTable>
          ) : null}
          <DataTable testId="failover-events" caption={<>Failovers, newest first{events.length > newest.length ? ` (latest ${newest.length} of ${events.length})` : ''}; the bar is the gap, the tick the lease duration</>} columns={['Acquired', 'Lease', 'Kind', 'Previous → new holder', 'Gap vs lease']}>
            {newest.map((e) => {
              const leaseMs = (e.leaseDurationSeconds ?? 0) * 1000;
              const scale = Math.max(leaseMs * 1.5, e.gapMs ?? 0, 1);
              return (
                <tr key={e.id}>
                  <td>
                    <time dateTime={e.at}>{formatTime(e.at, zone)}</time>
                  </td>
                  <td title={e.lease}>{componentLabel(`leader-election/${e.lease}`)}</td>
                  <td>{e.kind}</td>
                  <td className="mono">
                    {e.previousHolder} → {e.newHolder}
                  </td>
                  <td>
                    <span>{formatGap(e.gapMs)}</span>
                    {e.gapMs !== null && leaseMs > 0 ? (
                      <span
                        className="gap-bar"
                        role="img"
                        aria-label={`gap ${formatGap(e.gapMs)} against a ${e.leaseDurationSeconds} s lease`}
                      >
                        <span className="gap-bar-fill" style={{ width: `${(100 * e.gapMs) / scale}%` }} />
                        <span className="gap-bar-lease" style={{ left: `${(100 * leaseMs) / scale}%` }} />
                      </span>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        </>
      )}
      {gaps.length > 0 ? (
        <p className="muted">
          The Lease watch was down {gaps.length} time{gaps.length === 1 ? '' : 's'} in this window (last: {formatTime(gaps.at(-1)!.startedAt, zone)}, {Math.round(gaps.at(-1)!.durationMs / 1000)} s, {gaps.at(-1)!.reason}); takeovers in such gaps are “unobserved”.
        </p>
      ) : null}
    </section>
  );
}
