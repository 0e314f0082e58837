import cron, { type ScheduledTask } from 'node-cron';
import { describeError } from '../errors';
import type { K8sConnection } from '../k8s/client';
import type { Probe } from '../probes/types';
import type { ClusterSummary, ProbeResult } from '../types';
import { SampleBuffer } from './buffer';
import type { FailoverEvent } from '../failover/reducer';
import { cronExpression, type CollectorConfig } from './config';
import type { LeaseSeed, LeaseTracker, WatchGap } from './leases';
import { runCycle } from './run';

export interface CollectorDeps {
  listClusters: () => Promise<ClusterSummary[]>;
  loadKubeconfig: (clusterId: string) => Promise<string>;
  insertSamples: (clusterId: string, results: ProbeResult[]) => Promise<void>;
  probes: readonly Probe[];
  now: () => number;
  log: (line: Record<string, unknown>) => void;
  /** Leader-election tracking: Lease watches per cluster and where their failovers go. Absent: not tracked. */
  failovers?: {
    insertFailovers: (clusterId: string, events: FailoverEvent[]) => Promise<unknown>;
    insertWatchGaps: (clusterId: string, gaps: WatchGap[]) => Promise<unknown>;
    loadSeeds?: (clusterId: string) => Promise<LeaseSeed[]>;
  };
}

type PendingEvent = { clusterId: string; failover: FailoverEvent } | { clusterId: string; gap: WatchGap };

export interface CycleSummary {
  clusters: number;
  samples: number;
  written: number;
  buffered: number;
  dropped: number;
  pendingEvents?: number;
  droppedEvents?: number;
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
  const trackers = new Map<string, { updatedAt: string; tracker: LeaseTracker }>();
  // Failovers and watch gaps arrive between cycles (from the watches): written at once, in order,
  // and kept (bounded like samples) while the database is unavailable.
  const pendingEvents: PendingEvent[] = [];
  let droppedEvents = 0;
  let eventFlush: Promise<void> = Promise.resolve();

  async function writeEvents(): Promise<number> {
    const fo = deps.failovers;
    if (!fo) return 0;
    let written = 0;
    while (pendingEvents.length > 0) {
      const e = pendingEvents[0]!;
      if ('failover' in e) await fo.insertFailovers(e.clusterId, [e.failover]);
      else await fo.insertWatchGaps(e.clusterId, [e.gap]);
      pendingEvents.shift();
      written++;
    }
    return written;
  }

  /** Serialised: one writer at a time, so events keep their order. Rejects with the DB error. */
  function flushEvents(): Promise<number> {
    const p = eventFlush.then(writeEvents);
    eventFlush = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  function queueEvent(e: PendingEvent): void {
    pendingEvents.push(e);
    while (pendingEvents.length > cfg.bufferLimit) {
      pendingEvents.shift();
      droppedEvents++;
    }
    if ('failover' in e) deps.log({ event: 'failover', clusterId: e.clusterId, ...e.failover });
    else deps.log({ event: 'lease-watch-gap', clusterId: e.clusterId, ...e.gap });
    flushEvents().catch((err: unknown) => deps.log({ event: 'event-write-deferred', pending: pendingEvents.length, error: describeError(err) }));
  }
  const fo = deps.failovers;
  const leaseTracking = fo
    ? {
        trackers,
        onFailover: (clusterId: string, failover: FailoverEvent) => queueEvent({ clusterId, failover }),
        onWatchGap: (clusterId: string, gap: WatchGap) => queueEvent({ clusterId, gap }),
        ...(fo.loadSeeds ? { loadSeeds: fo.loadSeeds } : {}),
        onLog: deps.log,
      }
    : undefined;

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
      ...(leaseTracking ? { leaseTracking } : {}),
    });
    let samples = 0;
    for (const r of results) {
      samples += r.results.length;
      buffer.push({ clusterId: r.clusterId, results: r.results });
    }
    let written = 0;
    try {
      written = await buffer.flush((b) => deps.insertSamples(b.clusterId, b.results));
      await flushEvents();
    } catch (e) {
      dbError = describeError(e);
    }
    const summary: CycleSummary = {
      clusters: results.length,
      samples,
      written,
      buffered: buffer.pending,
      dropped: buffer.dropped,
      ...(deps.failovers ? { pendingEvents: pendingEvents.length, droppedEvents } : {}),
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
    for (const t of trackers.values()) t.tracker.stop();
    trackers.clear();
    if (running) await running.catch(() => undefined);
    // A last attempt to write what is buffered.
    try {
      await buffer.flush((b) => deps.insertSamples(b.clusterId, b.results));
      await flushEvents();
    } catch (e) {
      deps.log({ event: 'shutdown-unwritten', samples: buffer.pending, events: pendingEvents.length, error: describeError(e) });
    }
  }

  return {
    start,
    stop,
    runOnce,
    buffer,
    /** Failovers and watch gaps not written yet. */
    get pendingEvents(): number {
      return pendingEvents.length;
    },
    /** Waits until every queued event is written (rejects with the DB error if it cannot be). */
    flushEvents,
  };
}
