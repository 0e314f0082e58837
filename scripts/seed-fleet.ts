// Seeds a fleet through the real write path (insertSamples, insertFailoverEvents, createMaintenanceWindow)
// for looking at the dashboard and timing it at scale: N clusters × D days of the composite series
// (endpoint /readyz) at one sample per --interval-s, random outages, failovers and maintenance; the first
// --full clusters get every component series (livez, replicas, Leases, DNS, nodes) too. A few clusters
// are special: one registered 10 minutes ago, one whose credentials broke 8 days ago (unknown since),
// one down right now. Deterministic (--seed). Prints {"clusters": N, "samples": …} when done.
//   QUORUM_DATA_DIR=/tmp/fleet npx tsx scripts/seed-fleet.ts --clusters 500 --days 30 --interval-s 120
import { closeDb } from '@/lib/db';
import { migrate } from '@/lib/db/migrate';
import { createCluster } from '@/lib/data/clusters';
import { insertFailoverEvents } from '@/lib/data/failovers';
import { insertSamples } from '@/lib/data/samples';
import { createMaintenanceWindow } from '@/lib/data/slo';
import type { ProbeResult, Status } from '@/lib/types';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const CLUSTERS = arg('clusters', 12);
const DAYS = arg('days', 30);
const INTERVAL = arg('interval-s', 60) * 1000;
const FULL = arg('full', 3);
let seed = arg('seed', 42);
const NOW = Math.floor(Date.now() / INTERVAL) * INTERVAL;
const DAY = 86_400_000;

function rand(): number {
  // mulberry32
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

interface Window {
  from: number;
  to: number;
  status: Status;
  reason: string;
}

const SERIES: Array<{ probe: ProbeResult['probe']; target: string }> = [
  { probe: 'apiserver-livez', target: 'endpoint' },
  { probe: 'apiserver-replicas', target: 'replicas' },
  { probe: 'apiserver-replicas', target: '10.0.0.11:6443' },
  { probe: 'apiserver-replicas', target: '10.0.0.12:6443' },
  { probe: 'apiserver-replicas', target: '10.0.0.13:6443' },
  { probe: 'leader-election', target: 'kube-system/kube-scheduler' },
  { probe: 'leader-election', target: 'kube-system/kube-controller-manager' },
  { probe: 'dns', target: 'kube-dns' },
  { probe: 'nodes', target: 'workers' },
];

async function main(): Promise<void> {
  await migrate({ quiet: true });
  let samples = 0;
  for (let i = 0; i < CLUSTERS; i++) {
    const name = i === 0 ? 'fleet-new' : i === 1 ? 'fleet-creds' : i === 2 ? 'fleet-down' : `fleet-${String(i).padStart(3, '0')}`;
    const env = i % 3 === 0 ? 'prod' : i % 3 === 1 ? 'staging' : 'dev';
    const c = await createCluster({ name, server: `https://10.${Math.floor(i / 250)}.${i % 250}.1:6443`, context: name, labels: { env, region: i % 2 ? 'eu-west-1' : 'us-east-1' }, kubeconfigYaml: 'apiVersion: v1' });
    const start = i === 0 ? NOW - 10 * 60_000 : NOW - DAYS * DAY;
    const bad: Window[] = [];
    if (i === 1) bad.push({ from: NOW - 8 * DAY, to: NOW + 1, status: 'unknown', reason: '401 unauthorized: the token is no longer valid' });
    if (i === 2) bad.push({ from: NOW - 12 * 60_000, to: NOW + 1, status: 'down', reason: 'readyz failed: etcd' });
    if (i === 0) bad.push({ from: NOW - 5 * 60_000, to: NOW - 5 * 60_000 + 25_000, status: 'down', reason: 'readyz failed: etcd' });
    // Random outages: most clusters a few short ones, a few clusters many or long ones.
    const rate = i > 2 && i % 17 === 5 ? 1.2 : i > 2 && i % 7 === 3 ? 0.3 : 0.05;
    for (let d = 0; d < DAYS && i > 2; d++) {
      if (rand() < rate) {
        const from = start + d * DAY + Math.floor(rand() * DAY);
        const len = (1 + Math.floor(rand() * (i % 17 === 5 ? 40 : 12))) * 60_000;
        bad.push({ from, to: from + len, status: 'down', reason: rand() < 0.6 ? 'readyz failed: etcd' : 'connect ECONNREFUSED 10.0.0.1:6443' });
      }
    }
    const statusAt = (t: number): { status: Status; reason: string } => {
      const w = bad.find((b) => t >= b.from && t < b.to);
      return w ? { status: w.status, reason: w.reason } : { status: 'up', reason: 'ok' };
    };
    const full = i < FULL || i === 2;
    for (let day = start; day < NOW; day += DAY) {
      const batch: ProbeResult[] = [];
      for (let t = day; t < Math.min(day + DAY, NOW); t += INTERVAL) {
        const s = statusAt(t);
        batch.push({ probe: 'apiserver-readyz', target: 'endpoint', status: s.status, reason: s.reason, latencyMs: 8 + Math.floor(rand() * 20), at: t });
        if (full) {
          for (const x of SERIES) {
            const st = x.probe === 'nodes' || x.probe === 'dns' ? ({ status: s.status === 'unknown' ? 'unknown' : 'up', reason: 'ok' } as const) : s;
            batch.push({ probe: x.probe, target: x.target, status: st.status, reason: x.probe === 'leader-election' ? 'held by cp1_a, renewed 1 s ago (lease 15 s)' : st.reason, latencyMs: x.probe === 'leader-election' ? null : 5 + Math.floor(rand() * 10), at: t });
          }
        }
      }
      await insertSamples(c.id, batch, { capMs: 3 * INTERVAL });
      samples += batch.length;
    }
    const failovers = i > 2 ? Math.floor(rand() * 4) : 0;
    await insertFailoverEvents(
      c.id,
      Array.from({ length: failovers }, (_, k) => {
        const at = start + Math.floor(rand() * (NOW - start));
        return { lease: k % 2 ? 'kube-system/kube-scheduler' : 'kube-system/kube-controller-manager', kind: 'crash' as const, previousHolder: `cp${k}_a`, newHolder: `cp${k + 1}_b`, previousRenewTime: null, newAcquireTime: null, gapMs: null, leaseDurationSeconds: 15, leaseTransitions: k + 1, observedAt: at };
      }),
    );
    if (i === 4) await createMaintenanceWindow({ clusterId: c.id, title: 'etcd defrag', startMs: NOW - 3 * DAY, durationMs: 2 * 3_600_000, author: { name: 'cli:seed', role: 'admin' } });
    if (i % 50 === 49) console.error(`[seed] ${i + 1} / ${CLUSTERS} clusters, ${samples.toLocaleString('en')} samples`);
  }
  await closeDb();
  process.stdout.write(`${JSON.stringify({ clusters: CLUSTERS, days: DAYS, samples })}\n`);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
