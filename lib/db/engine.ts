// Prisma's schema engine compiled to WebAssembly, driven through our own driver adapters: no
// native engine binary, no network. Used by migrate (apply) and by db:diff (create/check).
// Scripts and the `npm start` launcher only — never imported by the web app.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
} from '@prisma/driver-adapter-utils';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { DbConfig } from '../env';
import { classifyDbError } from './errors';

let wasmReady: Promise<void> | undefined;
const engineTimers = new Set<NodeJS.Timeout>();

/** Instantiates schema_engine_bg.wasm once per process (the bindings keep it in module state). */
function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const js = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(js), 'schema_engine_bg.wasm'));
    // The engine races its operations against setTimeout (e.g. the 10 s migration-lock timeout)
    // and never clears the timer: track them so withEngine can unref the leftovers, otherwise
    // every `db:migrate` / CLI run on PostgreSQL would linger 10 s before exiting.
    const module: WebAssembly.ModuleImports = { ...(bg as unknown as WebAssembly.ModuleImports) };
    for (const name of Object.keys(module)) {
      if (!name.startsWith('__wbg_setTimeout_')) continue;
      module[name] = (fn: () => void, ms: number): NodeJS.Timeout => {
        const t = setTimeout(() => {
          engineTimers.delete(t);
          fn();
        }, ms >>> 0);
        engineTimers.add(t);
        return t;
      };
    }
    const imports: WebAssembly.Imports = { './schema_engine_bg.js': module };
    const { instance } = await WebAssembly.instantiate(bytes, imports);
    bg.__wbg_set_wasm(instance.exports);
    const start = instance.exports.__wbindgen_start;
    if (typeof start === 'function') (start as () => void)();
  })();
  return wasmReady;
}

const EMPTY_RESULT: SqlResultSet = { columnNames: [], columnTypes: [], rows: [] };

function isMultiStatement(q: SqlQuery): boolean {
  return q.args.length === 0 && q.sql.trim().replace(/;\s*$/, '').includes(';');
}

/**
 * better-sqlite3 refuses several statements in one prepared statement; the engine sends whole
 * migration files when it replays them into the shadow database. Route those to executeScript.
 */
function scriptAware(a: SqlDriverAdapter): SqlDriverAdapter {
  return new Proxy(a, {
    get(target, prop, receiver) {
      if (prop === 'executeRaw') {
        return async (q: SqlQuery): Promise<number> => {
          if (!isMultiStatement(q)) return target.executeRaw(q);
          await target.executeScript(q.sql);
          return 0;
        };
      }
      if (prop === 'queryRaw') {
        return async (q: SqlQuery): Promise<SqlResultSet> => {
          if (!isMultiStatement(q)) return target.queryRaw(q);
          await target.executeScript(q.sql);
          return EMPTY_RESULT;
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * The error kinds the wasm schema engine can read back from an adapter (its serde enum, as its own
 * "unknown variant" message lists them for @prisma/schema-engine-wasm 7.10). The adapters raise
 * others — better-sqlite3 reports SQLITE_BUSY as `SocketTimeout` — which the engine cannot
 * deserialize: it then fails with "Error in the underlying connector (WASM_ERROR): unknown variant
 * `SocketTimeout`" and the real error is lost. Those are re-thrown as plain errors instead, which the
 * binding keeps in its error registry (GenericJs), so withEngine reports the real, classified error.
 */
const ENGINE_ERROR_KINDS = new Set([
  'GenericJs', 'UnsupportedNativeDataType', 'InvalidIsolationLevel', 'LengthMismatch', 'UniqueConstraintViolation', 'NullConstraintViolation',
  'ForeignKeyConstraintViolation', 'DatabaseNotReachable', 'DatabaseDoesNotExist', 'DatabaseAlreadyExists', 'DatabaseAccessDenied', 'ConnectionClosed',
  'TlsConnectionError', 'AuthenticationFailed', 'TransactionWriteConflict', 'TableDoesNotExist', 'ColumnNotFound', 'TooManyConnections', 'ValueOutOfRange',
  'MissingFullTextSearchIndex', 'TransactionAlreadyClosed', 'postgres', 'mysql', 'sqlite', 'mssql',
]);

function engineReadable(e: unknown): unknown {
  if (e instanceof DriverAdapterError && !ENGINE_ERROR_KINDS.has(e.cause.kind)) {
    const c = e.cause as { kind: string; originalCode?: string; originalMessage?: string };
    return Object.assign(new Error(c.originalMessage ?? c.kind, { cause: e }), c.originalCode ? { code: c.originalCode } : {});
  }
  return e;
}

/** Every async method of the adapter (and of the transactions it opens) with engine-readable errors. */
function withEngineReadableErrors<T extends object>(a: T): T {
  return new Proxy(a, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]): unknown => {
        let r: unknown;
        try {
          r = (v as (...x: unknown[]) => unknown).apply(target, args);
        } catch (e) {
          throw engineReadable(e);
        }
        if (!(r instanceof Promise)) return r;
        return r.then(
          (x: unknown) => (prop === 'startTransaction' && typeof x === 'object' && x !== null ? withEngineReadableErrors(x) : x),
          (e: unknown) => Promise.reject(engineReadable(e)),
        );
      };
    },
  });
}

/** pg_catalog "char" (OID 18, e.g. pg_class.relkind) is not mapped by adapter-pg: read it as text. */
function fixCharColumns<T>(r: T): T {
  const fields = (r as { fields?: Array<{ dataTypeID: number }> }).fields;
  for (const f of fields ?? []) if (f.dataTypeID === 18) f.dataTypeID = 25;
  return r;
}

function patchQuery(q: { query: (...args: never[]) => unknown }): void {
  const orig = q.query.bind(q) as (...args: unknown[]) => unknown;
  (q as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]): unknown => {
    const r = orig(...args);
    return r instanceof Promise ? r.then(fixCharColumns) : r;
  };
}

/** A pg pool for the engine: optional search_path, and "char" columns read as text. */
function enginePool(cfg: { url: string; schema: string; max?: number }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: cfg.url,
    max: cfg.max ?? 4,
    connectionTimeoutMillis: 10_000,
    ...(cfg.schema !== 'public' ? { options: `-c search_path=${cfg.schema}` } : {}),
  });
  pool.on('error', () => undefined); // idle-client errors surface on the next query instead
  patchQuery(pool);
  // Pool.query() itself calls connect(callback): only the promise form (used by the adapter for
  // transactions) hands out a client that needs the patch.
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  (pool as { connect: (...args: unknown[]) => unknown }).connect = (...args: unknown[]): unknown => {
    if (args.length > 0) return connect(...args);
    return (connect() as Promise<pg.PoolClient>).then((c) => {
      const marked = c as pg.PoolClient & { __quorumPatched?: boolean };
      if (!marked.__quorumPatched) {
        patchQuery(c);
        marked.__quorumPatched = true;
      }
      return c;
    });
  };
  return pool;
}

const quoteIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;

export interface EngineTarget {
  factory: SqlMigrationAwareDriverAdapterFactory;
  /** Releases pools and connections and drops temporary shadow databases. */
  close(): Promise<void>;
}

/**
 * Adapter factory for the engine. The PostgreSQL shadow database is created and dropped here (not by
 * adapter-pg, whose own connectToShadowDb drops the database before closing its pool and hangs);
 * the role needs CREATEDB (scripts/pg-test-setup.sh grants it). Only `db:diff` uses a shadow.
 */
export function engineTarget(db: DbConfig): EngineTarget {
  if (db.provider === 'sqlite') {
    // The engine takes the file for itself (PRAGMA locking_mode=EXCLUSIVE): it waits for the lock as
    // long as a writer would (QUORUM_DB_LOCK_TIMEOUT_MS), then fails `busy`; migrate() says why.
    const sqlite = new PrismaBetterSqlite3({ url: db.file === ':memory:' ? ':memory:' : `file:${db.file}`, timeout: db.timeouts.lockMs });
    // engine.free() does not close the adapter's connections: an open better-sqlite3 handle would
    // keep the database locked for the rest of the process, so close() disposes each one.
    const opened: SqlDriverAdapter[] = [];
    const track = (a: SqlDriverAdapter): SqlDriverAdapter => {
      opened.push(a);
      return a;
    };
    const factory: SqlMigrationAwareDriverAdapterFactory = {
      provider: 'sqlite',
      adapterName: sqlite.adapterName,
      connect: async () => withEngineReadableErrors(track(await sqlite.connect())),
      connectToShadowDb: async () => withEngineReadableErrors(scriptAware(track(await new PrismaBetterSqlite3({ url: ':memory:' }).connect()))),
    };
    return {
      factory,
      close: async () => {
        for (const a of opened.splice(0)) await a.dispose().catch(() => undefined);
      },
    };
  }
  const mainPool = enginePool({ url: db.url, schema: db.schema });
  const shadows: Array<{ database: string; pool: pg.Pool }> = [];
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: async () => withEngineReadableErrors(await new PrismaPg(mainPool, db.schema !== 'public' ? { schema: db.schema } : undefined).connect()),
    connectToShadowDb: async () => {
      const database = `prisma_shadow_${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;
      await mainPool.query(`CREATE DATABASE ${quoteIdent(database)}`);
      const u = new URL(db.url);
      u.pathname = `/${database}`;
      const pool = enginePool({ url: u.href, schema: 'public', max: 2 });
      shadows.push({ database, pool });
      return withEngineReadableErrors(await new PrismaPg(pool).connect());
    },
  };
  return {
    factory,
    close: async () => {
      for (const s of shadows.splice(0)) {
        await s.pool.end().catch(() => undefined);
        await mainPool.query(`DROP DATABASE IF EXISTS ${quoteIdent(s.database)} WITH (FORCE)`).catch(() => undefined);
      }
      await mainPool.end().catch(() => undefined);
    },
  };
}

/**
 * Runs `fn` with a fresh engine and always frees it (a live engine makes later client writes in
 * the same process time out). Engine errors that only say "External error id#N" are replaced by
 * the adapter's real error, classified (e.g. "database unreachable: ECONNREFUSED 127.0.0.1:5432").
 */
export async function withEngine<T>(target: EngineTarget, datamodels: Array<[string, string]>, fn: (e: SchemaEngine) => Promise<T>, log: (line: string) => void = () => undefined): Promise<T> {
  await loadWasm();
  const bound = bindMigrationAwareSqlAdapterFactory(target.factory);
  const real = (e: unknown): unknown => {
    const msg = e instanceof Error ? e.message : String(e);
    const id = /External error id#(\d+)/.exec(msg)?.[1];
    const rec = id ? bound.errorRegistry.consumeError(Number(id)) : undefined;
    return rec ? rec.error : e;
  };
  let engine: SchemaEngine | undefined;
  try {
    engine = await bg.SchemaEngine.new({ datamodels }, (line: string) => log(line), bound);
    return await fn(engine);
  } catch (e) {
    throw classifyDbError(real(e));
  } finally {
    engine?.free();
    await target.close();
    for (const t of engineTimers) t.unref(); // leftovers of finished operations only
    engineTimers.clear();
  }
}
