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
    // biome-ignore lint/suspicious/noDocumentCookie: the server renders times in this zone, so it must be a cookie; document.cookie works in every browser the Cookie Store API does not yet.
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
    // biome-ignore lint/a11y/useSemanticElements: a toggle of two buttons, not a set of form fields; <fieldset> would add form semantics and its own box.
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
