// Retention: raw runs (a Sample row is a run: by its last sample) and minute rollups are kept QUORUM_RAW_RETENTION_DAYS (default 14), hourly/daily rollups and
// coalesced intervals QUORUM_ROLLUP_RETENTION_DAYS (default 400) (lib/env.ts). Deletes run in small
// batches, each its own short autocommit statement (and database call) with a pause between them, so the collector's writes
// (SQLite: one writer at a time; PostgreSQL: row locks) wait at most one batch. Run by the collector
// every hour (lib/collector/main.ts) and by `npm run bench:storage`.
import { withDb, type DbProvider } from '../db';
import { pause } from '../deadline';
import type { RetentionEnv } from '../env';
import { q } from './sql';

export interface RetentionOptions extends RetentionEnv {
  now?: number;
  /** Rows per DELETE (default 5000). */
  batchSize?: number;
  /** Pause between batches (default 10 ms): room for writers. */
  pauseMs?: number;
  signal?: AbortSignal;
}

export interface RetentionResult {
  rawDeleted: number;
  /** RollupMinute rows: kept as long as raw rows. */
  minutesDeleted: number;
  hoursDeleted: number;
  daysDeleted: number;
  intervalsDeleted: number;
  batches: number;
  ms: number;
}

/** One DELETE per call (each with the usual deadline), until a batch deletes fewer rows than it may. */
async function inBatches(sql: (provider: DbProvider) => { text: string; args: unknown[] }, opts: Required<Pick<RetentionOptions, 'batchSize' | 'pauseMs'>> & { signal?: AbortSignal }, count: { batches: number }): Promise<number> {
  let total = 0;
  for (;;) {
    if (opts.signal?.aborted) break;
    const n = await withDb((db) => {
      const s = sql(db.provider);
      return db.prisma.$executeRawUnsafe(q(db.provider, s.text), ...s.args, opts.batchSize);
    });
    count.batches++;
    total += n;
    if (n < opts.batchSize) break;
    if (opts.pauseMs > 0) await pause(opts.pauseMs, opts.signal);
  }
  return total;
}

/** Deletes what is past retention, batch by batch. */
export async function runRetention(opts: RetentionOptions): Promise<RetentionResult> {
  const started = performance.now();
  const now = opts.now ?? Date.now();
  const b = { batchSize: opts.batchSize ?? 5000, pauseMs: opts.pauseMs ?? 10, ...(opts.signal ? { signal: opts.signal } : {}) };
  const count = { batches: 0 };
  const rawCutoff = now - opts.rawRetentionMs;
  const rollupCutoff = now - opts.rollupRetentionMs;
    const lim = (pg: boolean): string => (pg ? '$2::int' : '$2');
  const cut = (pg: boolean): string => (pg ? '$1::bigint' : '$1');
  const rollArg = (pg: boolean): unknown => (pg ? String(rollupCutoff) : rollupCutoff);
  const rawDeleted = await inBatches((p) => {
    const pg = p === 'postgresql';
    // A row is a run: it goes when the run's LAST sample is past retention, never while its series' run is open.
    return {
      text: `DELETE FROM "Sample" WHERE "id" IN (SELECT "id" FROM "Sample" WHERE "runLastAtMs" < ${cut(pg)}
        AND "id" NOT IN (SELECT "runSampleId" FROM "Series" WHERE "runSampleId" IS NOT NULL) LIMIT ${lim(pg)})`,
      args: [pg ? String(rawCutoff) : rawCutoff],
    };
  }, b, count);
  const rollup = (table: string, key: string, col: string) => (p: DbProvider) => {
    const pg = p === 'postgresql';
    return { text: `DELETE FROM "${table}" WHERE (${key}) IN (SELECT ${key} FROM "${table}" WHERE "${col}" < ${cut(pg)} LIMIT ${lim(pg)})`, args: [rollArg(pg)] };
  };
  const minutesDeleted = await inBatches((p) => {
    const pg = p === 'postgresql';
    return { text: `DELETE FROM "RollupMinute" WHERE ("bucketStartMs","seriesId") IN (SELECT "bucketStartMs","seriesId" FROM "RollupMinute" WHERE "bucketStartMs" < ${cut(pg)} LIMIT ${lim(pg)})`, args: [pg ? String(rawCutoff) : rawCutoff] };
  }, b, count);
  const hoursDeleted = await inBatches(rollup('RollupHour', '"bucketStartMs","seriesId"', 'bucketStartMs'), b, count);
  const daysDeleted = await inBatches(rollup('RollupDay', '"bucketStartMs","seriesId"', 'bucketStartMs'), b, count);
  const intervalsDeleted = await inBatches(rollup('StatusInterval', '"seriesId","startMs"', 'endMs'), b, count);
  return { rawDeleted, minutesDeleted, hoursDeleted, daysDeleted, intervalsDeleted, batches: count.batches, ms: Math.round(performance.now() - started) };
}
