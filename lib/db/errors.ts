// One classified error for everything the database layer can throw at a caller. The message is a
// sentence for people ("database unreachable: ECONNREFUSED 127.0.0.1:5432"), never a stack dump,
// and never contains a password.
//
// Classification is by the database's own code wherever there is one: the PostgreSQL SQLSTATE
// (https://www.postgresql.org/docs/15/errcodes-appendix.html) and the SQLite result code
// (https://www.sqlite.org/rescode.html, primary code = extended code & 0xff), as pg,
// better-sqlite3, @prisma/adapter-* and the Prisma client hand them over (`code`, `originalCode`,
// `meta.driverAdapterError.cause`). Only errors without any code fall back to socket errnos,
// adapter error kinds and, last, message text. test/unit/db-errors.test.ts pins every rule with
// errors captured from real PostgreSQL 15 and SQLite (test/fixtures/db-errors/).
//
// Bad INPUT is not a database error: lib/data throws QuorumError('invalid-input') before it gets here.

export type DbErrorKind =
  // transient: the database cannot take the call now; the same call can succeed later (retry, never drop)
  | 'unreachable' // nothing listens, DNS, network, connection closed or reset (08xxx)
  | 'timeout' // connect or query deadline, statement_timeout (57014), commit outcome unknown (40003)
  | 'busy' // a lock held by someone else: SQLITE_BUSY/LOCKED, lock_timeout (55P03), too many connections (53300)
  | 'deadlock' // 40P01: PostgreSQL aborted this transaction to break a deadlock
  | 'serialization' // 40001: serialization failure / write conflict
  | 'read-only' // 25006 (e.g. a standby after a failover, default_transaction_read_only), SQLITE_READONLY
  | 'disk-full' // 53100, SQLITE_FULL
  | 'resources' // out of memory and other 53xxx, SQLITE_NOMEM
  | 'shutdown' // 57P01/57P02/57P03: the server is shutting down, restarting or not yet accepting connections
  | 'io' // 58030, SQLITE_IOERR*
  | 'auth' // wrong user/password (28xxx), no privilege (42501), SQLITE_PERM/AUTH
  | 'no-database' // the database (or SQLite folder) does not exist / cannot be opened (3D000, SQLITE_CANTOPEN)
  | 'not-migrated' // tables, columns or types missing (42P01, 42703, 42704, 3F000): run `npm run db:migrate`
  // permanent: this very call (this record) will never succeed
  | 'conflict' // unique constraint (23505, SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY)
  | 'invalid-data' // the database refuses the values: data exceptions (22xxx), other integrity constraints (23xxx), SQLITE_CONSTRAINT/MISMATCH/TOOBIG/RANGE
  // neither: something is wrong with the database or with Quorum; not provably permanent for the record
  | 'corrupt' // XX001/XX002, SQLITE_CORRUPT/NOTADB
  | 'query'; // anything else the database refused

const TRANSIENT: ReadonlySet<DbErrorKind> = new Set<DbErrorKind>([
  'unreachable', 'timeout', 'busy', 'deadlock', 'serialization', 'read-only', 'disk-full', 'resources', 'shutdown', 'io', 'auth', 'no-database', 'not-migrated',
]);
const PERMANENT: ReadonlySet<DbErrorKind> = new Set<DbErrorKind>(['conflict', 'invalid-data']);

export class DbError extends Error {
  readonly kind: DbErrorKind;
  /** Prisma-compatible code where one applies (P2002 for conflicts), so generic handlers agree. */
  readonly code: string | undefined;
  /** The database's own code behind it: a SQLSTATE ("40P01") or a SQLite code ("SQLITE_BUSY_SNAPSHOT"). */
  readonly dbCode: string | undefined;
  constructor(kind: DbErrorKind, message: string, options?: { cause?: unknown; code?: string; dbCode?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DbError';
    this.kind = kind;
    this.code = options?.code;
    this.dbCode = options?.dbCode;
  }
  /** The same call can succeed later (the database is down, busy, read-only, full, …): retry, never drop. */
  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }
  /** This call can never succeed as given (a unique or data constraint the database enforces). */
  get permanent(): boolean {
    return PERMANENT.has(this.kind);
  }
  toJSON(): { kind: DbErrorKind; message: string; dbCode?: string } {
    return { kind: this.kind, message: this.message, ...(this.dbCode ? { dbCode: this.dbCode } : {}) };
  }
}

/** SQLSTATE → kind: exact codes first, then the two-character class. */
const SQLSTATE: Readonly<Record<string, DbErrorKind>> = {
  '23505': 'conflict',
  '25006': 'read-only',
  '25P02': 'serialization', // in_failed_sql_transaction: the transaction must be retried from the start
  '25P03': 'timeout', // idle_in_transaction_session_timeout
  '28000': 'auth',
  '28P01': 'auth',
  '3D000': 'no-database',
  '3F000': 'not-migrated',
  '40001': 'serialization',
  '40003': 'timeout', // statement_completion_unknown
  '40P01': 'deadlock',
  '42501': 'auth',
  '42P01': 'not-migrated',
  '42703': 'not-migrated',
  '42704': 'not-migrated',
  '53100': 'disk-full',
  '53300': 'busy',
  '55P03': 'busy',
  '55006': 'busy', // object_in_use
  '57014': 'timeout',
  '57P01': 'shutdown',
  '57P02': 'shutdown',
  '57P03': 'shutdown',
  '57P04': 'no-database',
  '57P05': 'shutdown', // idle_session_timeout
  '58030': 'io',
  XX001: 'corrupt',
  XX002: 'corrupt',
};
const SQLSTATE_CLASS: Readonly<Record<string, DbErrorKind>> = {
  '08': 'unreachable',
  '22': 'invalid-data',
  '23': 'invalid-data',
  '28': 'auth',
  '53': 'resources',
  '57': 'shutdown',
  '58': 'io',
};

/** SQLite primary result code → kind (extended codes such as SQLITE_BUSY_SNAPSHOT reduce to their primary). */
const SQLITE: Readonly<Record<string, DbErrorKind>> = {
  SQLITE_BUSY: 'busy',
  SQLITE_LOCKED: 'busy',
  SQLITE_PROTOCOL: 'busy',
  SQLITE_FULL: 'disk-full',
  SQLITE_READONLY: 'read-only',
  SQLITE_IOERR: 'io',
  SQLITE_CANTOPEN: 'no-database',
  SQLITE_CORRUPT: 'corrupt',
  SQLITE_NOTADB: 'corrupt',
  SQLITE_PERM: 'auth',
  SQLITE_AUTH: 'auth',
  SQLITE_NOMEM: 'resources',
  SQLITE_INTERRUPT: 'timeout',
  SQLITE_MISMATCH: 'invalid-data',
  SQLITE_TOOBIG: 'invalid-data',
  SQLITE_RANGE: 'invalid-data',
};
/** Primary codes by number (the adapter reports unknown codes as UNKNOWN_SQLITE_ERROR_<n>). */
const SQLITE_NUMBERS: Readonly<Record<number, string>> = {
  1: 'SQLITE_ERROR', 3: 'SQLITE_PERM', 5: 'SQLITE_BUSY', 6: 'SQLITE_LOCKED', 7: 'SQLITE_NOMEM', 8: 'SQLITE_READONLY', 9: 'SQLITE_INTERRUPT',
  10: 'SQLITE_IOERR', 11: 'SQLITE_CORRUPT', 13: 'SQLITE_FULL', 14: 'SQLITE_CANTOPEN', 15: 'SQLITE_PROTOCOL', 18: 'SQLITE_TOOBIG',
  19: 'SQLITE_CONSTRAINT', 20: 'SQLITE_MISMATCH', 23: 'SQLITE_AUTH', 25: 'SQLITE_RANGE', 26: 'SQLITE_NOTADB',
};

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);
const PRISMA_CODE = /^P[1-9]\d{3}$/;
const SQLSTATE_RE = /^[0-9A-Z]{5}$/;

interface Facts {
  originalMessages: string[];
  codes: string[];
  kinds: string[];
  messages: string[];
  extendedCodes: number[];
  endpoint?: string;
}

const newFacts = (): Facts => ({ originalMessages: [], codes: [], kinds: [], messages: [], extendedCodes: [] });

/** Collects codes, adapter error kinds and messages from an error and everything it wraps. */
function collect(e: unknown, f: Facts, depth = 0): void {
  if (depth > 8 || e === null || e === undefined) return;
  if (typeof e !== 'object') {
    if (typeof e === 'string') f.messages.push(e);
    return;
  }
  const o = e as Record<string, unknown>;
  for (const k of ['code', 'originalCode', 'errorCode']) if (typeof o[k] === 'string') f.codes.push(o[k] as string);
  if (typeof o.extendedCode === 'number') f.extendedCodes.push(o.extendedCode);
  if (typeof o.kind === 'string') f.kinds.push(o.kind);
  if (typeof o.message === 'string' && o.message) f.messages.push(o.message);
  if (typeof o.originalMessage === 'string') f.originalMessages.push(o.originalMessage);
  if (!f.endpoint && typeof o.address === 'string' && typeof o.port === 'number') f.endpoint = `${o.address}:${o.port}`;
  if (!f.endpoint && typeof o.host === 'string' && (typeof o.port === 'number' || typeof o.port === 'string')) f.endpoint = `${o.host}:${o.port}`;
  if (!f.endpoint && typeof o.hostname === 'string' && typeof o.code === 'string' && SOCKET_CODES.has(o.code)) f.endpoint = o.hostname;
  if (Array.isArray(o.errors)) for (const x of o.errors) collect(x, f, depth + 1);
  for (const k of ['cause', 'meta', 'driverAdapterError']) if (k in o) collect(o[k], f, depth + 1);
}

/** The first informative line ("Invalid `prisma.x()` invocation:" and "External error" are not). */
function informative(s: string): string | undefined {
  return s
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0 && !/^Invalid `.*` invocation/.test(l) && !/External error id#/.test(l));
}

function redact(line: string): string {
  return line.replace(/(postgres(?:ql)?:\/\/[^:@/\s]+:)[^@\s]+@/gi, '$1***@').slice(0, 300);
}

/** The SQLite primary code behind an extended code name ("SQLITE_BUSY_SNAPSHOT" → "SQLITE_BUSY"). */
export function sqlitePrimary(code: string): string | undefined {
  const unknown = /^UNKNOWN_SQLITE_ERROR_(\d+)$/.exec(code);
  if (unknown) return SQLITE_NUMBERS[Number(unknown[1]) & 0xff];
  if (!code.startsWith('SQLITE_')) return undefined;
  const primary = Object.values(SQLITE_NUMBERS).filter((p) => code === p || code.startsWith(`${p}_`));
  return primary.sort((a, b) => b.length - a.length)[0];
}

/** What each kind says first. */
const LEAD: Readonly<Record<DbErrorKind, string>> = {
  unreachable: 'database unreachable',
  timeout: 'database timeout',
  busy: 'database busy',
  deadlock: 'database deadlock: the transaction was aborted to break it',
  serialization: 'database write conflict: the transaction must be retried',
  'read-only': 'database is read-only (a standby after a failover, or writes switched off)',
  'disk-full': 'database disk full',
  resources: 'database out of resources',
  shutdown: 'database is shutting down or restarting',
  io: 'database I/O error',
  auth: 'database refused the credentials',
  'no-database': 'database does not exist or cannot be opened',
  'not-migrated': 'database schema is missing (run `npm run db:migrate`)',
  conflict: 'unique constraint violated',
  'invalid-data': 'database refused the values',
  corrupt: 'database file or index is corrupt',
  query: 'database error',
};

/**
 * Maps anything thrown by pg, better-sqlite3, a driver adapter, Prisma or the engine to a DbError.
 * `socketHint`: the last connection error the pool saw — adapter-pg drops the errno (ECONNREFUSED
 * vs ENOTFOUND) when it maps a failed connect to "DatabaseNotReachable"; the hint restores it.
 */
export function classifyDbError(e: unknown, socketHint?: unknown): DbError {
  if (e instanceof DbError) return e;
  const f = newFacts();
  collect(e, f);
  if (socketHint !== undefined && f.kinds.includes('DatabaseNotReachable') && !f.codes.some((c) => SOCKET_CODES.has(c))) {
    const h = newFacts();
    collect(socketHint, h);
    const code = h.codes.find((c) => SOCKET_CODES.has(c));
    if (code) {
      f.codes.push(code);
      f.endpoint = h.endpoint ?? f.endpoint;
    }
  }
  const has = (...xs: string[]): boolean => xs.some((x) => f.codes.includes(x) || f.kinds.includes(x));
  const msgHas = (re: RegExp): boolean => [...f.originalMessages, ...f.messages].some((m) => re.test(m));
  const detail = redact([...f.originalMessages, ...f.messages].map(informative).find((l) => l !== undefined) ?? String(e));
  const socket = f.codes.find((c) => SOCKET_CODES.has(c));
  const sqlstate = f.codes.find((c) => SQLSTATE_RE.test(c) && !PRISMA_CODE.test(c) && !/^E[A-Z]{4}$/.test(c));
  const sqliteCode =
    f.codes.find((c) => c.startsWith('SQLITE_') || c.startsWith('UNKNOWN_SQLITE_ERROR_')) ??
    (f.kinds.includes('sqlite') && f.extendedCodes[0] !== undefined ? `UNKNOWN_SQLITE_ERROR_${f.extendedCodes[0]}` : undefined);
  const make = (kind: DbErrorKind, text: string = detail, dbCode?: string): DbError =>
    new DbError(kind, `${LEAD[kind]}: ${text}${dbCode && !text.includes(dbCode) ? ` (${dbCode})` : ''}`, {
      cause: e,
      ...(kind === 'conflict' ? { code: 'P2002' } : {}),
      ...(dbCode ? { dbCode } : {}),
    });

  // 1. PostgreSQL: the SQLSTATE says it.
  if (sqlstate) {
    const kind = SQLSTATE[sqlstate] ?? SQLSTATE_CLASS[sqlstate.slice(0, 2)];
    if (kind) return make(kind, detail, sqlstate);
  }
  // 2. SQLite: the result code says it (the message tells missing tables from other SQLITE_ERRORs).
  if (sqliteCode) {
    const primary = sqlitePrimary(sqliteCode);
    if (primary === 'SQLITE_CONSTRAINT') {
      return make(/^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(sqliteCode) ? 'conflict' : 'invalid-data', detail, sqliteCode);
    }
    const kind = primary ? SQLITE[primary] : undefined;
    if (kind) return make(kind, detail, sqliteCode);
    if (msgHas(/no such table|no such column|has no column named/i)) return make('not-migrated', detail, sqliteCode);
  }
  // 3. No database code: adapter kinds, Prisma codes, socket errnos, then message text.
  if (has('P2002', 'UniqueConstraintViolation') || msgHas(/Unique constraint failed|UNIQUE constraint failed|duplicate key value/i)) return make('conflict');
  if (has('TooManyConnections') || msgHas(/database is locked|too many clients/i)) return make('busy');
  if (has('TransactionWriteConflict', 'P2034')) return make('serialization');
  if (socket === 'ETIMEDOUT' || has('SocketTimeout', 'P1008', 'P2024') || msgHas(/Query read timeout|timeout exceeded when trying to connect|Connection terminated due to connection timeout|timed out|expired transaction/i)) {
    return make('timeout', socket ? `${socket}${f.endpoint ? ` ${f.endpoint}` : ''}` : detail);
  }
  if (socket || has('DatabaseNotReachable', 'ConnectionClosed', 'P1001', 'P1017') || msgHas(/Connection terminated unexpectedly|Can't reach database server|Client has encountered a connection error/i)) {
    return make('unreachable', socket ? `${socket}${f.endpoint ? ` ${f.endpoint}` : ''}` : f.endpoint ? `cannot connect to ${f.endpoint}` : detail);
  }
  if (has('AuthenticationFailed', 'DatabaseAccessDenied', 'P1000', 'P1010') || msgHas(/password authentication failed|Authentication failed|no pg_hba\.conf entry/i)) return make('auth');
  if (has('DatabaseDoesNotExist', 'P1003') || msgHas(/database ".*" does not exist|unable to open database file/i)) return make('no-database');
  if (has('TableDoesNotExist', 'ColumnNotFound', 'P2021', 'P2022') || msgHas(/no such table|relation ".*" does not exist|table .* does not exist/i)) return make('not-migrated');
  if (has('NullConstraintViolation', 'ForeignKeyConstraintViolation', 'LengthMismatch', 'ValueOutOfRange', 'InvalidInputValue', 'P2000', 'P2003', 'P2011', 'P2020')) return make('invalid-data');
  return make('query', detail, sqlstate ?? sqliteCode);
}
