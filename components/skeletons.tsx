// Loading placeholders: a page's (its loading.tsx) and a card's (a Suspense fallback).

/** A page while it loads: its title bar and `cards` card-sized blocks (`cardHeight` for a taller one, e.g. a form). */
export function PageSkeleton({ titleWidth = '14rem', cards = 2, cardHeight, label = 'Loading…' }: { titleWidth?: string; cards?: number; cardHeight?: string; label?: string }) {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="sr-only">{label}</p>
      <div className="skeleton skeleton-title" style={{ width: titleWidth }} />
      {Array.from({ length: cards }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: identical placeholders; the position is their only identity.
        <div key={i} className="skeleton skeleton-card" style={cardHeight ? { height: cardHeight } : undefined} />
      ))}
    </div>
  );
}

/** One card, titled, while its data loads. */
export function CardSkeleton({ title }: { title: string }) {
  return (
    <section className="card" aria-busy="true">
      <h2 className="mt-0">{title}</h2>
      <div className="skeleton skeleton-card-body" />
      <p className="sr-only">Loading…</p>
    </section>
  );
}
