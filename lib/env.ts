// The ONE validated read of Quorum's environment. Everything else asks here.
//   QUORUM_DATA_DIR    folder for the embedded SQLite file and the key file (default ./data)
//   DATABASE_URL       postgres://… or postgresql://… → PostgreSQL (optional ?schema=NAME);
//                      file:PATH or unset → SQLite (unset: <dataDir>/quorum.db)
//   QUORUM_SECRET_KEY  32 bytes as base64 (44 chars) or 64 hex chars; else <dataDir>/secret.key
//   QUORUM_DB_POOL_MAX PostgreSQL pool size (default 10)
//   QUORUM_CLUSTER_OBJECT_LIMIT  nodes + pods the collector keeps per cluster (default 200000)
import path from 'node:path';
import { QuorumError } from './errors';

export type DbConfig =
  | { provider: 'sqlite'; /** absolute path of the SQLite file */ file: string }
  | {
      provider: 'postgresql';
      /** connection string without Prisma's `schema` parameter */
      url: string;
      /** PostgreSQL schema (search_path) from `?schema=`, default "public" */
      schema: string;
      /** the URL with the password replaced by "***", safe for logs */
      redacted: string;
      poolMax: number;
    };

export interface QuorumEnv {
  dataDir: string;
  db: DbConfig;
  /** 32-byte key from QUORUM_SECRET_KEY, or null (then lib/secrets uses <dataDir>/secret.key). */
  secretKey: Buffer | null;
}

type Source = Readonly<Record<string, string | undefined>>;

function bad(name: string, why: string): QuorumError {
  return new QuorumError('internal', `${name} is invalid: ${why}`);
}

const SCHEMA_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function redactUrl(u: URL): string {
  const c = new URL(u.href);
  if (c.password) c.password = '***';
  return c.href;
}

function parseDatabaseUrl(raw: string | undefined, dataDir: string, src: Source): DbConfig {
  const value = raw?.trim() ?? '';
  if (value === '') return { provider: 'sqlite', file: path.join(dataDir, 'quorum.db') };
  if (value.startsWith('file:')) {
    const p = value.slice('file:'.length).replace(/^\/\/(?=\/)/, '').split('?')[0] ?? '';
    if (p === '') throw bad('DATABASE_URL', 'file: needs a path, e.g. file:./data/quorum.db');
    return { provider: 'sqlite', file: path.resolve(/*turbopackIgnore: true*/ p) };
  }
  if (/^postgres(ql)?:\/\//i.test(value)) {
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      throw bad('DATABASE_URL', 'not a valid postgres:// URL');
    }
    if (!u.hostname && !u.searchParams.get('host')) throw bad('DATABASE_URL', `no host in ${redactUrl(u)}`);
    const schema = u.searchParams.get('schema') ?? 'public';
    if (!SCHEMA_RE.test(schema)) throw bad('DATABASE_URL', `schema "${schema}" must be a plain identifier (letters, digits, _)`);
    u.searchParams.delete('schema');
    const poolRaw = src.QUORUM_DB_POOL_MAX?.trim();
    const poolMax = poolRaw ? Number(poolRaw) : 10;
    if (!Number.isInteger(poolMax) || poolMax < 1 || poolMax > 1000) throw bad('QUORUM_DB_POOL_MAX', `"${poolRaw}" is not a whole number from 1 to 1000`);
    return { provider: 'postgresql', url: u.href, schema, redacted: redactUrl(u), poolMax };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1];
  throw bad('DATABASE_URL', `${scheme ? `scheme "${scheme}:"` : 'value'} is not supported; use postgres://… (PostgreSQL) or file:… / unset (SQLite)`);
}

/** Parses QUORUM_SECRET_KEY: exactly 32 bytes as 64 hex characters or as base64. Never echoes the value. */
export function parseSecretKey(raw: string | undefined): Buffer | null {
  const v = raw?.trim() ?? '';
  if (v === '') return null;
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) {
    const b = Buffer.from(v.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
    if (b.length === 32) return b;
    throw bad('QUORUM_SECRET_KEY', `it decodes to ${b.length} bytes; it must be 32 bytes (base64, e.g. \`openssl rand -base64 32\`, or 64 hex chars)`);
  }
  throw bad('QUORUM_SECRET_KEY', 'expected 32 bytes as base64 (`openssl rand -base64 32`) or as 64 hex characters');
}

/** Reads and validates the environment. Throws a QuorumError naming the variable on bad values. */
export function loadEnv(src: Source = process.env): QuorumEnv {
  const rawDir = src.QUORUM_DATA_DIR?.trim();
  if (rawDir !== undefined && rawDir !== '' && rawDir.includes('\0')) throw bad('QUORUM_DATA_DIR', 'contains a NUL byte');
  const dataDir = path.resolve(/*turbopackIgnore: true*/ rawDir || './data');
  return { dataDir, db: parseDatabaseUrl(src.DATABASE_URL, dataDir, src), secretKey: parseSecretKey(src.QUORUM_SECRET_KEY) };
}

/** Nodes + pods the collector keeps in memory per cluster (Kubernetes' tested limits: 5,000 nodes, 150,000 pods). */
export const DEFAULT_CLUSTER_OBJECT_LIMIT = 200_000;

/**
 * QUORUM_CLUSTER_OBJECT_LIMIT: beyond this many watched nodes + pods in one cluster the worker-node
 * probe stops tracking it and reads `too-large` with the figure (a bounded cost, never an out-of-memory
 * crash). Measured cost: README "Collector performance".
 */
export function clusterObjectLimit(src: Source = process.env): number {
  const raw = src.QUORUM_CLUSTER_OBJECT_LIMIT?.trim();
  if (!raw) return DEFAULT_CLUSTER_OBJECT_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 100 || n > 10_000_000) throw bad('QUORUM_CLUSTER_OBJECT_LIMIT', `"${raw}" is not a whole number from 100 to 10000000`);
  return n;
}
