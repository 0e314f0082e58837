// Server components of a cluster's Checks and History tabs (lib/data/overview.ts getClusterDetail: the
// latest named /readyz and /livez checks, which failed in the last 24 h, recent runs, 24 h chart).
import { cache } from 'react';
import { StatusBadge } from '@/components/status-badge';
import { StatusChart } from '@/components/status-chart';
import { toChartPoints } from '@/components/chart-points';
import { DETAIL_DAY_MS, getClusterDetail, type LatestChecks } from '@/lib/data/overview';
import { componentName, formatAvailability, formatCoverage, formatLatency, formatTime, formatTimeAfter, type DisplayZone } from '@/lib/format';
import { DataTable } from '@/components/data-table';

/** One read per request, shared by the cards below. */
const clusterDetail = cache((clusterId: string, nowMs: number) => getClusterDetail(clusterId, { now: new Date(nowMs) }));

function ChecksTable({ checks, caption }: { checks: LatestChecks['checks']; caption: string }) {
  return (
    <DataTable caption={caption} columns={['Check', 'Result', 'Message']}>
      {checks.map((c) => (
        <tr key={c.name}>
          <td className="mono">{c.name}</td>
          <td className={c.ok ? 'check-ok' : 'check-failed'}>{c.ok ? '✓ ok' : '✕ failed'}</td>
          <td>{c.message ?? ''}</td>
        </tr>
      ))}
    </DataTable>
  );
}

const HOOK_PREFIX = 'poststarthook/';

function ChecksCard({ probe, latest, zone }: { probe: 'readyz' | 'livez'; latest: LatestChecks | null; zone: DisplayZone }) {
  const titleId = `${probe}-title`;
  // Failing checks first; passing post-start hooks (there are ~30, all alike) folded away.
  const sorted = latest ? [...latest.checks].sort((a, b) => Number(a.ok) - Number(b.ok)) : [];
  const main = sorted.filter((c) => !c.ok || !c.name.startsWith(HOOK_PREFIX));
  const hooks = sorted.filter((c) => c.ok && c.name.startsWith(HOOK_PREFIX));
  return (
    <section className="card" aria-labelledby={titleId}>
      <div className="cluster-card-head">
        <h2 id={titleId} className="m-0">
          /{probe}
        </h2>
        <StatusBadge status={latest ? latest.status : null} />
      </div>
      {!latest ? (
        <p className="muted">No {probe} sample yet.</p>
      ) : latest.checks.length === 0 ? (
        <p className="muted">
          {latest.reason} — no named checks in the latest answer ({formatTime(latest.at, zone)}).
        </p>
      ) : (
        <>
          <p className="muted">
            {latest.reason} · {formatLatency(latest.latencyMs)}
          </p>
          <ChecksTable checks={main} caption={`${probe} checks at ${formatTime(latest.at, zone)}`} />
          {hooks.length > 0 ? (
            <details>
              <summary>{hooks.length} post-start hooks, all ok</summary>
              <ChecksTable checks={hooks} caption={`${probe} post-start hooks`} />
            </details>
          ) : null}
        </>
      )}
    </section>
  );
}

/** The latest named checks of /readyz and /livez, and which of them failed in the last 24 h. */
export async function NamedChecksCards({ clusterId, now, zone }: { clusterId: string; now: number; zone: DisplayZone }) {
  const detail = await clusterDetail(clusterId, now);
  if (!detail) return null;
  const troubled = detail.checkHistory.filter((c) => c.okNow === false || c.failures24h > 0);
  return (
    <>
      <div className="cluster-grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))' }}>
        <ChecksCard probe="readyz" latest={detail.readyz} zone={zone} />
        <ChecksCard probe="livez" latest={detail.livez} zone={zone} />
      </div>
      <section className="card" aria-labelledby="check-history-title">
        <h2 id="check-history-title" className="mt-0">
          Named checks, last 24 h
        </h2>
        {detail.checkHistory.length === 0 ? (
          <p className="muted">No named checks recorded yet.</p>
        ) : troubled.length === 0 ? (
          <p data-testid="check-history-summary">
            <span className="check-ok">✓</span> None of the {detail.checkHistory.length} named livez/readyz checks failed in the last 24 h.
          </p>
        ) : (
          <DataTable caption={<>Checks that failed in the last 24 h (the other {detail.checkHistory.length - troubled.length} never did)</>} columns={['Probe', 'Check', 'Now', 'Failure episodes 24 h', 'Last failure']}>
            {troubled.map((c) => (
              <tr key={`${c.probe}-${c.name}`}>
                <td>{componentName(c.probe)}</td>
                <td className="mono">{c.name}</td>
                <td className={c.okNow === false ? 'check-failed' : c.okNow ? 'check-ok' : 'muted'}>{c.okNow === null ? 'not reported' : c.okNow ? '✓ ok' : '✕ failed'}</td>
                <td>{c.failures24h}</td>
                <td>
                  {c.lastFailedAt ? (
                    <>
                      <time dateTime={c.lastFailedAt}>{formatTime(c.lastFailedAt, zone)}</time>
                      {c.lastFailureMessage ? ` — ${c.lastFailureMessage}` : ''}
                    </>
                  ) : (
                    'none'
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </>
  );
}

/** Readiness and latency of the endpoint /readyz over the last 24 h (raw runs and minute rollups), and the recent runs. */
export async function RecentSamplesCards({ clusterId, name, now, zone }: { clusterId: string; name: string; now: number; zone: DisplayZone }) {
  const detail = await clusterDetail(clusterId, now);
  if (!detail) return null;
  // The apiserver health probes; every other component's history is in the state timeline.
  const history = detail.history.filter((s) => s.probe === 'apiserver-readyz' || s.probe === 'apiserver-livez');
  return (
    <>
      <section className="card" aria-labelledby="chart-title">
        <h2 id="chart-title" className="mt-0">
          Readiness and latency, last 24 h
        </h2>
        <dl className="facts">
          <div>
            <dt>Availability 24 h</dt>
            <dd data-testid="availability-24h">{formatAvailability(detail.availability24h)}</dd>
          </div>
          <div>
            <dt>Coverage 24 h</dt>
            <dd>{formatCoverage(detail.coverage24h)}</dd>
          </div>
        </dl>
        <StatusChart points={toChartPoints(detail.series)} label={`Readiness and latency of ${name}, last 24 h`} windowStartMs={now - DETAIL_DAY_MS} windowEndMs={now} zone={zone} />
      </section>
      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title" className="mt-0">
          History
        </h2>
        <p className="muted">
          A run is consecutive samples with the same result: one row from its first to its last sample. Within a run only the latency and the digits of the reason change (the reason shown is the first sample&apos;s); latency is in the chart above, per minute.
        </p>
        {history.length === 0 ? (
          <p className="muted">No samples yet.</p>
        ) : (
          <DataTable caption="Runs of /readyz and /livez, newest first" columns={['From', 'Last sample', 'Samples', 'Probe', 'Status', 'Reason']}>
            {history.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: two runs may share start and probe; the index keeps their keys apart.
              <tr key={`${s.at}-${s.probe}-${i}`}>
                <td className="nowrap">
                  <time dateTime={s.at}>{formatTime(s.at, zone)}</time>
                </td>
                <td className="nowrap">{s.samples > 1 ? <time dateTime={s.lastAt}>{formatTimeAfter(s.lastAt, s.at, zone)}</time> : <span className="muted">—</span>}</td>
                <td className="num">{s.samples.toLocaleString('en-US')}</td>
                {/* The API server's endpoint path only (its full name in the title), so a phone's row stays one line high. */}
                <td className="nowrap" title={componentName(s.probe)}>
                  {s.probe === 'apiserver-readyz' ? '/readyz' : '/livez'}
                </td>
                <td>
                  <StatusBadge status={s.status} />
                </td>
                {/* At least a phrase wide: on a phone a long "down" reason wrapped one word per line, a row taller than the screen. */}
                <td className="run-reason">{s.reason}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </>
  );
}
