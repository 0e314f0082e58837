// `npm run bench:dashboard [-- --clusters 500 --days 30 --interval-s 120 --repeat 5 --port 3700 --data-dir DIR]`
// How fast the dashboard is at fleet size, as a signed-in user gets it. Seeds a fleet through the real write
// path (scripts/seed-fleet.ts) into DIR (a temp folder, or --data-dir; an already seeded DIR is reused), starts
// the real server on it (scripts/start.ts: migrate, `next build` if the build is older than the sources,
// `next start`; --no-collector, so nothing writes meanwhile), makes a real admin with the CLI and signs in
// through POST /api/auth/login, then GETs each page with the session cookie: server time until the last
// byte and the HTML size, median of --repeat after one warm-up, sequential. Baselines, same server, same data,
// same run: the former overview (the cards view, `?view=cards`) for the overview's views, and the floor every
// signed-in request pays (`GET /api/auth/me`: routing, the proxy, the session check). In this process it also
// times the fleet read model alone (lib/data/fleet.ts getFleet, the overview's 30-day query), so the
// page's time splits into reading and rendering. Prints one JSON line per figure. Figures, not a test —
// except one check: the page's read model, the reports and the raw rows must give the same figures
// (scripts/check-read-models.ts); any disagreement is printed and the exit code is 1. `--no-server` stops
// after that check (the small version scripts/test-all.ts runs: a few clusters, no build, no timing).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { signIn, startQuorum } from '../test/support/quorum-proc';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '500' },
    days: { type: 'string', default: '30' },
    'interval-s': { type: 'string', default: '120' },
    repeat: { type: 'string', default: '5' },
    port: { type: 'string', default: '3700' },
    'data-dir': { type: 'string' },
    'no-server': { type: 'boolean', default: false },
  },
  strict: true,
});
const repeat = Number(values.repeat);
const port = Number(values.port);
if (!Number.isInteger(repeat) || repeat < 1 || !Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: bench-dashboard [--clusters N] [--days N] [--interval-s N] [--repeat N] [--port N] [--data-dir DIR] [--no-server]');
  process.exit(2);
}

const root = path.resolve(import.meta.dirname, '..');
const ownDir = values['data-dir'] === undefined;
const dataDir = values['data-dir'] ?? mkdtempSync(path.join(os.tmpdir(), 'quorum-bench-dashboard-'));
mkdirSync(dataDir, { recursive: true }); // a --data-dir named for the first time is created, then seeded
// The server and this process read the fleet as a collector at the seeded interval would have written it
// (stale-after, the cap of the cluster page's 24 h figure).
const env = { QUORUM_DATA_DIR: dataDir, DATABASE_URL: '', QUORUM_COLLECTOR_INTERVAL_SECONDS: values['interval-s'] };
process.env.QUORUM_DATA_DIR = dataDir;
process.env.QUORUM_COLLECTOR_INTERVAL_SECONDS = values['interval-s'];
delete process.env.DATABASE_URL;

function run(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', script), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited ${code}: ${out.slice(-2000)}`))));
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (ms: number): number => Math.round(ms * 10) / 10;

async function measure<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  let value = await fn(); // one warm-up (connections, caches), not counted
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    value = await fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), value };
}

if (!readdirSync(dataDir).some((f) => f.endsWith('.db'))) {
  const t0 = performance.now();
  const out = await run('seed-fleet.ts', ['--clusters', values.clusters, '--days', values.days, '--interval-s', values['interval-s']]);
  console.log(JSON.stringify({ figure: 'seeded', ...(JSON.parse(out.trim().split('\n').pop()!) as object), seconds: Math.round((performance.now() - t0) / 1000) }));
}

// In this process: the read model alone, over the overview's default range (the last 30 days), table and heatmap buckets.
const { closeDb } = await import('@/lib/db');
const { getFleet } = await import('@/lib/data/fleet');
const { chooseBucketMs } = await import('@/lib/slo/buckets');
const { presetRange } = await import('@/lib/slo/range');
const nowMs = Date.now();
const range = presetRange('30d', nowMs);
const model: Record<string, number> = {};
let clusterCount = 0;
let firstId = '';
for (const [label, bucketMs] of [['table', undefined], ['heatmap', chooseBucketMs(range.endMs - range.startMs, 'heatmap')]] as const) {
  const r = await measure(() => getFleet({ range, now: new Date(nowMs), bucketMs }));
  clusterCount = r.value.rows.length;
  firstId = (r.value.rows.find((x) => x.cluster.name === 'fleet-down') ?? r.value.rows[0]!).cluster.id;
  model[label] = r.ms;
  console.log(JSON.stringify({ figure: `getFleet 30d (${label}), in process`, clusters: clusterCount, medianMs: round(r.ms) }));
}
const { checkReadModels } = await import('./check-read-models');
const check = await checkReadModels(nowMs);
console.log(JSON.stringify({ figure: 'read model = reports = raw rows', periods: check.periods, clusters: check.clusters, valuesCompared: check.compared, mismatches: check.mismatches.length }));
for (const m of check.mismatches) console.error(`[bench:dashboard] MISMATCH ${m}`);
if (check.mismatches.length > 0 || check.compared === 0) process.exitCode = 1;
await closeDb();
if (values['no-server']) {
  if (ownDir && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  process.exit();
}

const quorum = await startQuorum(port, env, 900_000, ['--no-collector']);
try {
  // A fresh admin per run: a reused --data-dir keeps the users of earlier runs.
  const who = await signIn(quorum.base, env, `bench-admin-${Date.now().toString(36)}`);
  const get = (p: string): Promise<number> =>
    fetch(`${quorum.base}${p}`, { headers: who.page, redirect: 'manual', cache: 'no-store' }).then(async (res) => {
      const body = await res.text();
      if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${body.slice(0, 300)}`);
      return body.length;
    });
  const floor = await measure(() => get('/api/auth/me'));
  console.log(JSON.stringify({ figure: 'GET /api/auth/me (floor of a signed-in request)', medianMs: round(floor.ms) }));
  const cards = await measure(() => get('/?view=cards'));
  console.log(JSON.stringify({ figure: 'GET /?view=cards (the former overview, baseline)', clusters: clusterCount, medianMs: round(cards.ms), htmlKiB: Math.round(cards.value / 1024), vsFloor: round(cards.ms / floor.ms) }));
  const overview = ['/', '/?view=heatmap', '/?sort=availability&dir=asc', '/?state=breached,at-risk,insufficient-data'];
  for (const p of overview) {
    const r = await measure(() => get(p));
    const readMs = p.includes('heatmap') ? model.heatmap! : model.table!;
    console.log(JSON.stringify({ figure: `GET ${p}`, clusters: clusterCount, medianMs: round(r.ms), htmlKiB: Math.round(r.value / 1024), vsCards: round(r.ms / cards.ms), htmlVsCards: round(r.value / cards.value), vsFloor: round(r.ms / floor.ms), readModelMs: round(readMs) }));
  }
  for (const p of ['', '/slo', '/outages', '/failovers', '/checks', '/history']) {
    const r = await measure(() => get(`/clusters/${firstId}${p}`));
    console.log(JSON.stringify({ figure: `GET /clusters/{id}${p}`, medianMs: round(r.ms), htmlKiB: Math.round(r.value / 1024), vsFloor: round(r.ms / floor.ms) }));
  }
  const period = new Date(nowMs).toISOString().slice(0, 7);
  // One cluster's month report (the issue's ≤ 150 ms page), then every cluster's.
  const one = await measure(() => get(`/reports?cluster=${encodeURIComponent(firstId)}&period=${period}`));
  console.log(JSON.stringify({ figure: `GET /reports?cluster={id}&period=${period}`, medianMs: round(one.ms), htmlKiB: Math.round(one.value / 1024), vsFloor: round(one.ms / floor.ms) }));
  const rep = await measure(() => get(`/reports?cluster=all&period=${period}`));
  console.log(JSON.stringify({ figure: `GET /reports?cluster=all&period=${period}`, clusters: clusterCount, medianMs: round(rep.ms), htmlKiB: Math.round(rep.value / 1024), vsFloor: round(rep.ms / floor.ms) }));
} finally {
  await quorum.stop();
  if (ownDir && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
}
