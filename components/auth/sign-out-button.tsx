'use client';

import { useState } from 'react';
import { requestJson } from '@/components/request-json';

/** POST /api/auth/logout (JSON, same origin), then back to the sign-in page. */
export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  async function signOut() {
    setBusy(true);
    await requestJson('POST', '/api/auth/logout', {}); // signed out or not, the sign-in page comes next
    window.location.assign('/signin');
  }
  return (
    <button type="button" className="link-button" onClick={signOut} disabled={busy}>
      {busy ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
