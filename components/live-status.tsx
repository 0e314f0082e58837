'use client';

// Live updates without a reload: re-renders the server page every collector interval (router.refresh:
// keeps scroll, focus and form input) while the tab is visible, and says how fresh the page is.
//   "Live · updated 4 s ago"          the page re-rendered within 2 intervals and the data is fresh;
//   "Stale · no update for 45 s"      refreshes stopped arriving (server unreachable, laptop asleep);
//   "Stale · newest sample 3 min old" the page is fresh but the collector wrote nothing new.
// Only a change of state is announced to screen readers (the ticking seconds are not).
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.round(m / 60)} h`;
}

export function LiveStatus({ renderedAtMs, intervalMs, newestSampleMs, staleAfterMs }: { renderedAtMs: number; intervalMs: number; newestSampleMs: number | null; staleAfterMs: number }) {
  const router = useRouter();
  const [nowMs, setNow] = useState(renderedAtMs);
  useEffect(() => {
    const tick = window.setInterval(() => setNow(Date.now()), 1000);
    const refresh = window.setInterval(() => {
      if (document.visibilityState === 'visible') router.refresh();
    }, intervalMs);
    const onVisible = (): void => {
      if (document.visibilityState === 'visible') router.refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(tick);
      window.clearInterval(refresh);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [router, intervalMs]);
  const pageAge = nowMs - renderedAtMs;
  const pageStale = pageAge > 2 * intervalMs + 5_000;
  const dataAge = newestSampleMs === null ? null : renderedAtMs - newestSampleMs;
  const dataStale = dataAge !== null && dataAge > staleAfterMs;
  const state = pageStale ? 'page-stale' : dataStale ? 'data-stale' : 'live';
  const text = pageStale ? `Stale · no update for ${ago(pageAge)}` : dataStale ? `Stale · newest sample ${ago(dataAge)} old — is the collector running?` : `Live · updated ${ago(pageAge)} ago`;
  return (
    <p className={`live-status live-${state}`} data-testid="live-status" data-state={state} data-rendered-at={renderedAtMs}>
      <span aria-hidden="true" className="live-dot" />
      <span aria-hidden="true">{text}</span>
      <span className="sr-only" role="status">
        {state === 'live' ? 'Live: the page updates every collector interval' : text}
      </span>
    </p>
  );
}
