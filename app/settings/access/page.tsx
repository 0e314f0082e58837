import type { Metadata } from 'next';
import { AddUserForm, ConfirmRemove, CreateTokenForm, UserDisableButton, UserRoleSelect } from '@/components/auth/access-forms';
import { requirePage } from '@/lib/auth/page';
import { listApiTokens, listUsers } from '@/lib/data/auth';
import { formatTime } from '@/lib/format';
import { ACTIONS_HEADER, DataTable } from '@/components/data-table';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Users & tokens' };

const when = (iso: string | null): string => (iso ? formatTime(new Date(iso)) : '—');

export default async function AccessPage() {
  const me = await requirePage('access:manage');
  const [users, tokens] = await Promise.all([listUsers(), listApiTokens()]);
  return (
    <>
      <h1>Users &amp; tokens</h1>
      <section className="card" aria-labelledby="users-title">
        <h2 id="users-title" className="mt-0">
          Users
        </h2>
        <p className="muted">viewer: reads everything · editor: also SLO policies, maintenance, labels, extra Leases and DNS servers · admin: also clusters, users and tokens.</p>
        <DataTable testId="users-table" caption="Accounts that can sign in" columns={['User', 'Role', 'Sign-in', 'Last sign-in', ACTIONS_HEADER]}>
          {users.map((u) => (
            <tr key={u.id}>
              <th scope="row">
                {u.name}
                {u.displayName ? <span className="muted"> · {u.displayName}</span> : null}
                {u.disabled ? <span className="role-tag"> disabled</span> : null}
              </th>
              <td>{u.id === me.userId ? <span className="role-tag">{u.role} (you)</span> : <UserRoleSelect id={u.id} name={u.name} role={u.role} />}</td>
              <td>{[u.local ? 'password' : null, u.oidc ? 'single sign-on' : null].filter(Boolean).join(', ') || 'single sign-on (not linked yet)'}</td>
              <td>{when(u.lastLoginAt)}</td>
              <td>
                {u.id === me.userId ? null : (
                  <span className="row">
                    <UserDisableButton id={u.id} name={u.name} disabled={u.disabled} />
                    <ConfirmRemove url={`/api/users/${encodeURIComponent(u.id)}`} what={`user ${u.name}`} />
                  </span>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
        <h3 className="mt-1-5">Add a user</h3>
        <AddUserForm />
      </section>
      <section className="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title" className="mt-0">
          API tokens
        </h2>
        <p className="muted">For the CLI, scripts and metric scrapers. A token has a role like a user; it is shown once and stored only as a hash.</p>
        {tokens.length === 0 ? (
          <p className="muted">No tokens yet.</p>
        ) : (
          <DataTable testId="tokens-table" caption="API tokens" columns={['Token', 'Role', 'Created', 'Last used', 'Expires', 'State', ACTIONS_HEADER]}>
            {tokens.map((t) => (
              <tr key={t.id}>
                <th scope="row">
                  {t.name} <span className="mono muted">{t.prefix}…</span>
                </th>
                <td>{t.role}</td>
                <td>
                  {when(t.createdAt)} <span className="muted">by {t.createdBy}</span>
                </td>
                <td>{t.lastUsedAt ? when(t.lastUsedAt) : 'never'}</td>
                <td>{t.expiresAt ? when(t.expiresAt) : 'never'}</td>
                <td>{t.revokedAt ? `revoked ${when(t.revokedAt)} by ${t.revokedBy ?? '?'}` : t.active ? 'active' : 'expired'}</td>
                <td>{t.revokedAt ? null : <ConfirmRemove url={`/api/tokens/${encodeURIComponent(t.id)}`} what={`token ${t.name}`} verb="Revoke" />}</td>
              </tr>
            ))}
          </DataTable>
        )}
        <h3 className="mt-1-5">Create a token</h3>
        <CreateTokenForm />
      </section>
    </>
  );
}
