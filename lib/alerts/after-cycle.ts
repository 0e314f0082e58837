// What the collector process does after each cycle besides probing (wired in lib/collector/main.ts):
//  1. its heartbeat — last cycle and counters since start — into the database (CollectorHeartbeat),
//     read by GET /metrics on any web replica;
//  2. one alert evaluation and dispatch pass (lib/alerts/task.ts).
// Neither is awaited by the collector; both log their failures and never throw.
import { createHash } from 'node:crypto';
import os from 'node:os';
import { writeHeartbeat } from '../data/heartbeat';
import { describeError } from '../errors';
import { accumulate, type CycleFacts, type HeartbeatStats } from '../metrics/heartbeat';
import type { ProbeResult } from '../types';
import { createAlertTask } from './task';

export interface AfterCycleDeps {
  intervalSeconds: number;
  /** The collector's buffer folder: with the host name it names this collector in the heartbeat. */
  bufferDir: string;
  publicUrl: string | null;
  now: () => number;
  log: (line: Record<string, unknown>) => void;
}

/** "host/1a2b3c4d": stable across restarts of the same collector, distinct for two on one host. */
function collectorInstanceId(bufferDir: string): string {
  return `${os.hostname()}/${createHash('sha256').update(bufferDir).digest('hex').slice(0, 8)}`;
}

export function createAfterCycle(deps: AfterCycleDeps) {
  const id = collectorInstanceId(deps.bufferDir);
  const processStartedAtMs = deps.now();
  let stats: HeartbeatStats | null = null;
  let writing: Promise<void> = Promise.resolve();
  const alerts = createAlertTask({ now: deps.now, intervalMs: deps.intervalSeconds * 1000, publicUrl: deps.publicUrl, log: deps.log });

  function afterCycle(summary: CycleFacts, results: ReadonlyArray<{ results: readonly ProbeResult[] }>): void {
    const endedAtMs = deps.now();
    stats = accumulate(stats, summary, results.flatMap((r) => r.results), { endedAtMs, intervalSeconds: deps.intervalSeconds, processStartedAtMs });
    const snapshot = stats;
    // Heartbeats are written in order; a write that fails is superseded by the next one.
    writing = writing.then(() => writeHeartbeat(id, snapshot, new Date(endedAtMs))).catch((e: unknown) => deps.log({ event: 'heartbeat-failed', error: describeError(e) }));
    void writing.then(() => alerts.afterCycle());
  }

  return {
    id,
    afterCycle,
    async stop(): Promise<void> {
      await writing;
      await alerts.stop();
    },
  };
}
