// The Prisma client: one per process, for the database lib/env.ts names. Only lib/db*, lib/data/*
// and the collector's store import this. Two generated clients exist (SQLite, PostgreSQL); their
// PrismaClient types are not mutually assignable, so callers get `DbClient`, the typed surface of
// the delegates Quorum uses, which both clients satisfy structurally (checked by tsc below).
//
// Never stall (README "How status is decided"): every call through withDb has a deadline
// (QUORUM_DB_TIMEOUT_MS) and comes back as a classified DbError; PostgreSQL connections carry
// connect, statement, lock and idle-in-transaction timeouts; SQLite runs in WAL mode with write
// transactions that take the write lock up front, on a connection of their own,
// and a writer that finds the file locked waits for it without blocking the event loop.
import { mkdirSync } from 'node:fs';
import { clearLogs as clearPrismaDebugHistory } from '@prisma/debug';
import path from 'node:path';
import { backoffMs, pause, withDeadline } from './deadline';
import { loadEnv, type DbConfig, type DbTimeouts } from './env';
import { classifyDbError, DbError } from './db/errors';
import type { Status } from './types';
import type { AuthDelegates } from './db/auth-delegates';
import type { AlertDelegates } from './db/alert-delegates';
import { getOrInsert } from './collections';

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
  /** The row is a run of equal results starting with this sample: its sample count and last sample's time (ms). */
  runSamples: number;
  runLastAtMs: bigint;
}

/** One sample exactly: a run's row without its run columns (latestSamples' answer, the series cursor's last sample). */
export type LastSampleRow = Omit<SampleRow, 'runSamples' | 'runLastAtMs'>;

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

type SampleCreate = Omit<SampleRow, 'id' | 'runSamples' | 'runLastAtMs'> & { runSamples?: number; runLastAtMs?: bigint };
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
  runLastAtMs?: { gte?: bigint; lt?: bigint };
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
  /** null = the default floor (lib/slo/state.ts DEFAULT_COVERAGE_FLOOR). */
  coverageFloor: number | null;
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
    update: { objective: number; window: SloWindowKind; coverageFloor: number | null };
  }): Promise<SloPolicyRow>;
  deleteMany(args: { where: { clusterId: string; component?: string } }): Promise<{ count: number }>;
}

interface MaintenanceDelegate {
  findMany(args: { where: { id?: string; OR?: Array<{ clusterId: string | null | { in: string[] } }> }; orderBy: { startMs: Order } }): Promise<MaintenanceWindowRow[]>;
  create(args: { data: Omit<MaintenanceWindowRow, 'createdAt' | 'createdBy' | 'createdByRole' | 'retroactive'> & Partial<Pick<MaintenanceWindowRow, 'createdBy' | 'createdByRole' | 'retroactive'>> }): Promise<MaintenanceWindowRow>;
  deleteMany(args: { where: { id: string } }): Promise<{ count: number }>;
}

/** A Collector row (one collector run; see lib/collector/ownership.ts). */
export interface CollectorRow {
  id: string;
  name: string;
  host: string;
  pid: number;
  version: string;
  mode: string;
  intervalSeconds: number;
  startedAt: Date;
  heartbeatAt: Date;
  stoppedAt: Date | null;
  owned: number;
  lastCycleAt: Date | null;
  lastCycle: string | null;
}

/** A ClusterOwner row: who probes a cluster now. */
export interface ClusterOwnerRow {
  clusterId: string;
  collectorId: string;
  collectorName: string;
  since: Date;
  releasedAt: Date | null;
  firstProbeAt: Date | null;
}

/** A CollectorTakeover row: a cluster moved from one collector to another. */
export interface CollectorTakeoverRow {
  id: number;
  clusterId: string;
  kind: string;
  previousCollectorId: string;
  previousCollector: string;
  newCollectorId: string;
  newCollector: string;
  previousHeartbeatAt: Date | null;
  releasedAt: Date | null;
  acquiredAt: Date;
  gapMs: number | null;
  lastSampleAt: Date | null;
  firstProbeAt: Date | null;
  probeGapMs: number | null;
  dedupeKey: string;
}

type CollectorWrite = Omit<CollectorRow, 'stoppedAt' | 'lastCycleAt' | 'lastCycle'> & Partial<Pick<CollectorRow, 'stoppedAt' | 'lastCycleAt' | 'lastCycle'>>;

interface CollectorDelegate {
  upsert(args: { where: { id: string }; create: CollectorWrite; update: Partial<CollectorWrite> }): Promise<CollectorRow>;
  updateMany(args: { where: { id: string }; data: Partial<CollectorWrite> }): Promise<{ count: number }>;
  findMany(args: { where: { OR: Array<{ heartbeatAt: DateRange } | { stoppedAt: null }> }; orderBy: Array<{ startedAt: Order } | { id: Order }>; take?: number }): Promise<CollectorRow[]>;
  deleteMany(args: { where: { heartbeatAt: { lt: Date } } }): Promise<{ count: number }>;
}

interface ClusterOwnerDelegate {
  findMany(args: { orderBy: Array<{ since: Order } | { clusterId: Order }> }): Promise<ClusterOwnerRow[]>;
}

interface CollectorTakeoverDelegate {
  findMany(args: { where: { acquiredAt: DateRange }; orderBy: Array<{ acquiredAt: Order } | { id: Order }>; take?: number }): Promise<CollectorTakeoverRow[]>;
  deleteMany(args: { where: { acquiredAt: { lt: Date } } }): Promise<{ count: number }>;
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
  collector: CollectorDelegate;
  clusterOwner: ClusterOwnerDelegate;
  collectorTakeover: CollectorTakeoverDelegate;
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
  /**
   * Interactive transaction on either client (their $transaction signatures differ), at most
   * QUORUM_DB_TIMEOUT_MS long. SQLite: on a connection of its own that takes the write lock first,
   * so a read-then-write never fails with SQLITE_BUSY_SNAPSHOT and no statement from elsewhere in
   * the process can slip into it.
   */
  transaction<R>(fn: (tx: DbTx) => Promise<R>): Promise<R>;
  /** Where it points, safe to print (no password). */
  target: string;
  timeouts: DbTimeouts;
  /** PostgreSQL: the pool's last connect error, if the last connect failed. */
  lastConnectError?: () => unknown;
}

/**
 * better-sqlite3 is synchronous: its own busy timeout would block the whole event loop (every page,
 * every probe) while it waits. It waits only this long per attempt; withDb waits the rest of
 * QUORUM_DB_LOCK_TIMEOUT_MS asynchronously, retrying.
 */
const SQLITE_BUSY_SLICE_MS = 50;
const SQLITE_RETRY = { baseMs: 20, maxMs: 250 };

/**
 * The adapter opens transactions with a plain (deferred) `BEGIN`: the transaction reads, then
 * upgrades to a writer, and in WAL mode SQLite refuses that upgrade at once (SQLITE_BUSY_SNAPSHOT,
 * no busy wait) when another connection committed in between. So every write transaction takes the
 * write lock with its first statement, a write that changes nothing, and waits for it like any
 * writer. (Not `BEGIN IMMEDIATE` through the adapter: @prisma/adapter-better-sqlite3 7.10 never
 * releases its transaction mutex when BEGIN itself fails, which would wedge every later transaction.)
 */
const SQLITE_TAKE_WRITE_LOCK = 'UPDATE "Cluster" SET "id" = "id" WHERE 0';

async function createDb(cfg: DbConfig): Promise<Db> {
  const t = cfg.timeouts;
  const txOptions = { maxWait: Math.max(t.lockMs, t.connectMs), timeout: t.callMs };
  if (cfg.provider === 'sqlite') {
    try {
      mkdirSync(path.dirname(cfg.file), { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new DbError('no-database', `cannot create the folder for ${cfg.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
    }
    const [{ PrismaClient }, { PrismaBetterSqlite3 }] = await Promise.all([import('./generated/sqlite/client'), import('@prisma/adapter-better-sqlite3')]);
    const adapter = (): InstanceType<typeof PrismaBetterSqlite3> => new PrismaBetterSqlite3({ url: `file:${cfg.file}`, timeout: SQLITE_BUSY_SLICE_MS });
    const client = new PrismaClient({ adapter: adapter() });
    // Transactions get a connection of their own: on one better-sqlite3 handle, any statement the
    // process runs while a transaction is open (a page read, a retention batch) would run inside it.
    const writer = new PrismaClient({ adapter: adapter() });
    const prisma: DbClient = client;
    try {
      for (const c of [client, writer]) {
        // WAL: readers (the web app) never block the writer (the collector) and vice versa; the mode is
        // stored in the file, so every process (and the CLI) gets it.
        if (c === client) await withSqliteBusyRetry(() => c.$queryRawUnsafe('PRAGMA journal_mode = WAL'), t.lockMs);
        await c.$queryRawUnsafe(`PRAGMA busy_timeout = ${SQLITE_BUSY_SLICE_MS}`);
        await c.$queryRawUnsafe('PRAGMA foreign_keys = ON');
      }
    } catch (e) {
      await client.$disconnect().catch(() => undefined);
      await writer.$disconnect().catch(() => undefined);
      throw classifyDbError(e);
    }
    const disconnect = async (): Promise<void> => {
      await Promise.all([client.$disconnect(), writer.$disconnect()]);
    };
    return {
      provider: 'sqlite',
      prisma: { ...delegates(prisma), $disconnect: disconnect },
      samplePoints: client.sample,
      clusterEnvelopes: client.cluster,
      transaction: (fn) =>
        writer.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(SQLITE_TAKE_WRITE_LOCK);
          return fn(tx);
        }, txOptions),
      target: cfg.file,
      timeouts: t,
    };
  }
  const [{ PrismaClient }, { PrismaPg }, { default: pg }] = await Promise.all([
    import('./generated/postgresql/client'),
    import('@prisma/adapter-pg'),
    import('pg'),
  ]);
  const pool = new pg.Pool({
    connectionString: cfg.url,
    max: cfg.poolMax,
    // Connect (and wait for a pooled connection) at most this long: a hung server accepts the TCP
    // connection in its kernel backlog and then never answers the startup message.
    connectionTimeoutMillis: t.connectMs,
    // Server side: no statement runs longer than one call may take, no lock is waited for longer
    // than the lock timeout, no session sits in an abandoned transaction holding locks.
    statement_timeout: t.callMs,
    lock_timeout: t.lockMs,
    idle_in_transaction_session_timeout: t.idleInTransactionMs,
    // Client side: a server that does not answer at all (hung, partitioned) — the statement timeout
    // cannot fire there. The connection is then destroyed (below), never reused.
    query_timeout: t.callMs + 1000,
    keepAlive: true,
    application_name: 'quorum',
    ...(cfg.schema !== 'public' ? { options: `-c search_path=${cfg.schema}` } : {}),
  });
  // An idle connection dropped by the server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  pool.on('connect', destroyOnReadTimeout);
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
    transaction: (fn) => client.$transaction((tx) => fn(tx), txOptions),
    target: `${cfg.redacted} (schema ${cfg.schema})`,
    timeouts: t,
    lastConnectError: () => health.lastConnectError,
  };
}

/** The delegates of a client as a plain DbTx (so $disconnect can be replaced). */
function delegates(c: DbClient): DbTx {
  return {
    cluster: c.cluster,
    sample: c.sample,
    sloPolicy: c.sloPolicy,
    maintenanceWindow: c.maintenanceWindow,
    failoverEvent: c.failoverEvent,
    leaseWatchGap: c.leaseWatchGap,
    collector: c.collector,
    clusterOwner: c.clusterOwner,
    collectorTakeover: c.collectorTakeover,
    user: c.user,
    session: c.session,
    apiToken: c.apiToken,
    auditEvent: c.auditEvent,
    loginAttempt: c.loginAttempt,
    authFlow: c.authFlow,
    setupToken: c.setupToken,
    alertChannel: c.alertChannel,
    alertSettings: c.alertSettings,
    alertState: c.alertState,
    notification: c.notification,
    notificationDelivery: c.notificationDelivery,
    deliveryAttempt: c.deliveryAttempt,
    collectorHeartbeat: c.collectorHeartbeat,
    $queryRawUnsafe: (sql, ...values) => c.$queryRawUnsafe(sql, ...values),
    $executeRawUnsafe: (sql, ...values) => c.$executeRawUnsafe(sql, ...values),
  };
}

interface PgClientLike {
  query: (...args: never[]) => unknown;
  connection?: { stream?: { destroy(): void } };
}

/**
 * A query that timed out on the client (query_timeout) is still in flight on its connection: every
 * later query on it would queue behind it. Destroy the socket, so the pool drops the connection
 * (and the server, when it answers again, rolls back whatever that connection had open).
 */
function destroyOnReadTimeout(client: PgClientLike): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const broken = (e: unknown): void => {
    if (e instanceof Error && e.message === 'Query read timeout') client.connection?.stream?.destroy();
  };
  (client as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]): unknown => {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: unknown, ...rest: unknown[]) => {
        if (err) broken(err);
        return (last as (...a: unknown[]) => unknown)(err, ...rest);
      };
      return query(...args);
    }
    const r = query(...args);
    if (r instanceof Promise) r.catch(broken);
    return r;
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
      (c) => {
        into.lastConnectError = undefined;
        return c;
      },
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
    const p = Promise.resolve().then(() => createDb(loadEnv().db));
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

/** Retries `fn` while SQLite says the file is locked, for up to `budgetMs`, sleeping (not spinning) in between. */
async function withSqliteBusyRetry<T>(fn: () => Promise<T>, budgetMs: number, classify: (e: unknown) => DbError = (e) => classifyDbError(e)): Promise<T> {
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const err = classify(e);
      const waited = performance.now() - started;
      if (err.kind !== 'busy') throw err;
      const delay = backoffMs(SQLITE_RETRY, attempt);
      if (waited + delay >= budgetMs) {
        throw new DbError(
          'busy',
          `database busy: another process holds the SQLite write lock on this file (the collector, the web app, the CLI, a backup?); waited ${Math.round(waited)} ms (QUORUM_DB_LOCK_TIMEOUT_MS=${budgetMs}) (${err.dbCode ?? 'SQLITE_BUSY'})`,
          { cause: err, ...(err.dbCode ? { dbCode: err.dbCode } : {}) },
        );
      }
      await pause(delay);
    }
  }
}

export interface DbCallOptions {
  /** Give up after this long (default QUORUM_DB_TIMEOUT_MS); the call then rejects with DbError 'timeout'. */
  deadlineMs?: number;
}

/**
 * Fail fast while the database is known not to answer. A call that found it unreachable, shutting
 * down, or not answering within its deadline opens the breaker for a moment: calls in that moment
 * fail at once with the same classified error (a page making several calls answers after one
 * deadline, not after each), then ONE call goes through to find out whether it is back.
 * A slow statement (57014), a lock, a read-only or full database do not open it: the server answers.
 */
interface Breaker {
  openUntil: number;
  error: DbError | undefined;
  probing: boolean;
}
const BREAKER_OPEN_MS = 2000;

/** Only a server that does not answer: PostgreSQL (an SQLite file answers or says busy; its readers are never blocked). */
function opensBreaker(db: Db, e: DbError): boolean {
  return db.provider === 'postgresql' && (e.kind === 'unreachable' || e.kind === 'shutdown' || (e.kind === 'timeout' && e.dbCode === undefined));
}

const breakers = new WeakMap<Db, Breaker>();

function breakerOf(db: Db): Breaker {
  const b = getOrInsert(breakers, db, () => ({ openUntil: 0, error: undefined, probing: false }));
  return b;
}

function failFast(b: Breaker): DbError {
  // The same classified error, word for word: the cause is what a person needs; `cause` links the call that met it.
  const e = b.error!;
  return new DbError(e.kind, e.message, { cause: e, ...(e.dbCode ? { dbCode: e.dbCode } : {}) });
}

/**
 * Runs a database call with a deadline and turns whatever it throws into a classified DbError.
 * SQLite: a call that finds the file write-locked by another process is retried (asynchronously)
 * for up to QUORUM_DB_LOCK_TIMEOUT_MS, then fails as `busy`. So `fn` must be safe to run again:
 * one statement, or one transaction (rolled back on error) — as every lib/data writer is.
 */
export async function withDb<T>(fn: (db: Db) => Promise<T>, opts: DbCallOptions = {}): Promise<T> {
  const started = performance.now();
  const db = await getDb().catch((e: unknown) => {
    throw classifyDbError(e);
  });
  const b = breakerOf(db);
  const now = Date.now();
  let probe = false;
  if (b.error) {
    if (now < b.openUntil || b.probing) throw failFast(b);
    probe = b.probing = true;
  }
  const deadlineMs = opts.deadlineMs ?? db.timeouts.callMs;
  const classify = (e: unknown): DbError => classifyDbError(e, db.lastConnectError?.());
  const run = db.provider === 'sqlite' ? withSqliteBusyRetry(() => fn(db), Math.min(db.timeouts.lockMs, deadlineMs), classify) : fn(db).catch((e: unknown) => Promise.reject(classify(e)));
  const left = Math.max(1, deadlineMs - (performance.now() - started));
  try {
    const r = await withDeadline(run, left, () => new DbError('timeout', `database timeout: no answer within ${deadlineMs} ms (QUORUM_DB_TIMEOUT_MS) from ${db.target}`));
    if (b.error) b.error = undefined;
    return r;
  } catch (e) {
    const err = classify(e);
    if (opensBreaker(db, err)) {
      b.error = err;
      b.openUntil = Date.now() + BREAKER_OPEN_MS;
    } else if (probe) b.error = undefined; // it answered (with some other error): the database is there
    throw err;
  } finally {
    if (probe) b.probing = false;
    // Prisma's driver adapters pass every query (its SQL and all its arguments) to @prisma/debug,
    // which keeps the last 100 calls in memory even with DEBUG off (for its bug-report text). A
    // collector's batch write sends megabytes of arguments (fifty clusters' samples), so those 100
    // calls held ≈ 17 MiB at 200 registrations (heap snapshot, 2026-12-02). Nothing in Quorum reads
    // that history; it is emptied after every call.
    clearPrismaDebugHistory();
  }
}

export interface DbHealth {
  ok: boolean;
  provider: DbProvider;
  latencyMs: number;
  error?: string;
  /** The DbError kind when not ok (e.g. "timeout", "busy", "unreachable"). */
  kind?: string;
}

/** For /api/healthz: one round trip with a deadline (default 3 s, at most QUORUM_DB_TIMEOUT_MS). Never throws. */
export async function checkDb(opts: { timeoutMs?: number } = {}): Promise<DbHealth> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  let provider: DbProvider = 'sqlite';
  let timeoutMs = opts.timeoutMs ?? 3000;
  try {
    const env = loadEnv();
    provider = env.db.provider;
    timeoutMs = Math.min(timeoutMs, env.db.timeouts.callMs);
  } catch (e) {
    return { ok: false, provider, latencyMs: ms(), error: e instanceof Error ? e.message : String(e) };
  }
  try {
    // A real read of a Quorum table: a locked or unmigrated database is not healthy ("SELECT 1" never touches the SQLite file).
    await withDb((db) => db.prisma.$queryRawUnsafe('SELECT 1 FROM "Cluster" LIMIT 1'), { deadlineMs: timeoutMs });
    return { ok: true, provider, latencyMs: ms() };
  } catch (e) {
    const err = classifyDbError(e);
    return { ok: false, provider, latencyMs: ms(), error: err.message, kind: err.kind };
  }
}
