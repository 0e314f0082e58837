// `npm run quorum -- backup FILE` / `restore FILE` for the SQLite database (README "Running in
// production"). PostgreSQL has its own tools (pg_dump / pg_restore), which are consistent while Quorum
// runs; these commands refuse there and say how (`postgresHowTo`).
//
// Backup: SQLite's online backup API (better-sqlite3 `db.backup`), the whole database copied in ONE
// step — one read transaction on the source, so the copy is a consistent snapshot while the collector
// and the web app keep writing (WAL: readers and the one writer do not block each other) — into
// FILE.partial, switched to a single self-contained file (journal_mode=DELETE), checked
// (integrity_check, Quorum's tables), then renamed to FILE.
//
// The credentials key is NOT in the backup: the clusters' credentials are in it, encrypted; the key
// (data/secret.key or QUORUM_SECRET_KEY) is needed to use them. Keep it apart (a secret store), as
// README "Threat model" says: the backup alone is no secret, the two together are everything.
//
// Restore: into a data folder with no database (or --force: the current one is kept beside it as
// quorum.db.before-restore-<time>), never while a collector runs on it or another process has it
// open; the file is checked first, any -wal/-shm of the old database is removed (a stale WAL must never
// be replayed into the restored file), then it is migrated (a backup of an older version) and the key
// is checked against its credentials.
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DbConfig } from '../env';
import { QuorumError, describeError } from '../errors';
import { OsLock, describeOwner } from '../os-lock';
import { envelopeKeyId } from '../secrets';

export type SqliteConfig = Extract<DbConfig, { provider: 'sqlite' }>;

export interface BackupSummary {
  file: string;
  bytes: number;
  migrations: number;
  lastMigration: string | null;
  clusters: number;
  samples: number;
  /** Key ids the credentials in the backup are encrypted with (v2 envelopes name theirs). */
  credentialKeyIds: string[];
  ms: number;
}

/** The commands refuse on PostgreSQL with this: what to run instead. */
export function postgresHowTo(db: Extract<DbConfig, { provider: 'postgresql' }>): string {
  const schema = db.schema;
  return [
    `backup and restore work on Quorum's SQLite database; this Quorum uses PostgreSQL (${db.redacted}, schema ${schema}). Use PostgreSQL's tools, consistent while Quorum runs:`,
    `  pg_dump --format=custom --schema=${schema} --file=quorum-$(date -u +%Y%m%dT%H%M%SZ).dump "$DATABASE_URL"`,
    `  pg_restore --clean --if-exists --no-owner --schema=${schema} --dbname="$DATABASE_URL" quorum-….dump   (Quorum stopped: replicas 0)`,
    `(DATABASE_URL without Prisma's ?schema= parameter.) The credentials key (QUORUM_SECRET_KEY) is not in the dump: keep it in your secret store. See README "Running in production".`,
  ].join('\n');
}

const HEADER = Buffer.from('SQLite format 3\u0000', 'latin1');

function isSqliteFile(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(16);
    return readSync(fd, b, 0, 16, 0) === 16 && b.equals(HEADER);
  } finally {
    closeSync(fd);
  }
}

/** Opens a file that must be a Quorum database and checks it; the summary of what is in it. */
function inspect(file: string): Omit<BackupSummary, 'ms' | 'file'> {
  if (!existsSync(file)) throw new QuorumError('invalid-input', `${file} does not exist`);
  if (!isSqliteFile(file)) throw new QuorumError('invalid-input', `${file} is not a SQLite database (no "SQLite format 3" header)`);
  const h = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const check = h.prepare('PRAGMA integrity_check').pluck().all() as string[];
    if (check.length !== 1 || check[0] !== 'ok') throw new QuorumError('invalid-input', `${file} is damaged: integrity_check says ${check.slice(0, 3).join('; ')}`);
    const tables = new Set(h.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    for (const t of ['_prisma_migrations', 'Cluster', 'Sample']) if (!tables.has(t)) throw new QuorumError('invalid-input', `${file} is not a Quorum database (no ${t} table)`);
    const migrations = h.prepare('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name').pluck().all() as string[];
    const envelopes = h.prepare('SELECT credentials FROM "Cluster"').pluck().all() as Buffer[];
    const kids = new Set(envelopes.map((e) => envelopeKeyId(new Uint8Array(e)) ?? 'v1 (no key id)'));
    return {
      bytes: statSync(file).size,
      migrations: migrations.length,
      lastMigration: migrations.at(-1) ?? null,
      clusters: envelopes.length,
      // Sample rows are runs since issue 16 (runSamples each); a file from before has one row per sample.
      samples: Number(h.prepare((h.prepare(`SELECT name FROM pragma_table_info('Sample')`).pluck().all() as string[]).includes('runSamples') ? 'SELECT COALESCE(SUM("runSamples"), 0) FROM "Sample"' : 'SELECT count(*) FROM "Sample"').pluck().get()),
      credentialKeyIds: [...kids].sort(),
    };
  } finally {
    h.close();
  }
}

function fsyncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not every filesystem lets a directory be fsync'd */
  }
}

/** Online backup of the SQLite database into `dest` (must not exist). */
export async function backupSqlite(db: SqliteConfig, dest: string): Promise<BackupSummary> {
  const started = performance.now();
  const out = path.resolve(dest);
  if (!existsSync(db.file)) throw new QuorumError('invalid-input', `there is no database to back up: ${db.file} does not exist`);
  if (existsSync(out)) throw new QuorumError('invalid-input', `${out} exists; choose a new file name (a backup never overwrites one)`);
  if (path.resolve(db.file) === out) throw new QuorumError('invalid-input', 'the backup file cannot be the database itself');
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });
  const src = new Database(db.file, { fileMustExist: true, timeout: db.timeouts.lockMs });
  try {
    // After the first (empty) step, everything in one step: one read transaction, a consistent snapshot.
    await src.backup(partial, { progress: () => 0x7fffffff });
  } catch (e) {
    rmSync(partial, { force: true });
    throw new QuorumError('internal', `backup of ${db.file} failed: ${describeError(e)}`, { cause: e });
  } finally {
    src.close();
  }
  try {
    const h = new Database(partial);
    h.pragma('journal_mode = DELETE'); // one self-contained file, no -wal beside it
    h.close();
    fsyncFile(partial);
    const summary = inspect(partial);
    renameSync(partial, out);
    fsyncDir(path.dirname(out));
    return { file: out, ...summary, ms: Math.round(performance.now() - started) };
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
}

/** Whether some process has the database file open (the web app, a collector, the CLI): SQLite cannot take it exclusively then. */
function inUse(file: string): boolean {
  const h = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    h.pragma('locking_mode = EXCLUSIVE');
    h.exec('BEGIN EXCLUSIVE; COMMIT');
    h.pragma('wal_checkpoint(TRUNCATE)'); // the old database's WAL folded in before it is set aside
    return false;
  } catch {
    return true;
  } finally {
    h.close();
  }
}

export interface RestoreResult extends BackupSummary {
  /** Where the database that was replaced went (with --force). */
  replaced: string | null;
}

/** Restores `from` as the SQLite database of this data folder. The caller migrates and checks the key afterwards. */
export function restoreSqlite(db: SqliteConfig, from: string, opts: { force?: boolean; now?: Date } = {}): RestoreResult {
  const started = performance.now();
  const src = path.resolve(from);
  const target = path.resolve(db.file);
  if (src === target) throw new QuorumError('invalid-input', 'the backup file is the database itself');
  const summary = inspect(src);
  mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  // No collector may run on it while the file changes under it; no other migration either.
  const collector = OsLock.tryAcquire(`${target}.collector-lock`, 'restore');
  if (!(collector instanceof OsLock)) throw new QuorumError('internal', `a collector runs on ${target} (${describeOwner(collector.heldBy)}); stop Quorum first`);
  const migrating = OsLock.tryAcquire(`${target}.migrate-lock`, 'restore');
  try {
    if (!(migrating instanceof OsLock)) throw new QuorumError('internal', `${target} is being migrated (${describeOwner(migrating.heldBy)}); try again when it is done`);
    let replaced: string | null = null;
    if (existsSync(target)) {
      if (!opts.force) throw new QuorumError('invalid-input', `${target} exists; restore into an empty data folder, or add --force to replace it (it is kept beside it as ${path.basename(target)}.before-restore-…)`);
      if (inUse(target)) throw new QuorumError('internal', `${target} is open in another process (Quorum's web app, a collector or the CLI); stop Quorum first`);
      replaced = `${target}.before-restore-${(opts.now ?? new Date()).toISOString().replace(/[:.]/g, '-')}`;
      renameSync(target, replaced);
    }
    // A stale WAL or shared-memory file beside the target belongs to the old database: never pair it with the restored one.
    for (const ext of ['-wal', '-shm', '-journal']) rmSync(`${target}${ext}`, { force: true });
    const tmp = `${target}.restoring`;
    copyFileSync(src, tmp);
    fsyncFile(tmp);
    renameSync(tmp, target);
    fsyncDir(path.dirname(target));
    return { file: target, ...summary, replaced, ms: Math.round(performance.now() - started) };
  } finally {
    if (migrating instanceof OsLock) migrating.release();
    collector.release();
  }
}
