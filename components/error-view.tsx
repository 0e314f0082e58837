'use client';

import { useEffect } from 'react';

/** Body of every segment's error.tsx: says what failed, offers a retry. */
export function ErrorView({ error, retry, what }: { error: unknown; retry: () => void; what: string }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest =
    typeof error === 'object' && error !== null && 'digest' in error && typeof error.digest === 'string'
      ? error.digest
      : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <section className="card" role="alert" aria-labelledby="error-title">
      <h1 id="error-title">Could not load {what}</h1>
      <p>{message}</p>
      {digest ? <p className="muted">Error id {digest} (see the server log).</p> : null}
      <button type="button" className="primary" onClick={() => retry()}>
        Try again
      </button>
    </section>
  );
}
