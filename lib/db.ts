// The Prisma client: one per process, for the database lib/env.ts names. Only lib/db*, lib/data/*
// and the collector's store import this. Two generated clients exist (SQLite, PostgreSQL); their
// PrismaClient types are not mutually assignable, so callers get `DbClient`, the typed surface of
// the delegates Quorum uses, which both clients satisfy structurally (checked by tsc below).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadEnv, type DbConfig } from './env';
import { classifyDbError, DbError } from './db/errors';
import type { Status } from './types';
import type { AuthDelegates } from './db/auth-delegates';
import type { AlertDelegates } from './db/alert-delegates';

export { DbError, classifyDbError } from './db/errors';
export type { DbErrorKind } from './db/errors';

export type DbProvider = DbConfig['provider'];

/** A Cluster row as stored (credentials = encrypted envelope, labels = JSON text). */
export interface ClusterRow {
  id: string;
  name: string;
  server: string;
  context: string;
  labels: string;
  /** JSON text, see lib/clusters/settings.ts. */
  settings: string;
  credentials: Uint8Array<ArrayBuffer>;
  createdAt: Date;
  updatedAt: Date;
}

/** A Sample row as stored (detail = JSON text). */
export interface SampleRow {
  id: number;
  clusterId: string;
  probe: string;
  target: string;
  at: Date;
  status: Status;
  reason: string;
  latencyMs: number | null;
  detail: string | null;
}

/** A FailoverEvent row as stored (see prisma/schema.template.prisma). */
export interface FailoverEventRow {
  id: number;
  clusterId: string;
  lease: string;
  kind: string;
  previousHolder: string;
  newHolder: string;
  previousRenewTime: string | null;
  newAcquireTime: string | null;
  gapMs: number | null;
  leaseDurationSeconds: number | null;
  leaseTransitions: number | null;
  at: Date;
  observedAt: Date;
  dedupeKey: string;
}

/** A LeaseWatchGap row: the collector's Lease watch of one namespace was down in [startedAt, endedAt]. */
export interface LeaseWatchGapRow {
  id: number;
  clusterId: string;
  namespace: string;
  startedAt: Date;
  endedAt: Date;
  reason: string;
  dedupeKey: string;
}

type SampleCreate = Omit<SampleRow, 'id'>;
type ClusterCreate = Omit<ClusterRow, 'createdAt' | 'updatedAt' | 'settings'> & { settings?: string };
type ClusterKey = { id: string } | { name: string };
type ClusterWhere = { id?: string; name?: string; OR?: ClusterKey[] };
type DateRange = { gte?: Date; lt?: Date; lte?: Date; gt?: Date };
interface SampleWhere {
  clusterId?: string;
  probe?: string | { in: string[] };
  target?: string;
  status?: Status | { in: Status[] };
  at?: DateRange;
}
type SampleOrder = Array<{ at: Order } | { id: Order }>;
/** The narrow projection used for charts and availability (no detail JSON). */
export type SamplePoint = Pick<SampleRow, 'at' | 'status' | 'latencyMs'>;
type Order = 'asc' | 'desc';
type ClusterPublic = Omit<ClusterRow, 'credentials'>;

interface ClusterDelegate {
  create(args: { data: ClusterCreate; omit: { credentials: true } }): Promise<ClusterPublic>;
  findMany(args: { orderBy: { name: Order }; omit: { credentials: true } }): Promise<ClusterPublic[]>;
  findFirst(args: { where: ClusterWhere; omit: { credentials: true } }): Promise<ClusterPublic | null>;
  findUnique(args: { where: { id: string } }): Promise<ClusterRow | null>;
  deleteMany(args: { where: ClusterWhere }): Promise<{ count: number }>;
  update(args: { where: { id: string }; data: { settings?: string; labels?: string; credentials?: Uint8Array<ArrayBuffer> }; omit: { credentials: true } }): Promise<ClusterPublic>;
  count(): Promise<number>;
}

interface SampleDelegate {
  createMany(args: { data: SampleCreate[] }): Promise<{ count: number }>;
  findMany(args: { where: SampleWhere; orderBy: SampleOrder; take?: number }): Promise<SampleRow[]>;
  findFirst(args: { where: SampleWhere; orderBy: SampleOrder }): Promise<SampleRow | null>;
  count(args: { where: SampleWhere }): Promise<number>;
}

interface FailoverEventDelegate {
  findUnique(args: { where: { dedupeKey: string } }): Promise<FailoverEventRow | null>;
  create(args: { data: Omit<FailoverEventRow, 'id'> }): Promise<FailoverEventRow>;
  findMany(args: { where: { clusterId: string; lease?: string; at?: DateRange }; orderBy: Array<{ at: Order } | { id: Order }>; take?: number }): Promise<FailoverEventRow[]>;
  count(args: { where: { clusterId: string; at?: DateRange } }): Promise<number>;
}

interface LeaseWatchGapDelegate {
  findUnique(args: { where: { dedupeKey: string } }): Promise<LeaseWatchGapRow | null>;
  create(args: { data: Omit<LeaseWatchGapRow, 'id'> }): Promise<LeaseWatchGapRow>;
  findMany(args: { where: { clusterId: string; endedAt?: DateRange; startedAt?: DateRange }; orderBy: Array<{ startedAt: Order } | { id: Order }>; take?: number }): Promise<LeaseWatchGapRow[]>;
}

/** cluster.findMany narrowed to the envelopes (key checks, the overview's credentials state): one query, no decryption. */
export interface ClusterEnvelopeReader {
  findMany(args: { orderBy: { name: Order }; select: { id: true; name: true; credentials: true } }): Promise<Array<{ id: string; name: string; credentials: Uint8Array<ArrayBuffer> }>>;
}

/** sample.findMany narrowed to chart/availability columns (a separate view: overloads defeat the structural check). */
export interface SamplePointReader {
  findMany(args: { where: SampleWhere; orderBy: SampleOrder; take?: number; select: { at: true; status: true; latencyMs: true } }): Promise<SamplePoint[]>;
}

export type SloWindowKind = 'rolling7d' | 'rolling28d' | 'rolling30d' | 'rolling90d' | 'month' | 'quarter';
export type MaintenanceRecurrenceKind = 'none' | 'daily' | 'weekly';

/** An SloPolicy row as stored. */
export interface SloPolicyRow {
  id: string;
  clusterId: string;
  component: string;
  objective: number;
  window: SloWindowKind;
  createdAt: Date;
  updatedAt: Date;
}

/** A MaintenanceWindow row as stored (times in ms as BigInt). */
export interface MaintenanceWindowRow {
  id: string;
  clusterId: string | null;
  title: string;
  startMs: bigint;
  durationMs: bigint;
  recurrence: MaintenanceRecurrenceKind;
  untilMs: bigint | null;
  createdAt: Date;
  createdBy: string | null;
  createdByRole: string | null;
  retroactive: boolean;
}

interface SloPolicyDelegate {
  findMany(args: { where: { clusterId?: string | { in: string[] } }; orderBy: { component: Order } }): Promise<SloPolicyRow[]>;
  upsert(args: {
    where: { clusterId_component: { clusterId: string; component: string } };
    create: Omit<SloPolicyRow, 'createdAt' | 'updatedAt'>;
    update: { objective: number; window: SloWindowKind };
  }): Promise<SloPolicyRow>;
  deleteMany(args: { where: { clusterId: string; component?: string } }): Promise<{ count: number }>;
}

interface MaintenanceDelegate {
  findMany(args: { where: { id?: string; OR?: Array<{ clusterId: string | null | { in: string[] } }> }; orderBy: { startMs: Order } }): Promise<MaintenanceWindowRow[]>;
  create(args: { data: Omit<MaintenanceWindowRow, 'createdAt' | 'createdBy' | 'createdByRole' | 'retroactive'> & Partial<Pick<MaintenanceWindowRow, 'createdBy' | 'createdByRole' | 'retroactive'>> }): Promise<MaintenanceWindowRow>;
  deleteMany(args: { where: { id: string } }): Promise<{ count: number }>;
}

/** The part of either generated client Quorum uses (transaction clients included). */
export interface DbTx extends AuthDelegates, AlertDelegates {
  cluster: ClusterDelegate;
  sample: SampleDelegate;
  sloPolicy: SloPolicyDelegate;
  maintenanceWindow: MaintenanceDelegate;
  /** Raw SQL with positional parameters ($1… on PostgreSQL, ?1… on SQLite; see lib/data/sql.ts). */
  $queryRawUnsafe(sql: string, ...values: unknown[]): Promise<unknown>;
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>;
  failoverEvent: FailoverEventDelegate;
  leaseWatchGap: LeaseWatchGapDelegate;
}

export interface DbClient extends DbTx {
  $disconnect(): Promise<void>;
}

export interface Db {
  provider: DbProvider;
  prisma: DbClient;
  /** `prisma.sample`, typed for the narrow projection. */
  samplePoints: SamplePointReader;
  /** `prisma.cluster`, typed for the envelope projection. */
  clusterEnvelopes: ClusterEnvelopeReader;
  /** Interactive transaction on either client (their $transaction signatures differ). */
  transaction<R>(fn: (tx: DbTx) => Promise<R>): Promise<R>;
  /** Where it points, safe to print (no password). */
  target: string;
  /** PostgreSQL: the pool's last connect error, if the last connect failed. */
  lastConnectError?: () => unknown;
}

async function createDb(cfg: DbConfig): Promise<Db> {
  if (cfg.provider === 'sqlite') {
    try {
      mkdirSync(path.dirname(cfg.file), { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new DbError('no-database', `cannot create the folder for ${cfg.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
    }
    const [{ PrismaClient }, { PrismaBetterSqlite3 }] = await Promise.all([import('./generated/sqlite/client'), import('@prisma/adapter-better-sqlite3')]);
    // `timeout` is better-sqlite3's busy timeout: writers wait for each other instead of failing.
    const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${cfg.file}`, timeout: 5000 }) });
    const prisma: DbClient = client;
    try {
      // WAL: readers (the web app) never block the writer (the collector) and vice versa.
      await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL');
      await prisma.$queryRawUnsafe('PRAGMA busy_timeout = 5000');
      await prisma.$queryRawUnsafe('PRAGMA foreign_keys = ON');
    } catch (e) {
      await client.$disconnect().catch(() => undefined);
      throw classifyDbError(e);
    }
    return { provider: 'sqlite', prisma, samplePoints: client.sample, clusterEnvelopes: client.cluster, transaction: (fn) => client.$transaction((tx) => fn(tx)), target: cfg.file };
  }
  const [{ PrismaClient }, { PrismaPg }, { default: pg }] = await Promise.all([
    import('./generated/postgresql/client'),
    import('@prisma/adapter-pg'),
    import('pg'),
  ]);
  const pool = new pg.Pool({
    connectionString: cfg.url,
    max: cfg.poolMax,
    connectionTimeoutMillis: 5000,
    ...(cfg.schema !== 'public' ? { options: `-c search_path=${cfg.schema}` } : {}),
  });
  // An idle connection dropped by the server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const health = { lastConnectError: undefined as unknown };
  recordConnectErrors(pool, health);
  const adapter = new PrismaPg(pool, { ...(cfg.schema !== 'public' ? { schema: cfg.schema } : {}), disposeExternalPool: true });
  const client = new PrismaClient({ adapter });
  const prisma: DbClient = client;
  return {
    provider: 'postgresql',
    prisma,
    samplePoints: client.sample,
    clusterEnvelopes: client.cluster,
    transaction: (fn) => client.$transaction((tx) => fn(tx)),
    target: `${cfg.redacted} (schema ${cfg.schema})`,
    lastConnectError: () => health.lastConnectError,
  };
}

type ConnectFn = (...args: unknown[]) => unknown;

/** Remembers the pool's last connect error (with its errno), for classifyDbError's hint. */
function recordConnectErrors(pool: { connect: unknown }, into: { lastConnectError: unknown }): void {
  const connect = (pool.connect as ConnectFn).bind(pool);
  pool.connect = (...args: unknown[]): unknown => {
    const cb = args[0];
    if (typeof cb === 'function') {
      return connect((err: unknown, ...rest: unknown[]) => {
        into.lastConnectError = err ?? undefined;
        return (cb as ConnectFn)(err, ...rest);
      });
    }
    return (connect() as Promise<unknown>).then(
      (c) => ((into.lastConnectError = undefined), c),
      (err: unknown) => {
        into.lastConnectError = err;
        throw err;
      },
    );
  };
}

// Kept on globalThis so Next's dev server (module reloads) does not open a pool per edit.
const holder = globalThis as typeof globalThis & { __quorumDb?: Promise<Db> };

/** The process-wide database handle, created on first use from the environment. */
export function getDb(): Promise<Db> {
  if (!holder.__quorumDb) {
    const p = createDb(loadEnv().db);
    holder.__quorumDb = p;
    p.catch(() => {
      if (holder.__quorumDb === p) holder.__quorumDb = undefined; // retry on the next call
    });
  }
  return holder.__quorumDb;
}

/** Closes the handle (tests, CLI, shutdown). The next getDb() reads the environment again. */
export async function closeDb(): Promise<void> {
  const p = holder.__quorumDb;
  holder.__quorumDb = undefined;
  if (!p) return;
  const db = await p.catch(() => undefined);
  await db?.prisma.$disconnect();
}

/** Runs a database call and turns whatever it throws into a classified DbError. */
export async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await getDb().catch((e: unknown) => {
    throw classifyDbError(e);
  });
  try {
    return await fn(db);
  } catch (e) {
    throw classifyDbError(e, db.lastConnectError?.());
  }
}

export interface DbHealth {
  ok: boolean;
  provider: DbProvider;
  latencyMs: number;
  error?: string;
}

/** For /api/healthz: one round trip with a deadline. Never throws. */
export async function checkDb(opts: { timeoutMs?: number } = {}): Promise<DbHealth> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  let provider: DbProvider = 'sqlite';
  try {
    provider = loadEnv().db.provider;
  } catch (e) {
    return { ok: false, provider, latencyMs: ms(), error: e instanceof Error ? e.message : String(e) };
  }
  const timeoutMs = opts.timeoutMs ?? 3000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DbError('timeout', `database timeout: no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([withDb((db) => db.prisma.$queryRawUnsafe('SELECT 1')), deadline]);
    return { ok: true, provider, latencyMs: ms() };
  } catch (e) {
    return { ok: false, provider, latencyMs: ms(), error: classifyDbError(e).message };
  } finally {
    clearTimeout(timer);
  }
}
