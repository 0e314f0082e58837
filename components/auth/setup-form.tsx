'use client';

import { useId, useState, type FormEvent } from 'react';
import { requestJson, type ApiErr } from '@/components/request-json';
import { Outcome } from '@/components/settings/forms';

/** The one-time setup link's form: the first admin's name and password → POST /api/setup. */
export function SetupForm({ token }: { token: string }) {
  const uid = useId();
  const [name, setName] = useState('admin');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErr | null>(null);
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (password !== again) {
      setError({ class: 'invalid-input', message: 'the two passwords differ' });
      return;
    }
    setBusy(true);
    setError(null);
    const r = await requestJson('POST', '/api/setup', { token, name, password });
    if (r.ok) {
      window.location.assign('/');
      return;
    }
    setError(r.error);
    setBusy(false);
  }
  return (
    <form onSubmit={onSubmit} aria-label="Create the first admin" noValidate>
      <div className="field">
        <label htmlFor={`${uid}-name`}>Admin user name</label>
        <input id={`${uid}-name`} autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${uid}-pw`}>Password (at least 12 characters)</label>
        <input id={`${uid}-pw`} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${uid}-pw2`}>Password again</label>
        <input id={`${uid}-pw2`} type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} />
      </div>
      <Outcome id={`${uid}-error`} error={error} />
      <button type="submit" className="primary wide" disabled={busy}>
        {busy ? 'Creating…' : 'Create admin and sign in'}
      </button>
    </form>
  );
}
