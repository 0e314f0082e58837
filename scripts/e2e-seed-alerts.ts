// Seeds the alerts e2e server's SQLite database (QUORUM_DATA_DIR) through the real write paths and
// then runs ONE real evaluation and dispatch pass (lib/alerts), as the collector does after a cycle:
// cluster "alerts-e2e-prod" has its endpoint down for the last 6 minutes after 20 h up (a firing page), its
// etcd without quorum; "alerts-e2e-maint" is down inside a maintenance window (silenced). The
// channels the spec created receive the notifications. Prints {"clusters": {...}} on stdout.
import { closeDb } from '@/lib/db';
import { migrate } from '@/lib/db/migrate';
import { createCluster } from '@/lib/data/clusters';
import { insertSamples } from '@/lib/data/samples';
import { createMaintenanceWindow } from '@/lib/data/slo';
import { insertFailoverEvents } from '@/lib/data/failovers';
import { evaluateAlerts } from '@/lib/alerts/evaluate';
import { createDispatcher } from '@/lib/alerts/dispatch';
import { outboundPolicy } from '@/lib/net/outbound';
import type { ProbeResult } from '@/lib/types';

const log = (l: Record<string, unknown>): void => void process.stderr.write(`${JSON.stringify(l)}\n`);

function cycle(at: number, down: boolean): ProbeResult[] {
  return [
    { probe: 'apiserver-readyz', target: 'endpoint', status: down ? 'down' : 'up', reason: down ? 'readyz failed: etcd, etcd-readiness' : 'ok', latencyMs: 8, at, detail: { checks: [{ name: 'etcd', ok: !down }, { name: 'etcd-readiness', ok: !down }, { name: 'ping', ok: true }] } },
    { probe: 'apiserver-livez', target: 'endpoint', status: 'up', reason: 'ok', latencyMs: 5, at },
  ];
}

async function main(): Promise<void> {
  await migrate({ quiet: true });
  const now = Date.now();
  const prod = await createCluster({ name: 'alerts-e2e-prod', server: 'https://10.9.0.1:6443', context: 'e2e', labels: { env: 'prod' }, kubeconfigYaml: 'apiVersion: v1' });
  const maint = await createCluster({ name: 'alerts-e2e-maint', server: 'https://10.9.0.2:6443', context: 'e2e', labels: { env: 'staging' }, kubeconfigYaml: 'apiVersion: v1' });
  for (const c of [prod, maint]) {
    const batch: ProbeResult[] = [];
    // 20 hours up, then the last 6 minutes (36 cycles, 10 s apart) down. 20 h covers more than the
    // 75 % coverage floor of the 1-day ticket window and all of the 1 h and 6 h page windows (below
    // the floor a window has no burn rate, issue 12), and 6 min bad burns both tiers of a 99.9 %
    // 30-day SLO: 1 h 10 % bad > 1.44 % (page, 14.4×); 1 d 360 s / 20 h = 0.5 % > 0.3 % (ticket, 3×).
    for (let i = 20 * 360 - 1; i >= 0; i--) batch.push(...cycle(now - 1000 - i * 10_000, i < 36));
    await insertSamples(c.id, batch);
  }
  await createMaintenanceWindow({ clusterId: maint.id, title: 'etcd defragmentation', startMs: now - 15 * 60_000, durationMs: 60 * 60_000, author: { name: 'cli:e2e-seed', role: 'admin' } });
  await insertFailoverEvents(prod.id, [
    { lease: 'kube-system/kube-scheduler', kind: 'crash', previousHolder: 'qlab-cp1_0c6b', newHolder: 'qlab-cp2_77e1', previousRenewTime: new Date(now - 70_000).toISOString().replace('Z', '123Z'), newAcquireTime: new Date(now - 60_750).toISOString().replace('Z', '456Z'), gapMs: 9250.333, leaseDurationSeconds: 8, leaseTransitions: 12, observedAt: now - 60_000 },
  ]);
  const s = await evaluateAlerts({ now: Date.now, intervalMs: 10_000, publicUrl: null, log });
  const d = await createDispatcher({ now: Date.now, policy: outboundPolicy, publicUrl: null, log }).pass();
  await closeDb();
  process.stdout.write(`${JSON.stringify({ clusters: { prod: prod.id, maint: maint.id }, evaluation: s, dispatch: d })}\n`);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
