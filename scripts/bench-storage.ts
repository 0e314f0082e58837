// `npm run bench:storage [-- --clusters 100 --days 30 --providers sqlite,postgresql]`
// Generates clusters × 8 components × days at one sample per 10 s and writes them through the real
// write path (insertSamples: raw runs + series cursors + coalesced intervals + minute/hourly/daily rollups),
// on SQLite (a temp file) and PostgreSQL (QUORUM_BENCH_PG_URL, default the quorum_slo_bench
// database, in a throw-away schema). Prints:
//   - ingest samples/s;
//   - the fleet overview's 30-day composite availability for all clusters via rollups (getFleet, the overview's read model)
//     vs a scan of the raw tier (lib/slo/runs runsAvailability over every readyz run; and one SQL aggregate), same run,
//     and whether all give the same good/bad time;
//   - bytes on disk per probe result: the raw tier as it is now (Sample rows are runs, prisma/README.md "Sparse raw
//     tier") beside the raw tier before issue 16 (every probe result a row: a scratch table `FullSample` with main's
//     Sample DDL, filled with every result in the same run), the minute and rollup tiers, and after raw retention.
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
import { insertSamples, writeSampleBatches } from '@/lib/data/samples';
import { getFleet } from '@/lib/data/fleet';
import { presetRange } from '@/lib/slo/range';
import { listSamples } from '@/lib/data/samples';
import { runsAvailability } from '@/lib/slo/runs';
import type { ProbeResult, Status } from '@/lib/types';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '100' },
    days: { type: 'string', default: '30' },
    providers: { type: 'string', default: 'sqlite,postgresql' },
    'batch-hours': { type: 'string', default: '6' },
    'pg-url': { type: 'string', default: process.env.QUORUM_BENCH_PG_URL ?? 'postgres://quorum:quorum@127.0.0.1:5432/quorum_slo_bench' },
    repeat: { type: 'string', default: '5' },
    'live-cycles': { type: 'string', default: '30' },
    /** Comma-separated writer counts: each runs --live-cycles cycles with that many concurrent insertSamples calls. */
    'live-concurrency': { type: 'string', default: '1' },
    /**
     * Comma-separated clusters per write transaction: 1 is insertSamples per cluster-cycle; B > 1 writes B
     * clusters' cycles per writeSampleBatches call, as the collector does with the cycles that waited.
     */
    'live-batch': { type: 'string', default: '1' },
  },
  strict: true,
});
const CLUSTERS = Number(values.clusters);
const DAYS = Number(values.days);
const BATCH_HOURS = Number(values['batch-hours']);
const REPEAT = Number(values.repeat);
const LIVE_CYCLES = Number(values['live-cycles']);
const LIVE_CONCURRENCY = values['live-concurrency'].split(',').map(Number);
if (LIVE_CONCURRENCY.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('--live-concurrency must be whole numbers ≥ 1, e.g. 1,8');
const LIVE_BATCH = values['live-batch'].split(',').map(Number);
if (LIVE_BATCH.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('--live-batch must be whole numbers ≥ 1, e.g. 1,50');
const RAW_RETENTION_DAYS = 14;
const ROLLUP_RETENTION_DAYS = 400;
const INTERVAL_MS = 10_000;
const CAP_MS = 3 * INTERVAL_MS;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
for (const [k, v] of [['clusters', CLUSTERS], ['days', DAYS], ['batch-hours', BATCH_HOURS], ['repeat', REPEAT], ['live-cycles', LIVE_CYCLES]] as const) {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number`);
}

// 10 series per cluster, as the probes name them (the lab's HA cluster writes 10 rows per cycle).
const COMPONENTS: ReadonlyArray<{ probe: ProbeResult['probe']; target: string }> = [
  { probe: 'apiserver-readyz', target: 'endpoint' },
  { probe: 'apiserver-livez', target: 'endpoint' },
  { probe: 'apiserver-replicas', target: 'replicas' },
  { probe: 'apiserver-replicas', target: '10.0.0.11:6443' },
  { probe: 'apiserver-replicas', target: '10.0.0.12:6443' },
  { probe: 'leader-election', target: 'kube-scheduler' },
  { probe: 'leader-election', target: 'kube-controller-manager' },
  { probe: 'leader-election', target: 'cloud-controller-manager' },
  { probe: 'dns', target: 'kube-dns' },
  { probe: 'nodes', target: 'workers' },
];
const READYZ_CHECKS = ['ping', 'log', 'etcd', 'etcd-readiness', 'informer-sync', 'poststarthook/start-apiserver-admission-initializer', 'poststarthook/generic-apiserver-start-informers', 'poststarthook/rbac/bootstrap-roles', 'poststarthook/bootstrap-controller', 'shutdown'];


type Fault = 'down' | 'unknown' | 'gap';

/**
 * Per cluster, about once every two days each: an outage (3–12 min) of a random component, the composite
 * series unknown (4 min: the identity's token refused), and a collector gap (2–6 min without any sample,
 * longer than the cap), so the rollups are compared with raw rows across all three.
 */
function outagesFor(ci: number, startMs: number, endMs: number): Array<{ comp: number; from: number; to: number; fault: Fault }> {
  const r = prng(1000 + ci);
  const out: Array<{ comp: number; from: number; to: number; fault: Fault }> = [];
  const n = Math.max(1, Math.round((endMs - startMs) / (2 * DAY)));
  const at = (): number => startMs + Math.floor((r() * (endMs - startMs)) / INTERVAL_MS) * INTERVAL_MS;
  for (let i = 0; i < n; i++) {
    const from = at();
    out.push({ comp: Math.floor(r() * COMPONENTS.length), from, to: from + (3 + Math.floor(r() * 10)) * 60_000, fault: 'down' });
    const u = at();
    out.push({ comp: 0, from: u, to: u + 4 * 60_000, fault: 'unknown' });
    const g = at();
    out.push({ comp: -1, from: g, to: g + (2 + Math.floor(r() * 5)) * 60_000, fault: 'gap' });
  }
  return out;
}

function sampleFor(comp: number, t: number, fault: Exclude<Fault, 'gap'> | null, r: () => number): ProbeResult {
  const c = COMPONENTS[comp]!;
  const down = fault === 'down';
  if (fault === 'unknown') return { probe: c.probe, target: c.target, status: 'unknown', reason: '401 Unauthorized: the token is no longer valid', latencyMs: null, at: t, detail: { errorClass: 'unauthorized' } };
  const status: Status = down ? 'down' : 'up';
  const latencyMs = c.probe === 'leader-election' ? null : Math.round(5 + r() * 40);
  switch (c.probe) {
    case 'apiserver-readyz':
    case 'apiserver-livez':
      return { probe: c.probe, target: c.target, status, reason: down ? 'readyz failed: etcd' : 'ok', latencyMs, at: t, detail: { httpStatus: down ? 500 : 200, checks: READYZ_CHECKS.map((name) => ({ name, ok: !(down && name.startsWith('etcd')) })) } };
    case 'leader-election':
      return { probe: c.probe, target: c.target, status, reason: down ? 'no holder: leadership released and not taken' : `held by cp-1_${c.target}, renewed ${(r() * 2).toFixed(1)} s ago (lease 15 s)`, latencyMs, at: t, detail: { facts: { lease: `kube-system/${c.target}`, holder: down ? null : `cp-1_${c.target}`, renewAgeMs: Math.round(r() * 2000), leaseDurationSeconds: 15, leaseTransitions: 3, watchDown: false, seen: true } } };
    default:
      return { probe: c.probe, target: c.target, status, reason: down ? `${c.probe} failing` : 'ok', latencyMs, at: t, detail: { facts: { ready: down ? 0 : 3, total: 3 } } };
  }
}

interface LiveFigures {
  /** Clusters' cycles per call (write transaction). */
  batch: number;
  writers: number;
  calls: number;
  rows: number;
  wallMs: number;
  medianMs: number;
  p95Ms: number;
  slotMs: number | null;
}

interface Figures {
  provider: string;
  samples: number;
  ingestMs: number;
  rollupMs: number;
  rawScanMs: number;
  rawSqlMs: number;
  same: boolean;
  sqlSame: boolean;
  /** The Sample table (runs) with its indexes. */
  rawTierBytes: number;
  rawRows: number;
  /** Before issue 16: every probe result a row (FullSample: main's Sample DDL and indexes). */
  fullRawBytes: number;
  /** Growth of RollupHour + RollupDay + StatusInterval + Series, indexes included, from empty to before raw retention ran. */
  rollupTierBytes: number;
  /** Growth of RollupMinute (kept as long as raw rows) from empty. */
  minuteTierBytes: number;
  minuteRows: number;
  afterRetentionBytes: number;
  retentionMs: number;
  retentionDeleted: number;
  live: LiveFigures[];
}

/**
 * The fair raw baseline: the same per-cluster good/bad ms as lib/slo/runs runsAvailability computes over
 * the raw tier's runs, in ONE SQL aggregate over the Sample table (LEAD over each cluster's readyz runs:
 * a run speaks for [its first sample, min(next run, its last sample + cap)), clipped to the window), so the
 * database does the scan, not Prisma. Joined from Cluster so each cluster's rows come from the
 * (clusterId, probe, at) index, as the ORM scan's do.
 */
function rawAggregateSql(provider: 'sqlite' | 'postgresql'): string {
  const pg = provider === 'postgresql';
  const ms = pg ? `(EXTRACT(EPOCH FROM s."at") * 1000)::bigint` : `(CAST(strftime('%s', substr(s."at", 1, 19)) AS INTEGER) * 1000 + CAST(substr(s."at", 21, 3) AS INTEGER))`;
  const least = pg ? 'LEAST' : 'MIN';
  const greatest = pg ? 'GREATEST' : 'MAX';
  const from = pg ? `$1::bigint` : '?';
  const to = pg ? `(TIMESTAMP '1970-01-01 00:00:00' + ($2::bigint) * INTERVAL '1 millisecond')` : '?';
  const cap = pg ? `$3::bigint` : '?';
  // SQLite binds anonymous parameters in order, once each: the bounds are repeated as arguments.
  return `WITH s AS (
      SELECT s."clusterId", s."id", s."status", ${ms} AS t, s."runLastAtMs" AS lt
      FROM "Cluster" c JOIN "Sample" s ON s."clusterId" = c."id" AND s."probe" = 'apiserver-readyz' AND s."target" = 'endpoint' AND s."runLastAtMs" >= ${from} AND s."at" < ${to}
    ), n AS (
      SELECT "clusterId", "status", t, lt, LEAD(t) OVER (PARTITION BY "clusterId" ORDER BY t, "id") AS nt FROM s
    ), spans AS (
      SELECT "clusterId", "status", ${least}(COALESCE(nt, lt + ${cap}), lt + ${pg ? '$4::bigint' : '?'}, ${pg ? '$5::bigint' : '?'}) - ${greatest}(t, ${pg ? '$6::bigint' : '?'}) AS span FROM n
    )
    SELECT "clusterId",
      SUM(CASE WHEN span > 0 AND "status" IN ('up', 'degraded') THEN span ELSE 0 END) AS good,
      SUM(CASE WHEN span > 0 AND "status" = 'down' THEN span ELSE 0 END) AS bad
    FROM spans GROUP BY "clusterId"`;
}

/** Main's Sample table before issue 16 (every probe result a row), as a scratch table beside the real one. */
async function createFullRaw(provider: 'sqlite' | 'postgresql'): Promise<void> {
  const pg = provider === 'postgresql';
  await withDb(async (db) => {
    const x = (sql: string): Promise<number> => db.prisma.$executeRawUnsafe(sql);
    await x(
      pg
        ? `CREATE TABLE "FullSample" ("id" SERIAL NOT NULL, "clusterId" TEXT NOT NULL, "probe" TEXT NOT NULL, "target" TEXT NOT NULL, "at" TIMESTAMP(3) NOT NULL, "status" "SampleStatus" NOT NULL, "reason" TEXT NOT NULL, "latencyMs" INTEGER, "detail" TEXT, CONSTRAINT "FullSample_pkey" PRIMARY KEY ("id"))`
        : `CREATE TABLE "FullSample" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "clusterId" TEXT NOT NULL, "probe" TEXT NOT NULL, "target" TEXT NOT NULL, "at" DATETIME NOT NULL, "status" TEXT NOT NULL, "reason" TEXT NOT NULL, "latencyMs" INTEGER, "detail" TEXT, CONSTRAINT "FullSample_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE)`,
    );
    await x(`CREATE INDEX "FullSample_clusterId_probe_at_idx" ON "FullSample"("clusterId", "probe", "at")`);
    await x(`CREATE INDEX "FullSample_at_idx" ON "FullSample"("at")`);
    if (pg) await x(`ALTER TABLE "FullSample" ADD CONSTRAINT "FullSample_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
  });
}

/** Every probe result of a batch into FullSample, as main's insertRawSamples wrote them (not timed). */
async function insertFullRaw(provider: 'sqlite' | 'postgresql', clusterId: string, results: readonly ProbeResult[]): Promise<void> {
  const pg = provider === 'postgresql';
  const rows = JSON.stringify(results.map((r) => [r.probe, r.target, pg ? r.at : sqliteTime(r.at), r.status, r.reason, r.latencyMs === null ? null : Math.round(r.latencyMs), r.detail === undefined ? null : JSON.stringify(r.detail)]));
  await withDb((db) =>
    db.prisma.$executeRawUnsafe(
      pg
        ? `INSERT INTO "FullSample" ("clusterId","probe","target","at","status","reason","latencyMs","detail") SELECT $1, x->>0, x->>1, TIMESTAMP '1970-01-01 00:00:00' + (x->>2)::bigint * INTERVAL '1 millisecond', (x->>3)::"SampleStatus", x->>4, (x->>5)::int, x->>6 FROM json_array_elements($2::json) AS x`
        : `INSERT INTO "FullSample" ("clusterId","probe","target","at","status","reason","latencyMs","detail") SELECT ?, j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6 FROM json_each(?) AS j`,
      clusterId,
      rows,
    ),
  );
}

/** SQLite DateTime text as the Prisma adapter writes it. */
const sqliteTime = (ms: number): string => new Date(ms).toISOString().replace('Z', '+00:00');

async function rawAggregate(provider: 'sqlite' | 'postgresql', winStart: number, endMs: number): Promise<Map<string, { goodMs: number; badMs: number }>> {
  const sql = rawAggregateSql(provider);
  const args = provider === 'postgresql'
    ? [String(winStart - CAP_MS), String(endMs), String(CAP_MS), String(CAP_MS), String(endMs), String(winStart)]
    : [winStart - CAP_MS, sqliteTime(endMs), CAP_MS, CAP_MS, endMs, winStart];
  const rows = await withDb((db) => db.prisma.$queryRawUnsafe(sql, ...args)) as Array<{ clusterId: string; good: unknown; bad: unknown }>;
  return new Map(rows.map((r) => [r.clusterId, { goodMs: Number(r.good), badMs: Number(r.bad) }]));
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
const isFullRaw = (n: string): boolean => n === 'FullSample' || n.startsWith('FullSample_');
/** RollupMinute and its primary key: kept as long as raw rows, so part of the raw window. */
const isMinute = (n: string): boolean => n === 'RollupMinute' || n.startsWith('RollupMinute_') || n.startsWith('sqlite_autoindex_RollupMinute_');
const ROLLUP_TABLES = ['RollupHour', 'RollupDay', 'StatusInterval', 'Series'];
/** A rollup-tier table or one of its indexes (Prisma names indexes `<Table>_…`; SQLite's own `sqlite_autoindex_<Table>_N`). */
const isRollup = (n: string): boolean => ROLLUP_TABLES.some((t) => n === t || n.startsWith(`${t}_`) || n.startsWith(`sqlite_autoindex_${t}_`));

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
    // The rollup tier's tables are empty now: their fixed size (empty pages, index roots) is not growth.
    const empty = await tableBytes(provider, schema);
    const emptyRollupBytes = sumBytes(empty, isRollup);
    const emptyMinuteBytes = sumBytes(empty, isMinute);
    let samples = 0;
    let ingestMs = 0;
    // Before issue 16 every probe result was a raw row: the same results go into a scratch table with main's
    // Sample DDL (not timed), so the before and now of the raw tier are measured in one run.
    await createFullRaw(provider);
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
          const now = outs.filter((o) => t >= o.from && t < o.to);
          if (now.some((o) => o.fault === 'gap')) continue; // the collector wrote nothing
          for (let k = 0; k < COMPONENTS.length; k++) {
            const f = now.find((o) => o.comp === k);
            results.push(sampleFor(k, t, f && f.fault !== 'gap' ? f.fault : null, r));
          }
        }
        const t0 = performance.now();
        await insertSamples(ids[ci]!, results, { capMs: CAP_MS });
        ingestMs += performance.now() - t0;
        samples += results.length;
        await insertFullRaw(provider, ids[ci]!, results);
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
      const runs = (await listSamples({ clusterId: c.id, probe: 'apiserver-readyz', since: new Date(winStart - CAP_MS), until: new Date(endMs), limit: 100_000 })).filter((r) => r.target === 'endpoint');
      const a = runsAvailability(runs.map((r) => ({ atMs: Date.parse(r.at), lastAtMs: Date.parse(r.lastAt), samples: r.samples, status: r.status })), { startMs: winStart, endMs, capMs: CAP_MS });
      naive.set(c.id, { goodMs: a.goodMs, badMs: a.badMs, availability: a.availability });
    }
    const rawScanMs = performance.now() - t0;
    // The fair baseline: one SQL aggregate over the raw rows, warm (one uncounted run), median of REPEAT.
    let agg = await rawAggregate(provider, winStart, endMs);
    const sqlTimes: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const s0 = performance.now();
      agg = await rawAggregate(provider, winStart, endMs);
      sqlTimes.push(performance.now() - s0);
    }
    const same = fleet.length === CLUSTERS && fleet.every((f) => {
      const n = naive.get(f.cluster.id);
      return !!n && !!f.slo && f.slo.goodMs === n.goodMs && f.slo.badMs === n.badMs && f.slo.availability === n.availability;
    });
    const sqlSame = fleet.length === CLUSTERS && fleet.every((f) => {
      const a = agg.get(f.cluster.id);
      return !!a && !!f.slo && f.slo.goodMs === a.goodMs && f.slo.badMs === a.badMs;
    });
    for (const f of fleet) {
      const n = naive.get(f.cluster.id);
      const a = agg.get(f.cluster.id);
      if (!f.slo || !n || !a || f.slo.goodMs !== n.goodMs || f.slo.badMs !== n.badMs || f.slo.goodMs !== a.goodMs || f.slo.badMs !== a.badMs) {
        console.error(`[bench] ${provider}: ${f.cluster.name}: rollups good/bad ${f.slo?.goodMs}/${f.slo?.badMs} ms, ORM scan ${n?.goodMs}/${n?.badMs}, SQL aggregate ${a?.goodMs}/${a?.badMs}`);
      }
    }

    // Bytes on disk, before retention: the raw tier and the rollup tier apart.
    if (provider === 'sqlite') await db.prisma.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
    else await db.prisma.$executeRawUnsafe('VACUUM ANALYZE');
    const before = await tableBytes(provider, schema);
    const rawTierBytes = sumBytes(before, isRaw);
    const fullRawBytes = sumBytes(before, isFullRaw);
    const rawRows = await withDb(async (d) => Number(((await d.prisma.$queryRawUnsafe(`SELECT COUNT(*) AS n FROM "Sample"`)) as Array<{ n: unknown }>)[0]!.n));
    await withDb((d) => d.prisma.$executeRawUnsafe('DROP TABLE "FullSample"'));
    const rollupTierBytes = sumBytes(before, isRollup) - emptyRollupBytes;
    const minuteTierBytes = sumBytes(before, isMinute) - emptyMinuteBytes;
    const minuteRows = await withDb(async (d) => Number(((await d.prisma.$queryRawUnsafe(`SELECT COUNT(*) AS n FROM "RollupMinute"`)) as Array<{ n: unknown }>)[0]!.n));

    // Live path: one cycle per call, as the collector writes (lib/collector/collector.ts writeOnce →
    // writeSamples with dedupe off, capMs, and slotMs when collectors share PostgreSQL), on top of the
    // history just written: each call is one cluster's 10 results of one cycle.
    const slotMs = provider === 'postgresql' ? INTERVAL_MS : null;
    const live: LiveFigures[] = [];
    let cycle = 0;
    for (const batch of LIVE_BATCH) for (const writers of LIVE_CONCURRENCY) {
      const callTimes: number[] = [];
      let rows = 0;
      const w0 = performance.now();
      const opts = { capMs: CAP_MS, dedupe: false, ...(slotMs ? { slotMs } : {}) };
      for (let k = 0; k < LIVE_CYCLES; k++, cycle++) {
        const t = endMs + cycle * INTERVAL_MS;
        let next = 0;
        await Promise.all(Array.from({ length: writers }, async () => {
          // Each writer takes the next `batch` clusters until every cluster has its cycle.
          for (let ci = next; ci < ids.length; ci = next) {
            next += batch;
            const part = ids.slice(ci, ci + batch).map((id, j) => {
              const r = prng((ci + j) * 104729 + cycle);
              return { clusterId: id, results: COMPONENTS.map((_, comp) => sampleFor(comp, t, null, r)) };
            });
            const c0 = performance.now();
            if (batch === 1) await insertSamples(part[0]!.clusterId, part[0]!.results, opts);
            else await writeSampleBatches(part, opts);
            callTimes.push(performance.now() - c0);
            rows += part.reduce((a, b) => a + b.results.length, 0);
          }
        }));
      }
      const wallMs = performance.now() - w0;
      const sorted = [...callTimes].sort((a, b) => a - b);
      live.push({ batch, writers, calls: callTimes.length, rows, wallMs, medianMs: median(callTimes), p95Ms: sorted[Math.floor(sorted.length * 0.95)]!, slotMs });
    }

    const r0 = performance.now();
    const ret = await runRetention({ now: endMs + 14 * DAY + 1 + cycle * INTERVAL_MS, rawRetentionMs: 14 * DAY, rollupRetentionMs: 400 * DAY, batchSize: 5000, pauseMs: 0 });
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
      for (const t of ['Sample', 'RollupMinute', 'RollupHour', 'RollupDay', 'StatusInterval', 'Series']) await c.query(`VACUUM FULL "${t}"`);
      const { rows } = await c.query(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, [schema]);
      await c.end();
      afterRetentionBytes = Number(rows[0].bytes); // every table of the schema, indexes and TOAST included
    }
    return { provider, samples, ingestMs, rollupMs: median(rollupTimes), rawScanMs, rawSqlMs: median(sqlTimes), same, sqlSame, rawTierBytes, rawRows, fullRawBytes, rollupTierBytes, minuteTierBytes, minuteRows, afterRetentionBytes, retentionMs, retentionDeleted: ret.rawDeleted, live };
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
  console.log(`bench:storage — ${CLUSTERS} clusters × ${COMPONENTS.length} series × ${DAYS} days, one sample per ${INTERVAL_MS / 1000} s, insertSamples batches of ${BATCH_HOURS} h per cluster`);
  const all: Figures[] = [];
  for (const p of providers) {
    if (p !== 'sqlite' && p !== 'postgresql') throw new Error(`unknown provider ${p}`);
    const f = await benchProvider(p);
    all.push(f);
    const perDay = COMPONENTS.length * (DAY / INTERVAL_MS); // probe results per cluster per day
    const fullPerRow = f.fullRawBytes / f.samples;
    const rawPerClusterDay = f.rawTierBytes / (CLUSTERS * DAYS);
    const rollupPerClusterDay = f.rollupTierBytes / (CLUSTERS * DAYS);
    const minutePerClusterDay = f.minuteTierBytes / (CLUSTERS * DAYS);
    const perResult = (bytesPerCluster: number): string => (bytesPerCluster / (perDay * RAW_RETENTION_DAYS)).toFixed(1);
    // Before: main until issue 16 (every probe result a raw row, no minute tier). Now: Sample rows are runs, + RollupMinute.
    // (Runs per day are scaled from this run's days: a healthy series' one run per fortnight counts once per day here, so
    // "now" is an upper bound.)
    const beforeSteady = fullPerRow * perDay * RAW_RETENTION_DAYS + rollupPerClusterDay * ROLLUP_RETENTION_DAYS;
    const steadyPerCluster = (rawPerClusterDay + minutePerClusterDay) * RAW_RETENTION_DAYS + rollupPerClusterDay * ROLLUP_RETENTION_DAYS;
    const n = (x: number, d = 0): string => x.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
    console.log(`\n[${p}]`);
    console.log(`  backfill ingest:       ${n(f.samples)} samples in ${(f.ingestMs / 1000).toFixed(1)} s = ${n(f.samples / (f.ingestMs / 1000))} samples/s (${BATCH_HOURS}-hour batches per call)`);
    for (const l of f.live) {
      const cc = l.rows / COMPONENTS.length;
      console.log(`  live-path ingest:      ${n(l.calls)} calls of ${l.batch === 1 ? 'one cluster-cycle' : `${l.batch} clusters' cycles`} (${COMPONENTS.length} results each, dedupe off, capMs ${CAP_MS}${l.slotMs ? `, slotMs ${l.slotMs}` : ''}), ${l.writers} concurrent writer(s): median ${l.medianMs.toFixed(2)} ms, p95 ${l.p95Ms.toFixed(2)} ms per call, ${(l.wallMs / cc).toFixed(3)} ms wall per cluster-cycle; ${n(cc / (l.wallMs / 1000))} cluster-cycles/s = ${n(l.rows / (l.wallMs / 1000))} results/s (wall clock)`);
    }
    console.log(`  fleet 30-day overview: rollups (getFleet) ${f.rollupMs.toFixed(1)} ms, median of ${REPEAT}, warm`);
    console.log(`                         raw runs, one SQL aggregate  ${f.rawSqlMs.toFixed(1)} ms, median of ${REPEAT}, warm = ${(f.rawSqlMs / f.rollupMs).toFixed(1)}× the rollup path; same good/bad ms for every cluster: ${f.sqlSame ? 'yes' : 'NO'}`);
    console.log(`                         raw runs, ORM scan (listSamples + lib/slo/runs, once, cold) ${f.rawScanMs.toFixed(0)} ms = ${(f.rawScanMs / f.rollupMs).toFixed(1)}× the rollup path; same: ${f.same ? 'yes' : 'NO'}`);
    console.log(`  raw tier before (every probe result a row, main's Sample DDL, measured on a scratch table): ${fullPerRow.toFixed(1)} bytes per probe result`);
    console.log(`  raw tier now (Sample rows are runs): ${n(f.rawRows)} rows for ${n(f.samples)} probe results (${(f.samples / Math.max(1, f.rawRows)).toFixed(0)}× fewer), ${n(f.rawTierBytes)} bytes = ${(f.rawTierBytes / f.samples).toFixed(2)} bytes per probe result`);
    console.log(`  minute tier:           ${n(f.minuteRows)} RollupMinute rows = ${(f.minuteTierBytes / f.samples).toFixed(1)} bytes per probe result (kept ${RAW_RETENTION_DAYS} d, like raw rows)`);
    console.log(`  rollup tier:           ${n(rollupPerClusterDay)} bytes per cluster-day = ${(rollupPerClusterDay / perDay).toFixed(3)} bytes per probe result written (RollupHour, RollupDay, StatusInterval, Series with indexes)`);
    console.log(`  steady state (${RAW_RETENTION_DAYS} d raw + minutes, ${ROLLUP_RETENTION_DAYS} d rollups): before ${n(beforeSteady / 1048576, 1)} MiB per cluster = ${perResult(beforeSteady)} bytes per probe result of the raw window; now ${n(steadyPerCluster / 1048576, 1)} MiB = ${perResult(steadyPerCluster)} bytes (${(beforeSteady / steadyPerCluster).toFixed(1)}× less; target ≤ 40); rollups alone ${perResult(rollupPerClusterDay * ROLLUP_RETENTION_DAYS)}`);
    console.log(`  after raw retention:   ${(f.afterRetentionBytes / (f.samples + f.live.reduce((a, l) => a + l.rows, 0))).toFixed(3)} bytes per probe result written (${n(f.afterRetentionBytes)} bytes on disk: rollups, intervals, series, settings and each series' open run)`);
    console.log(`  retention job:         ${n(f.retentionDeleted)} raw runs deleted in ${(f.retentionMs / 1000).toFixed(1)} s (batches of 5,000)`);
    console.log(JSON.stringify({ figure: 'bench:storage', provider: p, clusters: CLUSTERS, days: DAYS, series: COMPONENTS.length, samples: f.samples, backfillPerS: Math.round(f.samples / (f.ingestMs / 1000)), live: f.live.map((l) => ({ batch: l.batch, writers: l.writers, calls: l.calls, medianMs: +l.medianMs.toFixed(3), p95Ms: +l.p95Ms.toFixed(3), callsPerS: Math.round(l.calls / (l.wallMs / 1000)), rowsPerS: Math.round(l.rows / (l.wallMs / 1000)) })), rollupMs: +f.rollupMs.toFixed(2), rawSqlMs: +f.rawSqlMs.toFixed(2), rawOrmMs: Math.round(f.rawScanMs), same: f.same, sqlSame: f.sqlSame, fullRawBytesPerResult: +fullPerRow.toFixed(1), rawRows: f.rawRows, rawBytes: f.rawTierBytes, rollupBytesPerClusterDay: Math.round(rollupPerClusterDay), minuteRows: f.minuteRows, minuteBytes: f.minuteTierBytes, beforeSteadyBytesPerResult: +perResult(beforeSteady), steadyBytesPerCluster: Math.round(steadyPerCluster), steadyBytesPerResult: +perResult(steadyPerCluster) }));
  }
  const bad = all.some((f) => !f.same || !f.sqlSame);
  process.exitCode = bad ? 1 : 0;
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
