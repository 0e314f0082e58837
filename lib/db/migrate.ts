// Applies pending migrations with the wasm schema engine (no native binary) to the database the
// environment names, writing Prisma's standard `_prisma_migrations` table. Called by
// `npm run db:migrate`, `npm start`, the collector and the CLI, in-process.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { closeDb } from '../db';
import { loadEnv, type DbConfig } from '../env';
import { enginePool, engineTarget, withEngine } from './engine';
import { DbError, classifyDbError } from './errors';
import { readMigrationList } from './migrations';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { renderSchema, schemaPath, type Provider } from './schema';

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
async function preflightPg(db: Extract<DbConfig, { provider: 'postgresql' }>): Promise<void> {
  const pool = enginePool({ url: db.url, schema: 'public', max: 1 });
  try {
    await pool.query('SELECT 1');
    if (db.schema !== 'public') await pool.query(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
  } catch (e) {
    throw classifyDbError(e);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

export async function migrate(opts: { quiet?: boolean; db?: DbConfig } = {}): Promise<MigrateResult> {
  const db = opts.db ?? loadEnv().db;
  const provider: Provider = db.provider;
  const say = (s: string): void => {
    if (!opts.quiet) console.log(`[db] ${s}`);
  };
  if (db.provider === 'sqlite') {
    try {
      mkdirSync(path.dirname(db.file), { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new DbError('no-database', `cannot create the folder for ${db.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
    }
  } else await preflightPg(db);
  // An open SQLite client in this process (e.g. one that just failed on a missing table) can hold
  // the lock the engine needs; close it — getDb() reopens on next use.
  if (db.provider === 'sqlite') await closeDb();
  const migrationsList = readMigrationList(provider);
  // SQLite already up to date: say so without the engine. The engine needs a lock that another
  // process's open connection (the running web app) holds, so `npm run quorum -- …` on a live
  // installation would time out otherwise (issue 10: the CLI manages users next to a running server).
  if (db.provider === 'sqlite' && sqliteUpToDate(db.file, migrationsList)) {
    say(`${provider} ${db.file}: up to date (${migrationsList.migrationDirectories.length} migration(s))`);
    return { provider, applied: [], total: migrationsList.migrationDirectories.length };
  }
  const where = db.provider === 'sqlite' ? db.file : `${db.redacted} (schema ${db.schema})`;
  const { appliedMigrationNames } = await withEngine(engineTarget(db), [[schemaPath(provider), renderSchema(provider)]], (e) =>
    e.applyMigrations({ migrationsList, filters: FILTERS }),
  );
  say(
    appliedMigrationNames.length > 0
      ? `${provider} ${where}: applied ${appliedMigrationNames.length} migration(s): ${appliedMigrationNames.join(', ')}`
      : `${provider} ${where}: up to date (${migrationsList.migrationDirectories.length} migration(s))`,
  );
  return { provider, applied: appliedMigrationNames, total: migrationsList.migrationDirectories.length };
}

/** True when every migration in the list is applied (same name and checksum) and nothing else is. Read-only. */
function sqliteUpToDate(file: string, list: ReturnType<typeof readMigrationList>): boolean {
  if (!existsSync(file)) return false;
  let conn: Database.Database | undefined;
  try {
    conn = new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
    const rows = conn.prepare('SELECT migration_name AS name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL').all() as Array<{ name: string; checksum: string }>;
    const applied = new Map(rows.map((r) => [r.name, r.checksum]));
    if (applied.size !== list.migrationDirectories.length) return false;
    return list.migrationDirectories.every((m) => {
      const c = m.migrationFile.content;
      return c.tag === 'ok' && applied.get(path.basename(m.path)) === createHash('sha256').update(c.value).digest('hex');
    });
  } catch {
    return false; // no table yet, unreadable: let the engine decide
  } finally {
    conn?.close();
  }
}
