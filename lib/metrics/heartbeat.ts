// The collector's own health (pure): what it did in its last cycle and counters since it started,
// accumulated after every cycle and stored (lib/data/heartbeat.ts) so that GET /metrics on any web
// replica reports it without reaching into the collector's memory.
import type { ProbeResult } from '../types';

export interface CycleFacts {
  /** When the cycle started (ISO); without it, end − duration. */
  startedAt?: string;
  clusters: number;
  samples: number;
  written: number;
  /** Records waiting in the on-disk buffer after the cycle. */
  buffered: number;
  /** Dropped from the buffer (oldest first) since the collector started. */
  dropped: number;
  corrupt?: number;
  rejected?: number;
  diskErrors?: number;
  /** Wall time of the cycle. */
  ms: number;
  dbError?: string;
}

export interface HeartbeatStats {
  /** When this collector process started (ms). */
  startedAtMs: number;
  /** Seconds between cycles. */
  intervalSeconds: number;
  lastCycle: {
    startedAtMs: number;
    endedAtMs: number;
    durationMs: number;
    /** How late the cycle started after its scheduled tick (a multiple of the interval). */
    lagMs: number;
    clusters: number;
    samples: number;
    written: number;
    buffered: number;
    dbError: string | null;
  };
  cycles: number;
  cycleSecondsTotal: number;
  samplesTotal: number;
  /** Since the collector started (the buffer's own counters). */
  droppedTotal: number;
  corruptTotal: number;
  rejectedTotal: number;
  diskErrorsTotal: number;
  /** Probe results that carried an error class (timeout, unreachable, tls-ca, unauthorized …), by class. */
  probeErrors: Record<string, number>;
}

/** Probe results with an error class, counted by class. */
export function probeErrorClasses(results: readonly ProbeResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) {
    const c = r.detail?.errorClass;
    if (r.status === 'up' || typeof c !== 'string') continue;
    out[c] = (out[c] ?? 0) + 1;
  }
  return out;
}

/** The stats after one more cycle that ended at `endedAtMs`. */
export function accumulate(prev: HeartbeatStats | null, c: CycleFacts, results: readonly ProbeResult[], o: { endedAtMs: number; intervalSeconds: number; processStartedAtMs: number }): HeartbeatStats {
  const base: HeartbeatStats =
    prev && prev.startedAtMs === o.processStartedAtMs
      ? prev
      : { startedAtMs: o.processStartedAtMs, intervalSeconds: o.intervalSeconds, lastCycle: { startedAtMs: 0, endedAtMs: 0, durationMs: 0, lagMs: 0, clusters: 0, samples: 0, written: 0, buffered: 0, dbError: null }, cycles: 0, cycleSecondsTotal: 0, samplesTotal: 0, droppedTotal: 0, corruptTotal: 0, rejectedTotal: 0, diskErrorsTotal: 0, probeErrors: {} };
  const intervalMs = o.intervalSeconds * 1000;
  const parsed = c.startedAt === undefined ? Number.NaN : Date.parse(c.startedAt);
  const startedAtMs = Number.isFinite(parsed) ? parsed : o.endedAtMs - c.ms;
  const lagMs = ((startedAtMs % intervalMs) + intervalMs) % intervalMs;
  const probeErrors = { ...base.probeErrors };
  for (const [k, v] of Object.entries(probeErrorClasses(results))) probeErrors[k] = (probeErrors[k] ?? 0) + v;
  return {
    startedAtMs: base.startedAtMs,
    intervalSeconds: o.intervalSeconds,
    lastCycle: { startedAtMs, endedAtMs: o.endedAtMs, durationMs: c.ms, lagMs, clusters: c.clusters, samples: c.samples, written: c.written, buffered: c.buffered, dbError: c.dbError ?? null },
    cycles: base.cycles + 1,
    cycleSecondsTotal: base.cycleSecondsTotal + c.ms / 1000,
    samplesTotal: base.samplesTotal + c.samples,
    droppedTotal: Math.max(base.droppedTotal, c.dropped),
    corruptTotal: Math.max(base.corruptTotal, c.corrupt ?? 0),
    rejectedTotal: Math.max(base.rejectedTotal, c.rejected ?? 0),
    diskErrorsTotal: Math.max(base.diskErrorsTotal, c.diskErrors ?? 0),
    probeErrors,
  };
}

export function parseHeartbeat(text: string): HeartbeatStats | null {
  try {
    const v = JSON.parse(text) as HeartbeatStats;
    return typeof v === 'object' && v !== null && typeof v.cycles === 'number' && typeof v.lastCycle === 'object' ? v : null;
  } catch {
    return null;
  }
}
