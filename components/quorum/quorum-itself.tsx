// Server components of the "Quorum itself" page (app/quorum/page.tsx): the collectors with their
// heartbeat and owned clusters, the clusters nobody probes, and the takeovers with their measured gaps.
import Link from 'next/link';
import { FailoverTimeline } from '@/components/charts/failover-timeline';
import type { CollectorState, CollectorView, QuorumItself, TakeoverView } from '@/lib/data/collectors';
import { formatAge, formatGap, formatTime } from '@/lib/format';
import { DataTable } from '@/components/data-table';

/** live / late / gone / stopped look like up / degraded / down / no data: colour, icon and text differ. */
const STATE: Record<CollectorState, { css: string; icon: string; text: string }> = {
  live: { css: 'status-up', icon: '●', text: 'live' },
  late: { css: 'status-degraded', icon: '◐', text: 'late' },
  gone: { css: 'status-down', icon: '✕', text: 'gone' },
  stopped: { css: 'status-nodata', icon: '○', text: 'stopped' },
};

function StateBadge({ state }: { state: CollectorState }) {
  const s = STATE[state];
  return (
    <span className={`status ${s.css}`} data-state={state}>
      <span aria-hidden="true">{s.icon}</span>
      {s.text}
    </span>
  );
}

const clusterLink = (id: string, name: string) => (
  <Link key={id} href={`/clusters/${encodeURIComponent(id)}`} className="chip">
    {name}
  </Link>
);

export function UnownedCard({ unowned }: { unowned: QuorumItself['unowned'] }) {
  return (
    <section className="card card-down" aria-labelledby="unowned-title" data-testid="unowned-card">
      <h2 id="unowned-title" className="mt-0">
        {unowned.length} cluster{unowned.length === 1 ? '' : 's'} nobody probes right now
      </h2>
      <p className="muted">No live collector owns {unowned.length === 1 ? 'it' : 'them'}: start a collector (or wait for the next ownership tick, 2 s, after one stopped).</p>
      <ul className="settings-list">
        {unowned.map((u) => (
          <li key={u.id}>
            {clusterLink(u.id, u.name)}{' '}
            <span className="muted">{u.lastOwner ? `last owner ${u.lastOwner}${u.releasedAt ? `, released ${formatTime(u.releasedAt)}` : ''}` : 'never owned'}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function cycleText(c: CollectorView): string {
  const l = c.lastCycle;
  if (!l) return 'no cycle yet';
  return `${l.clusters} cluster${l.clusters === 1 ? '' : 's'}, ${l.samples} samples, ${l.ms} ms${l.buffered ? `, ${l.buffered} waiting for the database` : ''}${l.dropped ? `, ${l.dropped} dropped` : ''}`;
}

export function CollectorsCard({ collectors, now }: { collectors: CollectorView[]; now: number }) {
  return (
    <section className="card" aria-labelledby="collectors-title" data-testid="collectors-card">
      <h2 id="collectors-title" className="mt-0">
        Collectors
      </h2>
      {collectors.length === 0 ? (
        <p className="muted">No collector has run in the last day: nothing is probed. Start one (`npm run collector`, or the chart&apos;s collector Deployment).</p>
      ) : (
        <DataTable testId="collectors-table" caption="Runs of the last day (a restarted process is a new run); heartbeat = last word from it" columns={['Collector', 'State', 'Heartbeat', 'Started', 'Owns', 'Last cycle']}>
          {collectors.map((c) => (
            <tr key={c.id} data-collector={c.name} data-state={c.state}>
              <th scope="row">
                <span className="mono">{c.name}</span>
                <div className="muted small mono">
                  {c.id.slice(c.name.length + 1)} · pid {c.pid} on {c.host} · v{c.version}
                </div>
              </th>
              <td>
                <StateBadge state={c.state} />
              </td>
              <td title={formatTime(c.heartbeatAt)}>{c.state === 'stopped' ? `stopped ${formatAge(c.stoppedAt, now)}` : formatAge(c.heartbeatAt, now)}</td>
              <td title={formatTime(c.startedAt)}>{formatAge(c.startedAt, now)}</td>
              <td data-testid="owned-clusters" className="chips">
                {c.ownedClusters.length === 0 ? <span className="muted">nothing</span> : <span>{c.ownedClusters.length}: </span>}
                {c.ownedClusters.slice(0, 12).map((o) => clusterLink(o.id, o.name))}
                {c.ownedClusters.length > 12 ? <span className="muted"> and {c.ownedClusters.length - 12} more</span> : null}
              </td>
              <td>
                {cycleText(c)}
                {c.lastCycle?.dbError ? <div className="form-error small">{c.lastCycle.dbError}</div> : null}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

export function TakeoversCard({ takeovers, window, startMs, endMs }: { takeovers: TakeoverView[]; window: string; startMs: number; endMs: number }) {
  const measured = takeovers.filter((t) => t.gapMs !== null);
  return (
    <section className="card" aria-labelledby="takeovers-title" data-testid="takeovers-card">
      <h2 id="takeovers-title" className="mt-0">
        Takeovers, last {window}
      </h2>
      {takeovers.length === 0 ? (
        <p className="muted" data-testid="takeovers-none">
          No cluster changed collector in the last {window}.
        </p>
      ) : (
        <>
          <FailoverTimeline
            events={takeovers.map((t) => ({ t: Date.parse(t.acquiredAt), gapS: t.gapMs === null ? null : t.gapMs / 1000, kind: t.kind, component: t.cluster, holders: `${t.previousCollector} → ${t.newCollector}` }))}
            leaseSeconds={[]}
            startMs={startMs}
            endMs={endMs}
            heightMeans="gap from the old collector's last heartbeat (or its hand-over) to the new one's claim"
            kindNames={{ crash: 'crash (the collector vanished)', graceful: 'graceful (handed over)' }}
            label={`Collector takeovers, last ${window}: ${takeovers.length}, ${measured.length} with a measured gap${measured.length ? ` (max ${formatGap(Math.max(...measured.map((t) => t.gapMs!)))})` : ''}`}
          />
          <DataTable testId="takeovers-table" caption={<>Newest first. Gap: nobody held the cluster (old owner&apos;s last heartbeat or hand-over → claim). Unprobed: last stored sample → the new owner&apos;s first probe.</>} columns={['When', 'Cluster', 'Kind', 'From → to', 'Gap', 'Unprobed']}>
            {takeovers.slice(0, 200).map((t) => (
              <tr key={t.id} data-cluster={t.cluster} data-kind={t.kind}>
                <td>{formatTime(t.acquiredAt)}</td>
                <th scope="row">{clusterLink(t.clusterId, t.cluster)}</th>
                <td>{t.kind}</td>
                <td className="mono">
                  {t.previousCollector} → {t.newCollector}
                </td>
                <td data-testid="takeover-gap">{formatGap(t.gapMs)}</td>
                <td data-testid="takeover-probe-gap">{t.firstProbeAt === null ? <span className="muted">not probed yet</span> : formatGap(t.probeGapMs)}</td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </section>
  );
}
