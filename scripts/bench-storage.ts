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
import { startsRun, type LastSample } from '@/lib/slo/timeline';
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
  rawTierBytes: number;
  /** Growth of RollupHour + RollupDay + StatusInterval + Series, indexes included, from empty to before raw retention ran. */
  rollupTierBytes: number;
  /** Growth of RollupMinute (kept as long as raw rows) from empty. */
  minuteTierBytes: number;
  minuteRows: number;
  afterRetentionBytes: number;
  retentionMs: number;
  retentionDeleted: number;
  design: { sampleRows: number; sampleBytes: number };
  live: LiveFigures[];
}

/**
 * The fair raw baseline: the same per-cluster good/bad ms as lib/slo availability computes over raw
 * rows, in ONE SQL aggregate over the Sample table (LEAD over each cluster's readyz rows, each span
 * clipped to the next sample, the cap and the window), so the database does the scan, not Prisma. Joined
 * from Cluster so each cluster's rows come from the (clusterId, probe, at) index, as the ORM scan's do.
 */
function rawAggregateSql(provider: 'sqlite' | 'postgresql'): string {
  const pg = provider === 'postgresql';
  const ms = pg ? `(EXTRACT(EPOCH FROM s."at") * 1000)::bigint` : `(CAST(strftime('%s', substr(s."at", 1, 19)) AS INTEGER) * 1000 + CAST(substr(s."at", 21, 3) AS INTEGER))`;
  const least = pg ? 'LEAST' : 'MIN';
  const greatest = pg ? 'GREATEST' : 'MAX';
  const from = pg ? `(TIMESTAMP '1970-01-01 00:00:00' + ($1::bigint) * INTERVAL '1 millisecond')` : '?';
  const to = pg ? `(TIMESTAMP '1970-01-01 00:00:00' + ($2::bigint) * INTERVAL '1 millisecond')` : '?';
  const cap = pg ? `$3::bigint` : '?';
  // SQLite binds anonymous parameters in order, once each: the bounds are repeated as arguments.
  return `WITH s AS (
      SELECT s."clusterId", s."id", s."status", ${ms} AS t
      FROM "Cluster" c JOIN "Sample" s ON s."clusterId" = c."id" AND s."probe" = 'apiserver-readyz' AND s."at" >= ${from} AND s."at" < ${to}
    ), n AS (
      SELECT "clusterId", "status", t, LEAD(t) OVER (PARTITION BY "clusterId" ORDER BY t, "id") AS nt FROM s
    ), spans AS (
      SELECT "clusterId", "status", ${least}(COALESCE(nt, t + ${cap}), t + ${cap}, ${pg ? '$4::bigint' : '?'}) - ${greatest}(t, ${pg ? '$5::bigint' : '?'}) AS span FROM n
    )
    SELECT "clusterId",
      SUM(CASE WHEN span > 0 AND "status" IN ('up', 'degraded') THEN span ELSE 0 END) AS good,
      SUM(CASE WHEN span > 0 AND "status" = 'down' THEN span ELSE 0 END) AS bad
    FROM spans GROUP BY "clusterId"`;
}

/**
 * The sparse raw tier's Sample table, built as a scratch table in the same database, measured, dropped:
 * `DesignSample` (the Sample table's own DDL and indexes) holding only the rows that start a run. The
 * minute tier is measured on the real RollupMinute table (the write path fills it).
 */
async function measureDesign(provider: 'sqlite' | 'postgresql', schema: string, changed: ReadonlyArray<{ clusterId: string; r: ProbeResult }>): Promise<{ sampleRows: number; sampleBytes: number }> {
  const pg = provider === 'postgresql';
  await withDb(async (db) => {
    const x = (sql: string, ...args: unknown[]): Promise<number> => db.prisma.$executeRawUnsafe(sql, ...args);
    if (pg) await x(`CREATE TABLE "DesignSample" (LIKE "Sample" INCLUDING ALL)`);
    else {
      const ddl = (await db.prisma.$queryRawUnsafe(`SELECT sql FROM sqlite_master WHERE tbl_name = 'Sample' AND sql IS NOT NULL`)) as Array<{ sql: string }>;
      for (const d of ddl) await x(d.sql.replace(/"Sample(_[A-Za-z_]*)?"/g, (_m, suffix: string | undefined) => `"DesignSample${suffix ?? ''}"`));
    }
    const rows = JSON.stringify(changed.map(({ clusterId, r }) => [clusterId, r.probe, r.target, pg ? r.at : sqliteTime(r.at), r.status, r.reason, r.latencyMs, r.detail === undefined ? null : JSON.stringify(r.detail)]));
    await x(
      pg
        ? `INSERT INTO "DesignSample" ("clusterId","probe","target","at","status","reason","latencyMs","detail") SELECT x->>0, x->>1, x->>2, TIMESTAMP '1970-01-01 00:00:00' + (x->>3)::bigint * INTERVAL '1 millisecond', (x->>4)::"SampleStatus", x->>5, (x->>6)::int, x->>7 FROM json_array_elements($1::json) AS x`
        : `INSERT INTO "DesignSample" ("clusterId","probe","target","at","status","reason","latencyMs","detail") SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6, j.value->>7 FROM json_each(?) AS j`,
      rows,
    );
    if (pg) await x('VACUUM ANALYZE "DesignSample"');
  });
  const bytes = await tableBytes(provider, schema);
  const count = (t: string): Promise<number> => withDb(async (db) => Number(((await db.prisma.$queryRawUnsafe(`SELECT COUNT(*) AS n FROM "${t}"`)) as Array<{ n: unknown }>)[0]!.n));
  const out = {
    sampleRows: await count('DesignSample'),
    sampleBytes: sumBytes(bytes, (n) => n === 'DesignSample' || n.startsWith('DesignSample_') || n.startsWith('sqlite_autoindex_DesignSample_')),
  };
  await withDb((db) => db.prisma.$executeRawUnsafe('DROP TABLE "DesignSample"'));
  return out;
}

/** SQLite DateTime text as the Prisma adapter writes it. */
const sqliteTime = (ms: number): string => new Date(ms).toISOString().replace('Z', '+00:00');

async function rawAggregate(provider: 'sqlite' | 'postgresql', winStart: number, endMs: number): Promise<Map<string, { goodMs: number; badMs: number }>> {
  const sql = rawAggregateSql(provider);
  const args = provider === 'postgresql'
    ? [String(winStart - CAP_MS), String(endMs), String(CAP_MS), String(endMs), String(winStart)]
    : [sqliteTime(winStart - CAP_MS), sqliteTime(endMs), CAP_MS, CAP_MS, endMs, winStart];
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
    // The sparse raw tier (prisma/README.md "Sparse raw tier"), its Sample table measured on a scratch
    // table beside the real one: a raw row only where a result starts a new run of its series
    // (lib/slo/timeline.ts startsRun, the rule the write path will use: status, reason with digits
    // masked, detail without its volatile fields, or a gap beyond the cap).
    const lastOf = new Map<string, LastSample>();
    const changed: Array<{ clusterId: string; r: ProbeResult }> = [];
    const keepChanged = (clusterId: string, results: readonly ProbeResult[]): void => {
      for (const r of results) {
        const series = `${clusterId}\u0000${r.probe}\u0000${r.target}`;
        const s = { t: r.at, status: r.status, reason: r.reason, detail: r.detail === undefined ? null : JSON.stringify(r.detail) };
        if (startsRun(lastOf.get(series) ?? null, s, CAP_MS)) changed.push({ clusterId, r });
        lastOf.set(series, { lastAtMs: s.t, lastStatus: s.status, lastReason: s.reason, lastDetail: s.detail });
      }
    };
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
        keepChanged(ids[ci]!, results);
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
    const rollupTierBytes = sumBytes(before, isRollup) - emptyRollupBytes;
    const minuteTierBytes = sumBytes(before, isMinute) - emptyMinuteBytes;
    const minuteRows = await withDb(async (d) => Number(((await d.prisma.$queryRawUnsafe(`SELECT COUNT(*) AS n FROM "RollupMinute"`)) as Array<{ n: unknown }>)[0]!.n));
    const design = await measureDesign(provider, schema, changed);

    // Live path: one cycle per call, as the collector writes (lib/collector/collector.ts writeOnce →
    // writeSamples with dedupe off, capMs, and slotMs when collectors share PostgreSQL), on top of the
    // history just written: each call is one cluster's 10 results of one cycle.
    const slotMs = provider === 'postgresql' ? INTERVAL_MS : null;
    const live: LiveFigures[] = [];
    let cycle = 0;
    for (const writers of LIVE_CONCURRENCY) {
      const callTimes: number[] = [];
      let rows = 0;
      const w0 = performance.now();
      for (let k = 0; k < LIVE_CYCLES; k++, cycle++) {
        const t = endMs + cycle * INTERVAL_MS;
        let next = 0;
        await Promise.all(Array.from({ length: writers }, async () => {
          for (let ci = next++; ci < ids.length; ci = next++) {
            const r = prng(ci * 104729 + cycle);
            const results = COMPONENTS.map((_, comp) => sampleFor(comp, t, null, r));
            const c0 = performance.now();
            await insertSamples(ids[ci]!, results, { capMs: CAP_MS, dedupe: false, ...(slotMs ? { slotMs } : {}) });
            callTimes.push(performance.now() - c0);
            rows += results.length;
          }
        }));
      }
      const wallMs = performance.now() - w0;
      const sorted = [...callTimes].sort((a, b) => a - b);
      live.push({ writers, calls: callTimes.length, rows, wallMs, medianMs: median(callTimes), p95Ms: sorted[Math.floor(sorted.length * 0.95)]!, slotMs });
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
    return { provider, samples, ingestMs, rollupMs: median(rollupTimes), rawScanMs, rawSqlMs: median(sqlTimes), same, sqlSame, rawTierBytes, rollupTierBytes, minuteTierBytes, minuteRows, afterRetentionBytes, retentionMs, retentionDeleted: ret.rawDeleted, live, design };
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
    const rawPerRow = f.rawTierBytes / f.samples;
    const rollupPerClusterDay = f.rollupTierBytes / (CLUSTERS * DAYS);
    const minutePerClusterDay = f.minuteTierBytes / (CLUSTERS * DAYS);
    const perResult = (bytesPerCluster: number): string => (bytesPerCluster / (perDay * RAW_RETENTION_DAYS)).toFixed(1);
    // Before: main until issue 16 (every probe result a raw row, no minute tier). Now: raw rows + RollupMinute.
    const beforeSteady = rawPerRow * perDay * RAW_RETENTION_DAYS + rollupPerClusterDay * ROLLUP_RETENTION_DAYS;
    const steadyPerCluster = beforeSteady + minutePerClusterDay * RAW_RETENTION_DAYS;
    const designPerClusterDay = f.design.sampleBytes / (CLUSTERS * DAYS) + minutePerClusterDay;
    const designSteady = designPerClusterDay * RAW_RETENTION_DAYS + rollupPerClusterDay * ROLLUP_RETENTION_DAYS;
    const n = (x: number, d = 0): string => x.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
    console.log(`\n[${p}]`);
    console.log(`  backfill ingest:       ${n(f.samples)} samples in ${(f.ingestMs / 1000).toFixed(1)} s = ${n(f.samples / (f.ingestMs / 1000))} samples/s (${BATCH_HOURS}-hour batches per call)`);
    for (const l of f.live) {
      console.log(`  live-path ingest:      ${n(l.calls)} calls of one cycle (${COMPONENTS.length} rows, dedupe off, capMs ${CAP_MS}${l.slotMs ? `, slotMs ${l.slotMs}` : ''}), ${l.writers} concurrent writer(s): median ${l.medianMs.toFixed(2)} ms, p95 ${l.p95Ms.toFixed(2)} ms per call; ${n(l.calls / (l.wallMs / 1000))} calls/s = ${n(l.rows / (l.wallMs / 1000))} rows/s (wall clock)`);
    }
    console.log(`  fleet 30-day overview: rollups (getFleet) ${f.rollupMs.toFixed(1)} ms, median of ${REPEAT}, warm`);
    console.log(`                         raw, one SQL aggregate  ${f.rawSqlMs.toFixed(1)} ms, median of ${REPEAT}, warm = ${(f.rawSqlMs / f.rollupMs).toFixed(1)}× the rollup path; same good/bad ms for every cluster: ${f.sqlSame ? 'yes' : 'NO'}`);
    console.log(`                         raw, ORM scan (Prisma findMany + lib/slo, once, cold) ${f.rawScanMs.toFixed(0)} ms = ${(f.rawScanMs / f.rollupMs).toFixed(0)}× the rollup path; same: ${f.same ? 'yes' : 'NO'}`);
    console.log(`  raw tier:              ${rawPerRow.toFixed(1)} bytes per raw probe result (Sample table + indexes)`);
    console.log(`  rollup tier:           ${n(rollupPerClusterDay)} bytes per cluster-day = ${(rollupPerClusterDay / perDay).toFixed(3)} bytes per probe result written (RollupHour, RollupDay, StatusInterval, Series with indexes)`);
    console.log(`  minute tier:           ${n(f.minuteRows)} RollupMinute rows = ${(f.minuteTierBytes / f.samples).toFixed(1)} bytes per probe result (kept ${RAW_RETENTION_DAYS} d, like raw rows)`);
    console.log(`  steady state (${RAW_RETENTION_DAYS} d raw + minutes, ${ROLLUP_RETENTION_DAYS} d rollups): ${n(steadyPerCluster / 1048576, 1)} MiB per cluster = ${perResult(steadyPerCluster)} bytes per probe result of the raw window (before the minute tier: ${perResult(beforeSteady)}; target ≤ 40); rollups alone ${perResult(rollupPerClusterDay * ROLLUP_RETENTION_DAYS)}`);
    console.log(`  sparse raw tier (Sample as change rows, measured on a scratch table; the write path does not thin Sample yet): ${n(f.design.sampleRows)} change rows = ${(f.design.sampleRows / f.samples).toFixed(4)} per probe result (${(f.samples / Math.max(1, f.design.sampleRows)).toFixed(0)}× fewer), ${n(f.design.sampleBytes)} bytes; with the real minute tier ${(designPerClusterDay / perDay).toFixed(2)} bytes per probe result in the raw window; steady state ${n(designSteady / 1048576, 1)} MiB per cluster = ${perResult(designSteady)} bytes per probe result (target ≤ 40)`);
    console.log(`  after raw retention:   ${(f.afterRetentionBytes / (f.samples + f.live.reduce((a, l) => a + l.rows, 0))).toFixed(3)} bytes per probe result written (${n(f.afterRetentionBytes)} bytes on disk for rollups, intervals, series and settings)`);
    console.log(`  retention job:         ${n(f.retentionDeleted)} raw rows deleted in ${(f.retentionMs / 1000).toFixed(1)} s (batches of 5,000)`);
    console.log(JSON.stringify({ figure: 'bench:storage', provider: p, clusters: CLUSTERS, days: DAYS, series: COMPONENTS.length, samples: f.samples, backfillPerS: Math.round(f.samples / (f.ingestMs / 1000)), live: f.live.map((l) => ({ writers: l.writers, calls: l.calls, medianMs: +l.medianMs.toFixed(3), p95Ms: +l.p95Ms.toFixed(3), callsPerS: Math.round(l.calls / (l.wallMs / 1000)), rowsPerS: Math.round(l.rows / (l.wallMs / 1000)) })), rollupMs: +f.rollupMs.toFixed(2), rawSqlMs: +f.rawSqlMs.toFixed(2), rawOrmMs: Math.round(f.rawScanMs), same: f.same, sqlSame: f.sqlSame, rawBytesPerRow: +rawPerRow.toFixed(1), rollupBytesPerClusterDay: Math.round(rollupPerClusterDay), minuteRows: f.minuteRows, minuteBytes: f.minuteTierBytes, beforeSteadyBytesPerResult: +perResult(beforeSteady), steadyBytesPerCluster: Math.round(steadyPerCluster), steadyBytesPerResult: +perResult(steadyPerCluster), designChangeRows: f.design.sampleRows, designSampleBytes: f.design.sampleBytes, designSteadyBytesPerCluster: Math.round(designSteady), designSteadyBytesPerResult: +perResult(designSteady) }));
  }
  const bad = all.some((f) => !f.same || !f.sqlSame);
  process.exitCode = bad ? 1 : 0;
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
