'use client';
// (Only "Quorum itself" uses it; the dashboard pages have components/live-status.tsx, which also says how fresh they are.)

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/** Re-renders the current server page every `seconds` (no full reload, keeps scroll and focus). */
export function AutoRefresh({ seconds }: { seconds: number }) {
  const router = useRouter();
  useEffect(() => {
    const id = window.setInterval(() => {
      if (document.visibilityState === 'visible') router.refresh();
    }, seconds * 1000);
    return () => window.clearInterval(id);
  }, [router, seconds]);
  return null;
}
