// Applies pending migrations with the wasm schema engine (no native binary) to the database the
// environment names, writing Prisma's standard `_prisma_migrations` table. Called by
// `npm run db:migrate`, `npm start`, the collector and the CLI, in-process.
//
// It first reads `_prisma_migrations` itself (one read, with the usual timeouts) and starts the
// engine only when a migration is pending. That matters on SQLite: the engine takes the file for
// itself (PRAGMA locking_mode=EXCLUSIVE), which cannot succeed while the web app or the collector
// has it open — so before this check, every CLI command run next to `npm start` failed after 5 s
// with "unknown variant `SocketTimeout`" (the adapter's name for SQLITE_BUSY, which the engine
// cannot read; lib/db/engine.ts now hands it the real error).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { closeDb } from '../db';
import { loadEnv, type DbConfig } from '../env';
import { OsLock } from '../os-lock';
import { engineTarget, withEngine } from './engine';
import { DbError, classifyDbError } from './errors';
import { advisoryKey, openPgSession } from './session';
import { readMigrationList } from './migrations';
import { renderSchema, schemaPath, type Provider } from './schema';
import type { MigrationList } from '@prisma/schema-engine-wasm/schema_engine_bg';

export interface MigrateResult {
  provider: Provider;
  /** Names of the migrations applied by this call (empty when the database was up to date). */
  applied: string[];
  /** Migrations in the folder. */
  total: number;
}

const FILTERS = { externalTables: [], externalEnums: [] };

/**
 * Connects once with pg itself before the engine does: a down server then reads
 * "database unreachable: ECONNREFUSED 127.0.0.1:5432" (the engine only says "Can't reach…"),
 * and a non-default `?schema=` is created if missing.
 */
async function preflightPg(db: Extract<DbConfig, { provider: 'postgresql' }>): Promise<AppliedMigration[] | null> {
  const t = db.timeouts;
  const client = new pg.Client({ connectionString: db.url, connectionTimeoutMillis: t.connectMs, statement_timeout: t.callMs, query_timeout: t.callMs + 1000, lock_timeout: t.lockMs, application_name: 'quorum-migrate' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    if (db.schema !== 'public') {
      // Several replicas starting at once race here: IF NOT EXISTS is not atomic (23505 for the loser).
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`).catch((e: unknown) => {
        if ((e as { code?: string }).code !== '23505') throw e;
      });
    }
    const table = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`"${db.schema}"."_prisma_migrations"`]);
    if (!table.rows[0]?.t) return null;
    const r = await client.query<AppliedMigration>(`SELECT migration_name AS name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS "rolledBack" FROM "${db.schema}"."_prisma_migrations"`);
    return r.rows;
  } catch (e) {
    throw classifyDbError(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface AppliedMigration {
  name: string;
  checksum: string;
  finished: boolean | number;
  rolledBack: boolean | number;
}

/** `_prisma_migrations` of a SQLite file, read-only; null when the file or the table does not exist yet. */
function readSqliteMigrations(db: Extract<DbConfig, { provider: 'sqlite' }>): AppliedMigration[] | null {
  if (!existsSync(db.file)) return null;
  let h: Database.Database | undefined;
  try {
    h = new Database(db.file, { readonly: true, fileMustExist: true, timeout: db.timeouts.lockMs });
    const table = h.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (!table) return null;
    return h.prepare('SELECT migration_name AS name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolledBack FROM _prisma_migrations').all() as AppliedMigration[];
  } catch (e) {
    throw classifyDbError(e);
  } finally {
    h?.close();
  }
}

/** True when every migration in the folder is applied, finished, with the same checksum, and none failed half-way. */
function upToDate(list: MigrationList, applied: AppliedMigration[] | null): boolean {
  if (applied === null) return false;
  if (applied.some((a) => !a.finished && !a.rolledBack)) return false; // a failed migration: the engine reports it
  const done = new Map(applied.filter((a) => a.finished && !a.rolledBack).map((a) => [a.name, a.checksum]));
  return list.migrationDirectories.every((d) => {
    const c = d.migrationFile.content;
    return c.tag === 'ok' && done.get(d.path) === createHash('sha256').update(c.value).digest('hex');
  });
}

/** How long a start waits for another process's migration to finish (a big one can take a while). */
const MIGRATION_LOCK_WAIT_MS = 300_000;

/** The state of the database's migrations (fast path: no lock, no engine). */
async function readApplied(db: DbConfig): Promise<AppliedMigration[] | null> {
  if (db.provider === 'postgresql') return preflightPg(db);
  try {
    mkdirSync(path.dirname(db.file), { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new DbError('no-database', `cannot create the folder for ${db.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
  }
  return readSqliteMigrations(db);
}

/**
 * Holds the migration lock around `fn`: on PostgreSQL a session advisory lock of the schema (on a
 * session of its own, released when it ends — also when this process dies); on SQLite an OS lock on
 * `<file>.migrate-lock`. Several replicas starting at once take turns: the first migrates, the
 * others find the database up to date when their turn comes.
 */
async function underMigrationLock<T>(db: DbConfig, fn: () => Promise<T>): Promise<T> {
  if (db.provider === 'sqlite') {
    const lock = await OsLock.acquireWaiting(`${db.file}.migrate-lock`, 'migration', MIGRATION_LOCK_WAIT_MS, `another process is migrating ${db.file}`);
    try {
      return await fn();
    } finally {
      lock.release();
    }
  }
  const session = await openPgSession(db, { applicationName: 'quorum-migrate-lock', silentTimeoutMs: null, statementTimeoutMs: MIGRATION_LOCK_WAIT_MS, lockTimeoutMs: MIGRATION_LOCK_WAIT_MS });
  try {
    try {
      await session.client.query('SELECT pg_advisory_lock($1::bigint)', [advisoryKey(db.schema, 'quorum-migrate')]);
    } catch (e) {
      const err = classifyDbError(e);
      throw err.kind === 'busy' || err.kind === 'timeout' ? new DbError(err.kind, `another process has been migrating ${db.redacted} (schema ${db.schema}) for more than ${MIGRATION_LOCK_WAIT_MS / 1000} s`, { cause: err }) : err;
    }
    return await fn();
  } finally {
    await session.close(); // ends the session: the lock goes with it
  }
}

export async function migrate(opts: { quiet?: boolean; db?: DbConfig; /** Tests: another migrations folder (e.g. a prefix of the real one). */ migrationsDir?: string } = {}): Promise<MigrateResult> {
  const db = opts.db ?? loadEnv().db;
  const provider: Provider = db.provider;
  const say = (s: string): void => {
    if (!opts.quiet) console.log(`[db] ${s}`);
  };
  const migrationsList = readMigrationList(provider, ...(opts.migrationsDir ? [opts.migrationsDir] : []));
  const where = db.provider === 'sqlite' ? db.file : `${db.redacted} (schema ${db.schema})`;
  const upToDateResult = (): MigrateResult => {
    say(`${provider} ${where}: up to date (${migrationsList.migrationDirectories.length} migration(s))`);
    return { provider, applied: [], total: migrationsList.migrationDirectories.length };
  };
  if (upToDate(migrationsList, await readApplied(db))) return upToDateResult();
  return underMigrationLock(db, async () => {
    // Another replica may have migrated while this one waited for the lock.
    if (upToDate(migrationsList, await readApplied(db))) return upToDateResult();
    return applyPending(db, migrationsList, say, where);
  });
}

async function applyPending(db: DbConfig, migrationsList: MigrationList, say: (s: string) => void, where: string): Promise<MigrateResult> {
  const provider: Provider = db.provider;
  // An open SQLite client in this process (e.g. one that just failed on a missing table) can hold
  // the lock the engine needs; close it — getDb() reopens on next use.
  if (db.provider === 'sqlite') await closeDb();
  let appliedMigrationNames: string[];
  try {
    ({ appliedMigrationNames } = await withEngine(engineTarget(db), [[schemaPath(provider), renderSchema(provider)]], (e) => e.applyMigrations({ migrationsList, filters: FILTERS })));
  } catch (e) {
    const err = classifyDbError(e);
    if (db.provider === 'sqlite' && err.kind === 'busy') {
      throw new DbError(
        'busy',
        `database busy: ${db.file} has migrations to apply, which needs the file to itself, but another process has it open (Quorum's web app or collector?); stop them and run \`npm run db:migrate\` (\`npm start\` migrates before it starts them) (${err.dbCode ?? 'SQLITE_BUSY'})`,
        { cause: err, ...(err.dbCode ? { dbCode: err.dbCode } : {}) },
      );
    }
    throw err;
  }
  say(
    appliedMigrationNames.length > 0
      ? `${provider} ${where}: applied ${appliedMigrationNames.length} migration(s): ${appliedMigrationNames.join(', ')}`
      : `${provider} ${where}: up to date (${migrationsList.migrationDirectories.length} migration(s))`,
  );
  return { provider, applied: appliedMigrationNames, total: migrationsList.migrationDirectories.length };
}
