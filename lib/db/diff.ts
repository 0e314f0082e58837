// Compares the migrations folder of each provider with the schema rendered from the template, using
// the wasm engine's `diff` (migrations replayed into a shadow database → datamodel). Creates new
// migrations (`npm run db:diff -- --name X`) and is the CI drift check (`--check`).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadEnv, type DbConfig, type QuorumEnv } from '../env';
import { engineTarget, withEngine } from './engine';
import { LOCKFILE, readMigrationList } from './migrations';
import { PROVIDERS, lockfileContent, migrationsDir, renderSchema, schemaPath, type Provider } from './schema';

export interface DiffOutcome {
  provider: Provider;
  /** True when applying the migrations does not yield the template's schema. */
  changed: boolean;
  /** SQL that would bring the migrated schema to the template's (empty when unchanged). */
  sql: string;
  /** True when prisma/<provider>/schema.prisma is not the current rendering of the template. */
  schemaFileStale: boolean;
}

/**
 * Where the engine may build its shadow database. SQLite: in memory. PostgreSQL: a throw-away
 * database created through QUORUM_SHADOW_DATABASE_URL, else DATABASE_URL (when PostgreSQL), else QUORUM_TEST_PG_URL.
 */
function shadowDbFor(p: Provider, env: QuorumEnv = loadEnv()): DbConfig {
  if (p === 'sqlite') return { provider: 'sqlite', file: ':memory:', timeouts: env.db.timeouts };
  const url = env.shadowDatabaseUrls[0];
  if (!url) {
    throw new Error('the PostgreSQL diff needs a server for its throw-away shadow database: set QUORUM_SHADOW_DATABASE_URL (or QUORUM_TEST_PG_URL), e.g. postgres://quorum:quorum@127.0.0.1:5432/quorum_test');
  }
  return loadEnv({ DATABASE_URL: url }).db;
}

/** Diffs one provider's migrations against the template (or `opts.template`, for tests). */
export async function diffProvider(p: Provider, opts: { shadow?: DbConfig; template?: string } = {}): Promise<DiffOutcome> {
  const shadow = opts.shadow ?? shadowDbFor(p);
  const rendered = opts.template === undefined ? renderSchema(p) : renderSchema(p, opts.template);
  const file = schemaPath(p);
  const schemaFileStale = !existsSync(file) || readFileSync(file, 'utf8') !== rendered;
  const migrations = readMigrationList(p);
  const result = await withEngine(engineTarget(shadow), [[file, rendered]], (e) =>
    e.diff({
      from: { tag: 'migrations', ...migrations },
      to: { tag: 'schemaDatamodel', files: [{ path: file, content: rendered }] },
      script: true,
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    }),
  );
  const changed = result.exitCode === 2;
  return { provider: p, changed, sql: changed ? (result.stdout ?? '') : '', schemaFileStale };
}

/** The drift check: every provider's migrations must produce exactly the template's schema. */
export async function checkDrift(providers: readonly Provider[] = PROVIDERS): Promise<DiffOutcome[]> {
  const out: DiffOutcome[] = [];
  for (const p of providers) out.push(await diffProvider(p));
  return out;
}

/** "20261126193000" in UTC, the Prisma CLI's migration timestamp format. */
export function migrationTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

const NAME_RE = /^[a-z0-9][a-z0-9_]{0,62}$/;

/**
 * Writes prisma/<provider>/migrations/<timestamp>_<name>/migration.sql for every provider whose
 * migrations lag the template (and migration_lock.toml if missing). Returns the folders written.
 */
export async function createMigrations(name: string, now: Date = new Date()): Promise<string[]> {
  const clean = name.trim().toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!NAME_RE.test(clean)) throw new Error(`migration name "${name}" must be letters, digits or _`);
  const written: string[] = [];
  for (const p of PROVIDERS) {
    const dir = migrationsDir(p);
    mkdirSync(dir, { recursive: true });
    const lock = path.join(dir, LOCKFILE);
    if (!existsSync(lock)) writeFileSync(lock, lockfileContent(p));
    const d = await diffProvider(p);
    if (!d.changed) continue;
    const folder = path.join(dir, `${migrationTimestamp(now)}_${clean}`);
    if (existsSync(folder)) throw new Error(`${folder} already exists`);
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'migration.sql'), d.sql);
    written.push(folder);
  }
  return written;
}
