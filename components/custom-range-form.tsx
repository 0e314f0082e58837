'use client';

// Any from–to: two datetime-local inputs in the display zone (UTC or the browser's), turned into ISO
// times with a zone for the URL (?from=2026-11-20T10:00:00.000Z&to=…), so the link means the same to
// anyone it is shared with.
import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { toDateTimeLocal } from '@/lib/format';

/** A datetime-local value in `zone` → epoch ms (the offset found by formatting the guess back). */
function fromLocal(value: string, zone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  if (zone === 'UTC') return guess;
  // Two passes settle DST edges: shift by the zone's offset at the guess, then at the result.
  let t = guess;
  for (let i = 0; i < 2; i++) {
    const shown = toDateTimeLocal(t, zone);
    const s = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(shown)!;
    const asUtc = Date.UTC(Number(s[1]), Number(s[2]) - 1, Number(s[3]), Number(s[4]), Number(s[5]));
    t += guess - asUtc;
  }
  return t;
}

export function CustomRangeForm({ path, keep, startMs, endMs, zone }: { path: string; keep: string; startMs: number; endMs: number; zone: string }) {
  const router = useRouter();
  const id = useId();
  const [from, setFrom] = useState(toDateTimeLocal(startMs, zone));
  const [to, setTo] = useState(toDateTimeLocal(endMs, zone));
  const [error, setError] = useState<string | null>(null);
  const submit = (e: React.FormEvent): void => {
    e.preventDefault();
    const a = fromLocal(from, zone);
    const b = fromLocal(to, zone);
    if (a === null || b === null) {
      setError('from and to must be a date and a time');
      return;
    }
    if (b <= a) {
      setError('from must be before to');
      return;
    }
    setError(null);
    const p = new URLSearchParams(keep);
    for (const k of ['window', 'from', 'to']) p.delete(k);
    p.set('from', new Date(a).toISOString());
    p.set('to', new Date(b).toISOString());
    router.push(`${path}?${p.toString()}`);
  };
  return (
    <form className="custom-range" onSubmit={submit} aria-label="Custom time range">
      <label htmlFor={`${id}-from`}>From</label>
      <input id={`${id}-from`} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-err` : undefined} />
      <label htmlFor={`${id}-to`}>to</label>
      <input id={`${id}-to`} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} aria-invalid={error ? true : undefined} />
      <span className="muted">{zone === 'UTC' ? 'UTC' : zone}</span>
      <button type="submit">Show</button>
      {error ? (
        <span id={`${id}-err`} className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
}
