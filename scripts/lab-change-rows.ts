// `flock /work/lab.lock npx tsx scripts/lab-change-rows.ts [--cycles 30] [--kill] [--out FILE]`
// The sparse raw tier's change rule (lib/slo/timeline.ts startsRun) on REAL collector output: runs a
// collector (Lease watch, etcd probed directly) against the lab for --cycles cycles of 10 s into a
// fresh SQLite file, optionally SIGKILLs the kube-scheduler leader half-way (a real failover), and
// prints, per series and in total, how many of the probe results start a run — and checks that the
// Sample table holds exactly those runs (the write path thins it since issue 16).
// Needs the lab up (`npm run lab -- up --profile ha`) and its lock; --kill heals itself (the lab
// restarts the killed replica).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { labQuorum, labState } from '../test/support/lab-quorum';
import { detailKey, startsRun, type LastSample } from '@/lib/slo/timeline';

const { values } = parseArgs({ options: { cycles: { type: 'string', default: '30' }, kill: { type: 'boolean', default: false }, out: { type: 'string' } }, strict: true });
const cycles = Number(values.cycles);
if (!Number.isInteger(cycles) || cycles < 2) throw new Error('--cycles must be a whole number ≥ 2');
const INTERVAL_MS = 10_000;
const CAP_MS = 3 * INTERVAL_MS;

const q = await labQuorum('quorum-change-rows-');
const { insertFailoverEvents, insertWatchGaps, loadLeaseSeeds } = await import('@/lib/data/failovers');
await q.migrate({ quiet: true });
const c = await q.registerCluster({
  name: 'lab',
  kubeconfigText: readFileSync(path.join(labState, 'quorum.kubeconfig'), 'utf8'),
  labels: {},
  etcd: { endpoints: [11, 12, 13].map((n) => `http://10.213.0.${n}:2379`) },
});
/** Every probe result the collector wrote (the Sample table keeps runs of them). */
const written: Array<{ probe: string; target: string; at: number; status: LastSample['lastStatus']; reason: string; detail?: unknown }> = [];
const col = q.createCollector(
  { intervalSeconds: INTERVAL_MS / 1000, probeTimeoutMs: 3000, concurrency: 8, bufferLimit: 10_000 },
  {
    listClusters: q.clusters.listClusters,
    loadKubeconfig: q.clusters.loadClusterKubeconfig,
    loadCredentials: q.clusters.loadClusterCredentials,
    insertSamples: async (id, results, opts) => {
      await q.samples.insertSamples(id, results, opts);
      if (id === c.id) written.push(...results);
    },
    probes: q.ALL_PROBES,
    now: Date.now,
    log: () => {},
    bufferDir: mkdtempSync(path.join(q.dataDir, 'buffer-')),
    failovers: { insertFailovers: insertFailoverEvents, insertWatchGaps, loadSeeds: (id) => loadLeaseSeeds(id) },
  },
);
for (let i = 0; i < cycles; i++) {
  const t = Date.now();
  await col.runOnce();
  if (values.kill && i === Math.floor(cycles / 2)) console.error(`[lab-change-rows] ${execFileSync('npm', ['run', '--silent', 'lab', '--', 'fault', 'kill', 'kube-scheduler', '--leader'], { encoding: 'utf8' }).trim()}`);
  const wait = INTERVAL_MS - (Date.now() - t);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
const stored = await q.samples.listSamples({ clusterId: c.id, since: new Date(0), limit: 100_000 });
await col.stop();
await q.closeDb();
const rows = [...written].sort((a, b) => a.at - b.at).map((r) => ({ ...r, at: new Date(r.at).toISOString(), detail: r.detail ?? null }));
if (values.out) writeFileSync(values.out, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);

const last = new Map<string, LastSample>();
const per = new Map<string, { samples: number; changes: number; why: string[] }>();
for (const r of rows) {
  const key = `${r.probe} ${r.target}`;
  const s = { t: Date.parse(r.at), status: r.status, reason: r.reason, detail: r.detail === null ? null : JSON.stringify(r.detail) };
  const prev = last.get(key) ?? null;
  const e = per.get(key) ?? { samples: 0, changes: 0, why: [] };
  e.samples++;
  if (startsRun(prev, s, CAP_MS)) {
    e.changes++;
    if (prev) e.why.push(prev.lastStatus !== s.status ? `status ${prev.lastStatus} → ${s.status}` : detailKey(prev.lastDetail) !== detailKey(s.detail) ? 'detail' : s.t - prev.lastAtMs > CAP_MS ? 'gap' : 'reason');
  }
  per.set(key, e);
  last.set(key, { lastAtMs: s.t, lastStatus: s.status, lastReason: s.reason, lastDetail: s.detail });
}
let samples = 0;
let changes = 0;
for (const [key, e] of [...per.entries()].sort()) {
  samples += e.samples;
  changes += e.changes;
  console.log(`  ${key.padEnd(52)} ${String(e.samples).padStart(5)} samples ${String(e.changes).padStart(4)} change rows${e.why.length ? ` (after the first: ${e.why.join(', ')})` : ''}`);
}
console.log(`[lab-change-rows] ${new Date().toISOString()}: ${cycles} cycles, ${per.size} series, ${samples} probe results, ${changes} change rows = ${(changes / samples).toFixed(4)} rows per probe result${values.kill ? ' (one scheduler leader kill)' : ''}`);
const storedSamples = stored.reduce((a, r) => a + r.samples, 0);
console.log(`[lab-change-rows] the Sample table: ${stored.length} runs holding ${storedSamples} samples${stored.length === changes && storedSamples === samples ? ' — exactly the runs above' : ' — NOT the runs above'}`);
process.exit(stored.length === changes && storedSamples === samples ? 0 : 1);
