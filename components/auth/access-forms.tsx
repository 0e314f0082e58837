'use client';

// Users & tokens (admins): add a user, change a role, disable/enable, remove; create a token (shown
// once) and revoke one. Every action is a JSON call to /api/users or /api/tokens; the server decides.
import { useId, useState, type FormEvent } from 'react';
import { ROLES, type Role } from '@/lib/auth/roles';
import { ConfirmRemove, Field, Outcome, useSubmit, type ApiErr } from '@/components/settings/forms';
import { requestJson } from '@/components/request-json';

export function AddUserForm() {
  const uid = useId();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const s = useSubmit();
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const ok = await s.run('POST', '/api/users', { name: name.trim(), role, ...(password ? { password } : {}) }, `User ${name.trim()} added.`);
    if (ok) {
      setName('');
      setPassword('');
    }
  }
  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label="Add a user">
      <div className="row row-end">
        <Field id={`${uid}-name`} label="User name">
          <input id={`${uid}-name`} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <Field id={`${uid}-role`} label="Role">
          <select id={`${uid}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${uid}-pw`} label="Password (empty: single sign-on only)">
          <input id={`${uid}-pw`} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
        </Field>
        <button type="submit" className="primary" disabled={s.busy || name.trim() === ''}>
          {s.busy ? 'Adding…' : 'Add user'}
        </button>
      </div>
      <Outcome id={`${uid}-err`} error={s.error} saved={s.saved} />
    </form>
  );
}

export function UserRoleSelect({ id, name, role }: { id: string; name: string; role: Role }) {
  const s = useSubmit();
  return (
    <span className="row">
      <label className="sr-only" htmlFor={`role-${id}`}>
        Role of {name}
      </label>
      <select id={`role-${id}`} value={role} disabled={s.busy} onChange={(e) => void s.run('PATCH', `/api/users/${encodeURIComponent(id)}`, { role: e.target.value }, 'Role changed.')}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      {s.error ? (
        <span className="field-error" role="alert">
          {s.error.class}: {s.error.message}
        </span>
      ) : null}
      {s.saved ? (
        <span className="muted" role="status">
          {s.saved}
        </span>
      ) : null}
    </span>
  );
}

export function UserDisableButton({ id, name, disabled }: { id: string; name: string; disabled: boolean }) {
  const s = useSubmit();
  return (
    <span className="row">
      <button type="button" disabled={s.busy} onClick={() => void s.run('PATCH', `/api/users/${encodeURIComponent(id)}`, { disabled: !disabled }, disabled ? 'Enabled.' : 'Disabled.')} aria-label={`${disabled ? 'Enable' : 'Disable'} ${name}`}>
        {disabled ? 'Enable' : 'Disable'}
      </button>
      {s.error ? (
        <span className="field-error" role="alert">
          {s.error.class}: {s.error.message}
        </span>
      ) : null}
      {s.saved ? (
        <span className="muted" role="status">
          {s.saved}
        </span>
      ) : null}
    </span>
  );
}

export { ConfirmRemove };

export function CreateTokenForm() {
  const uid = useId();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [days, setDays] = useState('90');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErr | null>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const d = days.trim() === '' ? null : Number(days);
    const r = await requestJson('POST', '/api/tokens', { name: name.trim(), role, expiresInDays: d });
    setBusy(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setCreated({ name: name.trim(), token: (r.data as { token: string }).token });
    setName('');
  }
  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label="Create an API token">
      <div className="row row-end">
        <Field id={`${uid}-name`} label="Token name">
          <input id={`${uid}-name`} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" placeholder="e.g. prometheus scraper" />
        </Field>
        <Field id={`${uid}-role`} label="Role">
          <select id={`${uid}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${uid}-days`} label="Expires after (days; empty: never)">
          <input id={`${uid}-days`} type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} style={{ width: '8rem' }} />
        </Field>
        <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
          {busy ? 'Creating…' : 'Create token'}
        </button>
      </div>
      <Outcome id={`${uid}-err`} error={error} saved={null} />
      {created ? (
        <div className="secret-once" role="status" data-testid="new-token">
          <p className="mt-0">
            Token <strong>{created.name}</strong> — copy it now, it is shown only once (Quorum keeps only its hash):
          </p>
          <code>{created.token}</code>
          <p className="muted mb-0">
            Use it as <code>Authorization: Bearer …</code>, or <code>QUORUM_URL=… QUORUM_TOKEN=… npm run quorum -- --server $QUORUM_URL cluster list</code>. Reload the page to see it in the list.
          </p>
        </div>
      ) : null}
    </form>
  );
}
