// What a test of Quorum against the lab sets up before it loads Quorum's modules: a fresh temp data
// folder (SQLite), loopback targets allowed (the lab's load balancer is 127.0.0.1:16443; lib/net/outbound.ts,
// README "Security"), no DATABASE_URL. Then the modules a real collector run needs, loaded after that.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..', '..');
export const labState = path.resolve(process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state'));

export async function labQuorum(tmpPrefix: string) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  process.env.QUORUM_DATA_DIR = dataDir;
  process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
  delete process.env.DATABASE_URL;
  const [{ migrate }, { closeDb }, { registerCluster }, clusters, samples, { createCollector }, { ALL_PROBES }] = await Promise.all([
    import('@/lib/db/migrate'),
    import('@/lib/db'),
    import('@/lib/clusters/register'),
    import('@/lib/data/clusters'),
    import('@/lib/data/samples'),
    import('@/lib/collector/collector'),
    import('@/lib/probes'),
  ]);
  return { dataDir, migrate, closeDb, registerCluster, clusters, samples, createCollector, ALL_PROBES };
}
