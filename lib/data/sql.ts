// The raw SQL of the storage tier, one variant per dialect where they differ. Bulk rows travel as
// ONE JSON text parameter (SQLite json_each, PostgreSQL json_array_elements): one statement per
// table per write, whatever the batch size (Prisma's createMany splits into ~200-row INSERTs and
// reaches ~8k rows/s; this reaches the ≥ 20k samples/s the storage targets ask for).
// Only lib/data/* imports this.
import type { Db, DbProvider, DbTx } from '../db';
import type { Status } from '../types';
import type { BucketStats, CoalescedInterval, MinuteStats } from '../slo/timeline';

/**
 * Statement text for a dialect: `$1` placeholders become `?` on SQLite (better-sqlite3 binds an
 * argument list to anonymous parameters only), so each parameter must appear once, in order.
 */
export function q(provider: DbProvider, sql: string): string {
  if (provider === 'postgresql') return sql;
  let expect = 1;
  return sql.replace(/\$(\d+)/g, (_m, n: string) => {
    if (Number(n) !== expect++) throw new Error(`sql: SQLite needs $${n} in order and used once: ${sql.slice(0, 80)}`);
    return '?';
  });
}

/** Positional parameters in order ($1, $2…; `?` on SQLite). Epoch ms go to PostgreSQL as bigint text. */
export class Params {
  values: unknown[] = [];
  constructor(private readonly db: Pick<Db, 'provider'>) {}
  text(v: string): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
  int(v: number): string {
    if (this.db.provider === 'postgresql') {
      this.values.push(String(v));
      return `$${this.values.length}::bigint`;
    }
    this.values.push(v);
    return `$${this.values.length}`;
  }
}


/** JSON array element i as an expression, cast for PostgreSQL. */
function el(provider: DbProvider, i: number, pgType?: string): string {
  if (provider === 'sqlite') return `j.value->>${i}`;
  return pgType ? `(x->>${i})::${pgType}` : `x->>${i}`;
}

function from(provider: DbProvider, param: string): string {
  return provider === 'sqlite' ? `json_each(?) AS j` : `json_array_elements(${param}::json) AS x`;
}

/** PostgreSQL timestamp(3) from epoch ms (exact); SQLite stores Prisma's ISO text ("…+00:00"). */
function pgTimestamp(expr: string): string {
  return `(TIMESTAMP '1970-01-01 00:00:00' + (${expr}) * INTERVAL '1 millisecond')`;
}

/** SQLite DateTime text exactly as @prisma/adapter-better-sqlite3 writes it. */
export function sqliteTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

export interface RawSampleRow {
  clusterId: string;
  probe: string;
  target: string;
  atMs: number;
  status: Status;
  reason: string;
  latencyMs: number | null;
  detail: string | null;
  /** The run this row starts: its sample count and the time of its last sample. */
  runSamples: number;
  runLastAtMs: number;
}

/**
 * Inserts run rows (the first sample of each run), of one or several clusters, in one statement per
 * `chunk` rows. Returns each row's id with its series and time.
 */
export async function insertRawSamples(provider: DbProvider, tx: DbTx, rows: readonly RawSampleRow[], chunk = 20_000): Promise<Array<{ id: number; clusterId: string; probe: string; target: string; runLastAtMs: number }>> {
  const out: Array<{ id: number; clusterId: string; probe: string; target: string; runLastAtMs: number }> = [];
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    let got: Array<Record<string, unknown>>;
    if (provider === 'sqlite') {
      const json = JSON.stringify(part.map((r) => [r.probe, r.target, sqliteTime(r.atMs), r.status, r.reason, r.latencyMs, r.detail, r.runSamples, r.runLastAtMs, r.clusterId]));
      got = (await tx.$queryRawUnsafe(
        `INSERT INTO "Sample" ("clusterId","probe","target","at","status","reason","latencyMs","detail","runSamples","runLastAtMs")
         SELECT j.value->>9, j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6, j.value->>7, j.value->>8 FROM json_each(?) AS j WHERE true
         RETURNING "id","clusterId","probe","target","runLastAtMs"`,
        json,
      )) as Array<Record<string, unknown>>;
    } else {
      const json = JSON.stringify(part.map((r) => [r.probe, r.target, r.atMs, r.status, r.reason, r.latencyMs, r.detail, r.runSamples, r.runLastAtMs, r.clusterId]));
      got = (await tx.$queryRawUnsafe(
        `INSERT INTO "Sample" ("clusterId","probe","target","at","status","reason","latencyMs","detail","runSamples","runLastAtMs")
         SELECT x->>9, x->>0, x->>1, ${pgTimestamp('(x->>2)::bigint')}, (x->>3)::"SampleStatus", x->>4, (x->>5)::int, x->>6, (x->>7)::int, (x->>8)::bigint FROM json_array_elements($1::json) AS x
         RETURNING "id","clusterId","probe","target","runLastAtMs"`,
        json,
      )) as Array<Record<string, unknown>>;
    }
    for (const r of got) out.push({ id: Number(r.id), clusterId: String(r.clusterId), probe: String(r.probe), target: String(r.target), runLastAtMs: Number(r.runLastAtMs) });
  }
  return out;
}

/** Sets the open runs' sample count and last time (absolute values), one statement. */
export async function updateRuns(provider: DbProvider, tx: DbTx, rows: ReadonlyArray<{ id: number; runSamples: number; runLastAtMs: number }>): Promise<void> {
  if (rows.length === 0) return;
  const E = (i: number, t?: string): string => el(provider, i, t);
  await tx.$executeRawUnsafe(
    `UPDATE "Sample" SET "runSamples" = ${E(1, 'int')}, "runLastAtMs" = ${E(2, 'bigint')} FROM ${from(provider, '$1')} WHERE "Sample"."id" = ${E(0, 'int')}`,
    JSON.stringify(rows.map((r) => [r.id, r.runSamples, r.runLastAtMs])),
  );
}

export interface SeriesRow {
  id: number;
  clusterId: string;
  probe: string;
  target: string;
  lastAtMs: number;
  lastStatus: Status;
  openStartMs: number;
  openReason: string;
  openSamples: number;
  capMs: number;
  /** The last sample exactly (with lastAtMs, lastStatus). */
  lastReason: string;
  lastDetail: string | null;
  lastLatencyMs: number | null;
  /** The open run's Sample row (null: none yet) and its sample count. */
  runSampleId: number | null;
  runSamples: number;
  /** Times of the samples before the last one (lib/slo/timeline.ts recentTimes). */
  recentGaps: string;
}

const SERIES_COLS = `"id","clusterId","probe","target","lastAtMs","lastStatus","openStartMs","openReason","openSamples","capMs","lastReason","lastDetail","lastLatencyMs","runSampleId","runSamples","recentGaps"`;

function toSeriesRow(r: Record<string, unknown>): SeriesRow {
  return {
    id: Number(r.id),
    clusterId: String(r.clusterId),
    probe: String(r.probe),
    target: String(r.target),
    lastAtMs: Number(r.lastAtMs),
    lastStatus: String(r.lastStatus) as Status,
    openStartMs: Number(r.openStartMs),
    openReason: String(r.openReason),
    openSamples: Number(r.openSamples),
    capMs: Number(r.capMs),
    lastReason: String(r.lastReason),
    lastDetail: r.lastDetail === null || r.lastDetail === undefined ? null : String(r.lastDetail),
    lastLatencyMs: r.lastLatencyMs === null || r.lastLatencyMs === undefined ? null : Number(r.lastLatencyMs),
    runSampleId: r.runSampleId === null || r.runSampleId === undefined ? null : Number(r.runSampleId),
    runSamples: Number(r.runSamples ?? 0),
    recentGaps: r.recentGaps === null || r.recentGaps === undefined ? '' : String(r.recentGaps),
  };
}

/**
 * Locks the cluster's row for this write transaction (PostgreSQL FOR NO KEY UPDATE: writers of one
 * cluster take turns; foreign-key checks and readers are not blocked; SQLite's write transactions
 * hold the database write lock already). False when the cluster does not exist (removed meanwhile).
 */
export async function lockClusterForWrite(provider: DbProvider, tx: DbTx, clusterId: string): Promise<boolean> {
  const rows = (await tx.$queryRawUnsafe(q(provider, `SELECT "id" FROM "Cluster" WHERE "id" = $1${provider === 'postgresql' ? ' FOR NO KEY UPDATE' : ''}`), clusterId)) as unknown[];
  return rows.length > 0;
}

/**
 * Locks several clusters' rows for one write transaction, in id order (two writers of overlapping
 * sets queue on the first shared row instead of deadlocking; a one-cluster writer holds one row).
 * Returns the ids that exist (the others were removed meanwhile).
 */
export async function lockClustersForWrite(provider: DbProvider, tx: DbTx, clusterIds: readonly string[]): Promise<Set<string>> {
  if (clusterIds.length === 1) return new Set((await lockClusterForWrite(provider, tx, clusterIds[0]!)) ? clusterIds : []);
  const sql =
    provider === 'sqlite'
      ? `SELECT "id" FROM "Cluster" WHERE "id" IN (SELECT value FROM json_each(?))`
      : `SELECT "id" FROM "Cluster" WHERE "id" IN (SELECT json_array_elements_text($1::json)) ORDER BY "id" FOR NO KEY UPDATE`;
  const rows = (await tx.$queryRawUnsafe(sql, JSON.stringify([...clusterIds].sort()))) as Array<{ id: unknown }>;
  return new Set(rows.map((r) => String(r.id)));
}

/**
 * The clusters' series, locked for this transaction on PostgreSQL (SQLite has one writer anyway).
 * Call after locking the clusters' rows: every writer of a series holds its cluster's row first.
 */
export async function lockSeries(provider: DbProvider, tx: DbTx, clusterIds: readonly string[]): Promise<SeriesRow[]> {
  if (clusterIds.length === 0) return [];
  const rows = (await tx.$queryRawUnsafe(
    provider === 'sqlite'
      ? `SELECT ${SERIES_COLS} FROM "Series" WHERE "clusterId" IN (SELECT value FROM json_each(?))`
      : `SELECT ${SERIES_COLS} FROM "Series" WHERE "clusterId" IN (SELECT json_array_elements_text($1::json)) FOR UPDATE`,
    JSON.stringify(clusterIds),
  )) as Array<Record<string, unknown>>;
  return rows.map(toSeriesRow);
}

/** A cluster's series cursors (no lock: readers), optionally of some probes only. */
export async function readSeries(db: Pick<Db, 'provider' | 'prisma'>, clusterId: string, probes?: readonly string[]): Promise<SeriesRow[]> {
  const b = new Params(db);
  const where = [`"clusterId" = ${b.text(clusterId)}`];
  if (probes) where.push(`"probe" IN (${probes.map((p) => b.text(p)).join(',')})`);
  const rows = (await db.prisma.$queryRawUnsafe(q(db.provider, `SELECT ${SERIES_COLS} FROM "Series" WHERE ${where.join(' AND ')}`), ...b.values)) as Array<Record<string, unknown>>;
  return rows.map(toSeriesRow);
}

export interface NewSeries {
  probe: string;
  target: string;
  atMs: number;
  status: Status;
  reason: string;
  capMs: number;
}

/** Creates series (cursor at their first sample; the caller then advances them). */
export async function createSeries(provider: DbProvider, tx: DbTx, clusterId: string, list: readonly NewSeries[]): Promise<SeriesRow[]> {
  if (list.length === 0) return [];
  const json = JSON.stringify(list.map((s) => [s.probe, s.target, s.atMs, s.status, s.reason, s.capMs]));
  const sql =
    provider === 'sqlite'
      ? `INSERT INTO "Series" ("clusterId","probe","target","lastAtMs","lastStatus","openStartMs","openReason","openSamples","capMs")
         SELECT ?, j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>2, j.value->>4, 1, j.value->>5 FROM json_each(?) AS j WHERE true
         RETURNING ${SERIES_COLS}`
      : `INSERT INTO "Series" ("clusterId","probe","target","lastAtMs","lastStatus","openStartMs","openReason","openSamples","capMs")
         SELECT $1, x->>0, x->>1, (x->>2)::bigint, (x->>3)::"SampleStatus", (x->>2)::bigint, x->>4, 1, (x->>5)::int FROM json_array_elements($2::json) AS x
         RETURNING ${SERIES_COLS}`;
  const rows = (await tx.$queryRawUnsafe(sql, clusterId, json)) as Array<Record<string, unknown>>;
  return rows.map(toSeriesRow);
}

/** Writes the advanced cursors. */
export async function updateSeries(provider: DbProvider, tx: DbTx, rows: readonly SeriesRow[], detailKept: ReadonlySet<number> = new Set()): Promise<void> {
  if (rows.length === 0) return;
  // A series whose id is in `detailKept` already holds this lastDetail: the text (a healthy /readyz's
  // fifty checks, a few KiB) is not sent again every cycle, the row keeps its own.
  const json = JSON.stringify(rows.map((s) => {
    const kept = detailKept.has(s.id);
    return [s.id, s.lastAtMs, s.lastStatus, s.openStartMs, s.openReason, s.openSamples, s.capMs, s.lastReason, kept ? null : s.lastDetail, s.lastLatencyMs, s.runSampleId, s.runSamples, s.recentGaps, kept ? 1 : 0];
  }));
  const E = (i: number, t?: string): string => el(provider, i, t);
  await tx.$executeRawUnsafe(
    `UPDATE "Series" SET "lastAtMs" = ${E(1, 'bigint')}, "lastStatus" = ${E(2, '"SampleStatus"')}, "openStartMs" = ${E(3, 'bigint')},
       "openReason" = ${E(4)}, "openSamples" = ${E(5, 'int')}, "capMs" = ${E(6, 'int')},
       "lastReason" = ${E(7)}, "lastDetail" = CASE WHEN ${E(13, 'int')} = 1 THEN "Series"."lastDetail" ELSE ${E(8)} END, "lastLatencyMs" = ${E(9, 'int')},
       "runSampleId" = ${E(10, 'int')}, "runSamples" = ${E(11, 'int')}, "recentGaps" = ${E(12)}
     FROM ${from(provider, '$1')} WHERE "Series"."id" = ${E(0, 'int')}`,
    json,
  );
}

/** Upserts coalesced intervals (absolute values: endMs and samples replace what was there). */
export async function upsertIntervals(provider: DbProvider, tx: DbTx, rows: ReadonlyArray<CoalescedInterval & { seriesId: number }>): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((r) => [r.seriesId, r.startMs, r.endMs, r.status, r.reason, r.samples]));
  const E = (i: number, t?: string): string => el(provider, i, t);
  await tx.$executeRawUnsafe(
    `INSERT INTO "StatusInterval" ("seriesId","startMs","endMs","status","reason","samples")
     SELECT ${E(0, 'int')}, ${E(1, 'bigint')}, ${E(2, 'bigint')}, ${E(3, '"SampleStatus"')}, ${E(4)}, ${E(5, 'int')} FROM ${from(provider, '$1')} WHERE true
     ON CONFLICT ("seriesId","startMs") DO UPDATE SET "endMs" = excluded."endMs", "samples" = excluded."samples"`,
    json,
  );
}

export type RollupTable = 'RollupHour' | 'RollupDay';

const ROLLUP_SUMS = [['goodMs', 'int'], ['badMs', 'int'], ['unknownMs', 'int'], ['samples', 'int'], ['badSamples', 'int'], ['latencyCount', 'int'], ['latencySumMs', 'bigint']] as const;
const MINUTE_SUMS = [['samples', 'int'], ['badSamples', 'int'], ['degradedSamples', 'int'], ['unknownSamples', 'int'], ['latencyCount', 'int'], ['latencySumMs', 'bigint']] as const;

/**
 * Adds bucket rows into a (bucketStartMs, seriesId)-keyed table: `sums` add up, latency min/max merge
 * NULL-safely on both dialects. Rows travel as one JSON parameter: [bucketStartMs, seriesId, ...sums, min, max].
 */
async function upsertBuckets(provider: DbProvider, tx: DbTx, table: string, sums: ReadonlyArray<readonly [string, string]>, rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const E = (i: number, t?: string): string => el(provider, i, t);
  const [minF, maxF] = provider === 'sqlite' ? ['min', 'max'] : ['LEAST', 'GREATEST'];
  const t = `"${table}"`;
  const merge = (col: string, f: string): string => `"${col}" = ${f}(COALESCE(${t}."${col}", excluded."${col}"), COALESCE(excluded."${col}", ${t}."${col}"))`;
  const add = (col: string): string => `"${col}" = ${t}."${col}" + excluded."${col}"`;
  const cols = ['bucketStartMs', 'seriesId', ...sums.map(([c]) => c), 'latencyMinMs', 'latencyMaxMs'];
  const types = ['bigint', 'int', ...sums.map(([, ty]) => ty), 'int', 'int'];
  await tx.$executeRawUnsafe(
    `INSERT INTO ${t} (${cols.map((c) => `"${c}"`).join(',')})
     SELECT ${types.map((ty, i) => E(i, ty)).join(', ')}
     FROM ${from(provider, '$1')} WHERE true
     ON CONFLICT ("bucketStartMs","seriesId") DO UPDATE SET
       ${sums.map(([c]) => add(c)).join(', ')},
       ${merge('latencyMinMs', minF)}, ${merge('latencyMaxMs', maxF)}`,
    JSON.stringify(rows),
  );
}

/** Adds bucket stats into a rollup table (sums add up; min/max merge, NULL-safe on both dialects). */
export async function upsertRollups(provider: DbProvider, tx: DbTx, table: RollupTable, rows: ReadonlyArray<BucketStats & { seriesId: number }>): Promise<void> {
  await upsertBuckets(provider, tx, table, ROLLUP_SUMS, rows.map((r) => [r.bucketStartMs, r.seriesId, r.goodMs, r.badMs, r.unknownMs, r.samples, r.badSamples, r.latencyCount, r.latencySumMs, r.latencyMinMs, r.latencyMaxMs]));
}

/** Adds per-minute sample counts into RollupMinute, as upsertRollups does for hours and days. */
export async function upsertMinutes(provider: DbProvider, tx: DbTx, rows: ReadonlyArray<MinuteStats & { seriesId: number }>): Promise<void> {
  await upsertBuckets(provider, tx, 'RollupMinute', MINUTE_SUMS, rows.map((r) => [r.bucketStartMs, r.seriesId, r.samples, r.badSamples, r.degradedSamples, r.unknownSamples, r.latencyCount, r.latencySumMs, r.latencyMinMs, r.latencyMaxMs]));
}

export interface MinuteRow {
  bucketStartMs: number;
  samples: number;
  badSamples: number;
  degradedSamples: number;
  unknownSamples: number;
  latencyMaxMs: number | null;
}

/** RollupMinute rows of one series in [startMs, endMs), oldest first. */
export async function readMinutes(db: Pick<Db, 'provider' | 'prisma'>, seriesId: number, startMs: number, endMs: number): Promise<MinuteRow[]> {
  const b = new Params(db);
  const rows = (await db.prisma.$queryRawUnsafe(
    q(db.provider, `SELECT "bucketStartMs","samples","badSamples","degradedSamples","unknownSamples","latencyMaxMs" FROM "RollupMinute"
      WHERE "seriesId" = ${b.int(seriesId)} AND "bucketStartMs" >= ${b.int(startMs)} AND "bucketStartMs" < ${b.int(endMs)} ORDER BY "bucketStartMs"`),
    ...b.values,
  )) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    bucketStartMs: Number(r.bucketStartMs),
    samples: Number(r.samples),
    badSamples: Number(r.badSamples),
    degradedSamples: Number(r.degradedSamples),
    unknownSamples: Number(r.unknownSamples),
    latencyMaxMs: r.latencyMaxMs === null || r.latencyMaxMs === undefined ? null : Number(r.latencyMaxMs),
  }));
}

/** A DateTime column compared with epoch ms: PostgreSQL timestamp(3) from ms, SQLite Prisma's ISO text. */
export function timeParam(b: Params, provider: DbProvider, ms: number): string {
  if (provider === 'postgresql') return pgTimestamp(b.int(ms));
  return b.text(sqliteTime(ms));
}

/** A DateTime value read by raw SQL as epoch ms: PostgreSQL gives a number (EXTRACT) or Date, SQLite ISO text. */
export function readTimeMs(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v);
  const s = String(v);
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : null;
}

/** Rows grouped by a key, in row order (Map.groupBy, which ES2023 typings lack). */
export function groupBy<K, T>(rows: Iterable<T>, key: (row: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const l = out.get(k);
    if (l) l.push(r);
    else out.set(k, [r]);
  }
  return out;
}
