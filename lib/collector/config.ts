import { QuorumError } from '../errors';

export interface CollectorConfig {
  /** Seconds between cycles; must divide 60 (or be a whole number of minutes dividing 60) so cron ticks stay even. */
  intervalSeconds: number;
  /** Per-request timeout for each probe. */
  probeTimeoutMs: number;
  /** How many clusters are probed at once. */
  concurrency: number;
  /** Samples (+ events) kept in the on-disk buffer while the database is unavailable (oldest dropped first beyond this). */
  bufferLimit: number;
  /** Bytes the on-disk buffer may use (oldest dropped first beyond this). Default 64 MiB. */
  bufferBytes?: number;
}

export const DEFAULT_BUFFER_BYTES = 64 * 1024 * 1024;

function int(env: Record<string, string | undefined>, key: string, def: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new QuorumError('internal', `${key}=${raw} is invalid: expected a whole number from ${min} to ${max}`);
  }
  return n;
}

export function loadCollectorConfig(env: Record<string, string | undefined> = process.env): CollectorConfig {
  const intervalSeconds = int(env, 'QUORUM_COLLECTOR_INTERVAL_SECONDS', 10, 1, 3600);
  cronExpression(intervalSeconds); // validates
  const probeTimeoutMs = int(env, 'QUORUM_PROBE_TIMEOUT_MS', Math.min(5000, intervalSeconds * 1000 - 500 > 1000 ? 5000 : 1000), 100, 120_000);
  return {
    intervalSeconds,
    probeTimeoutMs,
    concurrency: int(env, 'QUORUM_COLLECTOR_CONCURRENCY', 16, 1, 1024),
    bufferLimit: int(env, 'QUORUM_COLLECTOR_BUFFER_LIMIT', 100_000, 1000, 10_000_000),
    bufferBytes: int(env, 'QUORUM_COLLECTOR_BUFFER_BYTES', DEFAULT_BUFFER_BYTES, 64 * 1024, 64 * 1024 * 1024 * 1024),
  };
}

/** node-cron expression (with seconds field) for an interval. */
export function cronExpression(intervalSeconds: number): string {
  if (intervalSeconds < 60 && 60 % intervalSeconds === 0) return `*/${intervalSeconds} * * * * *`;
  if (intervalSeconds % 60 === 0 && 60 % (intervalSeconds / 60) === 0) return `0 */${intervalSeconds / 60} * * * *`;
  throw new QuorumError('internal', `collector interval ${intervalSeconds}s must divide a minute (1,2,3,4,5,6,10,12,15,20,30,60) or an hour in whole minutes`);
}

/**
 * The collector interval in ms, for readers (pages, the write path's sample cap). A bad setting is the
 * collector's own error to report; readers fall back to the 10 s default instead of failing.
 */
export function collectorIntervalMs(): number {
  try {
    return loadCollectorConfig().intervalSeconds * 1000;
  } catch {
    return 10_000;
  }
}

/**
 * V8 flags the collector process runs with (scripts/start.ts, `npm run collector`, the benchmark): a 4 MiB
 * young generation. Following thousands of watched objects allocates fast (a 50,000-pod first list is
 * ≈ 450 MB of JSON parsed line by line); with V8's default (up to 16 MiB semi-spaces) that grew the
 * process's RSS by ≈ 75 MiB per 10,000 pods listed, with 4 MiB by ≈ 15 MiB and no more CPU (measured).
 */
export const COLLECTOR_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
