// `npm run bench:collector [-- --registrations 1,50,200 --cycles 5 --concurrency 16]`
// Registers the lab cluster (the least-privilege `quorum` identity) 1, 50 and 200 times in a temp
// SQLite database and runs real collector cycles (createCollector, every probe, the on-disk buffer,
// SQLite writes) against the lab. Prints collector CPU ms per cluster-cycle (process.cpuUsage, user +
// system, this process only), wall time per cycle, RSS and heap, with ratios against the
// 1-registration run in the same process. Figures, not a pass/fail test. Needs `npm run lab -- up`.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    registrations: { type: 'string', default: '1,50,200' },
    cycles: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
    'timeout-ms': { type: 'string', default: '5000' },
  },
  strict: true,
});
const counts = values.registrations.split(',').map(Number);
const cycles = Number(values.cycles);
const concurrency = Number(values.concurrency);
const probeTimeoutMs = Number(values['timeout-ms']);
if (counts.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(cycles) || cycles < 1) {
  console.error('usage: bench-collector [--registrations 1,50,200] [--cycles N] [--concurrency N] [--timeout-ms N]');
  process.exit(2);
}

const root = path.resolve(import.meta.dirname, '..');
const labState = process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state');
const kubeconfigFile = path.join(labState, 'quorum.kubeconfig');
if (!existsSync(kubeconfigFile)) {
  console.error(`the lab is not up: ${kubeconfigFile} is missing (npm run lab -- up, or set QUORUM_LAB_STATE)`);
  process.exit(1);
}
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-bench-collector-'));
process.env.QUORUM_DATA_DIR = dataDir;
// The lab's load balancer is 127.0.0.1:16443 (and this suite's own peers are on loopback): loopback
// targets are refused unless allowed explicitly (lib/net/outbound.ts, README "Security").
process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
delete process.env.DATABASE_URL;

const { migrate } = await import('@/lib/db/migrate');
const { closeDb } = await import('@/lib/db');
const { createCluster, listClusters, loadClusterCredentials, loadClusterKubeconfig, removeCluster } = await import('@/lib/data/clusters');
const { insertSamples } = await import('@/lib/data/samples');
const { createCollector } = await import('@/lib/collector/collector');
const { ALL_PROBES } = await import('@/lib/probes');
const { resolveContext, toMinimalKubeconfig } = await import('@/lib/k8s/kubeconfig');

interface Row {
  registrations: number;
  cpuMsPerClusterCycle: number;
  wallMsPerCycle: number;
  samplesPerCycle: number;
  notUpPerCycle: number;
  rssMiB: number;
  heapMiB: number;
  firstCycleCpuMs: number;
}

const mib = (b: number): number => b / 1024 / 1024;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

async function run(n: number): Promise<Row> {
  for (const c of await listClusters()) await removeCluster(c.id);
  const resolved = resolveContext(readFileSync(kubeconfigFile, 'utf8'));
  const kubeconfigYaml = toMinimalKubeconfig(resolved);
  for (let i = 0; i < n; i++) {
    await createCluster({ name: `bench-${String(i).padStart(3, '0')}`, server: resolved.server, context: resolved.context, labels: { bench: 'collector' }, kubeconfigYaml });
  }
  const summaries: Array<{ samples: number; ms: number; notUp: number }> = [];
  let notUp = 0;
  const col = createCollector(
    { intervalSeconds: 10, probeTimeoutMs, concurrency, bufferLimit: 1_000_000 },
    {
      listClusters, loadKubeconfig: loadClusterKubeconfig, loadCredentials: loadClusterCredentials, insertSamples, probes: ALL_PROBES, now: Date.now,
      bufferDir: path.join(dataDir, `buffer-${n}`),
      log: (l) => {
        if (l.event === 'cycle') notUp = Array.isArray(l.down) ? l.down.length : 0;
      },
    },
  );
  // First cycle: connections, TLS handshakes, credential decryption — reported apart.
  const c0 = process.cpuUsage();
  await col.runOnce();
  const first = process.cpuUsage(c0);
  gc();
  const cpu0 = process.cpuUsage();
  let peakRss = 0;
  let peakHeap = 0;
  for (let i = 0; i < cycles; i++) {
    const s = await col.runOnce();
    summaries.push({ samples: s.samples, ms: s.ms, notUp });
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }
  const cpu = process.cpuUsage(cpu0);
  await col.stop();
  const avg = (f: (s: (typeof summaries)[number]) => number): number => summaries.reduce((a, s) => a + f(s), 0) / summaries.length;
  return {
    registrations: n,
    cpuMsPerClusterCycle: (cpu.user + cpu.system) / 1000 / (cycles * n),
    wallMsPerCycle: avg((s) => s.ms),
    samplesPerCycle: avg((s) => s.samples),
    notUpPerCycle: avg((s) => s.notUp),
    rssMiB: mib(peakRss),
    heapMiB: mib(peakHeap),
    firstCycleCpuMs: (first.user + first.system) / 1000,
  };
}

await migrate({ quiet: true });
console.log(`collector benchmark: ${cycles} measured cycles per run (after one warm-up cycle), concurrency ${concurrency}, probe timeout ${probeTimeoutMs} ms, probes: ${ALL_PROBES.map((p) => p.id).join(', ')}`);
console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), lab server ${resolveContext(readFileSync(kubeconfigFile, 'utf8')).server}; SQLite in ${dataDir}`);
const rows: Row[] = [];
try {
  for (const n of counts) {
    const r = await run(n);
    rows.push(r);
    console.error(`[bench] ${n} registrations done: ${r.cpuMsPerClusterCycle.toFixed(2)} CPU ms per cluster-cycle`);
  }
} finally {
  for (const c of await listClusters().catch(() => [])) await removeCluster(c.id).catch(() => undefined);
  await closeDb();
  rmSync(dataDir, { recursive: true, force: true });
}
const base = rows[0]!;
const head = ['registrations', 'CPU ms / cluster-cycle', '× base', 'wall ms / cycle', 'samples / cycle', 'not up / cycle', 'peak RSS MiB', '× base', 'peak heap MiB', 'first-cycle CPU ms'];
const table = rows.map((r) => [
  String(r.registrations),
  r.cpuMsPerClusterCycle.toFixed(2),
  (r.cpuMsPerClusterCycle / base.cpuMsPerClusterCycle).toFixed(2),
  r.wallMsPerCycle.toFixed(0),
  r.samplesPerCycle.toFixed(0),
  r.notUpPerCycle.toFixed(1),
  r.rssMiB.toFixed(0),
  (r.rssMiB / base.rssMiB).toFixed(2),
  r.heapMiB.toFixed(0),
  r.firstCycleCpuMs.toFixed(0),
]);
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const r of table) console.log(`| ${r.join(' | ')} |`);
