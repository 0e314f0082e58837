// Tabs of one cluster: overview, failovers, settings (plain links; the window travels along).
import Link from 'next/link';
import type { DashboardWindow } from '@/lib/data/dashboard';

export function ClusterTabs({ id, current, window }: { id: string; current: 'overview' | 'failovers' | 'settings'; window?: DashboardWindow }) {
  const base = `/clusters/${encodeURIComponent(id)}`;
  const w = window ? `?window=${window}` : '';
  const tabs = [
    { key: 'overview', label: 'Overview', href: `${base}${w}` },
    { key: 'failovers', label: 'Failovers', href: `${base}/failovers${w}` },
    { key: 'settings', label: 'Settings', href: `${base}/settings` },
  ] as const;
  return (
    <nav aria-label="Cluster sections">
      <ul className="tabs">
        {tabs.map((t) => (
          <li key={t.key}>
            <Link href={t.href} aria-current={t.key === current ? 'page' : undefined}>
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
