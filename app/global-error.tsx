'use client';

// Last resort when the root layout itself fails: own <html>/<body>, no app styles.
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest =
    typeof error === 'object' && error !== null && 'digest' in error && typeof error.digest === 'string' ? error.digest : undefined;
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', padding: '2rem' }}>
        <h1>Quorum could not render this page</h1>
        <p>{error instanceof Error ? error.message : String(error)}</p>
        {digest ? <p>Error id {digest} (see the server log).</p> : null}
        <button type="button" onClick={() => retry()}>
          Try again
        </button>
      </body>
    </html>
  );
}
