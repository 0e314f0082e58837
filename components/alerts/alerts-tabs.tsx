// Tabs of the alerting section: alerts and rules, channels, delivery log (plain links).
import Link from 'next/link';

export function AlertsTabs({ current }: { current: 'alerts' | 'channels' | 'deliveries' }) {
  const tabs = [
    { key: 'alerts', label: 'Alerts & rules', href: '/alerts' },
    { key: 'channels', label: 'Channels', href: '/alerts/channels' },
    { key: 'deliveries', label: 'Delivery log', href: '/alerts/deliveries' },
  ] as const;
  return (
    <nav aria-label="Alerting sections">
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

/** "page" / "ticket" / "info" as a chip that differs by colour, border and text. */
export function SeverityChip({ severity }: { severity: string }) {
  return <span className={`alert-chip severity-${severity}`}>{severity}</span>;
}

const OUTCOME_CLASS: Record<string, string> = { ok: 'status-up', delivered: 'status-up', retry: 'status-degraded', pending: 'status-degraded', failed: 'status-down', silenced: 'status-nodata', skipped: 'status-nodata' };

/** A delivery outcome or status as a badge (text always says it). */
export function OutcomeBadge({ value }: { value: string }) {
  return <span className={`status ${OUTCOME_CLASS[value] ?? 'status-unknown'}`}>{value}</span>;
}
