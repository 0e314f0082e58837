// A dedicated PostgreSQL session (one pg.Client, never pooled) for what must belong to ONE session:
// session-level advisory locks — the collectors' cluster ownership (lib/collector/ownership.ts) and
// the migration lock (lib/db/migrate.ts). The pool's connections come and go; a lock taken on one of
// them would be released (or leaked) behind the caller's back.
//
// The session is made to die when its owner goes silent, so its locks cannot outlive the owner:
// a killed process closes its socket (the server ends the session at once); a process that is frozen
// or cut off is ended by the server after `silentTimeoutMs` — idle_session_timeout (PostgreSQL 14+)
// for a session waiting for its next command, tcp_user_timeout and TCP keepalives for a connection
// whose packets go unanswered.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DbConfig } from '../env';
import { waitAtMost } from '../deadline';
import { classifyDbError } from './errors';

export type PgConfig = Extract<DbConfig, { provider: 'postgresql' }>;

export interface PgSession {
  client: pg.Client;
  /** The server process of this session (pg_locks.pid). */
  backendPid: number;
  /** Which of the silence settings the server accepted (idle_session_timeout needs PostgreSQL 14). */
  settings: string[];
  close(): Promise<void>;
}

/**
 * Opens the session. `silentTimeoutMs`: the server ends it after that much silence (see above); null
 * leaves the server's defaults (the migration lock: its holder is busy running the engine meanwhile).
 * Throws a classified DbError.
 */
export async function openPgSession(cfg: PgConfig, opts: { applicationName: string; silentTimeoutMs: number | null; statementTimeoutMs?: number; lockTimeoutMs?: number }): Promise<PgSession> {
  const t = cfg.timeouts;
  const client = new pg.Client({
    connectionString: cfg.url,
    connectionTimeoutMillis: t.connectMs,
    statement_timeout: opts.statementTimeoutMs ?? t.callMs,
    lock_timeout: opts.lockTimeoutMs ?? t.lockMs,
    query_timeout: (opts.statementTimeoutMs ?? t.callMs) + 1000,
    idle_in_transaction_session_timeout: t.idleInTransactionMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 1000,
    application_name: opts.applicationName,
    ...(cfg.schema !== 'public' ? { options: `-c search_path=${cfg.schema}` } : {}),
  });
  // A dropped connection is reported by the next query; it must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const settings: string[] = [];
    if (opts.silentTimeoutMs !== null) {
      const ms = opts.silentTimeoutMs;
      const s = Math.max(1, Math.floor(ms / 4000));
      for (const [name, value] of [
        ['idle_session_timeout', `${ms}`],
        ['tcp_user_timeout', `${ms}`],
        ['tcp_keepalives_idle', `${s}`],
        ['tcp_keepalives_interval', `${s}`],
        ['tcp_keepalives_count', '3'],
      ] as const) {
        try {
          await client.query(`SET ${name} = ${value}`);
          settings.push(`${name}=${value}`);
        } catch (e) {
          // 42704: this server does not know the setting (idle_session_timeout before 14): the others still hold.
          if ((e as { code?: string }).code !== '42704') throw e;
        }
      }
    }
    const r = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return { client, backendPid: r.rows[0]!.pid, settings, close: () => closeClient(client) };
  } catch (e) {
    await client.end().catch(() => undefined);
    throw classifyDbError(e);
  }
}

/**
 * Ends the session: a polite Terminate, at most 1 s (a hung server never answers it), then the socket
 * is destroyed — the server ends the session when it reads the close (and frees its locks).
 */
async function closeClient(client: pg.Client): Promise<void> {
  await waitAtMost(client.end().catch(() => undefined), 1000);
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/**
 * The 64-bit advisory lock key of `parts` within a schema (advisory locks are per database, and the
 * test suites share one database with a schema each). Signed, as PostgreSQL's bigint, as decimal text.
 */
export function advisoryKey(schema: string, ...parts: string[]): string {
  return createHash('sha256').update([schema, ...parts].join('\u0000')).digest().readBigInt64BE(0).toString();
}

/** pg_locks shows a bigint key as classid (high 32 bits) and objid (low 32 bits), both unsigned. */
export function keyFromLockRow(classid: number | string, objid: number | string): string {
  return BigInt.asIntN(64, (BigInt(classid) << 32n) | BigInt(objid)).toString();
}
