// The collector process: `npm run collector`. Probes every registered cluster on a node-cron schedule.
import { describeError } from '../errors';
import { listClusters, loadClusterCredentials, loadClusterKubeconfig } from '../data/clusters';
import cron from 'node-cron';
import { loadRetentionConfig, runRetention } from '../data/retention';
import { insertFailoverEvents, insertWatchGaps, loadLeaseSeeds } from '../data/failovers';
import { insertSamples } from '../data/samples';
import { closeDb } from '../db';
import { migrate } from '../db/migrate';
import { KeyCheckError, checkKeysOnStart } from '../keys';
import { ALL_PROBES } from '../probes';
import { createCollector } from './collector';
import { loadCollectorConfig } from './config';
import { bufferDir } from './buffer';
import { loadAuthConfig, loadEnv } from '../env';
import { createAfterCycle } from '../alerts/after-cycle';

const log = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), svc: 'collector', ...line })}\n`);
};

async function main(): Promise<void> {
  const cfg = loadCollectorConfig();
  try {
    await migrate({ quiet: true });
  } catch (e) {
    // The DB may be down at start: keep going, samples are buffered until it returns.
    log({ event: 'migrate-failed', error: describeError(e) });
  }
  try {
    await checkKeysOnStart();
  } catch (e) {
    // A missing or different key is fatal (README "Security"); a database that is down is not.
    if (e instanceof KeyCheckError) {
      log({ event: 'fatal', error: e.message });
      process.exit(1);
    }
  }
  // Heartbeat (for GET /metrics) and alerting after each cycle (issue 11, lib/alerts/after-cycle.ts).
  const after = createAfterCycle({ intervalSeconds: cfg.intervalSeconds, bufferDir: bufferDir(loadEnv().dataDir), publicUrl: loadAuthConfig().publicUrl?.origin ?? null, now: Date.now, log });
  const collector = createCollector(cfg, {
    listClusters,
    loadKubeconfig: loadClusterKubeconfig,
    loadCredentials: loadClusterCredentials,
    insertSamples,
    probes: ALL_PROBES,
    now: Date.now,
    log,
    failovers: { insertFailovers: insertFailoverEvents, insertWatchGaps, loadSeeds: (id) => loadLeaseSeeds(id) },
    afterCycle: after.afterCycle,
  });
  log({ event: 'start', ...cfg, rawRetentionDays: loadRetentionConfig().rawRetentionMs / 86_400_000, probes: ALL_PROBES.map((p) => p.id) });
  collector.start();
  // Retention: hourly, at minute 7 (off the collector's round ticks), never overlapping itself.
  const retention = loadRetentionConfig();
  const retentionAbort = new AbortController();
  const retentionTask = cron.schedule(
    '0 7 * * * *',
    async () => {
      try {
        log({ event: 'retention', ...(await runRetention({ ...retention, signal: retentionAbort.signal })) });
      } catch (e) {
        log({ event: 'retention-error', error: describeError(e) });
      }
    },
    { name: 'quorum-retention', noOverlap: true },
  );
  void collector.runOnce().catch((e: unknown) => log({ event: 'cycle-error', error: describeError(e) }));
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log({ event: 'stop', signal });
    const hard = setTimeout(() => process.exit(1), 15_000);
    hard.unref();
    retentionAbort.abort();
    await retentionTask.stop();
    await collector.stop();
    await after.stop();
    await closeDb().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  log({ event: 'fatal', error: describeError(e) });
  process.exit(1);
});
