import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { AutoRefresh } from '@/components/auto-refresh';
import { FleetList } from '@/components/fleet/fleet-list';
import { WindowPicker } from '@/components/window-picker';
import { DASHBOARD_WINDOWS, type DashboardWindow } from '@/lib/data/dashboard';
import { listClusters } from '@/lib/data/clusters';
import { overviewHref, parseOverviewQuery } from './search-params';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Overview' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function OverviewPage({ searchParams }: Props) {
  const me = await requirePage();
  const admin = can(me.role, 'clusters:write');
  const { query, errors } = parseOverviewQuery(await searchParams);
  const clusters = await listClusters();
  const labels = [...new Set(clusters.flatMap((c) => Object.entries(c.labels).map(([k, v]) => `${k}=${v}`)))].sort();
  const hrefs = Object.fromEntries(DASHBOARD_WINDOWS.map((w) => [w, overviewHref(query, { window: w })])) as Record<DashboardWindow, string>;
  return (
    <>
      <AutoRefresh seconds={10} />
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
          <form method="get" action="/" role="search" aria-label="Filter clusters" className="filter-form">
            <input type="hidden" name="window" value={query.window} />
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
            <button type="submit">Filter</button>
            {query.q || query.label ? <Link href={overviewHref(query, { q: undefined, label: undefined })}>Clear</Link> : null}
          </form>
          <WindowPicker current={query.window} hrefs={hrefs} />
        </div>
      ) : null}
      <Suspense key={`${query.window}|${query.q ?? ''}|${query.label ?? ''}`} fallback={<FleetSkeleton />}>
        <FleetList window={query.window} q={query.q} label={query.label} emptyState={<EmptyState admin={admin} />} />
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
