// Tabs of one cluster (plain links; the time range travels along): the overview (summary, component
// grid, state timeline) first; SLO, outages, failovers, checks and history one click away.
import Link from 'next/link';

export const CLUSTER_TABS = [
  { key: 'overview', label: 'Overview', sub: '' },
  { key: 'slo', label: 'SLO & budget', sub: '/slo' },
  { key: 'outages', label: 'Outages', sub: '/outages' },
  { key: 'failovers', label: 'Failovers', sub: '/failovers' },
  { key: 'checks', label: 'Checks', sub: '/checks' },
  { key: 'history', label: 'History', sub: '/history' },
  { key: 'settings', label: 'Settings', sub: '/settings' },
] as const;
export type ClusterTab = (typeof CLUSTER_TABS)[number]['key'];

export function ClusterTabs({ id, current, query }: { id: string; current: ClusterTab; query?: URLSearchParams }) {
  const base = `/clusters/${encodeURIComponent(id)}`;
  const q = query?.toString() ? `?${query.toString()}` : '';
  return (
    <nav aria-label="Cluster sections">
      <ul className="tabs">
        {CLUSTER_TABS.map((t) => (
          <li key={t.key}>
            <Link href={`${base}${t.sub}${t.key === 'settings' ? '' : q}`} aria-current={t.key === current ? 'page' : undefined}>
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
