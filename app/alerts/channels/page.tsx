import type { Metadata } from 'next';
import { AddChannelForm, ChannelEnableToggle, EditChannelForm, SendTestButton } from '@/components/alerts/forms';
import { AlertsTabs, SeverityChip } from '@/components/alerts/alerts-tabs';
import { ConfirmRemove } from '@/components/settings/forms';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import { listChannels } from '@/lib/data/channels';
import { countDeliveries } from '@/lib/data/deliveries';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Notification channels' };

const KIND: Record<string, string> = { alertmanager: 'Alertmanager', slack: 'Slack-compatible', webhook: 'Webhook (signed)' };

/** Where notifications go. Everyone sees the list (hosts only); admins add, change, test and remove. */
export default async function ChannelsPage() {
  const me = await requirePage();
  const admin = can(me.role, 'channels:write');
  const channels = await listChannels();
  const counts = await countDeliveries(channels.map((c) => c.id));
  return (
    <>
      <h1>Notification channels</h1>
      <AlertsTabs current="channels" />
      <section className="card" aria-labelledby="channels-title">
        <h2 id="channels-title" className="mt-0">
          Channels
        </h2>
        {channels.length === 0 ? (
          <p className="muted">No channel yet: alerts are evaluated but sent nowhere.</p>
        ) : (
          <ul className="channel-list" aria-label="Channels">
            {channels.map((c) => {
              const n = counts.get(c.id) ?? {};
              return (
                <li key={c.id} className="channel" data-testid={`channel-${c.name}`}>
                  <div className="channel-head">
                    <h3>
                      {c.name} {c.enabled ? null : <span className="role-tag">disabled</span>}
                    </h3>
                    <span className="chip">{KIND[c.kind] ?? c.kind}</span>
                  </div>
                  <dl className="facts">
                    <div>
                      <dt>Target</dt>
                      <dd className="mono">{c.target}</dd>
                    </div>
                    <div>
                      <dt>From</dt>
                      <dd>
                        <SeverityChip severity={c.settings.minSeverity} /> {c.settings.minSeverity === 'info' ? 'everything' : c.settings.minSeverity === 'ticket' ? 'ticket and page' : 'page only'}
                      </dd>
                    </div>
                    <div>
                      <dt>Resolved</dt>
                      <dd>{c.kind === 'alertmanager' || c.settings.sendResolved ? 'sent' : 'not sent'}</dd>
                    </div>
                    <div>
                      <dt>Timeout</dt>
                      <dd>{c.settings.timeoutMs / 1000} s</dd>
                    </div>
                    <div>
                      <dt>Last 30 days</dt>
                      <dd>
                        {n.delivered ?? 0} delivered · {n.pending ?? 0} pending · {n.failed ?? 0} failed · {n.silenced ?? 0} silenced
                      </dd>
                    </div>
                    {c.has.hmacSecret ? (
                      <div>
                        <dt>Signed</dt>
                        <dd>HMAC-SHA256</dd>
                      </div>
                    ) : null}
                  </dl>
                  {admin ? (
                    <div className="channel-actions">
                      <SendTestButton id={c.id} name={c.name} />
                      <div className="row">
                        <ChannelEnableToggle id={c.id} name={c.name} enabled={c.enabled} />
                        <ConfirmRemove url={`/api/channels/${encodeURIComponent(c.id)}`} what={`channel ${c.name}`} />
                      </div>
                      <EditChannelForm id={c.id} name={c.name} kind={c.kind} settings={c.settings} />
                    </div>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
      </section>
      {admin ? (
        <section className="card" aria-labelledby="add-title">
          <h2 id="add-title" className="mt-0">
            Add a channel
          </h2>
          <p className="muted">URLs, tokens and secrets are stored encrypted (like cluster credentials) and must pass the outbound policy: no metadata service, no loopback unless QUORUM_OUTBOUND_ALLOW_LOOPBACK=1.</p>
          <AddChannelForm />
        </section>
      ) : null}
    </>
  );
}
