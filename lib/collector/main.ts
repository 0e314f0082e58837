// The collector process: `npm run collector`. Probes every registered cluster on a node-cron schedule.
import cron from 'node-cron';
import { listClusters, loadClusterEnvelope, loadClusterKubeconfig, openClusterEnvelope } from '../data/clusters';
import { insertFailoverEvents, insertWatchGaps, loadLeaseSeeds } from '../data/failovers';
import { runRetention } from '../data/retention';
import { writeSampleBatches, writeSamples, type WriteResult } from '../data/samples';
import { closeDb } from '../db';
import { migrate } from '../db/migrate';
import { KeyCheckError, checkKeysOnStart } from '../keys';
import { backoffMs, pause } from '../deadline';
import { loadAuthConfig, loadEnv } from '../env';
import { describeError } from '../errors';
import { ALL_PROBES } from '../probes';
import { markCollectorStopped, pruneCollectors, upsertCollectorHeartbeat } from '../data/collectors';
import { pgOwnershipStore } from '../data/ownership';
import { openPgSession } from '../db/session';
import { OsLock } from '../os-lock';
import { VERSION } from '../version';
import { createCollector } from './collector';
import { bufferDir } from './buffer';
import { createAfterCycle } from '../alerts/after-cycle';
import { haOwnership, newCollectorInfo, sessionNameOf, singleOwnership, type ClusterOwnership } from './ownership';
import { selfRegisterLoop } from './self-register';
import { startHealthServer, type CollectorHealthState } from './health-server';

const health: CollectorHealthState = { startedAt: Date.now(), lastCycleAt: null, intervalMs: 10_000, probeTimeoutMs: 5000 };
const log = (line: Record<string, unknown>): void => {
  if (line.event === 'cycle') health.lastCycleAt = Date.now();
  process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), svc: 'collector', ...line })}\n`);
};

async function main(): Promise<void> {
  const env = loadEnv();
  const cfg = env.collector;
  const stopping = new AbortController();
  Object.assign(health, { intervalMs: cfg.intervalSeconds * 1000, probeTimeoutMs: cfg.probeTimeoutMs });
  if (env.ha.healthPort !== null) startHealthServer(env.ha.healthPort, health, log);
  // SQLite is single-collector: a second collector on the same database file refuses to start (an OS
  // lock, released by the kernel when its holder dies). PostgreSQL collectors share the fleet instead.
  const dbLock =
    env.db.provider === 'sqlite'
      ? OsLock.acquire(`${env.db.file}.collector-lock`, 'collector', `another collector runs on the SQLite database ${env.db.file} (SQLite is single-collector; use PostgreSQL for several collectors)`)
      : null;
  // The database may be down (or hung) at start: probe anyway — the buffer and the last known
  // clusters carry on — and keep trying to migrate in the background until it answers.
  const migrateOnce = async (attempt: number): Promise<boolean> => {
    try {
      await migrate({ quiet: true });
      if (attempt > 1) log({ event: 'migrated', attempt });
    } catch (e) {
      log({ event: 'migrate-failed', attempt, error: describeError(e) });
      return false;
    }
    // Once the database answers: a missing or different key is fatal (README "Security").
    try {
      await checkKeysOnStart();
      return true;
    } catch (e) {
      if (e instanceof KeyCheckError) {
        log({ event: 'fatal', error: e.message });
        process.exit(1);
      }
      log({ event: 'key-check-failed', attempt, error: describeError(e) });
      return false;
    }
  };
  const first = migrateOnce(1);
  const migrated = (async () => {
    if (await first) return;
    for (let attempt = 2; !stopping.signal.aborted; attempt++) {
      await pause(backoffMs({ baseMs: 2000, maxMs: 60_000 }, attempt), stopping.signal);
      if (stopping.signal.aborted || (await migrateOnce(attempt))) return;
    }
  })();
  // Each attempt is bounded by the database timeouts; never wait longer than this before probing.
  await Promise.race([first, pause(15_000)]);
  // Heartbeat (for GET /metrics) and alerting after each cycle (issue 11, lib/alerts/after-cycle.ts).
  const after = createAfterCycle({ intervalSeconds: cfg.intervalSeconds, bufferDir: bufferDir(env.dataDir), publicUrl: loadAuthConfig().publicUrl?.origin ?? null, now: Date.now, log });
  const db = env.db;
  const info = newCollectorInfo({ name: env.ha.name, version: VERSION, mode: db.provider === 'postgresql' ? 'ha' : 'single', intervalSeconds: cfg.intervalSeconds });
  const ownership = (folder: { previouslyOwned: readonly string[]; onOwnedChange: (ids: string[]) => void }): ClusterOwnership =>
    db.provider === 'postgresql'
      ? haOwnership({
          info,
          applicationName: sessionNameOf(info),
          connect: async () => {
            const session = await openPgSession(db, { applicationName: sessionNameOf(info), silentTimeoutMs: env.ha.sessionTimeoutMs });
            return { store: pgOwnershipStore(session, db.schema), close: session.close };
          },
          intervalMs: cfg.intervalSeconds * 1000,
          tickMs: env.ha.ownershipIntervalMs,
          now: Date.now,
          log,
          ...folder,
        })
      : singleOwnership({ info, heartbeat: upsertCollectorHeartbeat, stopped: markCollectorStopped, now: Date.now, log });
  function logWrite(clusterId: string, r: WriteResult): void {
    if (r.superseded > 0) log({ event: 'samples-superseded', clusterId, superseded: r.superseded, why: 'that cycle was already stored (by another collector, or before a restart)' });
    // At or before their series' last stored sample: a replay of what was stored (after a lost answer), or
    // older than what another collector stored meanwhile — skipped, not stored (issue 16: the cursor decides).
    if (r.late > 0) log({ event: 'samples-late', clusterId, late: r.late, why: 'at or before the last stored sample of their series (a replay, or older than what another collector wrote)' });
  }
  const collector = createCollector(
    { ...cfg, dbTimeoutMs: env.db.timeouts.callMs },
    {
      ownership,
      listClusters,
      loadKubeconfig: loadClusterKubeconfig,
      credentialEnvelopes: { load: loadClusterEnvelope, open: openClusterEnvelope },
      insertSamples: async (clusterId, results, opts) => logWrite(clusterId, await writeSamples(clusterId, results, opts)),
      insertSampleBatches: async (batches, opts) => {
        const r = await writeSampleBatches(batches, opts);
        for (const [i, b] of batches.entries()) logWrite(b.clusterId, r[i]!);
      },
      probes: ALL_PROBES,
      now: Date.now,
      log,
      failovers: { insertFailovers: insertFailoverEvents, insertWatchGaps, loadSeeds: (id) => loadLeaseSeeds(id) },
      afterCycle: after.afterCycle,
    },
  );
  log({ event: 'start', collector: info.id, name: info.name, mode: info.mode, ...cfg, ...(info.mode === 'ha' ? { ownershipIntervalMs: env.ha.ownershipIntervalMs, sessionTimeoutMs: env.ha.sessionTimeoutMs } : {}), db: env.db.provider, dbTimeouts: env.db.timeouts, rawRetentionDays: env.retention.rawRetentionMs / 86_400_000, probes: ALL_PROBES.map((p) => p.id) });
  await collector.start();
  const owner = collector.ownership!;
  // Retention: hourly, at minute 7 (off the collector's round ticks), never overlapping itself, and on
  // PostgreSQL run by one collector at a time (a lock of the ownership session).
  const retentionTask = cron.schedule(
    '0 7 * * * *',
    async () => {
      try {
        const r = await owner.exclusively('retention', async () => ({ ...(await runRetention({ ...env.retention, signal: stopping.signal })), ...(await pruneCollectors({ rollupRetentionMs: env.retention.rollupRetentionMs })) }));
        log(r ? { event: 'retention', ...r } : { event: 'retention-skipped', why: 'another collector runs it (or the ownership session is down)' });
      } catch (e) {
        log({ event: 'retention-error', error: describeError(e) });
      }
    },
    { name: 'quorum-retention', noOverlap: true },
  );
  // In-cluster mode: register (and keep registered) the cluster Quorum runs in, through its ServiceAccount.
  const selfRegister = env.selfRegister.enabled ? selfRegisterLoop({ cfg: env.selfRegister, log, signal: stopping.signal, after: migrated }) : Promise.resolve();
  void collector.runOnce().catch((e: unknown) => log({ event: 'cycle-error', error: describeError(e) }));
  let stoppingOnce = false;
  const stop = async (signal: string): Promise<void> => {
    if (stoppingOnce) return;
    stoppingOnce = true;
    log({ event: 'stop', signal });
    const hard = setTimeout(() => process.exit(1), 15_000);
    hard.unref();
    stopping.abort();
    await retentionTask.stop();
    await collector.stop();
    await Promise.race([after.stop(), pause(5000)]);
    await Promise.race([migrated, pause(1000)]);
    await Promise.race([selfRegister, pause(1000)]);
    dbLock?.release();
    await Promise.race([closeDb().catch(() => undefined), pause(2000)]);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  log({ event: 'fatal', error: describeError(e) });
  process.exit(1);
});
