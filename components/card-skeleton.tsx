// Placeholder of a card while it streams in (each card has its own Suspense boundary).
export function CardSkeleton({ title, height = '5rem' }: { title: string; height?: string }) {
  return (
    <section className="card" aria-busy="true" data-testid="card-skeleton">
      <h2 style={{ marginTop: 0 }}>{title}</h2>
      <div className="skeleton" style={{ height: '1rem', width: '60%', marginBottom: '0.5rem' }} />
      <div className="skeleton" style={{ height }} />
      <p className="sr-only">Loading…</p>
    </section>
  );
}
