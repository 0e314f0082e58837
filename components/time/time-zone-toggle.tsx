'use client';

// UTC / local time, remembered per browser: a cookie the server reads (so it renders the same text the
// browser would: no flash, no hydration mismatch) and localStorage. "Local" is the browser's own IANA zone.
import { useRouter } from 'next/navigation';
import { useTransition } from 'react';

const COOKIE = 'quorum-tz';

export function TimeZoneToggle({ zone }: { zone: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const local = zone !== 'UTC';
  const set = (tz: string): void => {
    document.cookie = `${COOKIE}=${encodeURIComponent(tz)}; path=/; max-age=${400 * 86_400}; samesite=lax`;
    try {
      window.localStorage.setItem(COOKIE, tz);
    } catch {
      // storage disabled: the cookie is enough
    }
    start(() => router.refresh());
  };
  const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  return (
    <div className="tz-toggle" role="group" aria-label="Time zone">
      <button type="button" aria-pressed={!local} onClick={() => set('UTC')} disabled={pending}>
        UTC
      </button>
      <button type="button" aria-pressed={local} onClick={() => set(browserZone())} disabled={pending} title={local ? zone : 'your browser\u2019s time zone'}>
        Local
      </button>
    </div>
  );
}
