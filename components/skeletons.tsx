// Loading placeholders: a page's (its loading.tsx) and a card's (a Suspense fallback).

/** A page while it loads: its title bar and `cards` card-sized blocks. */
export function PageSkeleton({ titleWidth = '14rem', cards = 2, label = 'Loading…' }: { titleWidth?: string; cards?: number; label?: string }) {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="sr-only">{label}</p>
      <div className="skeleton" style={{ width: titleWidth, height: '2rem', marginBottom: '1rem' }} />
      {Array.from({ length: cards }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: identical placeholders; the position is their only identity.
        <div key={i} className="skeleton skeleton-card" />
      ))}
    </div>
  );
}

/** One card, titled, while its data loads. */
export function CardSkeleton({ title }: { title: string }) {
  return (
    <section className="card" aria-busy="true">
      <h2 className="mt-0">{title}</h2>
      <div className="skeleton" style={{ height: '8rem' }} />
      <p className="sr-only">Loading…</p>
    </section>
  );
}
