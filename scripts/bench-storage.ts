// `npm run bench:storage [-- --clusters 100 --days 30 --providers sqlite,postgresql]`
// Generates clusters × 8 components × days at one sample per 10 s and writes them through the real
// write path (insertSamples: raw rows + series cursors + coalesced intervals + hourly/daily rollups),
// on SQLite (a temp file) and PostgreSQL (QUORUM_BENCH_PG_URL, default the quorum_slo_bench
// database, in a throw-away schema). Prints:
//   - ingest samples/s;
//   - the fleet overview's 30-day composite availability for all clusters via rollups (getFleet, the overview's read model)
//     vs a naive scan of raw samples (lib/slo availability over every raw readyz row), same run,
//     and whether both give the same good/bad time;
//   - bytes on disk per raw probe result: raw tier, and after raw retention expired (retention job
//     run, space reclaimed), which leaves rollups + intervals.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prng } from '../lab/prng';
import pg from 'pg';
import { closeDb, getDb, withDb } from '@/lib/db';
import { migrate } from '@/lib/db/migrate';
import { createCluster, listClusters } from '@/lib/data/clusters';
import { runRetention } from '@/lib/data/retention';
import { insertSamples } from '@/lib/data/samples';
import { getFleet } from '@/lib/data/fleet';
import { presetRange } from '@/lib/slo/range';
import { availability } from '@/lib/slo/availability';
import type { ProbeResult, Status } from '@/lib/types';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '100' },
    days: { type: 'string', default: '30' },
    providers: { type: 'string', default: 'sqlite,postgresql' },
    'batch-hours': { type: 'string', default: '6' },
    'pg-url': { type: 'string', default: process.env.QUORUM_BENCH_PG_URL ?? 'postgres://quorum:quorum@127.0.0.1:5432/quorum_slo_bench' },
    repeat: { type: 'string', default: '5' },
  },
  strict: true,
});
const CLUSTERS = Number(values.clusters);
const DAYS = Number(values.days);
const BATCH_HOURS = Number(values['batch-hours']);
const REPEAT = Number(values.repeat);
const INTERVAL_MS = 10_000;
const CAP_MS = 3 * INTERVAL_MS;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
for (const [k, v] of [['clusters', CLUSTERS], ['days', DAYS], ['batch-hours', BATCH_HOURS], ['repeat', REPEAT]] as const) {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number`);
}

// 8 components per cluster, as the probes name them.
const COMPONENTS: ReadonlyArray<{ probe: ProbeResult['probe']; target: string }> = [
  { probe: 'apiserver-readyz', target: 'endpoint' },
  { probe: 'apiserver-livez', target: 'endpoint' },
  { probe: 'apiserver-replicas', target: 'replicas' },
  { probe: 'leader-election', target: 'kube-scheduler' },
  { probe: 'leader-election', target: 'kube-controller-manager' },
  { probe: 'leader-election', target: 'cloud-controller-manager' },
  { probe: 'dns', target: 'kube-dns' },
  { probe: 'nodes', target: 'workers' },
];
const READYZ_CHECKS = ['ping', 'log', 'etcd', 'etcd-readiness', 'informer-sync', 'poststarthook/start-apiserver-admission-initializer', 'poststarthook/generic-apiserver-start-informers', 'poststarthook/rbac/bootstrap-roles', 'poststarthook/bootstrap-controller', 'shutdown'];


/** Per cluster: a few outages (3–12 min) of random components, about one every two days. */
function outagesFor(ci: number, startMs: number, endMs: number): Array<{ comp: number; from: number; to: number }> {
  const r = prng(1000 + ci);
  const out: Array<{ comp: number; from: number; to: number }> = [];
  const n = Math.max(1, Math.round((endMs - startMs) / (2 * DAY)));
  for (let i = 0; i < n; i++) {
    const from = startMs + Math.floor((r() * (endMs - startMs)) / INTERVAL_MS) * INTERVAL_MS;
    out.push({ comp: Math.floor(r() * COMPONENTS.length), from, to: from + (3 + Math.floor(r() * 10)) * 60_000 });
  }
  return out;
}

function sampleFor(comp: number, t: number, down: boolean, r: () => number): ProbeResult {
  const c = COMPONENTS[comp]!;
  const status: Status = down ? 'down' : 'up';
  const latencyMs = c.probe === 'leader-election' ? null : Math.round(5 + r() * 40);
  switch (c.probe) {
    case 'apiserver-readyz':
    case 'apiserver-livez':
      return { probe: c.probe, target: c.target, status, reason: down ? 'readyz failed: etcd' : 'ok', latencyMs, at: t, detail: { httpStatus: down ? 500 : 200, checks: READYZ_CHECKS.map((name) => ({ name, ok: !(down && name.startsWith('etcd')) })) } };
    case 'leader-election':
      return { probe: c.probe, target: c.target, status, reason: down ? 'no holder: leadership released and not taken' : `held by cp-1_${c.target}, renewed ${(r() * 2).toFixed(1)} s ago (lease 15 s)`, latencyMs, at: t, detail: { facts: { lease: c.target, holder: down ? null : 'cp-1' } } };
    default:
      return { probe: c.probe, target: c.target, status, reason: down ? `${c.probe} failing` : 'ok', latencyMs, at: t, detail: { facts: { ready: down ? 0 : 3, total: 3 } } };
  }
}

interface Figures {
  provider: string;
  samples: number;
  ingestMs: number;
  rollupMs: number;
  rawScanMs: number;
  same: boolean;
  rawTierBytes: number;
  afterRetentionBytes: number;
  retentionMs: number;
  retentionDeleted: number;
}

async function tableBytes(provider: string, schema: string): Promise<Record<string, number>> {
  return withDb(async (db) => {
    const out: Record<string, number> = {};
    if (provider === 'sqlite') {
      const rows = (await db.prisma.$queryRawUnsafe(`SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name`)) as Array<{ name: string; bytes: unknown }>;
      for (const r of rows) out[r.name] = Number(r.bytes);
    } else {
      const rows = (await db.prisma.$queryRawUnsafe(
        `SELECT c.relname AS name, pg_total_relation_size(c.oid)::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '${schema}' AND c.relkind = 'r'`,
      )) as Array<{ name: string; bytes: unknown }>;
      for (const r of rows) out[r.name] = Number(r.bytes);
    }
    return out;
  });
}

const sumBytes = (t: Record<string, number>, pred: (name: string) => boolean): number => Object.entries(t).filter(([n]) => pred(n)).reduce((s, [, b]) => s + b, 0);
const isRaw = (n: string): boolean => n === 'Sample' || n.startsWith('Sample_') || n === 'sqlite_autoindex_Sample_1';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function benchProvider(provider: 'sqlite' | 'postgresql'): Promise<Figures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quorum-bench-'));
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const file = path.join(dir, 'bench.db');
  process.env.QUORUM_DATA_DIR = dir;
  process.env.QUORUM_SECRET_KEY = randomBytes(32).toString('hex');
  process.env.DATABASE_URL = provider === 'sqlite' ? `file:${file}` : `${values['pg-url']}?schema=${schema}`;
  // The naive raw scan reads millions of rows on purpose, and a 6-hour backfill batch is one large
  // transaction: lift the per-call deadline (and PostgreSQL statement_timeout) the live app keeps at 3 s.
  process.env.QUORUM_DB_TIMEOUT_MS = '600000';
  await closeDb();
  try {
    await migrate({ quiet: true });
    const endMs = Math.floor(Date.UTC(2026, 10, 1, 0, 0, 0) / INTERVAL_MS) * INTERVAL_MS; // fixed: 2026-11-01
    const startMs = endMs - DAYS * DAY;
    const ids: string[] = [];
    for (let i = 0; i < CLUSTERS; i++) ids.push((await createCluster({ name: `bench-${String(i).padStart(3, '0')}`, server: `https://10.0.${i >> 8}.${i & 255}:6443`, context: 'bench', labels: {}, kubeconfigYaml: 'apiVersion: v1' })).id);
    const outages = ids.map((_, i) => outagesFor(i, startMs, endMs));
    let samples = 0;
    let ingestMs = 0;
    const batchMs = BATCH_HOURS * HOUR;
    const total = CLUSTERS * COMPONENTS.length * ((endMs - startMs) / INTERVAL_MS);
    let lastReport = Date.now();
    for (let from = startMs; from < endMs; from += batchMs) {
      const to = Math.min(endMs, from + batchMs);
      for (let ci = 0; ci < ids.length; ci++) {
        const r = prng(ci * 7919 + from / INTERVAL_MS);
        const results: ProbeResult[] = [];
        const outs = outages[ci]!;
        for (let t = from; t < to; t += INTERVAL_MS) {
          for (let k = 0; k < COMPONENTS.length; k++) results.push(sampleFor(k, t, outs.some((o) => o.comp === k && t >= o.from && t < o.to), r));
        }
        const t0 = performance.now();
        await insertSamples(ids[ci]!, results, { capMs: CAP_MS });
        ingestMs += performance.now() - t0;
        samples += results.length;
      }
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        console.error(`[bench] ${provider}: ${samples.toLocaleString('en')} / ${total.toLocaleString('en')} samples, ${Math.round(samples / (ingestMs / 1000)).toLocaleString('en')}/s`);
      }
    }

    // Fleet overview, 30-day composite availability of every cluster: rollups vs a raw scan.
    const now = new Date(endMs);
    const rollupTimes: number[] = [];
    let fleet = (await getFleet({ range: presetRange('30d', endMs), now })).rows;
    for (let i = 0; i < REPEAT; i++) {
      const t0 = performance.now();
      fleet = (await getFleet({ range: presetRange('30d', endMs), now })).rows;
      rollupTimes.push(performance.now() - t0);
    }
    const t0 = performance.now();
    const db = await getDb();
    const naive = new Map<string, { goodMs: number; badMs: number; availability: number | null }>();
    const winStart = endMs - 30 * DAY;
    for (const c of await listClusters()) {
      const pts = await db.samplePoints.findMany({
        where: { clusterId: c.id, probe: 'apiserver-readyz', at: { gte: new Date(winStart - CAP_MS), lt: new Date(endMs) } },
        orderBy: [{ at: 'asc' }, { id: 'asc' }],
        select: { at: true, status: true, latencyMs: true },
      });
      const a = availability({ samples: pts.map((p) => ({ t: p.at.getTime(), status: p.status })), startMs: winStart, endMs, intervalMs: INTERVAL_MS, maxGapMs: CAP_MS });
      naive.set(c.id, { goodMs: a.goodMs, badMs: a.badMs, availability: a.availability });
    }
    const rawScanMs = performance.now() - t0;
    const same = fleet.length === CLUSTERS && fleet.every((f) => {
      const n = naive.get(f.cluster.id);
      return !!n && !!f.slo && f.slo.goodMs === n.goodMs && f.slo.badMs === n.badMs && f.slo.availability === n.availability;
    });

    // Bytes on disk.
    if (provider === 'sqlite') await db.prisma.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
    else await db.prisma.$executeRawUnsafe('VACUUM ANALYZE');
    const before = await tableBytes(provider, schema);
    const rawTierBytes = sumBytes(before, isRaw);
    const r0 = performance.now();
    const ret = await runRetention({ now: endMs + 14 * DAY + 1, rawRetentionMs: 14 * DAY, rollupRetentionMs: 400 * DAY, batchSize: 5000, pauseMs: 0 });
    const retentionMs = performance.now() - r0;
    let afterRetentionBytes: number;
    if (provider === 'sqlite') {
      await db.prisma.$executeRawUnsafe('VACUUM');
      await db.prisma.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
      await closeDb();
      afterRetentionBytes = statSync(file).size; // the whole file: rollups, intervals, series, clusters, indexes
    } else {
      await closeDb();
      const c = new pg.Client({ connectionString: values['pg-url'] });
      await c.connect();
      await c.query(`SET search_path = "${schema}"`);
      for (const t of ['Sample', 'RollupHour', 'RollupDay', 'StatusInterval', 'Series']) await c.query(`VACUUM FULL "${t}"`);
      const { rows } = await c.query(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, [schema]);
      await c.end();
      afterRetentionBytes = Number(rows[0].bytes); // every table of the schema, indexes and TOAST included
    }
    return { provider, samples, ingestMs, rollupMs: median(rollupTimes), rawScanMs, same, rawTierBytes, afterRetentionBytes, retentionMs, retentionDeleted: ret.rawDeleted };
  } finally {
    await closeDb();
    if (provider === 'postgresql') {
      const c = new pg.Client({ connectionString: values['pg-url'] });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const providers = values.providers.split(',').map((p) => p.trim()).filter(Boolean);
  console.log(`bench:storage — ${CLUSTERS} clusters × ${COMPONENTS.length} components × ${DAYS} days, one sample per ${INTERVAL_MS / 1000} s, insertSamples batches of ${BATCH_HOURS} h per cluster`);
  const all: Figures[] = [];
  for (const p of providers) {
    if (p !== 'sqlite' && p !== 'postgresql') throw new Error(`unknown provider ${p}`);
    const f = await benchProvider(p);
    all.push(f);
    const speedup = f.rawScanMs / f.rollupMs;
    console.log(`\n[${p}]`);
    console.log(`  ingest:                ${f.samples.toLocaleString('en')} samples in ${(f.ingestMs / 1000).toFixed(1)} s = ${Math.round(f.samples / (f.ingestMs / 1000)).toLocaleString('en')} samples/s (target ≥ 20,000)`);
    console.log(`  fleet 30-day overview: rollups ${f.rollupMs.toFixed(1)} ms (median of ${REPEAT}) vs raw scan ${f.rawScanMs.toFixed(0)} ms = ${speedup.toFixed(0)}× faster (targets ≤ 150 ms, ≥ 100×); same good/bad time for every cluster: ${f.same ? 'yes' : 'NO'}`);
    console.log(`  raw tier:              ${(f.rawTierBytes / f.samples).toFixed(1)} bytes per raw probe result (Sample table + indexes)`);
    console.log(`  after raw retention:   ${(f.afterRetentionBytes / f.samples).toFixed(3)} bytes per raw probe result (${f.afterRetentionBytes.toLocaleString('en')} bytes on disk for rollups, intervals, series and settings; target ≤ 1)`);
    console.log(`  retention job:         ${f.retentionDeleted.toLocaleString('en')} raw rows deleted in ${(f.retentionMs / 1000).toFixed(1)} s (batches of 5,000)`);
  }
  const bad = all.some((f) => !f.same);
  process.exitCode = bad ? 1 : 0;
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
