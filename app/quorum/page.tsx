import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AutoRefresh } from '@/components/auto-refresh';
import { CollectorsCard, TakeoversCard, UnownedCard } from '@/components/quorum/quorum-itself';
import { WindowToolbar } from '@/components/window-picker';
import { requirePage } from '@/lib/auth/page';
import { getQuorumItself } from '@/lib/data/collectors';
import { presetMs, RANGE_PRESETS, type RangePreset } from '@/lib/slo/range';
import { formatGap } from '@/lib/format';
import { parseQuorumWindow } from './search-params';
import { CardSkeleton } from '@/components/skeletons';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Quorum itself' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const hrefs = Object.fromEntries(RANGE_PRESETS.map((w) => [w, `/quorum?window=${w}`])) as Record<RangePreset, string>;

export default async function QuorumItselfPage({ searchParams }: Props) {
  await requirePage();
  const { window, error } = parseQuorumWindow(await searchParams);
  const now = Date.now();
  return (
    <>
      <AutoRefresh seconds={10} />
      <div className="page-head">
        <h1>Quorum itself</h1>
        <p className="muted">The collectors that probe the fleet, which one probes which cluster, and every takeover between them — measured like a Lease failover.</p>
      </div>
      <WindowToolbar current={window} hrefs={hrefs} error={error} />
      <Suspense fallback={<CardSkeleton title="Collectors" />}>
        <Body now={now} window={window} />
      </Suspense>
    </>
  );
}

async function Body({ now, window }: { now: number; window: RangePreset }) {
  const q = await getQuorumItself({ since: new Date(now - presetMs(window)), now });
  const live = q.collectors.filter((c) => c.state === 'live').length;
  const owned = q.clusters - q.unowned.length;
  return (
    <>
      <section className="card" aria-labelledby="mode-title" data-testid="quorum-summary">
        <h2 id="mode-title" className="mt-0">
          {q.mode === 'ha' ? 'High availability on PostgreSQL' : 'Single collector on SQLite'}
        </h2>
        <dl className="facts">
          <div>
            <dt>Live collectors</dt>
            <dd data-testid="live-collectors">{live}</dd>
          </div>
          <div>
            <dt>Clusters probed</dt>
            <dd data-testid="clusters-owned">
              {owned} of {q.clusters}
            </dd>
          </div>
          <div>
            <dt>Takeovers, last {window}</dt>
            <dd data-testid="takeover-count">
              {q.stats.count} ({q.stats.crash} crash, {q.stats.graceful} graceful)
            </dd>
          </div>
          <div>
            <dt>Ownership gap p50 / p95 / max</dt>
            <dd>
              {formatGap(q.stats.p50GapMs)} / {formatGap(q.stats.p95GapMs)} / {formatGap(q.stats.maxGapMs)}
            </dd>
          </div>
          <div>
            <dt>Longest unprobed at a takeover</dt>
            <dd data-testid="max-probe-gap">{formatGap(q.stats.maxProbeGapMs)}</dd>
          </div>
        </dl>
        <p className="muted small">
          {q.mode === 'ha'
            ? `Each collector owns a share of the clusters through a PostgreSQL session advisory lock and heartbeats every ${q.heartbeatMs / 1000} s; when one dies its database session ends and the others take its clusters, probing them from the next cycle. A silent collector's session is ended by the server after ${q.sessionTimeoutMs / 1000} s.`
            : 'SQLite has one collector (an operating-system lock on the database file keeps a second one out); it probes every cluster. Use PostgreSQL to run several.'}
        </p>
      </section>
      {q.unowned.length > 0 ? <UnownedCard unowned={q.unowned} /> : null}
      <CollectorsCard collectors={q.collectors} now={now} />
      <TakeoversCard takeovers={q.takeovers} window={window} startMs={now - presetMs(window)} endMs={now} />
    </>
  );
}

