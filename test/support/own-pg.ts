// A throw-away PostgreSQL 15 cluster of our own (initdb + pg_ctl in a temp folder, on a free loopback
// port, as user `postgres` when we run as root): the fault tests stop, hang (SIGSTOP) and resume it.
// NEVER point these helpers at the shared cluster on 5432.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const PG_BIN = process.env.QUORUM_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Runs a PostgreSQL binary as the `postgres` user when we are root (initdb refuses root). */
function pgRun(bin: string, args: string[]): string {
  const cmd = asRoot ? 'runuser' : path.join(PG_BIN, bin);
  const full = asRoot ? ['-u', 'postgres', '--', path.join(PG_BIN, bin), ...args] : args;
  return execFileSync(cmd, full, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

export interface OwnPg {
  port: number;
  dir: string;
  /** postgres://quorum@127.0.0.1:PORT/DB (trust auth; role `quorum` is the superuser). */
  url(db?: string): string;
  start(): void;
  stop(): void;
  /** SIGSTOP (or SIGCONT) the postmaster and every backend: a hung server, sockets stay open. */
  signalAll(signal: 'SIGSTOP' | 'SIGCONT'): number[];
  /** Runs SQL as the superuser on `db` (default postgres). */
  sql(text: string, db?: string): Promise<pg.QueryResult>;
  remove(): void;
}

/** The postmaster's pid and all its children (backends, checkpointer, walwriter, …). */
function clusterPids(dataDir: string): number[] {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return [];
  const master = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const pids = [master];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === master) pids.push(Number(d));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/** initdb + start a cluster with `databases` created. */
export async function startOwnPg(prefix: string, databases: string[] = []): Promise<OwnPg> {
  if (!existsSync(path.join(PG_BIN, 'initdb'))) throw new Error(`PostgreSQL binaries not found in ${PG_BIN} (set QUORUM_PG_BIN)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-pg-`));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const data = path.join(dir, 'data');
  pgRun('initdb', ['-D', data, '-U', 'quorum', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const own: OwnPg = {
    port,
    dir,
    url: (db = 'postgres') => `postgres://quorum@127.0.0.1:${port}/${db}`,
    start: () => void pgRun('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-w', '-t', '30', 'start']),
    stop: () => void pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']),
    signalAll: (signal) => {
      const pids = clusterPids(data);
      for (const p of pids) {
        try {
          process.kill(p, signal);
        } catch {
          /* exited */
        }
      }
      return pids;
    },
    sql: async (text, db = 'postgres') => {
      const c = new pg.Client({ connectionString: own.url(db), connectionTimeoutMillis: 10_000 });
      await c.connect();
      try {
        return await c.query(text);
      } finally {
        await c.end();
      }
    },
    remove: () => {
      own.signalAll('SIGCONT');
      try {
        own.stop();
      } catch {
        /* not running */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  own.start();
  for (const db of databases) await own.sql(`CREATE DATABASE ${db}`);
  return own;
}
