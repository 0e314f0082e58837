// Retention: raw samples are kept QUORUM_RAW_RETENTION_DAYS (default 14), hourly/daily rollups and
// coalesced intervals QUORUM_ROLLUP_RETENTION_DAYS (default 400). Deletes run in small batches,
// each its own short autocommit statement with a pause between them, so the collector's writes
// (SQLite: one writer at a time; PostgreSQL: row locks) wait at most one batch. Run by the collector
// every hour (lib/collector/main.ts) and by `npm run bench:storage`.
import { withDb, type Db } from '../db';
import { QuorumError } from '../errors';
import { q, sqliteTime } from './sql';

export interface RetentionConfig {
  rawRetentionMs: number;
  rollupRetentionMs: number;
}

export interface RetentionOptions extends RetentionConfig {
  now?: number;
  /** Rows per DELETE (default 5000). */
  batchSize?: number;
  /** Pause between batches (default 10 ms): room for writers. */
  pauseMs?: number;
  signal?: AbortSignal;
}

export interface RetentionResult {
  rawDeleted: number;
  hoursDeleted: number;
  daysDeleted: number;
  intervalsDeleted: number;
  batches: number;
  ms: number;
}

const DAY_MS = 86_400_000;

function days(env: Record<string, string | undefined>, key: string, def: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 36_500) throw new QuorumError('internal', `${key}=${raw} is invalid: expected a whole number of days from 1 to 36500`);
  return n;
}

export function loadRetentionConfig(env: Record<string, string | undefined> = process.env): RetentionConfig {
  const raw = days(env, 'QUORUM_RAW_RETENTION_DAYS', 14);
  const rollup = days(env, 'QUORUM_ROLLUP_RETENTION_DAYS', 400);
  if (rollup < raw) throw new QuorumError('internal', `QUORUM_ROLLUP_RETENTION_DAYS (${rollup}) must not be shorter than QUORUM_RAW_RETENTION_DAYS (${raw})`);
  return { rawRetentionMs: raw * DAY_MS, rollupRetentionMs: rollup * DAY_MS };
}

async function inBatches(db: Db, sql: string, args: unknown[], opts: Required<Pick<RetentionOptions, 'batchSize' | 'pauseMs'>> & { signal?: AbortSignal }, count: { batches: number }): Promise<number> {
  let total = 0;
  for (;;) {
    if (opts.signal?.aborted) break;
    const n = await db.prisma.$executeRawUnsafe(q(db.provider, sql), ...args, opts.batchSize);
    count.batches++;
    total += n;
    if (n < opts.batchSize) break;
    if (opts.pauseMs > 0) await new Promise((r) => setTimeout(r, opts.pauseMs));
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
  return withDb(async (db) => {
    const pg = db.provider === 'postgresql';
    const rawArg = pg ? String(rawCutoff) : sqliteTime(rawCutoff);
    const rawCmp = pg ? `(TIMESTAMP '1970-01-01 00:00:00' + ($1::bigint) * INTERVAL '1 millisecond')` : '$1';
    const lim = pg ? '$2::int' : '$2';
    const cut = pg ? '$1::bigint' : '$1';
    const rollArg = pg ? String(rollupCutoff) : rollupCutoff;
    const rawDeleted = await inBatches(db, `DELETE FROM "Sample" WHERE "id" IN (SELECT "id" FROM "Sample" WHERE "at" < ${rawCmp} ORDER BY "at" LIMIT ${lim})`, [rawArg], b, count);
    const hoursDeleted = await inBatches(db, `DELETE FROM "RollupHour" WHERE ("bucketStartMs","seriesId") IN (SELECT "bucketStartMs","seriesId" FROM "RollupHour" WHERE "bucketStartMs" < ${cut} LIMIT ${lim})`, [rollArg], b, count);
    const daysDeleted = await inBatches(db, `DELETE FROM "RollupDay" WHERE ("bucketStartMs","seriesId") IN (SELECT "bucketStartMs","seriesId" FROM "RollupDay" WHERE "bucketStartMs" < ${cut} LIMIT ${lim})`, [rollArg], b, count);
    const intervalsDeleted = await inBatches(db, `DELETE FROM "StatusInterval" WHERE ("seriesId","startMs") IN (SELECT "seriesId","startMs" FROM "StatusInterval" WHERE "endMs" < ${cut} LIMIT ${lim})`, [rollArg], b, count);
    return { rawDeleted, hoursDeleted, daysDeleted, intervalsDeleted, batches: count.batches, ms: Math.round(performance.now() - started) };
  });
}
