import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/page';
import { listAudit } from '@/lib/data/audit';
import { formatTime } from '@/lib/format';
import { queryString } from '../../_lib/search-params';
import { AUDIT_PAGE_SIZE, parseAuditQuery } from './search-params';
import { DataTable } from '@/components/data-table';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Audit log' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const ACTIONS = ['cluster.', 'maintenance.', 'slo-policy.', 'user.', 'token.', 'auth.', 'keys.'];

/** Every change: who (user, token or CLI), role, what, before → after, when, from where. Filterable; CSV. */
export default async function AuditPage({ searchParams }: Props) {
  await requirePage();
  const sp = await searchParams;
  const parsed = parseAuditQuery(sp);
  const raw = Object.fromEntries(Object.entries(sp).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])) as Record<string, string | undefined>;
  const query = parsed.ok ? parsed.query : { filter: {}, page: 1 };
  const { events, total } = await listAudit(query.filter, { limit: AUDIT_PAGE_SIZE, offset: (query.page - 1) * AUDIT_PAGE_SIZE });
  const filterParams = { actor: raw.actor, action: raw.action, q: raw.q, since: raw.since, until: raw.until };
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  return (
    <>
      <div className="page-head">
        <h1>Audit log</h1>
        <a className="button" href={`/api/audit/csv${queryString(filterParams)}`} download>
          Download CSV
        </a>
      </div>
      {!parsed.ok ? (
        <p className="form-error" role="alert">
          <code>invalid-input</code>: {parsed.message} — showing everything instead.
        </p>
      ) : null}
      <form className="card filter-form row row-end" method="get" aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="audit-q">Text</label>
          <input id="audit-q" type="search" name="q" defaultValue={raw.q ?? ''} placeholder="cluster name, user…" />
        </div>
        <div className="field">
          <label htmlFor="audit-actor">Who (exact)</label>
          <input id="audit-actor" type="search" name="actor" defaultValue={raw.actor ?? ''} placeholder="alice, token:ci" />
        </div>
        <div className="field">
          <label htmlFor="audit-action">What</label>
          <select id="audit-action" name="action" defaultValue={raw.action ?? ''}>
            <option value="">every change</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}*
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-since">Since (UTC)</label>
          <input id="audit-since" name="since" type="date" defaultValue={raw.since ?? ''} />
        </div>
        <div className="field">
          <label htmlFor="audit-until">Until (UTC)</label>
          <input id="audit-until" name="until" type="date" defaultValue={raw.until ?? ''} />
        </div>
        <button type="submit" className="primary">
          Filter
        </button>
        <Link href="/settings/audit">Clear</Link>
      </form>
      <p className="muted">
        {total} {total === 1 ? 'entry' : 'entries'}
        {pages > 1 ? ` · page ${query.page} of ${pages}` : ''}
      </p>
      {events.length === 0 ? (
        <p className="muted">Nothing recorded{Object.values(filterParams).some(Boolean) ? ' for this filter' : ' yet'}.</p>
      ) : (
        <DataTable testId="audit-table" caption="Changes, newest first" columns={['When', 'Who', 'What', 'Before → after', 'From']}>
          {events.map((e) => (
            <tr key={e.id}>
              <td className="audit-when">{formatTime(new Date(e.at))}</td>
              <td>
                {e.actor} {e.role ? <span className="role-tag">{e.role}</span> : null}
              </td>
              <th scope="row">
                <code>{e.action}</code>
                {e.action.endsWith('-retroactive') ? <span className="badge-retroactive"> retroactive</span> : null}
                <br />
                {e.target}
              </th>
              <td className="audit-diff">
                {e.before ?? '—'} → {e.after ?? '—'}
              </td>
              <td className="mono">{e.clientAddress ?? '—'}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {pages > 1 ? (
        <nav aria-label="Pages" className="row">
          {query.page > 1 ? <Link href={`/settings/audit${queryString({ ...filterParams, page: String(query.page - 1) })}`}>← newer</Link> : null}
          {query.page < pages ? <Link href={`/settings/audit${queryString({ ...filterParams, page: String(query.page + 1) })}`}>older →</Link> : null}
        </nav>
      ) : null}
    </>
  );
}
