// The loading state of a page segment (each route's loading.tsx renders it): a title bar and cards.
export function PageLoading({ cards = 2, label = 'Loading…' }: { cards?: number; label?: string }) {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="sr-only">{label}</p>
      <div className="skeleton" style={{ width: '16rem', height: '2rem', marginBottom: '1rem' }} />
      {Array.from({ length: cards }, (_, i) => (
        <div key={i} className="skeleton skeleton-card" />
      ))}
    </div>
  );
}

export default PageLoading;
