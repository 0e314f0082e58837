// Real database errors, provoked on purpose against a real PostgreSQL 15 (our own throw-away cluster,
// and the shared one only for a wrong password) and a real SQLite file, caught exactly as they reach
// lib/db/errors.ts classifyDbError (through Prisma and the driver adapters where Quorum goes through
// them, raw pg / better-sqlite3 where Quorum uses those). Used twice:
//   - `npx tsx test/support/db-error-cases.ts --write` captures them into test/fixtures/db-errors/*.json,
//     which test/unit/db-errors.test.ts classifies (fast, exact);
//   - test/integration/db-errors.test.ts provokes them live and checks the same expectations, so the
//     fixtures cannot drift from what the databases really send.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DbErrorKind } from '@/lib/db/errors';
import { freePort, type OwnPg } from './own-pg';
import { withEnv } from './with-env';

export interface Expectation {
  kind: DbErrorKind;
  /** The database's own code the classification must report (undefined: none). */
  dbCode?: string;
}

export interface Case {
  name: string;
  /** Needs root (mounts a tmpfs). */
  needsRoot?: boolean;
  expect: Expectation;
  /** Returns the error as thrown (it must throw; returning is a failure to provoke). */
  provoke: () => Promise<unknown>;
}

async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, got none');
}

/** A plain, JSON-safe copy of an error and everything it wraps (what classifyDbError reads: own fields, message, cause, meta). */
export function toPlain(e: unknown, depth = 0): unknown {
  if (depth > 8) return null;
  if (e === null || e === undefined || typeof e === 'string' || typeof e === 'number' || typeof e === 'boolean') return e ?? null;
  if (typeof e === 'bigint') return String(e);
  if (typeof e !== 'object') return null;
  if (Array.isArray(e)) return e.map((x) => toPlain(x, depth + 1));
  const out: Record<string, unknown> = {};
  if (e instanceof Error) {
    out.name = e.name;
    out.message = e.message;
  }
  for (const [k, v] of Object.entries(e)) {
    if (k === 'stack' || typeof v === 'function' || k === 'clientVersion' || k === 'batchRequestIdx') continue;
    out[k] = toPlain(v, depth + 1);
  }
  if (e instanceof Error && e.cause !== undefined && !('cause' in out)) out.cause = toPlain(e.cause, depth + 1);
  return out;
}

async function prismaOf() {
  const { getDb } = await import('@/lib/db');
  return getDb();
}

/** Two raw sessions on `url` for `fn`, rolled back and closed after. */
async function twoSessions<T>(url: string, fn: (a: pg.Client, b: pg.Client) => Promise<T>): Promise<T> {
  const a = new pg.Client({ connectionString: url });
  const b = new pg.Client({ connectionString: url });
  await a.connect();
  await b.connect();
  try {
    return await fn(a, b);
  } finally {
    await a.query('ROLLBACK').catch(() => undefined);
    await b.query('ROLLBACK').catch(() => undefined);
    await a.end();
    await b.end();
  }
}

/** Two sessions that deadlock each other; returns the error of the one PostgreSQL chose. */
function deadlock(url: string): Promise<unknown> {
  return twoSessions(url, async (a, b) => {
    await a.query('CREATE TABLE IF NOT EXISTS dl (id int primary key, v int); INSERT INTO dl VALUES (1,0),(2,0) ON CONFLICT DO NOTHING');
    await a.query('BEGIN');
    await b.query("BEGIN; SET LOCAL deadlock_timeout = '10s'");
    await a.query('UPDATE dl SET v = v + 1 WHERE id = 1');
    await b.query('UPDATE dl SET v = v + 1 WHERE id = 2');
    const pa = a.query('UPDATE dl SET v = v + 1 WHERE id = 2').then(() => null, (e: unknown) => e);
    const pb = b.query('UPDATE dl SET v = v + 1 WHERE id = 1').then(() => null, (e: unknown) => e);
    const [ea, eb] = await Promise.all([pa, pb]);
    return ea ?? eb;
  });
}

/** Two SERIALIZABLE transactions that each read what the other writes. */
function serialization(url: string): Promise<unknown> {
  return twoSessions(url, async (a, b) => {
    await a.query('CREATE TABLE IF NOT EXISTS ser (k int primary key, v int); INSERT INTO ser VALUES (1,0),(2,0) ON CONFLICT DO NOTHING');
    await a.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    await b.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    await a.query('SELECT sum(v) FROM ser');
    await b.query('SELECT sum(v) FROM ser');
    await a.query('UPDATE ser SET v = v + 1 WHERE k = 1');
    await b.query('UPDATE ser SET v = v + 1 WHERE k = 2');
    await a.query('COMMIT');
    return caught(() => b.query('COMMIT'));
  });
}

/** A tiny tmpfs as a tablespace, filled until PostgreSQL reports 53100. Root only. */
async function diskFull(own: OwnPg, db: string): Promise<unknown> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'q14-tiny-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  try {
    const pgDir = path.join(dir, 'ts');
    mkdirSync(pgDir);
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(pgDir, uid, gid);
    await own.sql(`CREATE TABLESPACE tiny LOCATION '${pgDir}'`, db);
    await own.sql('CREATE TABLE full_t (v text) TABLESPACE tiny', db);
    return await caught(async () => {
      for (let i = 0; i < 1000; i++) await own.sql(`INSERT INTO full_t SELECT repeat(md5(g::text), 30) FROM generate_series(1, 2000) g`, db);
    });
  } finally {
    await own.sql('DROP TABLE IF EXISTS full_t', db).catch(() => undefined);
    await own.sql('DROP TABLESPACE IF EXISTS tiny', db).catch(() => undefined);
    try {
      execFileSync('umount', [dir]);
    } catch {
      /* busy: lazy */
      execFileSync('umount', ['-l', dir]);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const KUBECONFIG = 'apiVersion: v1';
const cluster = (name: string) => ({ name, server: 'https://127.0.0.1:1', context: 'c', labels: {}, kubeconfigYaml: KUBECONFIG });

/** PostgreSQL cases on our own cluster `own` (database `db`, migrated by the caller) and, for the wrong password, the shared one (`sharedUrl`, password auth). */
export function postgresCases(own: OwnPg, db: string, sharedUrl: string | undefined): Case[] {
  const url = own.url(db);
  const env = { DATABASE_URL: url };
  const viaPrisma = (fn: () => Promise<unknown>) => () => withEnv(env, () => caught(fn));
  const cases: Case[] = [
    {
      name: 'pg: connection refused (closed port), through Prisma',
      expect: { kind: 'unreachable' },
      provoke: async () => {
        const port = await freePort();
        return withEnv({ DATABASE_URL: `postgres://quorum@127.0.0.1:${port}/x` }, () => caught(async () => (await prismaOf()).prisma.cluster.findMany({ orderBy: { name: 'asc' }, omit: { credentials: true } })));
      },
    },
    {
      name: 'pg: database does not exist (3D000), raw pg',
      expect: { kind: 'no-database', dbCode: '3D000' },
      provoke: () => caught(async () => {
        const c = new pg.Client({ connectionString: own.url('no_such_db') });
        c.on('error', () => undefined);
        try {
          await c.connect();
        } finally {
          await c.end().catch(() => undefined);
        }
      }),
    },
    {
      name: 'pg: table missing (42P01), through Prisma',
      expect: { kind: 'not-migrated', dbCode: '42P01' },
      provoke: () => withEnv({ DATABASE_URL: `${url}?schema=empty_schema` }, () => caught(async () => (await prismaOf()).prisma.cluster.findMany({ orderBy: { name: 'asc' }, omit: { credentials: true } }))),
    },
    {
      name: 'pg: unique violation (23505), through Prisma create',
      expect: { kind: 'conflict', dbCode: '23505' },
      provoke: viaPrisma(async () => {
        const d = await prismaOf();
        const row = { name: 'dup-pg', server: 'https://x', context: 'c', labels: '{}', credentials: new Uint8Array([1]) };
        await d.prisma.cluster.deleteMany({ where: { name: 'dup-pg' } });
        await d.prisma.cluster.create({ data: { id: 'dup-1', ...row }, omit: { credentials: true } });
        try {
          await d.prisma.cluster.create({ data: { id: 'dup-2', ...row }, omit: { credentials: true } });
        } finally {
          await d.prisma.cluster.deleteMany({ where: { name: 'dup-pg' } });
        }
      }),
    },
    {
      name: 'pg: invalid input syntax (22P02), through Prisma raw',
      expect: { kind: 'invalid-data', dbCode: '22P02' },
      provoke: viaPrisma(async () => (await prismaOf()).prisma.$queryRawUnsafe("SELECT 'not a number'::int")),
    },
    {
      name: 'pg: foreign key violation (23503), through Prisma raw in a transaction',
      expect: { kind: 'invalid-data', dbCode: '23503' },
      provoke: viaPrisma(async () =>
        (await prismaOf()).transaction((tx) => tx.$executeRawUnsafe(`INSERT INTO "Sample" ("clusterId","probe","target","at","status","reason") VALUES ('no-such-cluster','p','t',now(),'up','ok')`)),
      ),
    },
    {
      name: 'pg: read-only database (25006, default_transaction_read_only), through Prisma create',
      expect: { kind: 'read-only', dbCode: '25006' },
      provoke: async () => {
        await own.sql(`ALTER DATABASE ${db} SET default_transaction_read_only = on`);
        try {
          return await withEnv(env, () => caught(async () => (await prismaOf()).prisma.cluster.create({ data: { id: 'ro', name: 'ro', server: 'https://x', context: 'c', labels: '{}', credentials: new Uint8Array([1]) }, omit: { credentials: true } })));
        } finally {
          await own.sql(`ALTER DATABASE ${db} RESET default_transaction_read_only`);
        }
      },
    },
    { name: 'pg: deadlock detected (40P01), raw pg', expect: { kind: 'deadlock', dbCode: '40P01' }, provoke: () => deadlock(url) },
    { name: 'pg: serialization failure (40001), raw pg', expect: { kind: 'serialization', dbCode: '40001' }, provoke: () => serialization(url) },
    {
      name: 'pg: lock timeout (55P03), through Prisma raw in a transaction',
      expect: { kind: 'busy', dbCode: '55P03' },
      provoke: async () => {
        const holder = new pg.Client({ connectionString: url });
        await holder.connect();
        try {
          await holder.query('CREATE TABLE IF NOT EXISTS lk (id int primary key); INSERT INTO lk VALUES (1) ON CONFLICT DO NOTHING');
          await holder.query('BEGIN; SELECT * FROM lk WHERE id = 1 FOR UPDATE');
          return await withEnv({ ...env, QUORUM_DB_LOCK_TIMEOUT_MS: '200' }, () =>
            caught(async () => (await prismaOf()).transaction((tx) => tx.$queryRawUnsafe('SELECT * FROM lk WHERE id = 1 FOR UPDATE'))),
          );
        } finally {
          await holder.query('ROLLBACK');
          await holder.end();
        }
      },
    },
    {
      name: 'pg: statement timeout (57014), through Prisma raw',
      expect: { kind: 'timeout', dbCode: '57014' },
      provoke: () => withEnv({ ...env, QUORUM_DB_TIMEOUT_MS: '300' }, () => caught(async () => (await prismaOf()).prisma.$queryRawUnsafe('SELECT pg_sleep(2)'))),
    },
    {
      name: 'pg: terminated by the administrator (57P01), raw pg',
      expect: { kind: 'shutdown', dbCode: '57P01' },
      provoke: async () => {
        const victim = new pg.Client({ connectionString: url });
        victim.on('error', () => undefined);
        await victim.connect();
        const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        try {
          return await caught(async () => {
            const q = victim.query('SELECT pg_sleep(5)');
            q.catch(() => undefined); // observed below; not an unhandled rejection meanwhile
            await own.sql(`SELECT pg_terminate_backend(${pid})`);
            await q;
          });
        } finally {
          await victim.end().catch(() => undefined);
        }
      },
    },
    {
      name: 'pg: too many connections for the role (53300), raw pg',
      expect: { kind: 'busy', dbCode: '53300' },
      provoke: async () => {
        await own.sql("DO $$ BEGIN CREATE ROLE limited LOGIN CONNECTION LIMIT 1; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
        const u = new URL(url);
        u.username = 'limited';
        const first = new pg.Client({ connectionString: u.href });
        await first.connect();
        try {
          return await caught(async () => {
            const second = new pg.Client({ connectionString: u.href });
            second.on('error', () => undefined);
            try {
              await second.connect();
            } finally {
              await second.end().catch(() => undefined);
            }
          });
        } finally {
          await first.end();
        }
      },
    },
    {
      name: 'pg: server hung (SIGSTOP), query with no answer, through Prisma',
      expect: { kind: 'timeout' },
      provoke: async () =>
        withEnv({ ...env, QUORUM_DB_TIMEOUT_MS: '1000' }, async () => {
          const d = await prismaOf();
          await d.prisma.$queryRawUnsafe('SELECT 1'); // a pooled connection, then the server stops answering
          own.signalAll('SIGSTOP');
          try {
            return await caught(() => d.prisma.$queryRawUnsafe('SELECT 1'));
          } finally {
            own.signalAll('SIGCONT');
          }
        }),
    },
    {
      name: 'pg: server hung (SIGSTOP), connect never answered, raw pg pool',
      expect: { kind: 'timeout' },
      provoke: async () => {
        const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 500 });
        pool.on('error', () => undefined);
        own.signalAll('SIGSTOP');
        try {
          return await caught(() => pool.query('SELECT 1'));
        } finally {
          own.signalAll('SIGCONT');
          await pool.end().catch(() => undefined);
        }
      },
    },
  ];
  cases.push({ name: 'pg: disk full (53100), tablespace on a 1 MiB tmpfs, raw pg', needsRoot: true, expect: { kind: 'disk-full', dbCode: '53100' }, provoke: () => diskFull(own, db) });
  cases.push({
    name: 'pg: wrong password (28P01), through Prisma',
    expect: { kind: 'auth', dbCode: '28P01' },
    provoke: () => {
      if (!sharedUrl) throw new Error('the wrong-password case needs QUORUM_TEST_PG_URL (a server with password auth)');
      const u = new URL(sharedUrl);
      u.password = 'definitely-wrong';
      return withEnv({ DATABASE_URL: u.href }, () => caught(async () => (await prismaOf()).prisma.$queryRawUnsafe('SELECT 1')));
    },
  });
  return cases;
}

/** SQLite cases on migrated files in `dir` (the caller migrates `main.db`). */
export function sqliteCases(dir: string): Case[] {
  const file = path.join(dir, 'main.db');
  const env = { DATABASE_URL: `file:${file}` };
  const viaPrisma = (fn: () => Promise<unknown>, extra: Record<string, string> = {}) => () => withEnv({ ...env, ...extra }, () => caught(fn));
  const holdWriteLock = async <T>(fn: () => Promise<T>): Promise<T> => {
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      return await fn();
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  };
  return [
    {
      name: 'sqlite: write lock held by another connection (SQLITE_BUSY), Prisma write in a transaction, raw adapter error',
      expect: { kind: 'busy', dbCode: 'SQLITE_BUSY' },
      provoke: () =>
        holdWriteLock(async () => {
          const { PrismaClient } = await import('@/lib/generated/sqlite/client');
          const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
          const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 50 }) });
          try {
            return await caught(() => client.$transaction((tx) => tx.$executeRawUnsafe('UPDATE "Cluster" SET "id" = "id" WHERE 0')));
          } finally {
            await client.$disconnect();
          }
        }),
    },
    {
      name: 'sqlite: write lock held by another connection, through withDb (waited QUORUM_DB_LOCK_TIMEOUT_MS)',
      expect: { kind: 'busy', dbCode: 'SQLITE_BUSY' },
      provoke: () =>
        holdWriteLock(() =>
          withEnv({ ...env, QUORUM_DB_LOCK_TIMEOUT_MS: '300' }, async () => {
            const { createCluster } = await import('@/lib/data/clusters');
            return caught(() => createCluster(cluster('busy')));
          }),
        ),
    },
    {
      name: 'sqlite: migrations pending while another process has the file open (schema engine, SQLITE_BUSY)',
      expect: { kind: 'busy', dbCode: 'SQLITE_BUSY' },
      provoke: async () => {
        const copy = path.join(dir, 'engine.db');
        const src = new Database(file);
        await src.backup(copy);
        src.close();
        const other = new Database(copy);
        other.pragma('journal_mode = WAL'); // as Quorum runs it: an open WAL connection keeps the engine's exclusive lock out
        other.exec(`DELETE FROM _prisma_migrations WHERE migration_name = (SELECT max(migration_name) FROM _prisma_migrations)`);
        try {
          const { migrate } = await import('@/lib/db/migrate');
          const { loadEnv } = await import('@/lib/env');
          return await caught(() => migrate({ quiet: true, db: loadEnv({ DATABASE_URL: `file:${copy}`, QUORUM_DB_LOCK_TIMEOUT_MS: '200' }).db }));
        } finally {
          other.close();
        }
      },
    },
    {
      name: 'sqlite: read-only connection (SQLITE_READONLY), through Prisma',
      expect: { kind: 'read-only', dbCode: 'SQLITE_READONLY' },
      provoke: async () => {
        const { PrismaClient } = await import('@/lib/generated/sqlite/client');
        const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
        const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}`, readonly: true }) });
        try {
          return await caught(() => client.$executeRawUnsafe(`DELETE FROM "Cluster" WHERE "id" = 'x'`));
        } finally {
          await client.$disconnect();
        }
      },
    },
    {
      name: 'sqlite: database or disk is full (SQLITE_FULL, max_page_count), through Prisma',
      expect: { kind: 'disk-full', dbCode: 'SQLITE_FULL' },
      provoke: viaPrisma(async () => {
        const d = await prismaOf();
        await d.prisma.$queryRawUnsafe('PRAGMA max_page_count = 1');
        await d.prisma.$executeRawUnsafe(`INSERT INTO "Sample" ("clusterId","probe","target","at","status","reason") SELECT 'x','p','t','2026-01-01T00:00:00.000+00:00','up', hex(randomblob(2000)) FROM json_each('[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]')`);
      }),
    },
    {
      name: 'sqlite: unique violation (SQLITE_CONSTRAINT_UNIQUE), through createCluster',
      expect: { kind: 'conflict', dbCode: 'SQLITE_CONSTRAINT_UNIQUE' },
      provoke: viaPrisma(async () => {
        const d = await prismaOf();
        const row = { name: 'dup-sqlite', server: 'https://x', context: 'c', labels: '{}', credentials: new Uint8Array([1]) };
        await d.prisma.cluster.create({ data: { id: 'd1', ...row }, omit: { credentials: true } });
        try {
          await d.prisma.cluster.create({ data: { id: 'd2', ...row }, omit: { credentials: true } });
        } finally {
          await d.prisma.cluster.deleteMany({ where: { name: 'dup-sqlite' } });
        }
      }),
    },
    {
      name: 'sqlite: foreign key violation (SQLITE_CONSTRAINT_FOREIGNKEY), through Prisma raw',
      expect: { kind: 'invalid-data', dbCode: 'SQLITE_CONSTRAINT_FOREIGNKEY' },
      provoke: viaPrisma(async () =>
        (await prismaOf()).prisma.$executeRawUnsafe(`INSERT INTO "Sample" ("clusterId","probe","target","at","status","reason") VALUES ('no-such-cluster','p','t','2026-01-01T00:00:00.000+00:00','up','ok')`),
      ),
    },
    {
      name: 'sqlite: no such table (SQLITE_ERROR), through Prisma on an empty file',
      expect: { kind: 'not-migrated', dbCode: 'SQLITE_ERROR' },
      provoke: () => withEnv({ DATABASE_URL: `file:${path.join(dir, 'empty.db')}` }, () => caught(async () => (await prismaOf()).prisma.cluster.findMany({ orderBy: { name: 'asc' }, omit: { credentials: true } }))),
    },
    {
      name: 'sqlite: not a database (SQLITE_NOTADB), raw better-sqlite3',
      expect: { kind: 'corrupt', dbCode: 'SQLITE_NOTADB' },
      provoke: async () => {
        const junk = path.join(dir, 'junk.db');
        writeFileSync(junk, Buffer.alloc(4096, 7));
        return caught(async () => new Database(junk).prepare('SELECT 1 FROM sqlite_master').get());
      },
    },
    {
      name: 'sqlite: cannot open (SQLITE_CANTOPEN, the path is a folder), raw better-sqlite3',
      expect: { kind: 'no-database', dbCode: 'SQLITE_CANTOPEN' },
      provoke: async () => caught(async () => new Database(dir)),
    },
  ];
}

/** `--write`: captures every case into test/fixtures/db-errors/. Needs root (own PostgreSQL, tmpfs). */
async function writeFixtures(): Promise<void> {
  const { startOwnPg } = await import('./own-pg');
  const { migrate } = await import('@/lib/db/migrate');
  const { loadEnv } = await import('@/lib/env');
  const root = path.resolve(import.meta.dirname, '..', 'fixtures', 'db-errors');
  mkdirSync(root, { recursive: true });
  const own = await startOwnPg('q14-errors', ['errs']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'q14-errors-sqlite-'));
  try {
    await migrate({ quiet: true, db: loadEnv({ DATABASE_URL: own.url('errs') }).db });
    await migrate({ quiet: true, db: loadEnv({ DATABASE_URL: `file:${path.join(dir, 'main.db')}` }).db });
    for (const [provider, cases] of [['postgresql', postgresCases(own, 'errs', process.env.QUORUM_TEST_PG_URL)], ['sqlite', sqliteCases(dir)]] as const) {
      const out: Array<{ name: string; error: unknown }> = [];
      for (const c of cases) {
        const e = await c.provoke();
        out.push({ name: c.name, error: toPlain(e) });
        console.log(`${c.name}: ${e instanceof Error ? (e.message.split('\n').find((l) => l.trim() !== '' && !l.includes('invocation')) ?? '').slice(0, 160) : String(e)}`);
      }
      writeFileSync(path.join(root, `${provider}.json`), `${JSON.stringify({ capturedAt: new Date().toISOString(), node: process.version, cases: out }, null, 2)}\n`);
    }
  } finally {
    own.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--write')) {
  process.env.QUORUM_SECRET_KEY ??= '0'.repeat(64);
  await writeFixtures();
}
