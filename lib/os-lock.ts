// A real operating-system lock on a file, released by the kernel when the holding process dies — also
// on kill -9 — so no stale lock survives its owner and no reused pid can fake one (the old pid files
// could do both). It is SQLite's own POSIX advisory locking: the lock file is a tiny SQLite database
// held in an open `BEGIN EXCLUSIVE` transaction by one connection of the holder; another process's
// `BEGIN EXCLUSIVE` gets SQLITE_BUSY at once. Used for: one collector per buffer folder, one collector
// per SQLite database (SQLite is single-collector), one migration at a time on a SQLite file, and
// `restore` refusing while a collector runs.
//
// Who holds it is written beside it (`<file>.owner`, JSON) for the error message only; the lock itself
// is the kernel's. Like every fcntl lock it is per host: it does not protect across NFS clients.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pause } from './deadline';
import { QuorumError, describeError } from './errors';

export interface LockOwner {
  pid: number;
  host: string;
  what: string;
  since: string;
}

interface Held {
  db: Database.Database;
  refs: number;
}

/** Locks this process holds, by absolute path: the same process may take its own lock again (refcounted). */
const held = new Map<string, Held>();

function readOwner(file: string): LockOwner | null {
  try {
    const v = JSON.parse(readFileSync(`${file}.owner`, 'utf8')) as Partial<LockOwner>;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? { pid: v.pid, host: v.host, what: String(v.what ?? ''), since: String(v.since ?? '') } : null;
  } catch {
    return null;
  }
}

const isBusy = (e: unknown): boolean => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
};

export function describeOwner(o: LockOwner | null): string {
  return o ? `process ${o.pid} on ${o.host}${o.what ? ` (${o.what})` : ''}${o.since ? ` since ${o.since}` : ''}` : 'another process';
}

export class OsLock {
  private released = false;
  private constructor(readonly file: string) {}

  /** Takes the lock, or returns who holds it. Never waits. Throws QuorumError('internal') when the file cannot be used at all. */
  static tryAcquire(file: string, what: string): OsLock | { heldBy: LockOwner | null } {
    const abs = path.resolve(file);
    const mine = held.get(abs);
    if (mine) {
      mine.refs++;
      return new OsLock(abs);
    }
    let db: Database.Database;
    try {
      db = new Database(abs, { timeout: 0 });
    } catch (e) {
      throw new QuorumError('internal', `cannot open the lock file ${abs}: ${describeError(e)}`, { cause: e });
    }
    try {
      db.exec('CREATE TABLE IF NOT EXISTS quorum_lock (x INTEGER)');
      db.exec('BEGIN EXCLUSIVE');
    } catch (e) {
      db.close();
      if (isBusy(e)) return { heldBy: readOwner(abs) };
      throw new QuorumError('internal', `cannot lock ${abs}: ${describeError(e)}`, { cause: e });
    }
    held.set(abs, { db, refs: 1 });
    const owner: LockOwner = { pid: process.pid, host: os.hostname(), what, since: new Date().toISOString() };
    try {
      writeFileSync(`${abs}.owner`, `${JSON.stringify(owner)}\n`, { mode: 0o600 });
    } catch {
      /* informational only */
    }
    return new OsLock(abs);
  }

  /** Takes the lock or throws QuorumError('internal') naming the holder: `${message}: held by …`. */
  static acquire(file: string, what: string, message: string): OsLock {
    const r = OsLock.tryAcquire(file, what);
    if (r instanceof OsLock) return r;
    throw new QuorumError('internal', `${message}: held by ${describeOwner(r.heldBy)}`);
  }

  /** Waits (polling, without blocking the event loop) up to `timeoutMs` for the lock. */
  static async acquireWaiting(file: string, what: string, timeoutMs: number, message: string): Promise<OsLock> {
    const started = Date.now();
    for (let delay = 50; ; delay = Math.min(500, delay * 2)) {
      const r = OsLock.tryAcquire(file, what);
      if (r instanceof OsLock) return r;
      if (Date.now() - started + delay > timeoutMs) throw new QuorumError('internal', `${message}: still held by ${describeOwner(r.heldBy)} after ${timeoutMs} ms`);
      await pause(delay);
    }
  }

  /** Whether some process (this one included) holds the lock right now. */
  static isHeld(file: string): { held: boolean; by: LockOwner | null } {
    const r = OsLock.tryAcquire(file, 'probe');
    if (r instanceof OsLock) {
      r.release();
      return { held: held.has(path.resolve(file)), by: null };
    }
    return { held: true, by: r.heldBy };
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    const h = held.get(this.file);
    if (!h || --h.refs > 0) return;
    held.delete(this.file);
    try {
      h.db.exec('ROLLBACK');
    } catch {
      /* closing ends the transaction anyway */
    }
    h.db.close();
    rmSync(`${this.file}.owner`, { force: true });
  }
}
