// `npm run bench:peers [-- --interval 10] [--duration 120] [--warmup 20] [--copies 25]`
// Quorum's apiserver health probe side by side with the tools an SRE would pick instead, on the same
// work: Prometheus' blackbox_exporter and Gatus (built from their Go modules by lab/build-peers.sh,
// cached under ~/.cache/quorum-lab/<name>-<version>/). All three probe the same lab endpoints — the
// load balancer's and each apiserver replica's /readyz?verbose (the replicas from the `kubernetes`
// EndpointSlice), `--copies` times each (as that many registered clusters would: 25 × 4 = 100
// endpoints by default) — with the same identity (the lab's quorum kubeconfig: its CA and bearer
// token), at the same interval, for the same measured window, all at once (so each meets the same load
// on this shared machine). For each process: CPU (utime + stime from /proc/<pid>/stat over the window,
// after a warm-up) per endpoint-probe, and RSS (VmRSS from /proc/<pid>/status, peak and mean),
// with ratios to Quorum; and how many probes each ran and how many succeeded.
//
// - Quorum: a child process running only the probe loop, exactly the collector's code path for these
//   probes: one connection per "cluster" (lib/k8s/client.ts connect: HTTP/2, one session per endpoint), probeHealth
//   (lib/probes/apiserver.ts: GET /readyz?verbose, classified, every named check parsed), the LB through
//   the server URL and each replica through baseUrl; cycles aligned to the interval; the collector's
//   V8 flags. Run with tsx (its loader is in the RSS; the TypeScript is compiled before the window).
// - blackbox_exporter: one `http` module (valid status 200, the CA file, `authorization: Bearer`); a
//   scrape loop in this process GETs /probe?module=…&target=… for every endpoint once per interval, as
//   Prometheus would (this process's CPU is not counted; nor is Prometheus' for blackbox, nor a
//   scheduler for the others: Gatus and Quorum schedule themselves and that is counted). blackbox makes
//   a new connection (TCP + TLS handshake) for every probe: that is how it works.
// - Gatus: one endpoint per target (`[STATUS] == 200`, the Authorization header, memory storage,
//   keep-alive client); it trusts the lab CA through SSL_CERT_FILE (Gatus has no CA option; Go reads
//   that variable), so the certificate is verified as the others verify it. Probes counted from its
//   /metrics (gatus_results_total).
// Figures, not a pass/fail test. Needs `npm run lab -- up` and `bash lab/build-peers.sh`; reads the lab
// only (hold the lab lock: `flock /work/lab.lock npm run bench:peers`). Ports: QUORUM_BENCH_PORT_BASE
// (default 3401) for blackbox_exporter, +1 for Gatus.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { COLLECTOR_NODE_FLAGS } from '@/lib/collector/node-flags';
import { statCpuMs } from './proc-stat';

const { values } = parseArgs({
  options: {
    interval: { type: 'string', default: '10' },
    duration: { type: 'string', default: '120' },
    warmup: { type: 'string', default: '20' },
    copies: { type: 'string', default: '25' },
    'quorum-child': { type: 'string' },
  },
  strict: true,
});
const root = path.resolve(import.meta.dirname, '..');
const intervalMs = Number(values.interval) * 1000;
const durationMs = Number(values.duration) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const copies = Number(values.copies);
if (![intervalMs, durationMs, warmupMs].every((n) => Number.isFinite(n) && n >= 0) || intervalMs < 1000 || durationMs < intervalMs || !Number.isInteger(copies) || copies < 1) {
  console.error('usage: bench-peers [--interval S ≥ 1] [--duration S] [--warmup S] [--copies N]');
  process.exit(2);
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const labState = process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state');
const kubeconfigFile = path.join(labState, 'quorum.kubeconfig');
process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1'; // the lab's LB is 127.0.0.1:16443

// ---------------------------------------------------------------- the Quorum child: the probe loop only
if (values['quorum-child']) {
  const { connect } = await import('@/lib/k8s/client');
  const { probeHealth } = await import('@/lib/probes/apiserver');
  const replicas = values['quorum-child'].split(',');
  const text = readFileSync(kubeconfigFile, 'utf8');
  const conns = await Promise.all(Array.from({ length: copies }, () => connect(text)));
  const hold = setInterval(() => undefined, 60_000);
  process.on('SIGTERM', () => {
    clearInterval(hold);
    process.exit(0);
  });
  for (;;) {
    await sleep(intervalMs - (Date.now() % intervalMs));
    const signal = new AbortController().signal;
    const results = await Promise.all(conns.flatMap((conn) => {
      const ctx = { conn, timeoutMs: 5000, signal, now: Date.now };
      return [probeHealth(ctx, 'readyz', 'apiserver-readyz'), ...replicas.map((r) => probeHealth(ctx, 'readyz', 'apiserver-replicas', r, `https://${r}`))];
    }));
    process.stdout.write(`${JSON.stringify({ probes: results.length, up: results.filter((r) => r.status === 'up').length, example: results.find((r) => r.status !== 'up')?.reason })}\n`);
  }
}

// ---------------------------------------------------------------- the parent
if (!existsSync(kubeconfigFile)) {
  console.error(`the lab is not up: ${kubeconfigFile} is missing (npm run lab -- up, or set QUORUM_LAB_STATE)`);
  process.exit(1);
}
const versions = Object.fromEntries(
  readFileSync(path.join(root, 'lab', 'versions.env'), 'utf8').split('\n').flatMap((l) => (/^([A-Z_]+)=(\S+)/.exec(l) ? [[/^([A-Z_]+)=(\S+)/.exec(l)![1]!, /^([A-Z_]+)=(\S+)/.exec(l)![2]!]] : [])),
) as Record<string, string>;
const cache = process.env.QUORUM_LAB_CACHE ?? path.join(os.homedir(), '.cache', 'quorum-lab');
const bin = (name: string, v: string): string => path.join(cache, `${name}-${versions[v]}`, name);
const blackboxBin = bin('blackbox_exporter', 'BLACKBOX_EXPORTER_VERSION');
const gatusBin = bin('gatus', 'GATUS_VERSION');
for (const b of [blackboxBin, gatusBin]) {
  if (!existsSync(b)) {
    console.error(`${b} is missing: bash lab/build-peers.sh`);
    process.exit(1);
  }
}

const { resolveContext } = await import('@/lib/k8s/kubeconfig');
const { connect } = await import('@/lib/k8s/client');
const { getJson } = await import('@/lib/k8s/json');
const { endpointsFromSlices } = await import('@/lib/probes/replicas');
const resolved = resolveContext(readFileSync(kubeconfigFile, 'utf8'));
if (resolved.auth.kind !== 'token' || !resolved.caData) {
  console.error(`the lab's quorum kubeconfig should carry a bearer token and a CA (found ${resolved.auth.kind}${resolved.caData ? '' : ', no CA'})`);
  process.exit(1);
}
const token = resolved.auth.token;
const conn = await connect(readFileSync(kubeconfigFile, 'utf8'));
const slices = await getJson<Parameters<typeof endpointsFromSlices>[0]>(conn, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes', { timeoutMs: 5000 });
const replicas = endpointsFromSlices(slices).map((e) => `${e.address}:${e.port}`);
const urls = [resolved.server, ...replicas.map((r) => `https://${r}`)].map((u) => `${u}/readyz?verbose`);
const targets = Array.from({ length: copies }, (_, i) => urls.map((url, j) => ({ name: `c${i}-${j === 0 ? 'lb' : `replica-${j}`}`, url }))).flat();

const dir = mkdtempSync(path.join(os.tmpdir(), 'quorum-bench-peers-'));
const caFile = path.join(dir, 'ca.crt');
writeFileSync(caFile, Buffer.from(resolved.caData), { mode: 0o600 });
const portBase = Number(process.env.QUORUM_BENCH_PORT_BASE ?? 3401);
const blackboxPort = portBase;
const gatusPort = portBase + 1;

writeFileSync(path.join(dir, 'blackbox.yml'), [
  'modules:',
  '  k8s_readyz:',
  '    prober: http',
  '    timeout: 5s',
  '    http:',
  '      method: GET',
  '      valid_status_codes: [200]',
  '      preferred_ip_protocol: ip4',
  '      authorization:',
  '        type: Bearer',
  `        credentials: ${JSON.stringify(token)}`,
  '      tls_config:',
  `        ca_file: ${JSON.stringify(caFile)}`,
  '',
].join('\n'), { mode: 0o600 });

writeFileSync(path.join(dir, 'gatus.yaml'), [
  'storage:',
  '  type: memory',
  'metrics: true',
  'web:',
  '  address: 127.0.0.1',
  `  port: ${gatusPort}`,
  'endpoints:',
  ...targets.flatMap((t) => [
    `  - name: ${t.name}`,
    `    url: ${JSON.stringify(t.url)}`,
    `    interval: ${intervalMs / 1000}s`,
    '    client:',
    '      timeout: 5s',
    '    headers:',
    `      Authorization: ${JSON.stringify(`Bearer ${token}`)}`,
    '    conditions:',
    '      - "[STATUS] == 200"',
  ]),
  '',
].join('\n'), { mode: 0o600 });

interface Proc { name: string; child: ChildProcess; stderr: string[] }
const procs: Proc[] = [];
function start(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, onLine?: (l: string) => void): Proc {
  const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { name, child, stderr: [] };
  let buf = '';
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString('utf8');
    for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
      onLine?.(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  child.stderr!.on('data', (b: Buffer) => {
    p.stderr.push(b.toString('utf8'));
    if (p.stderr.length > 50) p.stderr.shift();
  });
  procs.push(p);
  return p;
}

/** utime + stime of a process, in ms. */
const cpuMs = (pid: number): number => statCpuMs(`/proc/${pid}/stat`);
function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

async function waitHttp(url: string, what: string, p: Proc): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > until || p.child.exitCode !== null) throw new Error(`${what} did not come up at ${url}: ${p.stderr.join('').slice(-1500)}`);
    await sleep(250);
  }
}

/** Probes counted by Gatus itself: gatus_results_total summed by success. */
async function gatusResults(): Promise<{ total: number; ok: number }> {
  const text = await (await fetch(`http://127.0.0.1:${gatusPort}/metrics`)).text();
  let total = 0;
  let ok = 0;
  for (const m of text.matchAll(/^gatus_results_total\{([^}]*)\} (\S+)$/gm)) {
    const n = Number(m[2]);
    total += n;
    if (/success="true"/.test(m[1]!)) ok += n;
  }
  return { total, ok };
}

let quorumCycles = { probes: 0, up: 0, example: '' };
const blackboxCount = { probes: 0, ok: 0, example: '' };
let counting = false;
const blackboxLoop = new AbortController();

async function scrapeBlackbox(): Promise<void> {
  while (!blackboxLoop.signal.aborted) {
    await sleep(intervalMs - (Date.now() % intervalMs));
    if (blackboxLoop.signal.aborted) return;
    await Promise.all(targets.map(async (t) => {
      try {
        const r = await fetch(`http://127.0.0.1:${blackboxPort}/probe?module=k8s_readyz&target=${encodeURIComponent(t.url)}`, { signal: AbortSignal.timeout(10_000) });
        const body = await r.text();
        const ok = /^probe_success 1$/m.test(body);
        if (counting) {
          blackboxCount.probes += 1;
          if (ok) blackboxCount.ok += 1;
          else blackboxCount.example ||= body.split('\n').find((l) => l.startsWith('probe_http_status_code')) ?? `HTTP ${r.status}`;
        }
      } catch (e) {
        if (counting) {
          blackboxCount.probes += 1;
          blackboxCount.example ||= String(e);
        }
      }
    }));
  }
}

interface Row { name: string; pid: number; cpuMs: number; probes: number; ok: number; rssPeak: number; rssMean: number; example: string }
const rows: Row[] = [];
try {
  const quorum = start('Quorum (probe loop)', process.execPath, [...COLLECTOR_NODE_FLAGS, '--import', 'tsx', path.join(root, 'scripts', 'bench-peers.ts'), '--quorum-child', replicas.join(','), '--interval', String(intervalMs / 1000), '--copies', String(copies)], process.env, (l) => {
    if (!counting || !l.startsWith('{')) return;
    const c = JSON.parse(l) as { probes: number; up: number; example?: string };
    quorumCycles = { probes: quorumCycles.probes + c.probes, up: quorumCycles.up + c.up, example: quorumCycles.example || (c.example ?? '') };
  });
  const blackbox = start('blackbox_exporter', blackboxBin, [`--config.file=${path.join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${blackboxPort}`, '--log.level=warn']);
  const gatus = start('Gatus', gatusBin, [], { ...process.env, GATUS_CONFIG_PATH: path.join(dir, 'gatus.yaml'), GATUS_LOG_LEVEL: 'WARN', SSL_CERT_FILE: caFile });
  await waitHttp(`http://127.0.0.1:${blackboxPort}/-/healthy`, 'blackbox_exporter', blackbox);
  await waitHttp(`http://127.0.0.1:${gatusPort}/health`, 'Gatus', gatus);
  void scrapeBlackbox();
  console.error(`[bench] ${targets.length} endpoints (${copies} × ${urls.length}: ${urls.join(', ')}), every ${intervalMs / 1000} s; warm-up ${warmupMs / 1000} s, measuring ${durationMs / 1000} s`);
  await sleep(warmupMs);
  // The window starts just after a tick's probes have been sent, and ends the same way: whole cycles.
  await sleep(intervalMs - (Date.now() % intervalMs) + intervalMs / 2);
  const measured = [quorum, blackbox, gatus];
  const cpu0 = measured.map((p) => cpuMs(p.child.pid!));
  const g0 = await gatusResults();
  counting = true;
  const rss = measured.map(() => ({ peak: 0, sum: 0, n: 0 }));
  const sampler = setInterval(() => measured.forEach((p, i) => {
    const v = rssMiB(p.child.pid!);
    rss[i]!.peak = Math.max(rss[i]!.peak, v);
    rss[i]!.sum += v;
    rss[i]!.n += 1;
  }), 1000);
  await sleep(Math.round(durationMs / intervalMs) * intervalMs);
  clearInterval(sampler);
  const cpu1 = measured.map((p) => cpuMs(p.child.pid!));
  counting = false;
  const g1 = await gatusResults();
  const counts = [
    { probes: quorumCycles.probes, ok: quorumCycles.up, example: quorumCycles.example },
    { probes: blackboxCount.probes, ok: blackboxCount.ok, example: blackboxCount.example },
    { probes: g1.total - g0.total, ok: g1.ok - g0.ok, example: '' },
  ];
  for (const [i, p] of measured.entries()) rows.push({ name: p.name, pid: p.child.pid!, cpuMs: cpu1[i]! - cpu0[i]!, probes: counts[i]!.probes, ok: counts[i]!.ok, rssPeak: rss[i]!.peak, rssMean: rss[i]!.sum / Math.max(1, rss[i]!.n), example: counts[i]!.example });
} finally {
  blackboxLoop.abort();
  for (const p of procs) p.child.kill('SIGTERM');
  await sleep(500);
  rmSync(dir, { recursive: true, force: true });
}

const q = rows[0]!;
const perProbe = (r: Row): number => r.cpuMs / Math.max(1, r.probes);
console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB; ${new Date().toISOString()}`);
console.log(`\nbench:peers: ${targets.length} endpoints (${copies} × the LB and ${replicas.length} apiserver replicas' /readyz?verbose), the quorum identity (bearer token, lab CA), every ${intervalMs / 1000} s, ${durationMs / 1000} s measured after ${warmupMs / 1000} s warm-up, all three at once; blackbox_exporter ${versions.BLACKBOX_EXPORTER_VERSION}, Gatus ${versions.GATUS_VERSION}`);
console.log('| prober | probes in the window | succeeded | CPU ms (utime+stime) | CPU ms per endpoint-probe | × Quorum | peak RSS MiB | mean RSS MiB | × Quorum (peak) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.probes} | ${r.ok} | ${r.cpuMs} | ${perProbe(r).toFixed(3)} | ${(perProbe(r) / perProbe(q)).toFixed(2)} | ${r.rssPeak.toFixed(1)} | ${r.rssMean.toFixed(1)} | ${(r.rssPeak / q.rssPeak).toFixed(2)} |`);
}
for (const r of rows) if (r.ok < r.probes) console.log(`\n${r.name}: ${r.probes - r.ok} probes did not succeed${r.example ? `, e.g. ${r.example}` : ''}`);
const peers = rows.slice(1);
console.log(`\ntarget: Quorum's CPU per endpoint-probe ≤ each peer's: ${peers.map((p) => `${p.name} ${(perProbe(p) / perProbe(q)).toFixed(2)}× Quorum's`).join(', ')} → ${peers.every((p) => perProbe(q) <= perProbe(p)) ? 'met' : 'NOT met'}`);
process.exit(0);
