import type { HealthCheck } from '../types';

/**
 * Parses the verbose output of /livez?verbose or /readyz?verbose:
 *   [+]ping ok
 *   [-]etcd failed: reason withheld
 *   [+]etcd excluded: ok
 *   readyz check failed
 * Lines that are not checks (the summary, blank lines) are ignored. The result is frozen and shared:
 * the same text (every healthy replica of a version answers the same fifty lines, cycle after
 * cycle) gets the same array, parsed once — at hundreds of clusters this parsing was 5 % of what the
 * collector allocated, all of it kept until the cycle's samples were written.
 */
export function parseHealthChecks(body: string): readonly HealthCheck[] {
  const known = recentBodies.get(body);
  if (known) return known;
  const checks: HealthCheck[] = [];
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    const m = /^\[([+-])\]([^\s]+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const ok = m[1] === '+';
    const name = m[2]!;
    const rest = m[3] ?? '';
    if (ok) {
      checks.push(Object.freeze({ name, ok: true }));
    } else {
      const failed = /^failed:?\s*(.*)$/.exec(rest);
      const message = (failed ? failed[1] : rest)?.trim();
      checks.push(Object.freeze({ name, ok: false, ...(message ? { message } : {}) }));
    }
  }
  const frozen = Object.freeze(checks);
  if (body.length <= MAX_CACHED_BODY) {
    if (recentBodies.size >= MAX_CACHED_BODIES) recentBodies.delete(recentBodies.keys().next().value!);
    recentBodies.set(body, frozen);
  }
  return frozen;
}

/** Distinct health texts kept parsed (oldest first out), and the longest kept (a body is a few KiB). */
const MAX_CACHED_BODIES = 64;
const MAX_CACHED_BODY = 64 * 1024;
const recentBodies = new Map<string, readonly HealthCheck[]>();

/** True when the body looks like a Kubernetes health endpoint's verbose answer. */
export function looksLikeHealthOutput(body: string): boolean {
  return /^\[[+-]\]\S+/m.test(body) || /(livez|readyz|healthz) check (passed|failed)/.test(body);
}

/** The summary line of a health body ("readyz check passed"), if any. */
export function healthSummary(body: string): string | undefined {
  return /(?:livez|readyz|healthz) check (?:passed|failed)/.exec(body)?.[0];
}
