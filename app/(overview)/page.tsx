import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { FleetView } from '@/components/fleet/fleet-view';
import { RangePicker } from '@/components/range-picker';
import { getDisplayZone } from '@/components/time/zone';
import { listClusters } from '@/lib/data/clusters';
import { labelOptions } from '@/lib/slo/fleet-view';
import { SLO_STATE_LABELS, SLO_STATES } from '@/lib/slo/state';
import { FLEET_VIEWS, overviewHref, overviewParams, parseOverviewQuery, type FleetView as View } from './search-params';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Overview' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const VIEW_LABEL: Record<View, string> = { table: 'Table', heatmap: 'Heatmap', cards: 'Cards' };

export default async function OverviewPage({ searchParams }: Props) {
  const me = await requirePage();
  const admin = can(me.role, 'clusters:write');
  const nowMs = Date.now();
  const { query, errors } = parseOverviewQuery(await searchParams, nowMs);
  const [clusters, zone] = await Promise.all([listClusters(), getDisplayZone()]);
  const labels = labelOptions(clusters);
  const keep = overviewParams(query);
  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        {clusters.length > 0 && admin ? (
          <Link href="/clusters/new" className="button">
            Add cluster
          </Link>
        ) : null}
      </div>
      {errors.length > 0 ? (
        <p className="form-error" role="alert">
          <code>invalid-input</code>: {errors.join('; ')} — showing the defaults instead.
        </p>
      ) : null}
      {clusters.length > 0 ? (
        <div className="toolbar">
          {/* biome-ignore lint/a11y/useSemanticElements: the search landmark sits on the GET form itself; wrapping it in <search> would add a second element for the same landmark. */}
          <form method="get" action="/" role="search" aria-label="Filter clusters" className="filter-form">
            {[...keep.entries()]
              .filter(([k]) => !['q', 'label', 'state'].includes(k))
              .map(([k, v]) => (
                <input key={k} type="hidden" name={k} value={v} />
              ))}
            <div className="field">
              <label htmlFor="fleet-q">Search by name</label>
              <input id="fleet-q" name="q" type="search" defaultValue={query.q ?? ''} autoComplete="off" />
            </div>
            <div className="field">
              <label htmlFor="fleet-label">Label</label>
              <select id="fleet-label" name="label" defaultValue={query.label ?? ''}>
                <option value="">any label</option>
                {labels.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="fleet-state">SLO state</label>
              <select id="fleet-state" name="state" defaultValue={query.states.length === 1 ? query.states[0] : ''}>
                <option value="">any state</option>
                {SLO_STATES.map((s) => (
                  <option key={s} value={s}>
                    {SLO_STATE_LABELS[s]}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit">Filter</button>
            {query.q || query.label || query.states.length ? <Link href={overviewHref(query, { q: undefined, label: undefined, states: [] })}>Clear</Link> : null}
          </form>
          <nav aria-label="View" className="window-picker">
            <ul>
              {FLEET_VIEWS.map((v) => (
                <li key={v}>
                  <Link href={overviewHref(query, { view: v })} aria-current={v === query.view ? 'page' : undefined} className={v === query.view ? 'active' : undefined}>
                    {VIEW_LABEL[v]}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <RangePicker path="/" keep={keep} range={query.range} zone={zone} />
        </div>
      ) : null}
      <Suspense key={keep.toString()} fallback={<FleetSkeleton />}>
        <FleetView query={query} nowMs={nowMs} zone={zone} emptyState={<EmptyState admin={admin} />} />
      </Suspense>
    </>
  );
}

function FleetSkeleton() {
  return (
    <div aria-busy="true" aria-live="polite" data-testid="fleet-skeleton">
      <p className="sr-only">Loading the fleet…</p>
      <div className="skeleton skeleton-card" />
      <div className="skeleton skeleton-card" />
    </div>
  );
}

function EmptyState({ admin }: { admin: boolean }) {
  if (!admin) {
    return (
      <section className="card empty-state" aria-labelledby="empty-title">
        <h2 id="empty-title">No clusters yet</h2>
        <p>An admin registers clusters (web: Add cluster, or <code>npm run quorum -- cluster add</code>). They will show up here.</p>
      </section>
    );
  }
  return (
    <section className="card empty-state" aria-labelledby="empty-title">
      <h2 id="empty-title">No clusters yet</h2>
      <p>Quorum watches the control plane of each cluster you register. To add your first one:</p>
      <ol>
        <li>
          In the browser: <Link href="/clusters/new">add a cluster</Link> by pasting or uploading its kubeconfig.
        </li>
        <li>
          Or from a terminal:
          <pre>npm run quorum -- cluster add --name N --kubeconfig PATH</pre>
        </li>
      </ol>
      <p>No cluster at hand? Start the local lab (a real multi-member control plane) and register it:</p>
      <pre>{'npm run lab -- up\nnpm run quorum -- cluster add --name lab --kubeconfig lab/.state/quorum.kubeconfig'}</pre>
    </section>
  );
}
