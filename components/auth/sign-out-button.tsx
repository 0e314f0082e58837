'use client';

import { useState } from 'react';

/** POST /api/auth/logout (JSON, same origin), then back to the sign-in page. */
export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  async function signOut() {
    setBusy(true);
    await fetch('/api/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(() => undefined);
    window.location.assign('/signin');
  }
  return (
    <button type="button" className="link-button" onClick={signOut} disabled={busy}>
      {busy ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
