'use client';

import { useId, useState, type FormEvent } from 'react';
import { requestJson, type ApiErr } from '@/components/request-json';
import { Outcome } from '@/components/settings/forms';

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
    const r = await requestJson('POST', '/api/auth/login', { name, password });
    if (r.ok) {
      window.location.assign(next);
      return;
    }
    setError(r.error);
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
      <Outcome id={`${uid}-error`} error={error} />
      <button type="submit" className="primary wide" disabled={busy || name === '' || password === ''}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
