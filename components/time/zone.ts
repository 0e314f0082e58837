// The display zone of this request (server components): the `quorum-tz` cookie the UTC / local toggle
// sets (components/time/time-zone-toggle.tsx), validated; UTC without it. Cached per request.
import { cache } from 'react';
import { cookies } from 'next/headers';
import { isValidTimeZone, UTC, type DisplayZone } from '@/lib/format';

const ZONE_COOKIE = 'quorum-tz';

export const getDisplayZone = cache(async (): Promise<DisplayZone> => {
  const v = (await cookies()).get(ZONE_COOKIE)?.value;
  const tz = v ? decodeURIComponent(v) : UTC;
  return isValidTimeZone(tz) ? tz : UTC;
});
