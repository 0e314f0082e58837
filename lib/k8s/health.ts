import type { HealthCheck } from '../types';

/**
 * Parses the verbose output of /livez?verbose or /readyz?verbose:
 *   [+]ping ok
 *   [-]etcd failed: reason withheld
 *   [+]etcd excluded: ok
 *   readyz check failed
 * Lines that are not checks (the summary, blank lines) are ignored.
 */
export function parseHealthChecks(body: string): HealthCheck[] {
  const checks: HealthCheck[] = [];
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    const m = /^\[([+-])\]([^\s]+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const ok = m[1] === '+';
    const name = m[2]!;
    const rest = m[3] ?? '';
    if (ok) {
      checks.push({ name, ok: true });
    } else {
      const failed = /^failed:?\s*(.*)$/.exec(rest);
      const message = (failed ? failed[1] : rest)?.trim();
      checks.push({ name, ok: false, ...(message ? { message } : {}) });
    }
  }
  return checks;
}

/** True when the body looks like a Kubernetes health endpoint's verbose answer. */
export function looksLikeHealthOutput(body: string): boolean {
  return /^\[[+-]\]\S+/m.test(body) || /(livez|readyz|healthz) check (passed|failed)/.test(body);
}

/** The summary line of a health body ("readyz check passed"), if any. */
export function healthSummary(body: string): string | undefined {
  return /(?:livez|readyz|healthz) check (?:passed|failed)/.exec(body)?.[0];
}
