// The collector process: `npm run collector`. Probes every registered cluster on a node-cron schedule.
import { describeError } from '../errors';
import { listClusters, loadClusterCredentials, loadClusterKubeconfig } from '../data/clusters';
import { insertSamples } from '../data/samples';
import { closeDb } from '../db';
import { migrate } from '../db/migrate';
import { ALL_PROBES } from '../probes';
import { createCollector } from './collector';
import { loadCollectorConfig } from './config';

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
  const collector = createCollector(cfg, {
    listClusters,
    loadKubeconfig: loadClusterKubeconfig,
    loadCredentials: loadClusterCredentials,
    insertSamples,
    probes: ALL_PROBES,
    now: Date.now,
    log,
  });
  log({ event: 'start', ...cfg, probes: ALL_PROBES.map((p) => p.id) });
  collector.start();
  void collector.runOnce().catch((e: unknown) => log({ event: 'cycle-error', error: describeError(e) }));
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log({ event: 'stop', signal });
    const hard = setTimeout(() => process.exit(1), 15_000);
    hard.unref();
    await collector.stop();
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
