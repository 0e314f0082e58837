// The collector's heartbeat: after every cycle it writes <buffer folder>/status.json (atomically), so
// /api/healthz can say whether samples are being collected and how many wait for the database —
// a tool that measures availability must not go blind silently.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bufferDir } from './buffer';
import type { CycleSummary } from './collector';

const FILE = 'status.json';

/** The last cycle's summary, with who wrote it and when the cycle ended (`at`). */
export type CollectorStatus = CycleSummary & { pid: number; intervalSeconds: number; at: string };

/** Never throws: the heartbeat is informational. */
export function writeCollectorStatus(dir: string, status: CollectorStatus): void {
  const file = path.join(dir, FILE);
  try {
    writeFileSync(`${file}.tmp`, `${JSON.stringify(status)}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  } catch {
    /* a full or read-only disk shows up in the buffer's own diskErrors */
  }
}

export interface CollectorHealth {
  lastCycleAt: string;
  /** Seconds since the last cycle ended. */
  ageSeconds: number;
  /** No cycle for more than 3 intervals: the collector is not running (or stuck). */
  stale: boolean;
  clusters: number;
  /** Samples and events waiting in the on-disk buffer for the database. */
  buffered: number;
  dropped: number;
  rejected: number;
  clustersFromCache: boolean;
  dbError?: string;
}

/** The heartbeat of the collector sharing this data folder (`npm start`), or null when there is none. */
export function readCollectorHealth(dataDir: string, now: number = Date.now()): CollectorHealth | null {
  let s: CollectorStatus;
  try {
    s = JSON.parse(readFileSync(path.join(bufferDir(dataDir), FILE), 'utf8')) as CollectorStatus;
  } catch {
    return null;
  }
  const at = Date.parse(s.at);
  if (!Number.isFinite(at)) return null;
  const ageSeconds = Math.max(0, Math.round((now - at) / 1000));
  return {
    lastCycleAt: s.at,
    ageSeconds,
    stale: ageSeconds > 3 * (s.intervalSeconds || 10),
    clusters: s.clusters,
    buffered: s.buffered,
    dropped: s.dropped,
    rejected: s.rejected ?? 0,
    clustersFromCache: s.clustersFromCache === true,
    ...(s.dbError ? { dbError: s.dbError } : {}),
  };
}
