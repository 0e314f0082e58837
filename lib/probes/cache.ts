// How a probe reads a watched collection honestly: a cache that never completed a list, is over the
// object budget, or whose watch has been down for longer than a short grace is not data. Within the
// grace (a watch reconnecting after a drop) the last complete state is used and the sample says so.
import { waitAtMost } from '../deadline';
import type { Informer } from '../k8s/informer';
import type { ErrorClass, Status } from '../types';

/** How long a dropped watch's last complete state may stand in, clearly marked, before it reads unknown/down. */
const STALE_GRACE_MS = 30_000;

export type CacheRead =
  | { ok: true; /** Set when a watch is reconnecting and the state is its last complete one. */ stale: string | null }
  | { ok: false; status: Status; reason: string; errorClass: ErrorClass };

const seconds = (ms: number): string => `${Math.max(0, Math.round(ms / 1000))} s`;
const DOWN_CLASSES: ReadonlySet<ErrorClass> = new Set(['unreachable', 'timeout']);

/**
 * Waits (within `timeoutMs`) for every informer's first list, then judges them. A failure names
 * the collection and the cause; unreachable/timeout failures are `down` (the API does not answer),
 * everything else `unknown` (Quorum could not see).
 */
export async function readCaches(informers: ReadonlyArray<Informer<unknown>>, o: { timeoutMs: number; now: () => number }): Promise<CacheRead> {
  await waitAtMost(Promise.all(informers.map((i) => i.synced)), o.timeoutMs);
  const now = o.now();
  const stale: string[] = [];
  for (const inf of informers) {
    const s = inf.state;
    if (s.phase === 'too-large') return { ok: false, status: 'unknown', reason: s.reason ?? `${inf.name}: too large`, errorClass: 'too-large' };
    if (s.phase === 'synced') continue;
    if (!s.everSynced) {
      if (s.phase === 'syncing') return { ok: false, status: 'unknown', reason: `still listing ${inf.name}: ${s.listing.toLocaleString('en-US')} read so far (first list of a watch)`, errorClass: 'timeout' };
      const cls = s.errorClass ?? 'internal';
      return { ok: false, status: DOWN_CLASSES.has(cls) ? 'down' : 'unknown', reason: s.reason ?? `${inf.name} watch down`, errorClass: cls };
    }
    const downMs = now - (s.downSince ?? now);
    const asOf = s.lastEventAt ?? s.syncedAt;
    const when = asOf ? new Date(asOf).toISOString() : 'unknown';
    if (downMs >= STALE_GRACE_MS) {
      const cls = s.errorClass ?? 'internal';
      return { ok: false, status: DOWN_CLASSES.has(cls) ? 'down' : 'unknown', reason: `${s.reason ?? `${inf.name} watch down`} (for ${seconds(downMs)}; last complete state ${when})`, errorClass: cls };
    }
    stale.push(`${inf.name} watch reconnecting for ${seconds(downMs)}, state as of ${when}`);
  }
  return { ok: true, stale: stale.length ? stale.join('; ') : null };
}
