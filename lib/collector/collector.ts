import cron, { type ScheduledTask } from 'node-cron';
import { describeError } from '../errors';
import type { K8sConnection } from '../k8s/client';
import type { Probe } from '../probes/types';
import type { ClusterSummary, ProbeResult } from '../types';
import { SampleBuffer } from './buffer';
import { cronExpression, type CollectorConfig } from './config';
import { runCycle } from './run';

export interface CollectorDeps {
  listClusters: () => Promise<ClusterSummary[]>;
  loadKubeconfig: (clusterId: string) => Promise<string>;
  insertSamples: (clusterId: string, results: ProbeResult[]) => Promise<void>;
  probes: readonly Probe[];
  now: () => number;
  log: (line: Record<string, unknown>) => void;
}

export interface CycleSummary {
  clusters: number;
  samples: number;
  written: number;
  buffered: number;
  dropped: number;
  ms: number;
  dbError?: string;
}

/**
 * The collector: one cycle per tick, never overlapping. When the database is unreachable it keeps
 * probing the clusters it knew and buffers the samples (bounded), writing them once the DB is back.
 */
export function createCollector(cfg: CollectorConfig, deps: CollectorDeps) {
  const buffer = new SampleBuffer(cfg.bufferLimit);
  const connections = new Map<string, { updatedAt: string; conn: K8sConnection }>();
  let known: ClusterSummary[] = [];
  let task: ScheduledTask | undefined;
  let running: Promise<CycleSummary> | undefined;
  const stopController = new AbortController();

  async function listClustersCached(): Promise<ClusterSummary[]> {
    known = await deps.listClusters();
    return known;
  }

  async function cycle(): Promise<CycleSummary> {
    const started = deps.now();
    let dbError: string | undefined;
    const listClusters = async (): Promise<ClusterSummary[]> => {
      try {
        return await listClustersCached();
      } catch (e) {
        dbError = describeError(e);
        return known;
      }
    };
    const results = await runCycle({
      listClusters,
      loadKubeconfig: deps.loadKubeconfig,
      probes: deps.probes,
      now: deps.now,
      probeTimeoutMs: cfg.probeTimeoutMs,
      concurrency: cfg.concurrency,
      connections,
      signal: stopController.signal,
    });
    let samples = 0;
    for (const r of results) {
      samples += r.results.length;
      buffer.push({ clusterId: r.clusterId, results: r.results });
    }
    let written = 0;
    try {
      written = await buffer.flush((b) => deps.insertSamples(b.clusterId, b.results));
    } catch (e) {
      dbError = describeError(e);
    }
    const summary: CycleSummary = {
      clusters: results.length,
      samples,
      written,
      buffered: buffer.pending,
      dropped: buffer.dropped,
      ms: deps.now() - started,
      ...(dbError ? { dbError } : {}),
    };
    deps.log({ event: 'cycle', ...summary, down: results.flatMap((r) => r.results.filter((s) => s.status !== 'up').map((s) => `${r.name}/${s.probe}: ${s.status} (${s.reason})`)) });
    return summary;
  }

  /** Runs one cycle now unless one is already running (then returns that one). */
  function runOnce(): Promise<CycleSummary> {
    if (!running) {
      running = cycle().finally(() => {
        running = undefined;
      });
    }
    return running;
  }

  function start(): void {
    task = cron.schedule(
      cronExpression(cfg.intervalSeconds),
      async () => {
        try {
          await runOnce();
        } catch (e) {
          deps.log({ event: 'cycle-error', error: describeError(e) });
        }
      },
      { name: 'quorum-collector', noOverlap: true },
    );
  }

  async function stop(): Promise<void> {
    await task?.stop();
    await task?.destroy();
    stopController.abort();
    if (running) await running.catch(() => undefined);
    // A last attempt to write what is buffered.
    try {
      await buffer.flush((b) => deps.insertSamples(b.clusterId, b.results));
    } catch (e) {
      deps.log({ event: 'shutdown-unwritten', samples: buffer.pending, error: describeError(e) });
    }
  }

  return { start, stop, runOnce, buffer };
}
