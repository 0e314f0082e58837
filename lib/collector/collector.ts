import cron, { type ScheduledTask } from 'node-cron';
import { DbError } from '../db/errors';
import { clusterObjectLimit, loadEnv } from '../env';
import { describeError } from '../errors';
import type { StoredCredentials } from '../clusters/credentials';
import type { FailoverEvent } from '../failover/reducer';
import type { Probe } from '../probes/types';
import type { ClusterSummary, ProbeResult } from '../types';
import { DiskBuffer, bufferDir, type BufferRecord, type NewRecord } from './buffer';
import { DEFAULT_BUFFER_BYTES, cronExpression, type CollectorConfig } from './config';
import type { LeaseSeed, LeaseTracker, WatchGap } from './leases';
import { runCycle, type CachedConnection } from './run';

/** Writers get `dedupe: true` when the record may already be stored (replayed or retried): they must then skip what is present. */
export interface WriteOptions {
  dedupe: boolean;
}

export interface CollectorDeps {
  listClusters: () => Promise<ClusterSummary[]>;
  loadKubeconfig: (clusterId: string) => Promise<string>;
  /** Kubeconfig plus registered etcd endpoints; when given it is used instead of loadKubeconfig. */
  loadCredentials?: (clusterId: string) => Promise<StoredCredentials>;
  insertSamples: (clusterId: string, results: ProbeResult[], opts: WriteOptions) => Promise<void>;
  /**
   * Leader-election tracking: a Lease watch per cluster; its failovers and watch gaps go through the
   * on-disk buffer like samples (the writers are idempotent, so a replay never stores one twice).
   * Absent: Leases are not tracked.
   */
  failovers?: {
    insertFailovers: (clusterId: string, events: FailoverEvent[]) => Promise<unknown>;
    insertWatchGaps: (clusterId: string, gaps: WatchGap[]) => Promise<unknown>;
    loadSeeds?: (clusterId: string) => Promise<LeaseSeed[]>;
  };
  probes: readonly Probe[];
  now: () => number;
  log: (line: Record<string, unknown>) => void;
  /** Folder of the on-disk buffer; default <QUORUM_DATA_DIR>/collector-buffer. */
  bufferDir?: string;
}

/** A record the database refuses for good (not an outage): dropped after a few tries instead of wedging the buffer. */
export function isPermanentWriteError(e: unknown, attempts: number): boolean {
  return e instanceof DbError && (e.kind === 'query' || e.kind === 'conflict') && attempts >= 3;
}

export interface CycleSummary {
  clusters: number;
  samples: number;
  written: number;
  /** Samples and events waiting in the buffer after this cycle. */
  buffered: number;
  /** Dropped (oldest first) because the buffer bound was reached, since the collector started. */
  dropped: number;
  /** Lines of the on-disk buffer skipped as corrupt when it was replayed. */
  corrupt?: number;
  /** Records the database refused for good. */
  rejected?: number;
  /** Buffer writes the disk refused (then kept in memory only). */
  diskErrors?: number;
  ms: number;
  dbError?: string;
}

/**
 * The collector: one cycle per tick, never overlapping. Every cycle's samples go through the
 * on-disk buffer (lib/collector/buffer.ts) before the database: when the database is unreachable it
 * keeps probing the clusters it knew and the samples wait on disk (bounded), written in order once
 * the DB is back — also after a restart of the collector.
 */
export function createCollector(cfg: CollectorConfig, deps: CollectorDeps) {
  const buffer = DiskBuffer.open({
    dir: deps.bufferDir ?? bufferDir(loadEnv().dataDir),
    maxBytes: cfg.bufferBytes ?? DEFAULT_BUFFER_BYTES,
    maxWeight: cfg.bufferLimit,
    now: deps.now,
    log: deps.log,
  });
  let flushing: Promise<number> | undefined;
  const connections = new Map<string, CachedConnection>();
  let known: ClusterSummary[] = [];
  let task: ScheduledTask | undefined;
  let running: Promise<CycleSummary> | undefined;
  const stopController = new AbortController();
  const objectLimit = clusterObjectLimit();

  async function writeRecord(r: BufferRecord, info: { maybeWritten: boolean }): Promise<void> {
    const opts: WriteOptions = { dedupe: info.maybeWritten };
    switch (r.kind) {
      case 'samples':
        return deps.insertSamples(r.clusterId, r.payload, opts);
      case 'failover':
        if (deps.failovers) return void (await deps.failovers.insertFailovers(r.clusterId, [r.payload]));
        deps.log({ event: 'failover-not-stored', clusterId: r.clusterId, failover: r.payload, why: 'no failover writer wired' });
        return;
      case 'watch-gap':
        if (deps.failovers) return void (await deps.failovers.insertWatchGaps(r.clusterId, [r.payload]));
        deps.log({ event: 'watch-gap-not-stored', clusterId: r.clusterId, gap: r.payload, why: 'no failover writer wired' });
        return;
      default: {
        const never: never = r;
        throw new DbError('query', `unknown buffer record kind ${String((never as { kind: unknown }).kind)}`);
      }
    }
  }

  /** Flushes the buffer; never two flushes at once (they would write the same record twice). */
  function flush(): Promise<number> {
    const prev = flushing ?? Promise.resolve(0);
    const next = prev.catch(() => 0).then(() => buffer.flush(writeRecord, isPermanentWriteError));
    flushing = next;
    void next.finally(() => {
      if (flushing === next) flushing = undefined;
    }).catch(() => undefined);
    return next;
  }

  /**
   * Buffers records from outside the probe cycle (e.g. failover events from a Lease watch) and
   * tries to write them at once; on a DB outage they wait on disk like samples.
   */
  function enqueue(records: NewRecord[]): void {
    buffer.append(records);
    flush().catch((e: unknown) => deps.log({ event: 'enqueue-flush-failed', buffered: buffer.pending, error: describeError(e) }));
  }

  const trackers = new Map<string, { updatedAt: string; tracker: LeaseTracker }>();
  const fo = deps.failovers;
  const leaseTracking = fo
    ? {
        trackers,
        onFailover: (clusterId: string, failover: FailoverEvent): void => {
          deps.log({ event: 'failover', clusterId, ...failover });
          enqueue([{ kind: 'failover', clusterId, payload: failover }]);
        },
        onWatchGap: (clusterId: string, gap: WatchGap): void => {
          deps.log({ event: 'lease-watch-gap', clusterId, ...gap });
          enqueue([{ kind: 'watch-gap', clusterId, payload: gap }]);
        },
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
      ...(deps.loadCredentials ? { loadCredentials: deps.loadCredentials } : {}),
      probes: deps.probes,
      now: deps.now,
      probeTimeoutMs: cfg.probeTimeoutMs,
      concurrency: cfg.concurrency,
      connections,
      signal: stopController.signal,
      ...(leaseTracking ? { leaseTracking } : {}),
      clusterWatch: { objectLimit, onLog: deps.log },
    });
    let samples = 0;
    const records: NewRecord[] = [];
    for (const r of results) {
      samples += r.results.length;
      records.push({ kind: 'samples', clusterId: r.clusterId, payload: r.results });
    }
    // Write-ahead: on disk (fsync'd) before the database sees them.
    buffer.append(records);
    let written = 0;
    try {
      written = await flush();
    } catch (e) {
      dbError = describeError(e);
    }
    const stats = buffer.snapshot();
    const summary: CycleSummary = {
      clusters: results.length,
      samples,
      written,
      buffered: stats.pending,
      dropped: stats.dropped,
      ...(stats.corrupt ? { corrupt: stats.corrupt } : {}),
      ...(stats.rejected ? { rejected: stats.rejected } : {}),
      ...(stats.diskErrors ? { diskErrors: stats.diskErrors } : {}),
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
    // A last attempt to write what is buffered; whatever is left stays on disk for the next start.
    try {
      await flush();
    } catch (e) {
      deps.log({ event: 'shutdown-unwritten', samples: buffer.pending, error: describeError(e) });
    }
    buffer.close();
    for (const c of connections.values()) {
      c.etcd?.close();
      c.watches?.stop();
    }
  }

  /** Waits until everything buffered so far is written (rejects with the DB error if it cannot be). */
  async function flushEvents(): Promise<void> {
    await flush();
  }

  return { start, stop, runOnce, enqueue, buffer, flushEvents };
}
