'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { requestJson } from '@/components/request-json';

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
    const r = await requestJson('DELETE', `/api/clusters/${encodeURIComponent(id)}`);
    if (!r.ok) {
      setError(r.error.class === 'network' ? r.error.message : `${r.error.class}: ${r.error.message}`);
      setBusy(false);
      return;
    }
    router.push('/');
    router.refresh();
  }

  if (!confirming) {
    return (
      <button type="button" onClick={() => setConfirming(true)}>
        Remove cluster
      </button>
    );
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: a confirm/cancel pair of buttons, not a set of form fields; <fieldset> would add form semantics and its own box.
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
