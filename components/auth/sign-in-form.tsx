'use client';

import { useId, useState, type FormEvent } from 'react';

type ApiErr = { class: string; message: string };

/** User name + password → POST /api/auth/login (JSON), then on to `next`. */
export function SignInForm({ next }: { next: string }) {
  const uid = useId();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErr | null>(null);
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
      if (res.ok) {
        window.location.assign(next);
        return;
      }
      const body = (await res.json().catch(() => null)) as { error?: ApiErr } | null;
      setError(body?.error ?? { class: 'internal', message: `HTTP ${res.status}` });
    } catch (err) {
      setError({ class: 'network', message: `could not reach the Quorum server: ${String(err)}` });
    }
    setBusy(false);
  }
  return (
    <form onSubmit={onSubmit} aria-label="Sign in with a password" noValidate>
      <div className="field">
        <label htmlFor={`${uid}-name`}>User name</label>
        <input id={`${uid}-name`} name="username" autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} required aria-invalid={error ? true : undefined} />
      </div>
      <div className="field">
        <label htmlFor={`${uid}-password`}>Password</label>
        <input id={`${uid}-password`} name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required aria-invalid={error ? true : undefined} />
      </div>
      <div aria-live="polite">
        {error ? (
          <p className="form-error" role="alert">
            <code>{error.class}</code>: {error.message}
          </p>
        ) : null}
      </div>
      <button type="submit" className="primary wide" disabled={busy || name === '' || password === ''}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
