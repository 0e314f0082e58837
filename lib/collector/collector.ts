import cron, { type ScheduledTask } from 'node-cron';
import type { StoredCredentials } from '../clusters/credentials';
import { DbError } from '../db/errors';
import { backoffMs, pause, withDeadline } from '../deadline';
import { cronExpression, loadEnv, type CollectorEnv } from '../env';
import { QuorumError, describeError } from '../errors';
import type { FailoverEvent } from '../failover/reducer';
import type { Probe } from '../probes/types';
import type { ClusterSummary, ProbeResult } from '../types';
import { DiskBuffer, bufferDir, type FlushBatch } from './buffer';
import type { BufferRecord, NewRecord } from './buffer-codec';
import { KnownClusters } from './known';
import type { ClusterOwnership, OwnershipStatus } from './ownership';
import type { LeaseSeed, WatchGap } from '../failover/lease-types';
import type { LeaseTracker } from './leases';
import { writeCollectorStatus } from './status';
import { runCycle, type CachedConnection, type ClusterCycleResult } from './run';

/** The collector's settings (lib/env.ts `collector`), plus the deadline of its database calls. */
export type CollectorConfig = Omit<CollectorEnv, 'bufferBytes' | 'objectLimit'> & {
  /** Default 64 MiB. */
  bufferBytes?: number;
  /** Nodes + pods kept per cluster. Default QUORUM_CLUSTER_OBJECT_LIMIT. */
  objectLimit?: number;
  /** Deadline of each database call the collector makes (list, credentials, Lease seeds, one record's write). Default QUORUM_DB_TIMEOUT_MS. */
  dbTimeoutMs?: number;
};

/** How the collector asks a record to be written. */
export interface RecordWriteOptions {
  /** The record may already be stored (replayed or retried): the writer must skip what is present. */
  dedupe: boolean;
  /** Longest time one sample speaks for: 3 × the collector interval (the write path's rollups use it). */
  capMs: number;
  /**
   * Several collectors (PostgreSQL): the collector interval, and the write path keeps one sample per
   * probe, target and cycle. Absent with one collector (SQLite), where nothing else writes samples.
   */
  slotMs?: number;
}

export interface CollectorDeps {
  listClusters: () => Promise<ClusterSummary[]>;
  loadKubeconfig: (clusterId: string) => Promise<string>;
  /** Kubeconfig plus registered etcd endpoints; when given it is used instead of loadKubeconfig. */
  loadCredentials?: (clusterId: string) => Promise<StoredCredentials>;
  /**
   * The credentials as stored (the encrypted envelope) and how to open one. When given, the collector
   * keeps each cluster's envelope — never plaintext — with the cluster list on disk, so while the
   * database cannot answer (also after a restart) it probes what it last knew. Used instead of
   * loadCredentials/loadKubeconfig.
   */
  credentialEnvelopes?: {
    load: (clusterId: string) => Promise<Uint8Array>;
    open: (clusterId: string, envelope: Uint8Array) => StoredCredentials;
  };
  insertSamples: (clusterId: string, results: ProbeResult[], opts: RecordWriteOptions) => Promise<unknown>;
  /**
   * Several clusters' samples in one transaction, all or none (lib/data/samples.ts writeSampleBatches):
   * the cycles that finished while the previous write ran are written together, at most
   * WRITE_BATCH_MAX. A batch that fails for any reason but the database being unreachable is written
   * again one record at a time (insertSamples), so a bad record is rejected alone. Absent: one
   * transaction per record.
   */
  insertSampleBatches?: (batches: Array<{ clusterId: string; results: ProbeResult[] }>, opts: RecordWriteOptions) => Promise<unknown>;
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
  /** Folder of the on-disk buffer (and of known-clusters.json, status.json); default <QUORUM_DATA_DIR>/collector-buffer. */
  bufferDir?: string;
  /**
   * Called after every cycle (not awaited: it never delays the schedule) with the cycle's summary
   * and results — the heartbeat and the alert evaluation (lib/alerts/task.ts) hang here. Must not throw.
   */
  afterCycle?: (summary: CycleSummary, results: readonly ClusterCycleResult[]) => void;
  /**
   * Which of the listed clusters this collector probes (lib/collector/ownership.ts): on PostgreSQL a
   * share of the fleet, on SQLite all. Absent: all. Made with what this data folder's collector owned
   * last (known-clusters.json) and a callback that keeps that up to date.
   */
  ownership?: (folder: { previouslyOwned: readonly string[]; onOwnedChange: (ids: string[]) => void }) => ClusterOwnership;
}

/**
 * A record the database refuses for good, dropped (counted in `rejected`, logged, kept in
 * rejected.jsonl) instead of wedging the buffer. Only what is provably permanent: the record itself
 * is invalid (QuorumError invalid-input, refused before the database saw it), or the database
 * rejected its values twice (a unique or data constraint, DbError.permanent). Everything else — the
 * database down, hung, busy, read-only, full, unmigrated, deadlocked, or an error without a known
 * code — is retried, never dropped.
 */
export function isPermanentWriteError(e: unknown, attempts: number): boolean {
  if (e instanceof QuorumError && e.errorClass === 'invalid-input') return true;
  return e instanceof DbError && e.permanent && attempts >= 2;
}

export interface CycleSummary {
  /** When the cycle started (ISO): its probes' samples are stamped from here on. */
  startedAt: string;
  clusters: number;
  samples: number;
  /** Samples and events the database accepted since the previous cycle line (this cycle's and the backlog's). */
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
  /** The cluster list came from the last good listing (the database did not answer). */
  clustersFromCache?: boolean;
  /** Whose clusters these are: this collector's share (PostgreSQL) or all (SQLite). */
  ownership?: OwnershipStatus;
  ms: number;
  dbError?: string;
}

/** Retries of a failed flush between cycles: 0.5 s, 1 s, 2 s … up to one interval, with jitter. */
const FLUSH_RETRY = { baseMs: 500, maxMs: 30_000 };
/** While the database is failing, a cycle waits at most this long for a fresh cluster list before using the last good one. */
const SICK_WAIT_MS = 250;
/** Deadlocks and serialization failures are retried at once, this many times, before the record waits for the next flush. */
const CONFLICT_RETRIES = 3;
/**
 * Records (clusters) per write transaction at most. A transaction of 50 clusters' cycles holds the
 * SQLite write lock ≈ 35 ms (median; p95 74 ms, bench:storage --live-batch 50) on this machine's 2 cores; one per cluster cost a transaction and ≈ 10
 * statements each (issue 16: 23–27 % of the collector's CPU at 200 clusters).
 */
export const WRITE_BATCH_MAX = 50;

/** A deadlock or serialization failure: the transaction was rolled back, and the same write can be retried at once. */
const isWriteConflict = (e: unknown): boolean => e instanceof DbError && (e.kind === 'deadlock' || e.kind === 'serialization');

/**
 * The collector: one cycle per tick, never overlapping, never waiting on the database longer than
 * its deadlines. Every cycle's samples go through the on-disk buffer (lib/collector/buffer.ts)
 * before the database, and the buffer is written by a flush that runs beside the probe schedule:
 * while the database is down, slow or hung, cycles keep probing — the clusters and credentials of
 * the last good listing (lib/collector/known.ts) — and the samples wait on disk (bounded), written
 * in order, each exactly once, when it answers again (also after a restart).
 */
export function createCollector(cfg: CollectorConfig, deps: CollectorDeps) {
  const env = loadEnv();
  const dir = deps.bufferDir ?? bufferDir(env.dataDir);
  const intervalMs = cfg.intervalSeconds * 1000;
  const dbTimeoutMs = cfg.dbTimeoutMs ?? env.db.timeouts.callMs;
  /** Backstop over the data layer's own deadline: a write still pending this long is treated as failed. */
  const writeDeadlineMs = dbTimeoutMs + 2000;
  const capMs = 3 * intervalMs;
  const buffer = DiskBuffer.open({ dir, maxBytes: cfg.bufferBytes ?? env.collector.bufferBytes, maxWeight: cfg.bufferLimit, now: deps.now, log: deps.log });
  const known = KnownClusters.open(buffer.memoryOnly ? null : dir, deps.log);
  const ownership = deps.ownership?.({ previouslyOwned: known.owned ?? [], onOwnedChange: (ids) => known.setOwned(ids) });
  const connections = new Map<string, CachedConnection>();
  const trackers = new Map<string, { updatedAt: string; tracker: LeaseTracker }>();
  let task: ScheduledTask | undefined;
  let running: { promise: Promise<CycleSummary>; startedAt: number } | undefined;
  let stopped = false;
  const stopController = new AbortController();
  const objectLimit = cfg.objectLimit ?? env.collector.objectLimit;

  // ---- database health, as the collector's own calls see it ------------------------------------
  let dbHealthy = true;
  /** Errors of the current cycle's database calls (the first one is the cycle line's dbError). */
  let cycleErrors: string[] = [];
  const dbCall = <T>(what: string, work: () => Promise<T>, waitMs: number): Promise<T> =>
    withDeadline(
      work().then(
        (v) => {
          dbHealthy = true;
          return v;
        },
        (e: unknown) => {
          if (e instanceof DbError && e.transient) dbHealthy = false;
          throw e;
        },
      ),
      waitMs,
      () => {
        dbHealthy = false;
        return new DbError('timeout', `database timeout: ${what}: no answer within ${waitMs} ms`);
      },
    ).catch((e: unknown) => {
      // Only the database's own trouble goes on the cycle line (a removed cluster or an envelope that
      // will not decrypt shows in that cluster's samples instead).
      if (e instanceof DbError) cycleErrors.push(describeError(e));
      throw e;
    });
  /** How long a cycle waits for a read: the deadline while the database answers, a moment while it does not. */
  const readWaitMs = (): number => (dbHealthy ? Math.min(dbTimeoutMs, Math.max(SICK_WAIT_MS, intervalMs / 4)) : SICK_WAIT_MS);

  // ---- the cluster list and credentials: fresh when the database answers, the last good ones when not
  let listing: Promise<ClusterSummary[]> | undefined;
  let clustersFromCache = false;
  async function listClustersGuarded(): Promise<ClusterSummary[]> {
    // One listing at a time: while the database hangs, later cycles wait on the same one.
    listing ??= deps
      .listClusters()
      .then((list) => {
        known.setClusters(list);
        return list;
      })
      .finally(() => {
        listing = undefined;
      });
    const current = listing;
    try {
      const list = await dbCall('listing the clusters', () => current, readWaitMs());
      clustersFromCache = false;
      return list;
    } catch {
      clustersFromCache = true;
      return known.clusters;
    }
  }

  async function credentialsFor(clusterId: string): Promise<StoredCredentials> {
    const envelopes = deps.credentialEnvelopes;
    if (!envelopes) {
      const load = deps.loadCredentials;
      return dbCall(`loading the credentials of cluster ${clusterId}`, () => (load ? load(clusterId) : deps.loadKubeconfig(clusterId).then((kubeconfig) => ({ kubeconfig }))), readWaitMs());
    }
    const cached = known.envelope(clusterId);
    let envelope: Uint8Array;
    try {
      envelope = await dbCall(`loading the credentials of cluster ${clusterId}`, () => envelopes.load(clusterId), readWaitMs());
    } catch (e) {
      // The database did not answer (DbError): probe with the credentials it last gave us, if any.
      // Any other error (the cluster is gone, the envelope will not decrypt) is the real answer.
      if (!cached || !(e instanceof DbError)) throw e;
      deps.log({ event: 'credentials-from-cache', clusterId, readAt: cached.updatedAt, error: describeError(e) });
      return envelopes.open(clusterId, cached.envelope);
    }
    known.setEnvelope(clusterId, known.clusters.find((c) => c.id === clusterId)?.updatedAt ?? '', envelope);
    return envelopes.open(clusterId, envelope);
  }

  // ---- writing the buffer ----------------------------------------------------------------------
  /** A write that outlived writeDeadlineMs and may still commit: the next flush waits for it to settle first. */
  let inflight: { work: Promise<unknown>; since: number; settled: boolean } | undefined;

  /** Waits for a write at most writeDeadlineMs; a write that outlives it is tracked (`inflight`) until it settles. */
  async function tracked(work: Promise<unknown>, what: string): Promise<void> {
    const t = { work, since: deps.now(), settled: false };
    const settle = (): void => {
      t.settled = true;
      if (inflight === t) inflight = undefined;
    };
    void work.then(settle, settle);
    try {
      await withDeadline(work, writeDeadlineMs, () => new DbError('timeout', `database timeout: writing ${what}: no answer within ${writeDeadlineMs} ms`));
      dbHealthy = true;
    } catch (e) {
      if (e instanceof DbError && e.transient) dbHealthy = false;
      // Our deadline passed while the write still runs (it may yet commit): wait for it before the retry.
      if (!t.settled) inflight = t;
      throw e;
    }
  }

  const batchWriter = deps.insertSampleBatches;
  const writeBatch: FlushBatch | undefined = batchWriter
    ? {
        max: WRITE_BATCH_MAX,
        joins: (r) => r.kind === 'samples',
        write: async (recs, info) => {
          const batches = recs.map((r) => ({ clusterId: r.clusterId, results: (r as Extract<BufferRecord, { kind: 'samples' }>).payload }));
          await tracked(batchWriter(batches, writeOptions(info.maybeWritten)), `buffered records ${recs[0]!.seq}–${recs.at(-1)!.seq} (samples of ${recs.length} clusters)`);
        },
        // Unreachable, timed out, or no connection left: writing them one by one fails the same way.
        fallBack: (e) => !(e instanceof DbError && e.transient && !isWriteConflict(e)),
      }
    : undefined;

  function writeOptions(dedupe: boolean): RecordWriteOptions {
    return { dedupe, capMs, ...(ownership?.mode === 'ha' ? { slotMs: intervalMs } : {}) };
  }

  async function writeOnce(r: BufferRecord, opts: RecordWriteOptions): Promise<void> {
    let work: Promise<unknown>;
    switch (r.kind) {
      case 'samples':
        work = deps.insertSamples(r.clusterId, r.payload, opts);
        break;
      case 'failover':
        if (!deps.failovers) return void deps.log({ event: 'failover-not-stored', clusterId: r.clusterId, failover: r.payload, why: 'no failover writer wired' });
        work = deps.failovers.insertFailovers(r.clusterId, [r.payload]);
        break;
      case 'watch-gap':
        if (!deps.failovers) return void deps.log({ event: 'watch-gap-not-stored', clusterId: r.clusterId, gap: r.payload, why: 'no failover writer wired' });
        work = deps.failovers.insertWatchGaps(r.clusterId, [r.payload]);
        break;
      default: {
        const never: never = r;
        throw new QuorumError('invalid-input', `unknown buffer record kind ${String((never as { kind: unknown }).kind)}`);
      }
    }
    await tracked(work, `buffered record ${r.seq} (${r.kind}, cluster ${r.clusterId})`);
  }

  async function writeRecord(r: BufferRecord, info: { maybeWritten: boolean }): Promise<void> {
    let dedupe = info.maybeWritten;
    for (let attempt = 1; ; attempt++) {
      try {
        return await writeOnce(r, writeOptions(dedupe));
      } catch (e) {
        if (!isWriteConflict(e) || attempt >= CONFLICT_RETRIES || stopped) throw e;
        deps.log({ event: 'write-retry', seq: r.seq, attempt, error: describeError(e) });
        dedupe = true; // rolled back — but be safe
        await pause(backoffMs({ baseMs: 50, maxMs: 500 }, attempt));
      }
    }
  }

  let flushing: Promise<void> | undefined;
  let flushError: unknown;
  let flushFailures = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  function scheduleRetry(): void {
    if (stopped || retryTimer || buffer.pendingRecords === 0) return;
    const delay = backoffMs({ baseMs: FLUSH_RETRY.baseMs, maxMs: Math.min(FLUSH_RETRY.maxMs, intervalMs) }, flushFailures);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void flush();
    }, delay);
    retryTimer.unref();
  }

  /** Starts a flush unless one runs (then returns that one): never two at once. Never rejects: see flushError. */
  function flush(): Promise<void> {
    if (flushing) return flushing;
    const run = (async (): Promise<void> => {
      if (inflight) {
        const age = deps.now() - inflight.since;
        if (age < 4 * writeDeadlineMs) {
          flushError = new DbError('timeout', `database timeout: an earlier write has been waiting for the database for ${age} ms; the buffer waits for it`);
          flushFailures++;
          scheduleRetry();
          return;
        }
        deps.log({ event: 'write-abandoned', ageMs: age, why: 'no answer at all; the retry deduplicates' });
        inflight = undefined;
      }
      try {
        await buffer.flush(writeRecord, isPermanentWriteError, writeBatch);
        flushError = undefined;
        flushFailures = 0;
      } catch (e) {
        flushError = e;
        flushFailures++;
        scheduleRetry();
      }
    })();
    const tracked = run.finally(() => {
      if (flushing === tracked) flushing = undefined;
    });
    flushing = tracked;
    return tracked;
  }

  /**
   * Buffers records from outside the probe cycle (e.g. failover events from a Lease watch) and
   * starts a flush; on a database outage they wait on disk like samples.
   */
  function enqueue(records: NewRecord[]): void {
    buffer.append(records);
    void flush();
  }

  const fo = deps.failovers;
  const loadSeeds = fo?.loadSeeds;
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
        ...(loadSeeds ? { loadSeeds: (id: string) => dbCall(`loading the Lease seeds of cluster ${id}`, () => loadSeeds(id), readWaitMs()) } : {}),
        ...(ownership ? { seedReason: ownership.seedReason } : {}),
        onLog: deps.log,
      }
    : undefined;

  // ---- the cycle --------------------------------------------------------------------------------
  let reportedWritten = 0;

  async function cycle(): Promise<CycleSummary> {
    const started = deps.now();
    cycleErrors = [];
    const results = await runCycle({
      listClusters: ownership ? async () => ownership.select(await listClustersGuarded(), started) : listClustersGuarded,
      loadKubeconfig: deps.loadKubeconfig,
      loadCredentials: credentialsFor,
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
    // Then the database, for as long as the cycle can wait without delaying the next one; a flush
    // that takes longer goes on in the background (never two at once).
    const waitMs = Math.max(0, Math.min(writeDeadlineMs + 500, intervalMs - 250 - (deps.now() - started)));
    const done = flush();
    const finished = await Promise.race([done.then(() => true), pause(waitMs).then(() => false)]);
    const stats = buffer.snapshot();
    const written = stats.written - reportedWritten;
    reportedWritten = stats.written;
    // The first database error this cycle met; else the last flush's error (a flush still running past
    // the cycle's wait is usually retrying it), else that the write is still running.
    const still = !finished ? ' (the write is still retrying in the background)' : '';
    const dbError = cycleErrors[0] ?? (flushError ? `${describeError(flushError)}${still}` : !finished ? `database write still running after ${waitMs} ms (it goes on in the background)` : undefined);
    const summary: CycleSummary = {
      startedAt: new Date(started).toISOString(),
      clusters: results.length,
      samples,
      written,
      buffered: stats.pending,
      dropped: stats.dropped,
      ...(stats.corrupt ? { corrupt: stats.corrupt } : {}),
      ...(stats.rejected ? { rejected: stats.rejected } : {}),
      ...(stats.diskErrors ? { diskErrors: stats.diskErrors } : {}),
      ...(clustersFromCache ? { clustersFromCache } : {}),
      ...(ownership ? { ownership: ownership.status() } : {}),
      ms: deps.now() - started,
      ...(dbError ? { dbError } : {}),
    };
    ownership?.cycleDone({ ...summary }, results.flatMap((r) => (r.results.length ? [{ clusterId: r.clusterId, atMs: Math.min(...r.results.map((x) => x.at)) }] : [])));
    deps.log({ event: 'cycle', ...summary, down: results.flatMap((r) => r.results.filter((s) => s.status !== 'up').map((s) => `${r.name}/${s.probe}: ${s.status} (${s.reason})`)) });
    known.persist();
    if (!buffer.memoryOnly) writeCollectorStatus(dir, { pid: process.pid, intervalSeconds: cfg.intervalSeconds, at: new Date(deps.now()).toISOString(), ...summary });
    deps.afterCycle?.(summary, results);
    return summary;
  }

  /** A cycle running longer than this is forgotten (logged) and the next one starts: runOnce never keeps returning a stuck cycle. */
  const stuckAfterMs = Math.max(3 * intervalMs, cfg.probeTimeoutMs + 1000 + 3 * writeDeadlineMs + 5000);

  /** Runs one cycle now unless one is already running (then returns that one). */
  function runOnce(): Promise<CycleSummary> {
    if (running && deps.now() - running.startedAt > stuckAfterMs) {
      deps.log({ event: 'cycle-stuck', startedAt: new Date(running.startedAt).toISOString(), ms: deps.now() - running.startedAt, why: 'a new cycle starts; the stuck one is ignored' });
      running = undefined;
    }
    if (!running) {
      const entry = {
        startedAt: deps.now(),
        promise: cycle().finally(() => {
          if (running === entry) running = undefined;
        }),
      };
      running = entry;
    }
    return running.promise;
  }

  /** Starts the schedule; with ownership, after its first tick (at most 5 s), so the first cycles probe what this collector owns. */
  async function start(): Promise<void> {
    if (ownership) {
      ownership.start();
      await Promise.race([ownership.ready, pause(5000)]);
      if (stopped) return;
    }
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
    stopped = true;
    clearTimeout(retryTimer);
    await task?.stop();
    await task?.destroy();
    stopController.abort();
    for (const t of trackers.values()) t.tracker.stop();
    trackers.clear();
    if (running) await withDeadline(running.promise, stuckAfterMs, () => new Error('stuck')).catch(() => undefined);
    // Nothing is probed any more: hand the clusters over now (the next owners read a graceful takeover), then flush.
    await ownership?.stop();
    // A last attempt to write what is buffered (bounded); whatever is left stays on disk for the next start.
    await Promise.race([flush(), pause(writeDeadlineMs + 500)]);
    if (buffer.pending > 0) deps.log({ event: 'shutdown-unwritten', samples: buffer.pending, ...(flushError ? { error: describeError(flushError) } : {}) });
    buffer.close();
    known.persist();
    for (const c of connections.values()) {
      c.etcd?.close();
      c.watches?.stop();
      c.conn.close();
    }
  }

  /** Waits until everything buffered so far is written (rejects with the database error if it cannot be). */
  async function flushEvents(): Promise<void> {
    await flush();
    if (flushError) throw flushError;
  }

  return { start, stop, runOnce, enqueue, buffer, flushEvents, ownership };
}
