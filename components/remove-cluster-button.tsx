'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';

/** Two-step removal: "Remove cluster" asks for confirmation before DELETE /api/clusters/[id]. */
export function RemoveClusterButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/clusters/${encodeURIComponent(id)}`, { method: 'DELETE' });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { class: string; message: string } } | null;
        setError(body?.error ? `${body.error.class}: ${body.error.message}` : `HTTP ${res.status}`);
        setBusy(false);
        return;
      }
      router.push('/');
      router.refresh();
    } catch (e) {
      setError(`could not reach the Quorum server: ${String(e)}`);
      setBusy(false);
    }
  }

  if (!confirming) {
    return (
      <button type="button" onClick={() => setConfirming(true)}>
        Remove cluster
      </button>
    );
  }
  return (
    <div role="group" aria-label="Confirm removal" className="stack">
      <p>
        Remove <strong>{name}</strong>? Its stored credentials and all its samples are deleted.
      </p>
      <div className="row">
        <button ref={confirmRef} type="button" className="danger" onClick={remove} disabled={busy}>
          {busy ? 'Removing…' : `Yes, remove ${name}`}
        </button>
        <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
          Cancel
        </button>
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
