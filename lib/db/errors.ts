// One classified error for everything the database layer can throw at a caller. The message is a
// sentence for people ("database unreachable: ECONNREFUSED 127.0.0.1:5432"), never a stack dump,
// and never contains a password.

export type DbErrorKind =
  | 'unreachable' // nothing listens, DNS, network, connection closed
  | 'timeout' // connect or query timed out
  | 'auth' // wrong user/password
  | 'no-database' // the database (or SQLite folder) does not exist / cannot be opened
  | 'not-migrated' // tables missing: run `npm run db:migrate`
  | 'conflict' // unique constraint
  | 'busy' // SQLite locked / too many connections
  | 'query'; // anything else the database refused

export class DbError extends Error {
  readonly kind: DbErrorKind;
  /** Prisma-compatible code where one applies (P2002 for conflicts), so generic handlers agree. */
  readonly code: string | undefined;
  constructor(kind: DbErrorKind, message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DbError';
    this.kind = kind;
    this.code = options?.code;
  }
  toJSON(): { kind: DbErrorKind; message: string } {
    return { kind: this.kind, message: this.message };
  }
}

interface Facts {
  originalMessages: string[];
  codes: string[];
  kinds: string[];
  messages: string[];
  endpoint?: string;
}

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

/** Collects codes, adapter error kinds and messages from an error and everything it wraps. */
function collect(e: unknown, f: Facts, depth = 0): void {
  if (depth > 8 || e === null || e === undefined) return;
  if (typeof e !== 'object') {
    if (typeof e === 'string') f.messages.push(e);
    return;
  }
  const o = e as Record<string, unknown>;
  for (const k of ['code', 'originalCode', 'errorCode']) if (typeof o[k] === 'string') f.codes.push(o[k] as string);
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

/**
 * Maps anything thrown by pg, better-sqlite3, a driver adapter, Prisma or the engine to a DbError.
 * `socketHint`: the last connection error the pool saw — adapter-pg drops the errno (ECONNREFUSED
 * vs ENOTFOUND) when it maps a failed connect to "DatabaseNotReachable"; the hint restores it.
 */
export function classifyDbError(e: unknown, socketHint?: unknown): DbError {
  if (e instanceof DbError) return e;
  const f: Facts = { originalMessages: [], codes: [], kinds: [], messages: [] };
  collect(e, f);
  if (socketHint !== undefined && f.kinds.includes('DatabaseNotReachable') && !f.codes.some((c) => SOCKET_CODES.has(c))) {
    const h: Facts = { originalMessages: [], codes: [], kinds: [], messages: [] };
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
  const opts = { cause: e };

  if (has('P2002', '23505', 'UniqueConstraintViolation', 'SQLITE_CONSTRAINT_UNIQUE') || msgHas(/Unique constraint failed|UNIQUE constraint failed|duplicate key value/i)) {
    return new DbError('conflict', `unique constraint violated: ${detail}`, { ...opts, code: 'P2002' });
  }
  if (has('SQLITE_BUSY', 'SQLITE_LOCKED', '53300', 'TooManyConnections') || msgHas(/database is locked|too many clients/i)) {
    return new DbError('busy', `database busy: ${detail}`, opts);
  }
  if (socket === 'ETIMEDOUT' || has('SocketTimeout', 'P1008', 'P2024') || msgHas(/variant `SocketTimeout`|timeout exceeded when trying to connect|Connection terminated due to connection timeout|timed out/i)) {
    return new DbError('timeout', `database timeout: ${socket ? `${socket}${f.endpoint ? ` ${f.endpoint}` : ''}` : detail}`, opts);
  }
  if (socket || has('DatabaseNotReachable', 'ConnectionClosed', 'P1001', 'P1017') || msgHas(/Connection terminated unexpectedly|Can't reach database server/i)) {
    return new DbError('unreachable', `database unreachable: ${socket ? `${socket}${f.endpoint ? ` ${f.endpoint}` : ''}` : f.endpoint ? `cannot connect to ${f.endpoint}` : detail}`, opts);
  }
  if (has('28P01', '28000', 'AuthenticationFailed', 'P1000') || msgHas(/password authentication failed|Authentication failed|no pg_hba\.conf entry/i)) {
    return new DbError('auth', `database refused the credentials: ${detail}`, opts);
  }
  if (has('3D000', 'DatabaseDoesNotExist', 'P1003', 'SQLITE_CANTOPEN') || msgHas(/database ".*" does not exist|unable to open database file/i)) {
    return new DbError('no-database', `database does not exist or cannot be opened: ${detail}`, opts);
  }
  if (has('42P01', 'TableDoesNotExist', 'P2021') || msgHas(/no such table|relation ".*" does not exist|table .* does not exist/i)) {
    return new DbError('not-migrated', `database schema is missing (run \`npm run db:migrate\`): ${detail}`, opts);
  }
  return new DbError('query', `database error: ${detail}`, opts);
}
