import type { Metadata } from 'next';
import Link from 'next/link';
import { AlertsTabs, OutcomeBadge } from '@/components/alerts/alerts-tabs';
import { requirePage } from '@/lib/auth/page';
import { listChannels } from '@/lib/data/channels';
import { listDeliveryAttempts } from '@/lib/data/deliveries';
import { formatTime } from '@/lib/format';
import { queryString } from '../../_lib/search-params';
import { DELIVERY_PAGE_SIZE, OUTCOMES, parseDeliveryQuery } from './search-params';
import { DataTable } from '@/components/data-table';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Delivery log' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Every HTTP attempt to a channel: when, where, what it answered, what it carried. */
export default async function DeliveriesPage({ searchParams }: Props) {
  await requirePage();
  const sp = await searchParams;
  const parsed = parseDeliveryQuery(sp);
  const query = parsed.ok ? parsed.query : { page: 1 };
  const channels = await listChannels();
  const channel = query.channel ? channels.find((c) => c.id === query.channel || c.name === query.channel) : undefined;
  const { attempts, total } = await listDeliveryAttempts({ ...(channel ? { channelId: channel.id } : {}), ...(query.outcome ? { outcome: query.outcome } : {}) }, { limit: DELIVERY_PAGE_SIZE, offset: (query.page - 1) * DELIVERY_PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(total / DELIVERY_PAGE_SIZE));
  return (
    <>
      <h1>Delivery log</h1>
      <AlertsTabs current="deliveries" />
      {!parsed.ok ? (
        <p className="form-error" role="alert">
          <code>invalid-input</code>: {parsed.message} — showing everything instead.
        </p>
      ) : null}
      <form className="card filter-form row row-end" method="get" aria-label="Filter the delivery log">
        <div className="field">
          <label htmlFor="dl-channel">Channel</label>
          <select id="dl-channel" name="channel" defaultValue={channel?.name ?? ''}>
            <option value="">every channel</option>
            {channels.map((c) => (
              <option key={c.id} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="dl-outcome">Outcome</label>
          <select id="dl-outcome" name="outcome" defaultValue={query.outcome ?? ''}>
            <option value="">any</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary">
          Filter
        </button>
        <Link href="/alerts/deliveries">Clear</Link>
      </form>
      <p className="muted">
        {total} {total === 1 ? 'attempt' : 'attempts'} in the last 30 days{pages > 1 ? ` · page ${query.page} of ${pages}` : ''} · retries back off 1 s, 2 s, 4 s … up to 5 min on 5xx, 408, 429 and timeouts; any other 4xx is not retried.
      </p>
      {attempts.length === 0 ? (
        <p className="muted">Nothing sent{channel || query.outcome ? ' for this filter' : ' yet'}.</p>
      ) : (
        <DataTable testId="delivery-log" className="stack-table" caption="HTTP attempts, newest first" columns={['When', 'Channel', 'Outcome', 'Answer', 'Carried']}>
          {attempts.map((a) => (
            <tr key={a.id}>
              <td className="audit-when" data-label="When">{formatTime(a.at)}</td>
              <th scope="row" data-label="Channel">
                {a.channelName}
                <div className="muted">
                  {a.kind} → <span className="mono">{a.target}</span>
                </div>
              </th>
              <td data-label="Outcome">
                <OutcomeBadge value={a.outcome} />
              </td>
              <td data-label="Answer">
                {a.httpStatus === null ? <span className="muted">no answer</span> : <span className="mono">HTTP {a.httpStatus}</span>} <span className="muted">in {a.durationMs} ms</span>
                {a.error ? <div className="field-error delivery-error">{a.error}</div> : null}
              </td>
              <td className="alert-summary" data-label="Carried">
                {a.notifications} notification{a.notifications === 1 ? '' : 's'}: {a.summary}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {pages > 1 ? (
        <nav aria-label="Pages" className="row">
          {query.page > 1 ? <Link href={`/alerts/deliveries${queryString({ channel: channel?.name, outcome: query.outcome, page: query.page - 1 })}`}>← newer</Link> : null}
          {query.page < pages ? <Link href={`/alerts/deliveries${queryString({ channel: channel?.name, outcome: query.outcome, page: query.page + 1 })}`}>older →</Link> : null}
        </nav>
      ) : null}
    </>
  );
}
