// Seeds the e2e report test's SQLite database (QUORUM_DATA_DIR) through the real write path: one
// cluster with a day of readyz/livez samples in October 2026 containing a 7-minute etcd outage and
// a 1-hour maintenance window. Prints {"clusterId": …, "name": …} on stdout.
import { closeDb } from '@/lib/db';
import { migrate } from '@/lib/db/migrate';
import { createCluster } from '@/lib/data/clusters';
import { insertFailoverEvents } from '@/lib/data/failovers';
import { insertSamples } from '@/lib/data/samples';
import { createMaintenanceWindow } from '@/lib/data/slo';
import type { ProbeResult } from '@/lib/types';

const name = process.argv[2] ?? 'e2e-report-cluster';
const T0 = Date.UTC(2026, 9, 14);
const OUT = { from: T0 + 6 * 3_600_000, to: T0 + 6 * 3_600_000 + 7 * 60_000 };

async function main(): Promise<void> {
  await migrate({ quiet: true });
  const c = await createCluster({ name, server: 'https://10.9.0.1:6443', context: 'e2e', labels: {}, kubeconfigYaml: 'apiVersion: v1' });
  const results: ProbeResult[] = [];
  for (let t = T0; t < T0 + 86_400_000; t += 10_000) {
    const down = t >= OUT.from && t < OUT.to;
    for (const probe of ['apiserver-readyz', 'apiserver-livez'] as const) {
      results.push({ probe, target: 'endpoint', status: down && probe === 'apiserver-readyz' ? 'down' : 'up', reason: down && probe === 'apiserver-readyz' ? 'readyz failed: etcd' : 'ok', latencyMs: 12, at: t });
    }
  }
  await insertSamples(c.id, results, { capMs: 30_000 });
  // A kube-scheduler leader crash during the outage, through the collector's write path for failovers.
  await insertFailoverEvents(c.id, [
    {
      lease: 'kube-system/kube-scheduler', kind: 'crash', previousHolder: 'cp1_aaaa', newHolder: 'cp2_bbbb',
      previousRenewTime: '2026-10-14T06:00:00.250001Z', newAcquireTime: '2026-10-14T06:00:09.500123Z', gapMs: 9250.122,
      leaseDurationSeconds: 8, leaseTransitions: 3, observedAt: OUT.from + 9_600,
    },
  ]);
  // Created now for a past month, so it is retroactive (issue 10), and says who made it.
  await createMaintenanceWindow({ clusterId: c.id, title: 'control-plane upgrade', startMs: T0 + 10 * 3_600_000, durationMs: 3_600_000, author: { name: 'cli:e2e-seed', role: 'admin' } });
  await closeDb();
  process.stdout.write(`${JSON.stringify({ clusterId: c.id, name })}\n`);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
