import type { Metadata } from 'next';
import Link from 'next/link';
import { AlertSettingsForm } from '@/components/alerts/forms';
import { AlertsTabs, OutcomeBadge, SeverityChip } from '@/components/alerts/alerts-tabs';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import { getAlertsView } from '@/lib/data/alerts';
import { listRecentNotifications } from '@/lib/data/deliveries';
import { listChannels } from '@/lib/data/channels';
import { formatAge, formatTime } from '@/lib/format';
import { DataTable } from '@/components/data-table';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Alerts' };

const TRANSITION: Record<string, string> = { firing: 'firing', resolved: 'resolved', repeat: 'still firing (repeat)', event: 'event', test: 'test' };

/** What fires now, what was notified, and the rules (editors change them). */
export default async function AlertsPage() {
  const me = await requirePage();
  const edit = can(me.role, 'settings:write');
  const [view, notes, channels] = await Promise.all([getAlertsView(), listRecentNotifications(30), listChannels()]);
  const channelName = new Map(channels.map((c) => [c.id, c.name]));
  const firing = view.alerts.filter((a) => a.status === 'firing');
  return (
    <>
      <h1>Alerts</h1>
      <AlertsTabs current="alerts" />
      {channels.length === 0 ? (
        <p className="notice-line">
          No notification channel yet: alerts are evaluated and shown here, but sent nowhere. {can(me.role, 'channels:write') ? <Link href="/alerts/channels">Add a channel</Link> : 'An admin can add one.'}
        </p>
      ) : null}
      <section className="card" aria-labelledby="active-title">
        <h2 id="active-title" className="mt-0">
          Firing and pending <span className="muted">({firing.length} firing, {view.alerts.length - firing.length} pending)</span>
        </h2>
        {view.alerts.length === 0 ? (
          <p className="muted">Nothing fires and nothing is pending.</p>
        ) : (
          <DataTable testId="active-alerts" className="stack-table" caption="Alerts evaluated after the latest collector cycle: firing first, silenced last" columns={['Severity', 'Alert', 'Cluster · component', 'State', 'Summary']}>
            {view.alerts.map((a) => (
              <tr key={`${a.clusterId}-${a.rule}-${a.component}`}>
                <td data-label="Severity">
                  <SeverityChip severity={a.severity} />
                </td>
                <th scope="row" data-label="Alert">{a.alertname}</th>
                <td data-label="Cluster · component">
                  <Link href={`/clusters/${encodeURIComponent(a.clusterId)}`}>{a.clusterName}</Link> · <code>{a.component}</code>
                </td>
                <td data-label="State">
                  {a.status === 'firing' ? <span className="status status-down">firing</span> : <span className="status status-degraded">pending</span>} <span className="muted">since {formatTime(a.since)}</span>
                  {a.silencedBy ? (
                    <div>
                      <span className="badge-silenced">silenced by maintenance “{a.silencedBy}”</span>
                    </div>
                  ) : null}
                </td>
                <td className="alert-summary" data-label="Summary">{a.summary}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>

      <section className="card" aria-labelledby="notes-title">
        <div className="page-head">
          <h2 id="notes-title" className="mt-0">
            Recent notifications
          </h2>
          <Link href="/alerts/deliveries">Delivery log</Link>
        </div>
        {notes.length === 0 ? (
          <p className="muted">No notification yet.</p>
        ) : (
          <DataTable testId="notifications" className="stack-table" caption={<>The outbox, newest first: one row per transition, with each channel&apos;s delivery</>} columns={['When', 'Notification', 'Deliveries']}>
            {notes.map((n) => (
              <tr key={n.id}>
                <td className="audit-when" data-label="When">
                  {formatTime(n.createdAt)}
                  <div className="muted">{formatAge(n.createdAt)}</div>
                </td>
                <th scope="row" data-label="Notification">
                  <SeverityChip severity={n.severity} /> {TRANSITION[n.transition] ?? n.transition} · {n.alertname}
                  <div className="muted">
                    {n.clusterName} · <code>{n.component}</code>
                  </div>
                  <div className="alert-summary">{n.summary}</div>
                  {n.silencedBy ? <span className="badge-silenced">silenced by maintenance “{n.silencedBy}”</span> : null}
                </th>
                <td data-label="Deliveries">
                  {n.deliveries.length === 0 ? (
                    <span className="muted">no channel takes it</span>
                  ) : (
                    <ul className="plain-list">
                      {n.deliveries.map((d) => (
                        <li key={d.channelId}>
                          {channelName.get(d.channelId) ?? 'removed channel'} <OutcomeBadge value={d.status} />
                          {d.attempts > 1 ? <span className="muted"> after {d.attempts} attempts</span> : null}
                          {d.lastError && (d.status === 'failed' || d.status === 'pending') ? <div className="field-error delivery-error">{d.lastError}</div> : null}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>

      <section className="card" aria-labelledby="rules-title">
        <h2 id="rules-title" className="mt-0">
          Rules
        </h2>
        <p className="muted">
          Evaluated by the collector after every cycle from the stored samples: a state rule fires when its condition held for {view.settings.forCycles} consecutive cycles (no data: {view.settings.noDataMinutes} min),
          notifies again every {view.settings.repeatIntervalMinutes ? `${view.settings.repeatIntervalMinutes} min` : '— (never)'} while it fires, and notifies when it resolves. Notifications of one cluster are sent as one message.
          Maintenance windows silence them (shown above).
        </p>
        <DataTable testId="rules" className="stack-table" caption="Rules, their Alertmanager alertname and severity" columns={['Rule', 'alertname', 'Severity', 'On', 'What it checks']}>
          {view.rules.map((r) => (
            <tr key={r.id}>
              <th scope="row" data-label="Rule">{r.title}</th>
              <td data-label="alertname">
                <code>{r.alertname}</code>
              </td>
              <td data-label="Severity">
                <SeverityChip severity={r.severity} />
                {r.id === 'component-down' ? <span className="muted"> (ticket for a replica)</span> : null}
              </td>
              <td data-label="On">{r.enabled ? 'yes' : <span className="muted">off</span>}</td>
              <td className="alert-summary" data-label="What it checks">{r.description}</td>
            </tr>
          ))}
        </DataTable>
        {edit ? (
          <>
            <h3 className="mt-1">Change the rules</h3>
            <AlertSettingsForm settings={view.settings} rules={view.rules.map((r) => ({ id: r.id, title: r.title, enabled: r.enabled }))} />
          </>
        ) : null}
      </section>
    </>
  );
}
