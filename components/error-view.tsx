'use client';

import { useEffect, useState } from 'react';

interface DbState {
  ok: boolean;
  kind?: string;
  error?: string;
}

/**
 * Body of every segment's error.tsx: says what failed, offers a retry. In production the server's
 * message is withheld from the browser, so when the cause is the database it asks /api/healthz
 * (which answers within its own deadline) and says so, classified.
 */
export function ErrorView({ error, retry, what }: { error: unknown; retry: () => void; what: string }) {
  const [db, setDb] = useState<DbState | null>(null);
  useEffect(() => {
    console.error(error);
    const ac = new AbortController();
    fetch('/api/healthz', { cache: 'no-store', signal: ac.signal })
      .then((r) => r.json() as Promise<{ db?: DbState }>)
      .then((h) => setDb(h.db ?? null))
      .catch(() => undefined);
    return () => ac.abort();
  }, [error]);
  const digest =
    typeof error === 'object' && error !== null && 'digest' in error && typeof error.digest === 'string'
      ? error.digest
      : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const dbDown = db !== null && !db.ok;
  const dbClass = db?.kind === 'busy' || db?.kind === 'deadlock' || db?.kind === 'serialization' ? 'database-busy' : 'database-unavailable';
  return (
    <section className="card" role="alert" aria-labelledby="error-title">
      <h1 id="error-title">Could not load {what}</h1>
      {dbDown ? (
        <>
          <p>
            <code>{dbClass}</code>: {db.error}
          </p>
          <p className="muted">The collector keeps probing while the database cannot answer; its samples wait on disk and appear here once it is back.</p>
        </>
      ) : (
        <p>{message}</p>
      )}
      {digest ? <p className="muted">Error id {digest} (see the server log).</p> : null}
      <button type="button" className="primary" onClick={() => retry()}>
        Try again
      </button>
    </section>
  );
}
