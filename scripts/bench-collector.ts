// `npm run bench:collector [-- --dimension registrations|size] [--registrations 1,50,200] [--sizes 3,1000,5000]
//                          [--pods-per-node 10] [--cycles 5] [--window-cycles 6] [--concurrency 16] [--interval 10]
//                          [--write-batches on|off|on,off] [--semi-space-mib 4,16] [--cpu-prof-dir DIR] [--heap-prof-dir DIR]
//                          [--node-flags "--flag …"] [--check]`
// Real collector cycles (createCollector, every probe, the on-disk buffer, SQLite writes in a temp
// database) against the lab, with the least-privilege `quorum` identity. Two dimensions, each run in
// its own child process (so one's memory high-water mark never counts in the other's figures):
//
// - registrations: the lab cluster registered 1, 50 and 200 times (each count in its own process), with
//   the quorum identity and the lab's 3 etcd endpoints, so every probe runs. Cycles at the collector's
//   interval (--interval, default 10 s; 0 = back to back): collector CPU ms per cluster-cycle is ALL the
//   process's CPU over the measured intervals (process.cpuUsage: the cycles and, between them, every
//   registration's watches) / (cycles × registrations), and apart the part spent inside the cycles;
//   wall time per cycle (and the longest), peak RSS and heap (sampled every 250 ms), RSS per extra
//   cluster ((RSS(N) − RSS(first N)) / (N − first N)), ratios against the first count; requests per
//   cluster-cycle and the share answered over HTTP/2 (lib/k8s counters), open sockets per extra cluster
//   (/proc/self/fd). --cpu-prof-dir: a V8 CPU profile of exactly the measured cycles (node:inspector),
//   one file per registration count; --heap-prof-dir: a V8 sampling allocation profile of the same stretch (every
//   allocation, also what GC collected since: where the garbage comes from); --node-flags: extra V8 flags for the
//   measured processes (e.g. "--single-threaded-gc", "--trace-gc"). --write-batches: `on` (default) writes the cycles that finished while
//   the previous write ran in one transaction, as lib/collector/main.ts does; `off` one transaction per
//   cluster-cycle (before issue 16's batching); `on,off` runs every count both ways, each in its own
//   process, and prints the ratios. --semi-space-mib: V8's young-generation semi-space for the registration
//   runs (default: the collector's own, lib/collector/node-flags.ts); a list runs every count with each.
// - size: ONE registration of the lab grown with kwok to 3 (the lab's own workers), 1,000 and 5,000
//   nodes with 10 pods per node. Per 10-s cycle (cycles at the real interval): collector CPU ms, bytes
//   read from the apiserver and requests (lib/k8s counters), watch events, the apiservers' own CPU
//   (utime+stime of the lab's kube-apiserver processes from /proc/<pid>/stat) with the collector running
//   and in an equally long window without it, RSS / heap, samples not `up`; at sizes > 3 a window with
//   kwok re-posting every node's status each 300 s (a kubelet's report frequency) and one with quiet
//   nodes; the first (syncing) cycle apart; memory per watched node and pod. Ratios against 3 nodes.
//   Changes the lab (kwok nodes) and restores its standard state at the end: hold the lab lock
//   (`flock /work/lab.lock npm run bench:collector -- --dimension size`).
// Figures, not a pass/fail test — except `--check` (registrations; `npm test` runs 1 and 3): it fails when the samples
// per cycle are not proportional to the registrations, a result is not up on the healthy lab, or a sample produced is
// not counted in the database's minute rollups. Needs `npm run lab -- up`.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { COLLECTOR_NODE_FLAGS } from '@/lib/collector/node-flags';
import { statCpuMs } from './proc-stat';

const { values } = parseArgs({
  options: {
    dimension: { type: 'string' },
    registrations: { type: 'string', default: '1,50,200' },
    interval: { type: 'string', default: '10' },
    'row-json': { type: 'boolean', default: false },
    sizes: { type: 'string', default: '3,1000,5000' },
    'pods-per-node': { type: 'string', default: '10' },
    cycles: { type: 'string', default: '5' },
    'window-cycles': { type: 'string', default: '6' },
    concurrency: { type: 'string', default: '16' },
    'timeout-ms': { type: 'string', default: '5000' },
    'keep-kwok': { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    'write-batches': { type: 'string', default: 'on' },
    'semi-space-mib': { type: 'string', default: '' },
    'cpu-prof-dir': { type: 'string' },
    'heap-prof-dir': { type: 'string' },
    'node-flags': { type: 'string', default: '' },
  },
  strict: true,
});
const root = path.resolve(import.meta.dirname, '..');

const SEMI_FLAG = '--max-semi-space-size=';
/** The collector's V8 flags with another semi-space size (MiB). */
const flagsWithSemiSpace = (mib: number): string[] => [...COLLECTOR_NODE_FLAGS.filter((f) => !f.startsWith(SEMI_FLAG)), `${SEMI_FLAG}${mib}`];
const runningFlags = (): boolean => COLLECTOR_NODE_FLAGS.every((f) => (f.startsWith(SEMI_FLAG) ? process.execArgv.some((a) => a.startsWith(SEMI_FLAG)) : process.execArgv.includes(f)));
if (values.dimension && !runningFlags()) {
  // Measure the collector as it runs: re-run this dimension with the collector's V8 flags.
  const c = spawn(process.execPath, [...COLLECTOR_NODE_FLAGS, '--expose-gc', '--import', 'tsx', path.join(root, 'scripts', 'bench-collector.ts'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
  process.exit(await new Promise<number>((resolve) => c.on('close', (n) => resolve(n ?? 1))));
}

if (!values.dimension) {
  // The parent: one child process per dimension, one after the other.
  const self = process.argv.slice(2);
  for (const d of ['registrations', 'size']) {
    const code = await new Promise<number>((resolve) => {
      // Run as the collector runs (its V8 flags), plus --expose-gc for the heap figures.
      const c = spawn(process.execPath, [...COLLECTOR_NODE_FLAGS, '--expose-gc', '--import', 'tsx', path.join(root, 'scripts', 'bench-collector.ts'), ...self, '--dimension', d], { stdio: 'inherit', cwd: root });
      c.on('close', (n) => resolve(n ?? 1));
    });
    if (code !== 0) process.exit(code);
  }
  process.exit(0);
}

const list = (s: string): number[] => (s.trim() === '' ? [] : s.split(',').map(Number));
const counts = list(values.registrations);
const writeModes = values['write-batches'].split(',').map((m) => m.trim());
const defaultSemi = Number(COLLECTOR_NODE_FLAGS.find((f) => f.startsWith(SEMI_FLAG))?.slice(SEMI_FLAG.length) ?? 16);
const semiSpaces = values['semi-space-mib'] ? list(values['semi-space-mib']) : [defaultSemi];
if (semiSpaces.some((m) => !Number.isInteger(m) || m < 1 || m > 256)) {
  console.error(`--semi-space-mib: whole MiB from 1 to 256 (got ${values['semi-space-mib']})`);
  process.exit(2);
}
if (writeModes.length === 0 || writeModes.some((m) => m !== 'on' && m !== 'off') || new Set(writeModes).size !== writeModes.length) {
  console.error(`--write-batches: on, off or on,off (got ${values['write-batches']})`);
  process.exit(2);
}
const sizes = list(values.sizes);
const podsPerNode = Number(values['pods-per-node']);
const cycles = Number(values.cycles);
const windowCycles = Number(values['window-cycles']);
const concurrency = Number(values.concurrency);
const intervalMs = Number(values.interval) * 1000;
const probeTimeoutMs = Number(values['timeout-ms']);
if (![...counts, ...sizes].every((n) => Number.isInteger(n) && n >= 1) || sizes.some((n) => n < 3) || !Number.isInteger(cycles) || cycles < 1 || !Number.isInteger(windowCycles) || windowCycles < 1
  || !Number.isFinite(intervalMs) || intervalMs < 0 || (values.dimension !== 'registrations' && values.dimension !== 'size')) {
  console.error('usage: bench-collector [--dimension registrations|size] [--registrations 1,50,200] [--sizes 3,1000,5000] [--pods-per-node 10] [--cycles N] [--window-cycles N] [--concurrency N] [--timeout-ms N] [--interval S]');
  process.exit(2);
}

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
const { closeDb, withDb } = await import('@/lib/db');
const { createCluster, listClusters, loadClusterCredentials, loadClusterKubeconfig, removeCluster } = await import('@/lib/data/clusters');
const { insertSamples, writeSampleBatches } = await import('@/lib/data/samples');
const { insertFailoverEvents, insertWatchGaps, loadLeaseSeeds } = await import('@/lib/data/failovers');
const { createCollector } = await import('@/lib/collector/collector');
const { ALL_PROBES } = await import('@/lib/probes');
const { resolveContext, toMinimalKubeconfig } = await import('@/lib/k8s/kubeconfig');
const { connect, k8sTraffic } = await import('@/lib/k8s/client');
const { startInformer } = await import('@/lib/k8s/informer');
const { podProjector, projectNode } = await import('@/lib/nodes/objects');
type NodeObject = import('@/lib/nodes/objects').NodeObject;
type PodObject = import('@/lib/nodes/objects').PodObject;

const mib = (b: number): number => b / 1024 / 1024;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const exec = promisify(execFile);
const kubeconfigText = readFileSync(kubeconfigFile, 'utf8');
const resolved = resolveContext(kubeconfigText);
const kubeconfigYaml = toMinimalKubeconfig(resolved);

/** The lab's etcd client URLs (plain HTTP inside the lab's network namespaces), registered for the full probe set. */
const LAB_ETCD = [11, 12, 13].map((n) => `http://10.213.0.${n}:2379`);

async function registerN(n: number, o: { etcd: boolean }): Promise<void> {
  for (const c of await listClusters()) await removeCluster(c.id);
  for (let i = 0; i < n; i++) {
    await createCluster({ name: `bench-${String(i).padStart(4, '0')}`, server: resolved.server, context: resolved.context, labels: { bench: 'collector' }, kubeconfigYaml, ...(o.etcd ? { etcd: { endpoints: LAB_ETCD } } : {}) });
  }
}

/** Sample write transactions and the records (cluster-cycles) they held, counted over the measured cycles. */
const writes = { transactions: 0, records: 0 };

function newCollector(tag: string, onCycle: (notUp: string[]) => void) {
  return createCollector(
    { intervalSeconds: 10, probeTimeoutMs, concurrency, bufferLimit: 1_000_000 },
    {
      listClusters, loadKubeconfig: loadClusterKubeconfig, loadCredentials: loadClusterCredentials, probes: ALL_PROBES, now: Date.now,
      insertSamples: (id, results, opts) => {
        writes.transactions++;
        writes.records++;
        return insertSamples(id, results, opts);
      },
      ...(writeModes[0] === 'on'
        ? {
            insertSampleBatches: (batches, opts) => {
              writes.transactions++;
              writes.records += batches.length;
              return writeSampleBatches(batches, opts);
            },
          }
        : {}),
      // As lib/collector/main.ts wires it: the leader-election Lease watches and their writers too.
      failovers: { insertFailovers: insertFailoverEvents, insertWatchGaps, loadSeeds: (id: string) => loadLeaseSeeds(id) },
      bufferDir: path.join(dataDir, `buffer-${tag}`),
      log: (l) => {
        if (l.event === 'cycle') onCycle(Array.isArray(l.down) ? (l.down as string[]) : []);
      },
    },
  );
}

// ---------------------------------------------------------------- registrations
interface RegRow {
  /** V8's semi-space size of the run (MiB). */
  semiSpaceMiB: number;
  /** on: several clusters' cycles per write transaction; off: one per cluster-cycle. */
  writes: string;
  registrations: number; intervalMs: number; cpuMsPerClusterCycle: number; cycleCpuMsPerCluster: number; wallMsPerCycle: number; maxWallMs: number; samplesPerCycle: number;
  notUpPerCycle: number; notUpExamples: string[]; rssMiB: number; heapMiB: number; firstCycleCpuMs: number;
  requestsPerClusterCycle: number; h2Share: number; sockets: number;
  /** Cluster-cycles per sample write transaction over the measured cycles. */
  recordsPerWrite: number;
  /** Every cycle's samples (connecting and warm-up cycles too), and how many of them the database's minute rollups counted. */
  produced: number; stored: number; buffered: number;
  /** Main-thread GC pauses over the measured cycles, ms per cluster-cycle: scavenges and mark-compact (with its incremental steps). */
  gcMinorMs: number; gcMajorMs: number;
  /** CPU of this process's other threads (V8's GC helpers, libuv's pool) over the measured cycles: ms per cluster-cycle. */
  helperThreadsMs: number;
}

/** utime + stime (ms) of every thread of this process but the main one (/proc/self/task). */
function helperThreadsCpuMs(): number {
  let ms = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    if (tid === String(process.pid)) continue;
    try {
      ms += statCpuMs(`/proc/self/task/${tid}/stat`);
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return ms;
}

/** Main-thread GC pause time by kind while running (perf_hooks 'gc' entries). */
function gcPauses(): { stop: () => { minorMs: number; majorMs: number } } {
  const ms = { minorMs: 0, majorMs: 0 };
  const add = (entries: readonly PerformanceEntry[]): void => {
    for (const e of entries) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) ms.minorMs += e.duration;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR || kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) ms.majorMs += e.duration;
    }
  };
  const obs = new PerformanceObserver((list) => add(list.getEntries()));
  obs.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      add(obs.takeRecords());
      obs.disconnect();
      return ms;
    },
  };
}

/** Open sockets of this process (TCP and TLS connections, listeners, the DNS resolvers' UDP sockets). */
function openSockets(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) n += 1;
    } catch {
      /* closed meanwhile */
    }
  }
  return n;
}

/** A V8 CPU profile of a stretch of this process (the measured cycles only), written to --cpu-prof-dir. */
const cpuProfile = (name: string): Promise<() => Promise<void>> =>
  inspectorCapture(values['cpu-prof-dir'], `${name}.cpuprofile`, [['Profiler.enable'], ['Profiler.start']], async (s) => (await s.post('Profiler.stop')).profile);

/** A V8 sampling allocation profile (every allocation, also those collected since) of the same stretch, to --heap-prof-dir. */
const allocationProfile = (name: string): Promise<() => Promise<void>> =>
  inspectorCapture(
    values['heap-prof-dir'],
    `${name}.heapprofile`,
    [['HeapProfiler.enable'], ['HeapProfiler.startSampling', { samplingInterval: 32 * 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }]],
    async (s) => (await s.post('HeapProfiler.stopSampling')).profile,
  );

/** Starts an inspector recording (`start` commands in order) when `dir` is set; the returned function stops it and writes `file` into `dir`. */
async function inspectorCapture(dir: string | undefined, file: string, start: ReadonlyArray<[string, object?]>, stop: (s: Session) => Promise<unknown>): Promise<() => Promise<void>> {
  if (!dir) return async () => undefined;
  const session = new Session();
  session.connect();
  for (const [method, params] of start) await (session.post as (m: string, p?: object) => Promise<unknown>)(method, params);
  return async () => {
    const data = await stop(session);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, file), JSON.stringify(data));
    session.disconnect();
  };
}

/** Samples RSS and heap every 250 ms (a peak between two cycles counts too). */
function memorySampler(): { stop: () => { rss: number; heap: number } } {
  let rss = 0;
  let heap = 0;
  const take = (): void => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  take();
  const t = setInterval(take, 250);
  return {
    stop: () => {
      clearInterval(t);
      take();
      return { rss, heap };
    },
  };
}

async function runRegistrations(n: number): Promise<RegRow> {
  await registerN(n, { etcd: true });
  const summaries: Array<{ samples: number; ms: number; notUp: number; cycleCpuMs: number }> = [];
  let notUp: string[] = [];
  const col = newCollector(`reg-${n}`, (d) => (notUp = d));
  // First cycle: connections, TLS handshakes, credential decryption, every watch's first list — reported apart.
  const c0 = process.cpuUsage();
  let produced = (await col.runOnce()).samples;
  const first = process.cpuUsage(c0);
  await sleep(2000); // let the watches of every registration finish their first list
  produced += (await col.runOnce()).samples;
  gc();
  // Measured: `cycles` cycles at the collector's interval (aligned to its tick, as cron runs them). The
  // CPU is everything this process spent over those intervals — the cycles themselves and, between
  // them, the watches (Nodes, Pods, EndpointSlices, Leases) every registration keeps open — divided
  // by cycles × registrations. With --interval 0 the cycles run back to back (the cycles' own work only).
  if (intervalMs > 0) await sleep(intervalMs - (Date.now() % intervalMs));
  const stopProfile = await cpuProfile(`registrations-${n}`);
  const stopAllocations = await allocationProfile(`registrations-${n}`);
  const mem = memorySampler();
  const t0 = k8sTraffic();
  const cpu0 = process.cpuUsage();
  const pauses = gcPauses();
  const helpers0 = helperThreadsCpuMs();
  const w0 = { ...writes };
  const notUpSeen = new Set<string>();
  for (let i = 0; i < cycles; i++) {
    const started = Date.now();
    const cc0 = process.cpuUsage();
    const s = await col.runOnce();
    const cc = process.cpuUsage(cc0);
    produced += s.samples;
    summaries.push({ samples: s.samples, ms: s.ms, notUp: notUp.length, cycleCpuMs: (cc.user + cc.system) / 1000 });
    for (const d of notUp) notUpSeen.add(d.replace(/^bench-\d+\//, ''));
    if (i < cycles - 1 || intervalMs > 0) await sleep(Math.max(0, intervalMs - (Date.now() - started)));
  }
  const cpu = process.cpuUsage(cpu0);
  const helpersMs = helperThreadsCpuMs() - helpers0;
  const gcMs = pauses.stop();
  const recordsPerWrite = (writes.records - w0.records) / Math.max(1, writes.transactions - w0.transactions);
  const t1 = k8sTraffic();
  const peak = mem.stop();
  const sockets = openSockets();
  await stopProfile();
  await stopAllocations();
  await col.flushEvents().catch(() => undefined); // what the buffer still holds; a failure shows as `buffered` below
  const buffered = col.buffer.pending;
  await col.stop();
  const stored = await withDb(async (db) => Number(((await db.prisma.$queryRawUnsafe('SELECT COALESCE(SUM("samples"), 0) AS n FROM "RollupMinute"')) as Array<{ n: number | bigint }>)[0]?.n ?? 0));
  const h2 = t1.h2Responses - t0.h2Responses;
  const h1 = t1.h1Responses - t0.h1Responses;
  const avg = (f: (s: (typeof summaries)[number]) => number): number => summaries.reduce((a, s) => a + f(s), 0) / summaries.length;
  return {
    semiSpaceMiB: Number(process.execArgv.find((a) => a.startsWith(SEMI_FLAG))?.slice(SEMI_FLAG.length) ?? defaultSemi), writes: writeModes[0]!, registrations: n, intervalMs, cpuMsPerClusterCycle: (cpu.user + cpu.system) / 1000 / (cycles * n), cycleCpuMsPerCluster: avg((s) => s.cycleCpuMs) / n,
    wallMsPerCycle: avg((s) => s.ms), maxWallMs: Math.max(...summaries.map((s) => s.ms)), samplesPerCycle: avg((s) => s.samples),
    notUpPerCycle: avg((s) => s.notUp), notUpExamples: [...notUpSeen].slice(0, 5), rssMiB: mib(peak.rss), heapMiB: mib(peak.heap), firstCycleCpuMs: (first.user + first.system) / 1000,
    requestsPerClusterCycle: (t1.requests - t0.requests) / (cycles * n), h2Share: h2 + h1 ? h2 / (h2 + h1) : 0, sockets, recordsPerWrite, produced, stored, buffered,
    gcMinorMs: gcMs.minorMs / (cycles * n), gcMajorMs: gcMs.majorMs / (cycles * n), helperThreadsMs: helpersMs / (cycles * n),
  };
}

/** Each registration count in its own process: one count's memory high-water mark never counts in another's. */
async function runRegistrationsApart(n: number, writes: string, semiMiB: number): Promise<RegRow> {
  const own = new Set(['--registrations', '--write-batches', '--semi-space-mib']);
  const args = process.argv.slice(2).filter((a, i, all) => !own.has(a) && !own.has(all[i - 1] ?? '') && ![...own].some((o) => a.startsWith(`${o}=`)));
  const extra = values['node-flags'].split(/\s+/).filter(Boolean);
  const execArgv = [...process.execArgv.filter((a) => !a.startsWith(SEMI_FLAG) && !COLLECTOR_NODE_FLAGS.includes(a) && !extra.includes(a)), ...flagsWithSemiSpace(semiMiB), ...extra];
  const c = spawn(process.execPath, [...execArgv, path.join(root, 'scripts', 'bench-collector.ts'), ...args, '--registrations', String(n), '--write-batches', writes, '--semi-space-mib', String(semiMiB), '--row-json'], { stdio: ['ignore', 'pipe', 'inherit'], cwd: root });
  let out = '';
  c.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const code = await new Promise<number>((resolve) => c.on('close', (x) => resolve(x ?? 1)));
  const line = out.split('\n').find((l) => l.startsWith('ROW '));
  if (code !== 0 || !line) throw new Error(`the ${n}-registration run failed (exit ${code}): ${out.slice(-2000)}`);
  return JSON.parse(line.slice(4)) as RegRow;
}

function printTable(head: string[], rows: string[][]): void {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

// ---------------------------------------------------------------- size
async function lab(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await exec(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'lab', 'cli.ts'), ...args], { cwd: root, timeout: 3_600_000, maxBuffer: 16 << 20 });
  const last = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!last) throw new Error(`lab ${args.join(' ')} printed no JSON line`);
  return JSON.parse(last) as Record<string, unknown>;
}

/** utime + stime (ms) of every kube-apiserver process of the lab. */
function apiserverCpuMs(): number {
  const st = JSON.parse(readFileSync(path.join(labState, 'state.json'), 'utf8')) as { procs: Array<{ component: string; pid: number | null }> };
  let ms = 0;
  for (const p of st.procs) {
    if (p.component !== 'kube-apiserver' || !p.pid) continue;
    try {
      ms += statCpuMs(`/proc/${p.pid}/stat`);
    } catch {
      /* restarted in between: counted from its new start */
    }
  }
  return ms;
}

interface Window { cycles: number; cpuMs: number; bytes: number; requests: number; watchLines: number; apiCpuMs: number; notUp: number; rssMiB: number; heapMiB: number }

/** Runs `n` cycles at the real 10 s interval (aligned to the tick) and returns per-cycle figures. */
async function steadyWindow(col: ReturnType<typeof newCollector>, n: number, notUp: { last: string[] }): Promise<Window> {
  await sleep(10_000 - (Date.now() % 10_000));
  const t0 = k8sTraffic();
  const c0 = process.cpuUsage();
  const a0 = apiserverCpuMs();
  let bad = 0;
  let rss = 0;
  let heap = 0;
  for (let i = 0; i < n; i++) {
    const started = Date.now();
    await col.runOnce();
    bad += notUp.last.length;
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
    await sleep(Math.max(0, 10_000 - (Date.now() - started)));
  }
  const t1 = k8sTraffic();
  const c = process.cpuUsage(c0);
  return {
    cycles: n, cpuMs: (c.user + c.system) / 1000 / n, bytes: (t1.bytesRead - t0.bytesRead) / n, requests: (t1.requests - t0.requests) / n,
    watchLines: (t1.watchLines - t0.watchLines) / n, apiCpuMs: (apiserverCpuMs() - a0) / n, notUp: bad / n, rssMiB: mib(rss), heapMiB: mib(heap),
  };
}

/** The same length of time without the collector: the apiservers' background CPU at this size. */
async function idleApiserverCpuMs(n: number): Promise<number> {
  const a0 = apiserverCpuMs();
  await sleep(n * 10_000);
  return (apiserverCpuMs() - a0) / n;
}

/** Bytes of heap one projected object costs: a separate informer's store, measured with gc before and after. */
async function bytesPerObject(kind: 'nodes' | 'pods'): Promise<{ objects: number; bytes: number }> {
  const conn = await connect(kubeconfigText);
  gc();
  await sleep(200);
  gc();
  const h0 = process.memoryUsage().heapUsed;
  const project = podProjector();
  const inf = kind === 'nodes'
    ? startInformer(conn, { name: 'nodes', path: '/api/v1/nodes', project: (n) => projectNode(n as NodeObject) })
    : startInformer(conn, { name: 'pods', path: '/api/v1/pods', fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', project: (p) => project(p as PodObject) });
  const hold = setInterval(() => undefined, 1000); // watches never keep the process alive themselves
  await inf.synced;
  clearInterval(hold);
  await sleep(500);
  gc();
  await sleep(200);
  gc();
  const h1 = process.memoryUsage().heapUsed;
  const objects = inf.size;
  inf.stop();
  return { objects, bytes: objects ? (h1 - h0) / objects : 0 };
}

interface SizeRow {
  nodes: number; pods: number;
  first: { syncMs: number; bytes: number; cpuMs: number; apiCpuMs: number; notUpCycles: number; rssMiB: number };
  churn: Window | null; quiet: Window; idleApiCpuMs: number; idleApiCpuChurnMs: number | null;
  perNodeBytes: number; perPodBytes: number;
}

/** kwok posts a node's status 300–330 s after it last saw the node change: wait until it has run that long (steady churn). */
async function kwokSteady(): Promise<void> {
  const st = JSON.parse(readFileSync(path.join(labState, 'state.json'), 'utf8')) as { procs: Array<{ component: string; startedAt: string | null }> };
  const started = Date.parse(st.procs.find((p) => p.component === 'kwok')?.startedAt ?? '');
  const wait = Number.isFinite(started) ? started + 340_000 - Date.now() : 0;
  if (wait > 0) {
    console.error(`[bench] waiting ${Math.round(wait / 1000)} s until kwok re-posts node status in steady rhythm`);
    await sleep(wait);
  }
}

/** MemAvailable of this machine (MiB): the lab at 50,000 pods needs several GiB, and the machine is shared. */
function memAvailableMiB(): number {
  return Number(/MemAvailable:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024;
}

const labCosts: Array<{ nodes: number; add: Record<string, unknown> | null; cost: Record<string, unknown> }> = [];

async function runSize(nodes: number): Promise<SizeRow> {
  let add: Record<string, unknown> | null = null;
  if (nodes > 3) {
    const free = memAvailableMiB();
    if (free < 8192) throw new Error(`only ${Math.round(free)} MiB available: not growing the lab to ${nodes} nodes (it needs several GiB; the machine is shared)`);
    console.error(`[bench] growing the lab to ${nodes} nodes × ${podsPerNode} pods (kwok; status re-posted every 300 s)`);
    add = await lab('kwok', 'add', '--nodes', String(nodes - 3), '--pods-per-node', String(podsPerNode), '--status-seconds', '300');
    console.error(`[bench]   ${JSON.stringify(add)}`);
    await kwokSteady();
  }
  labCosts.push({ nodes, add, cost: await lab('kwok', 'cost') });
  console.error(`[bench]   lab cost at ${nodes} nodes: ${JSON.stringify(labCosts[labCosts.length - 1]!.cost)}`);
  const idleChurn = nodes > 3 ? await idleApiserverCpuMs(windowCycles) : null;
  await registerN(1, { etcd: false });
  const notUp = { last: [] as string[] };
  const col = newCollector(`size-${nodes}`, (d) => (notUp.last = d));
  // First cycles: connect, every watch's first (streaming) list; until the nodes sample is synced.
  const t0 = k8sTraffic();
  const c0 = process.cpuUsage();
  const a0 = apiserverCpuMs();
  const s0 = Date.now();
  let notUpCycles = 0;
  for (;;) {
    await col.runOnce();
    if (!notUp.last.some((d) => d.includes('/nodes:'))) break;
    notUpCycles += 1;
    if (Date.now() - s0 > 300_000) throw new Error(`nodes not synced after 300 s: ${notUp.last.join('; ')}`);
  }
  const syncMs = Date.now() - s0;
  const t1 = k8sTraffic();
  const c1 = process.cpuUsage(c0);
  const first = { syncMs, bytes: t1.bytesRead - t0.bytesRead, cpuMs: (c1.user + c1.system) / 1000, apiCpuMs: apiserverCpuMs() - a0, notUpCycles, rssMiB: mib(process.memoryUsage().rss) };
  gc();
  const churn = nodes > 3 ? await steadyWindow(col, windowCycles, notUp) : null;
  if (nodes > 3) {
    console.error('[bench] kwok stops re-posting node status (quiet nodes)');
    await lab('kwok', 'add', '--nodes', String(nodes - 3), '--pods-per-node', String(podsPerNode), '--status-seconds', '0');
    await sleep(20_000); // kwok's restart relists everything: let that pass before measuring
  }
  const quiet = await steadyWindow(col, windowCycles, notUp);
  await col.stop();
  const idleApiCpuMs = await idleApiserverCpuMs(windowCycles);
  const perNode = await bytesPerObject('nodes');
  const perPod = await bytesPerObject('pods');
  return { nodes, pods: perPod.objects, first, churn, quiet, idleApiCpuMs, idleApiCpuChurnMs: idleChurn, perNodeBytes: perNode.bytes, perPodBytes: perPod.bytes };
}

// ---------------------------------------------------------------- main
await migrate({ quiet: true });
console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB; lab server ${resolved.server}; SQLite in ${dataDir}; ${new Date().toISOString()}`);
try {
  if (values.dimension === 'registrations' && values['row-json']) {
    console.log(`ROW ${JSON.stringify(await runRegistrations(counts[0]!))}`);
  } else if (values.dimension === 'registrations' && counts.length) {
    const pace = intervalMs > 0 ? `at the collector's ${intervalMs / 1000} s interval (CPU of the whole intervals: cycles and the watches between them)` : 'back to back (the cycles\' own CPU only)';
    console.log(`\ncollector benchmark, registrations: the lab registered N times with the quorum identity and its 3 etcd endpoints (full probe set), each N in its own process; ${cycles} measured cycles ${pace}, after one connecting and one warm-up cycle; concurrency ${concurrency}, probe timeout ${probeTimeoutMs} ms, probes: ${ALL_PROBES.map((p) => p.id).join(', ')}`);
    const rows: RegRow[] = [];
    // Both write modes: alternated per count, so a busier minute of the shared machine hits both alike.
    for (const n of counts) {
      for (const w of writeModes) for (const semi of semiSpaces) {
        const r = await runRegistrationsApart(n, w, semi);
        rows.push(r);
        console.error(`[bench] ${n} registrations, write batches ${w}, semi-space ${semi} MiB: ${r.cpuMsPerClusterCycle.toFixed(2)} CPU ms per cluster-cycle, ${r.rssMiB.toFixed(0)} MiB peak RSS${r.notUpExamples.length ? `; not up: ${r.notUpExamples.join(' | ')}` : ''}`);
      }
    }
    const base = rows[0]!;
    // Below a few dozen registrations the difference drowns in RSS noise (it can even come out negative): say so instead of printing it.
    const perCluster = (r: RegRow): string => {
      if (r.registrations <= base.registrations) return '–';
      const d = (r.rssMiB - base.rssMiB) / (r.registrations - base.registrations);
      return d > 0 ? d.toFixed(2) : `below the noise (RSS ${(r.rssMiB - base.rssMiB).toFixed(0)} MiB)`;
    };
    const socketsPer = (r: RegRow): string => (r.registrations > base.registrations ? ((r.sockets - base.sockets) / (r.registrations - base.registrations)).toFixed(1) : '–');
    printTable(['semi-space MiB', 'write batches', 'registrations', 'CPU ms / cluster-cycle', '× base', 'of which in the cycle', 'wall ms / cycle (max)', 'samples / cycle', 'not up / cycle', 'peak RSS MiB', 'RSS MiB per extra cluster', 'peak heap MiB', 'first-cycle CPU ms', 'k8s requests / cluster-cycle (h2 share)', 'sockets per extra cluster', 'cluster-cycles per write', 'GC pauses ms / cluster-cycle: scavenge · mark-compact', 'helper threads\' CPU ms / cluster-cycle'], rows.map((r) => [
      String(r.semiSpaceMiB), r.writes, String(r.registrations), r.cpuMsPerClusterCycle.toFixed(2), (r.cpuMsPerClusterCycle / base.cpuMsPerClusterCycle).toFixed(2), r.cycleCpuMsPerCluster.toFixed(2), `${r.wallMsPerCycle.toFixed(0)} (${r.maxWallMs})`, r.samplesPerCycle.toFixed(0),
      r.notUpPerCycle.toFixed(1), r.rssMiB.toFixed(0), perCluster(r), r.heapMiB.toFixed(0), r.firstCycleCpuMs.toFixed(0), `${r.requestsPerClusterCycle.toFixed(1)} (${(r.h2Share * 100).toFixed(0)} %)`, socketsPer(r), r.recordsPerWrite.toFixed(1),
      `${r.gcMinorMs.toFixed(2)} · ${r.gcMajorMs.toFixed(2)}`, r.helperThreadsMs.toFixed(2),
    ]));
    if (writeModes.length === 2) {
      for (const n of counts) {
        const on = rows.find((r) => r.registrations === n && r.writes === 'on' && r.semiSpaceMiB === semiSpaces[0])!;
        const off = rows.find((r) => r.registrations === n && r.writes === 'off' && r.semiSpaceMiB === semiSpaces[0])!;
        console.log(`write batches at ${n} registrations: ${on.cpuMsPerClusterCycle.toFixed(2)} vs ${off.cpuMsPerClusterCycle.toFixed(2)} CPU ms per cluster-cycle (on / off = ${(on.cpuMsPerClusterCycle / off.cpuMsPerClusterCycle).toFixed(2)}), longest cycle ${on.maxWallMs} vs ${off.maxWallMs} ms`);
      }
    }
    if (semiSpaces.length > 1) {
      for (const n of counts) {
        const a = rows.find((r) => r.registrations === n && r.writes === writeModes[0] && r.semiSpaceMiB === semiSpaces[0])!;
        for (const semi of semiSpaces.slice(1)) {
          const b = rows.find((r) => r.registrations === n && r.writes === writeModes[0] && r.semiSpaceMiB === semi)!;
          console.log(`semi-space ${semi} vs ${semiSpaces[0]} MiB at ${n} registrations: ${b.cpuMsPerClusterCycle.toFixed(2)} vs ${a.cpuMsPerClusterCycle.toFixed(2)} CPU ms per cluster-cycle (${(b.cpuMsPerClusterCycle / a.cpuMsPerClusterCycle).toFixed(2)}×), peak RSS ${b.rssMiB.toFixed(0)} vs ${a.rssMiB.toFixed(0)} MiB, longest cycle ${b.maxWallMs} vs ${a.maxWallMs} ms`);
        }
      }
    }
    const last = rows.filter((r) => r.writes === writeModes[0] && r.semiSpaceMiB === semiSpaces[0]).at(-1)!;
    const cores = (last.cpuMsPerClusterCycle * last.registrations) / Math.max(1, intervalMs || last.wallMsPerCycle);
    if (values.check) {
      // The small version in `npm test`: no timing asserted; it fails when a cycle lost or skipped work.
      const perRegistration = base.samplesPerCycle / base.registrations;
      const problems: string[] = [];
      for (const r of rows) {
        if (r.samplesPerCycle !== perRegistration * r.registrations) problems.push(`${r.registrations} registrations: ${r.samplesPerCycle} samples per cycle, expected ${perRegistration} × ${r.registrations}`);
        if (r.notUpPerCycle > 0) problems.push(`${r.registrations} registrations: ${r.notUpPerCycle} results per cycle not up on the healthy lab (${r.notUpExamples.join(' | ')})`);
        if (r.stored !== r.produced || r.buffered !== 0) problems.push(`${r.registrations} registrations: ${r.produced} samples produced, ${r.stored} in the database's minute rollups, ${r.buffered} left in the buffer`);
      }
      console.log(`\ncheck: ${rows.map((r) => `${r.registrations} registrations: ${r.produced} samples produced = ${r.stored} stored, ${r.samplesPerCycle} per cycle, ${r.notUpPerCycle} not up`).join('; ')}`);
      if (problems.length) {
        console.error(`check failed:\n  ${problems.join('\n  ')}`);
        process.exitCode = 1;
      }
    }
    console.log(`\ntargets at ${last.registrations} registrations: ${last.cpuMsPerClusterCycle.toFixed(2)} CPU ms per cluster-cycle (target ≤ 2), ${perCluster(last)} MiB RSS per extra cluster (target ≤ 1), longest cycle ${last.maxWallMs} ms of a ${intervalMs / 1000} s interval (${(cores * 100).toFixed(0)} % of one core)`);
  }
  if (values.dimension === 'size' && sizes.length) {
    console.log(`\ncollector benchmark, cluster size: one registration; ${windowCycles} cycles per window at the real 10 s interval; ${podsPerNode} pods per kwok node; probe timeout ${probeTimeoutMs} ms`);
    const rows: SizeRow[] = [];
    try {
      for (const n of sizes) {
        const r = await runSize(n);
        rows.push(r);
        console.error(`[bench] ${n} nodes done: ${JSON.stringify(r)}`);
      }
    } finally {
      if (!values['keep-kwok'] && sizes.some((n) => n > 3)) {
        console.error('[bench] removing the kwok nodes (standard lab state)');
        const r = await lab('kwok', 'remove');
        console.error(`[bench]   ${JSON.stringify(r)}`);
        console.log(`\nlab kwok remove: ${JSON.stringify(r)}`);
      }
    }
    const base = rows[0]!;
    const kib = (b: number): string => (b / 1024).toFixed(1);
    const win = (r: SizeRow, w: Window | null, idle: number | null, label: string): string[] => (w ? [
      `${r.nodes.toLocaleString('en-US')} (${label})`, r.pods.toLocaleString('en-US'), w.cpuMs.toFixed(1), kib(w.bytes), (w.bytes / base.quiet.bytes).toFixed(2), w.requests.toFixed(1), w.watchLines.toFixed(0),
      w.apiCpuMs.toFixed(0), idle === null ? '–' : idle.toFixed(0), idle === null ? '–' : (w.apiCpuMs - idle).toFixed(0), w.rssMiB.toFixed(0), (w.rssMiB - base.quiet.rssMiB).toFixed(0), w.heapMiB.toFixed(0), w.notUp.toFixed(1),
    ] : []);
    console.log('\nsteady state, per 10-s cycle:');
    printTable(['nodes', 'pods', 'collector CPU ms', 'KiB read', '× 3 nodes', 'requests', 'watch events', 'apiserver CPU ms', 'idle apiserver CPU ms', 'apiserver CPU Δ ms', 'RSS MiB', 'RSS − 3-node MiB', 'heap MiB', 'not up'],
      rows.flatMap((r) => [...(r.churn ? [win(r, r.churn, r.idleApiCpuChurnMs, 'status every 300 s')] : []), win(r, r.quiet, r.idleApiCpuMs, r.nodes > 3 ? 'quiet nodes' : 'lab')]));
    console.log('\nfirst cycles (connect + first list of every watch) and memory per watched object:');
    printTable(['nodes', 'pods', 'until synced ms', 'cycles not up while syncing', 'MiB read', 'collector CPU ms', 'apiserver CPU ms', 'RSS after MiB', 'heap bytes / node', 'heap bytes / pod'], rows.map((r) => [
      r.nodes.toLocaleString('en-US'), r.pods.toLocaleString('en-US'), String(r.first.syncMs), String(r.first.notUpCycles), mib(r.first.bytes).toFixed(1), r.first.cpuMs.toFixed(0), r.first.apiCpuMs.toFixed(0), r.first.rssMiB.toFixed(0),
      r.perNodeBytes.toFixed(0), r.perPodBytes.toFixed(0),
    ]));
    console.log('\nthe lab itself (lab kwok add / lab kwok cost):');
    printTable(['nodes', 'created in s (nodes / pods / until all Running)', 'pods created per s', 'lab RSS MiB (all processes)', 'largest processes MiB', 'etcd db MiB per member'], labCosts.map((c) => {
      const rss = (c.cost.rssMiB ?? {}) as Record<string, number>;
      const top = Object.entries(rss).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k} ${v}`).join(', ');
      const a = c.add;
      return [c.nodes.toLocaleString('en-US'), a ? `${(Number(a.nodesMs) / 1000).toFixed(0)} / ${(Number(a.podsMs) / 1000).toFixed(0)} / ${(Number(a.totalMs) / 1000).toFixed(0)}` : '–', a ? String(a.podsPerSecond) : '–',
        String(c.cost.totalRssMiB), top, Object.values((c.cost.etcdDbMiB ?? {}) as Record<string, number>).join(' / ')];
    }));
    const last = rows[rows.length - 1]!;
    console.log(`\ntargets at ${last.nodes.toLocaleString('en-US')} nodes: bytes per cycle ${(last.quiet.bytes / base.quiet.bytes).toFixed(2)}× the 3-node figure with quiet nodes${last.churn ? `, ${(last.churn.bytes / base.quiet.bytes).toFixed(2)}× with status every 300 s` : ''} (target ≤ 2×); RSS ${(Math.max(last.quiet.rssMiB, last.churn?.rssMiB ?? 0) - base.quiet.rssMiB).toFixed(0)} MiB over the 3-node run (target ≤ 100); samples not up per cycle ${Math.max(last.quiet.notUp, last.churn?.notUp ?? 0).toFixed(1)} (target 0)`);
  }
} finally {
  for (const c of await listClusters().catch(() => [])) await removeCluster(c.id).catch(() => undefined);
  await closeDb();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
