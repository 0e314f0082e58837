// The collector process: `npm run collector`. Probes every registered cluster on a node-cron schedule.
import cron from 'node-cron';
import { listClusters, loadClusterEnvelope, loadClusterKubeconfig, openClusterEnvelope } from '../data/clusters';
import { insertFailoverEvents, insertWatchGaps, loadLeaseSeeds } from '../data/failovers';
import { runRetention } from '../data/retention';
import { insertSamples } from '../data/samples';
import { closeDb } from '../db';
import { migrate } from '../db/migrate';
import { KeyCheckError, checkKeysOnStart } from '../keys';
import { backoffMs, pause } from '../deadline';
import { loadEnv } from '../env';
import { describeError } from '../errors';
import { ALL_PROBES } from '../probes';
import { createCollector } from './collector';

const log = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), svc: 'collector', ...line })}\n`);
};

async function main(): Promise<void> {
  const env = loadEnv();
  const cfg = env.collector;
  const stopping = new AbortController();
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
  const collector = createCollector(
    { ...cfg, dbTimeoutMs: env.db.timeouts.callMs },
    {
      listClusters,
      loadKubeconfig: loadClusterKubeconfig,
      credentialEnvelopes: { load: loadClusterEnvelope, open: openClusterEnvelope },
      insertSamples,
      probes: ALL_PROBES,
      now: Date.now,
      log,
      failovers: { insertFailovers: insertFailoverEvents, insertWatchGaps, loadSeeds: (id) => loadLeaseSeeds(id) },
    },
  );
  log({ event: 'start', ...cfg, db: env.db.provider, dbTimeouts: env.db.timeouts, rawRetentionDays: env.retention.rawRetentionMs / 86_400_000, probes: ALL_PROBES.map((p) => p.id) });
  collector.start();
  // Retention: hourly, at minute 7 (off the collector's round ticks), never overlapping itself.
  const retentionTask = cron.schedule(
    '0 7 * * * *',
    async () => {
      try {
        log({ event: 'retention', ...(await runRetention({ ...env.retention, signal: stopping.signal })) });
      } catch (e) {
        log({ event: 'retention-error', error: describeError(e) });
      }
    },
    { name: 'quorum-retention', noOverlap: true },
  );
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
    await Promise.race([migrated, pause(1000)]);
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
