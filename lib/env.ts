// The ONE validated read of Quorum's environment: every variable is parsed here, by one schema, and
// nothing else reads process.env (entry points pass the environment on to child processes, that is
// all; Biome's noProcessEnv enforces it, see biome.jsonc). A bad value throws a QuorumError naming the
// variable; `npm start` checks this before it launches anything. See README "Configuration" for the
// table of variables.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { QuorumError } from './errors';
import { ROLES, type Role } from './auth/roles';

/** Deadlines of database calls (README "How status is decided" says what the collector does past them). */
export interface DbTimeouts {
  /** QUORUM_DB_TIMEOUT_MS: longest one database call may take (a page's query, an API request's, one collector write). */
  callMs: number;
  /** QUORUM_DB_CONNECT_TIMEOUT_MS: PostgreSQL connect and wait for a pooled connection. */
  connectMs: number;
  /** QUORUM_DB_LOCK_TIMEOUT_MS: longest a write waits for a lock (PostgreSQL lock_timeout; SQLite write lock) → `database-busy`. */
  lockMs: number;
  /** QUORUM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: PostgreSQL ends a session that sits in an open transaction this long. */
  idleInTransactionMs: number;
}

export type DbConfig = (
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
    }
) & { timeouts: DbTimeouts };

export interface CollectorEnv {
  /** Seconds between cycles; divides 60 (or is a whole number of minutes dividing 60) so cron ticks stay even. */
  intervalSeconds: number;
  /** Per-request timeout for each probe. */
  probeTimeoutMs: number;
  /** How many clusters are probed at once. */
  concurrency: number;
  /** Samples (+ events) the on-disk buffer holds while the database cannot take them (oldest dropped beyond). */
  bufferLimit: number;
  /** Bytes the on-disk buffer may use (oldest dropped beyond). */
  bufferBytes: number;
  /**
   * QUORUM_CLUSTER_OBJECT_LIMIT: nodes + pods the collector keeps in memory per cluster; beyond it the
   * worker-node probe stops tracking that cluster and reads `too-large` with the figure (a bounded cost,
   * never an out-of-memory crash). Measured cost per object: README "Worker nodes and large clusters".
   */
  objectLimit: number;
}

/** Collector high availability on PostgreSQL (README "Running in production"). */
export interface CollectorHaEnv {
  /** QUORUM_COLLECTOR_HEALTH_PORT: /livez and /readyz of the collector process for Kubernetes; null = none. */
  healthPort: number | null;
  /** QUORUM_COLLECTOR_NAME: how this collector is shown (default the host name: the pod name on Kubernetes). */
  name: string;
  /** QUORUM_COLLECTOR_OWNERSHIP_INTERVAL_MS: heartbeat, claim and rebalance tick of the ownership session. */
  ownershipIntervalMs: number;
  /**
   * QUORUM_COLLECTOR_SESSION_TIMEOUT_MS: PostgreSQL ends the ownership session (freeing its locks, so
   * other collectors take its clusters) when it has been silent this long: idle_session_timeout and
   * tcp_user_timeout of that session. At least 3 ownership ticks.
   */
  sessionTimeoutMs: number;
}

/** QUORUM_SELF_REGISTER: register the cluster Quorum runs in, through its ServiceAccount. */
export interface SelfRegisterEnv {
  enabled: boolean;
  /** QUORUM_SELF_CLUSTER_NAME (default "in-cluster"). */
  name: string;
  /** Folder of the ServiceAccount token, ca.crt and namespace (QUORUM_SERVICEACCOUNT_DIR; the standard path by default). */
  serviceAccountDir: string;
  /** KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT as the kubelet sets them; null outside a pod. */
  apiHost: string | null;
  apiPort: number;
}

export interface RetentionEnv {
  rawRetentionMs: number;
  rollupRetentionMs: number;
}

export interface QuorumEnv {
  dataDir: string;
  db: DbConfig;
  /** 32-byte key from QUORUM_SECRET_KEY, or null (then lib/secrets uses <dataDir>/secret.key). */
  secretKey: Buffer | null;
  collector: CollectorEnv;
  ha: CollectorHaEnv;
  selfRegister: SelfRegisterEnv;
  retention: RetentionEnv;
  /** QUORUM_CLUSTER_DOMAIN: the clusters' DNS domain the DNS probe resolves kubernetes.default.svc in. */
  clusterDomain: string;
  /** `npm start`: where the web app listens (PORT, QUORUM_HOST; --port/--host override). */
  web: {
    host: string;
    port: number;
    /** QUORUM_SHUTDOWN_TIMEOUT_MS: on SIGTERM, how long requests in flight may finish before the process exits. */
    shutdownTimeoutMs: number;
  };
  /** `npm run db:diff`: PostgreSQL servers the engine may create its shadow database on, in order of preference. */
  shadowDatabaseUrls: string[];
}

type Source = Readonly<Record<string, string | undefined>>;

function bad(name: string, why: string): QuorumError {
  return new QuorumError('internal', `${name} is invalid: ${why}`);
}

const DEFAULT_BUFFER_BYTES = 64 * 1024 * 1024;
/** Nodes + pods kept per cluster by default (Kubernetes' tested limits: 5,000 nodes, 150,000 pods). */
export const DEFAULT_CLUSTER_OBJECT_LIMIT = 200_000;
const DAY_MS = 86_400_000;
const SCHEMA_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function redactUrl(u: URL): string {
  const c = new URL(u.href);
  if (c.password) c.password = '***';
  return c.href;
}

/** node-cron expression (with seconds field) for an interval; throws for one that does not divide a minute or an hour. */
export function cronExpression(intervalSeconds: number): string {
  if (intervalSeconds < 60 && 60 % intervalSeconds === 0) return `*/${intervalSeconds} * * * * *`;
  if (intervalSeconds % 60 === 0 && 60 % (intervalSeconds / 60) === 0) return `0 */${intervalSeconds / 60} * * * *`;
  throw new QuorumError('internal', `collector interval ${intervalSeconds}s must divide a minute (1,2,3,4,5,6,10,12,15,20,30,60) or an hour in whole minutes`);
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

// ---- the schema: one entry per variable -------------------------------------------------------

/** A whole number from min to max, `def` when unset or empty. */
function int(name: string, def: number | undefined, min: number, max: number, unit = '') {
  return z
    .string()
    .optional()
    .transform((raw, ctx): number | undefined => {
      const v = raw?.trim() ?? '';
      if (v === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name}=${raw} is invalid: expected a whole number${unit} from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });
}

const text = (def: string) =>
  z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || def);

const SCHEMA = z.object({
  QUORUM_DATA_DIR: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const v = raw?.trim() ?? '';
      if (v.includes('\0')) {
        ctx.addIssue({ code: 'custom', message: 'QUORUM_DATA_DIR is invalid: contains a NUL byte' });
        return z.NEVER;
      }
      return path.resolve(/*turbopackIgnore: true*/ v || './data');
    }),
  DATABASE_URL: z.string().optional(),
  QUORUM_DB_POOL_MAX: int('QUORUM_DB_POOL_MAX', 10, 1, 1000),
  QUORUM_DB_TIMEOUT_MS: int('QUORUM_DB_TIMEOUT_MS', 3000, 200, 600_000, ' of ms'),
  QUORUM_DB_CONNECT_TIMEOUT_MS: int('QUORUM_DB_CONNECT_TIMEOUT_MS', 3000, 100, 600_000, ' of ms'),
  QUORUM_DB_LOCK_TIMEOUT_MS: int('QUORUM_DB_LOCK_TIMEOUT_MS', 2000, 10, 600_000, ' of ms'),
  QUORUM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: int('QUORUM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 30_000, 1000, 86_400_000, ' of ms'),
  QUORUM_SECRET_KEY: z.string().optional(),
  QUORUM_COLLECTOR_INTERVAL_SECONDS: int('QUORUM_COLLECTOR_INTERVAL_SECONDS', 10, 1, 3600),
  QUORUM_PROBE_TIMEOUT_MS: int('QUORUM_PROBE_TIMEOUT_MS', undefined, 100, 120_000),
  QUORUM_COLLECTOR_CONCURRENCY: int('QUORUM_COLLECTOR_CONCURRENCY', 16, 1, 1024),
  QUORUM_COLLECTOR_BUFFER_LIMIT: int('QUORUM_COLLECTOR_BUFFER_LIMIT', 100_000, 1000, 10_000_000),
  QUORUM_COLLECTOR_BUFFER_BYTES: int('QUORUM_COLLECTOR_BUFFER_BYTES', DEFAULT_BUFFER_BYTES, 64 * 1024, 64 * 1024 * 1024 * 1024),
  QUORUM_CLUSTER_OBJECT_LIMIT: int('QUORUM_CLUSTER_OBJECT_LIMIT', DEFAULT_CLUSTER_OBJECT_LIMIT, 100, 10_000_000),
  QUORUM_RAW_RETENTION_DAYS: int('QUORUM_RAW_RETENTION_DAYS', 14, 1, 36_500, ' of days'),
  QUORUM_ROLLUP_RETENTION_DAYS: int('QUORUM_ROLLUP_RETENTION_DAYS', 400, 1, 36_500, ' of days'),
  QUORUM_CLUSTER_DOMAIN: text('cluster.local').pipe(z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i, 'QUORUM_CLUSTER_DOMAIN is invalid: expected a DNS domain such as cluster.local')),
  QUORUM_HOST: text('127.0.0.1'),
  PORT: int('PORT', 3000, 1, 65_535),
  QUORUM_SHUTDOWN_TIMEOUT_MS: int('QUORUM_SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000, ' of ms'),
  QUORUM_COLLECTOR_NAME: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const v = raw?.trim() || os.hostname() || 'collector';
      if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `QUORUM_COLLECTOR_NAME=${raw ?? v} is invalid: expected 1–128 letters, digits, ".", "_", ":" or "-"` });
        return z.NEVER;
      }
      return v;
    }),
  QUORUM_COLLECTOR_HEALTH_PORT: int('QUORUM_COLLECTOR_HEALTH_PORT', undefined, 1, 65_535),
  QUORUM_COLLECTOR_OWNERSHIP_INTERVAL_MS: int('QUORUM_COLLECTOR_OWNERSHIP_INTERVAL_MS', 2000, 200, 60_000, ' of ms'),
  QUORUM_COLLECTOR_SESSION_TIMEOUT_MS: int('QUORUM_COLLECTOR_SESSION_TIMEOUT_MS', 10_000, 1000, 600_000, ' of ms'),
  QUORUM_SELF_REGISTER: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const v = raw?.trim().toLowerCase() ?? '';
      if (v === '' || ['0', 'false', 'no', 'off'].includes(v)) return false;
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      ctx.addIssue({ code: 'custom', message: `QUORUM_SELF_REGISTER=${raw} is invalid: expected true or false` });
      return z.NEVER;
    }),
  QUORUM_SELF_CLUSTER_NAME: text('in-cluster'),
  QUORUM_SERVICEACCOUNT_DIR: text('/var/run/secrets/kubernetes.io/serviceaccount'),
  KUBERNETES_SERVICE_HOST: z.string().optional(),
  // Set by the kubelet in every pod; read (and validated) only with QUORUM_SELF_REGISTER.
  KUBERNETES_SERVICE_PORT: z.string().optional(),
  // Development tooling only (`npm run db:diff`): where the engine may create its throw-away shadow database.
  QUORUM_SHADOW_DATABASE_URL: z.string().optional(),
  QUORUM_TEST_PG_URL: z.string().optional(),
});

type Raw = z.output<typeof SCHEMA>;
const VARIABLES = Object.keys(SCHEMA.shape) as Array<keyof Raw>;

function parseDatabaseUrl(value: string, dataDir: string, raw: Raw, timeouts: DbTimeouts): DbConfig {
  if (value === '') return { provider: 'sqlite', file: path.join(dataDir, 'quorum.db'), timeouts };
  if (value.startsWith('file:')) {
    const p = value.slice('file:'.length).replace(/^\/\/(?=\/)/, '').split('?')[0] ?? '';
    if (p === '') throw bad('DATABASE_URL', 'file: needs a path, e.g. file:./data/quorum.db');
    return { provider: 'sqlite', file: path.resolve(/*turbopackIgnore: true*/ p), timeouts };
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
    return { provider: 'postgresql', url: u.href, schema, redacted: redactUrl(u), poolMax: raw.QUORUM_DB_POOL_MAX!, timeouts };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1];
  throw bad('DATABASE_URL', `${scheme ? `scheme "${scheme}:"` : 'value'} is not supported; use postgres://… (PostgreSQL) or file:… / unset (SQLite)`);
}

function build(src: Source): QuorumEnv {
  const parsed = SCHEMA.safeParse(Object.fromEntries(VARIABLES.map((k) => [k, src[k]])));
  if (!parsed.success) throw new QuorumError('internal', parsed.error.issues[0]?.message ?? 'the environment is invalid');
  const raw = parsed.data;
  const intervalSeconds = raw.QUORUM_COLLECTOR_INTERVAL_SECONDS!;
  cronExpression(intervalSeconds); // validates
  const rawDays = raw.QUORUM_RAW_RETENTION_DAYS!;
  const rollupDays = raw.QUORUM_ROLLUP_RETENTION_DAYS!;
  if (rollupDays < rawDays) throw new QuorumError('internal', `QUORUM_ROLLUP_RETENTION_DAYS (${rollupDays}) must not be shorter than QUORUM_RAW_RETENTION_DAYS (${rawDays})`);
  const timeouts: DbTimeouts = {
    callMs: raw.QUORUM_DB_TIMEOUT_MS!,
    connectMs: raw.QUORUM_DB_CONNECT_TIMEOUT_MS!,
    lockMs: raw.QUORUM_DB_LOCK_TIMEOUT_MS!,
    idleInTransactionMs: raw.QUORUM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS!,
  };
  const dataDir = raw.QUORUM_DATA_DIR;
  const ownershipIntervalMs = raw.QUORUM_COLLECTOR_OWNERSHIP_INTERVAL_MS!;
  const sessionTimeoutMs = raw.QUORUM_COLLECTOR_SESSION_TIMEOUT_MS!;
  if (sessionTimeoutMs < 3 * ownershipIntervalMs) {
    throw new QuorumError('internal', `QUORUM_COLLECTOR_SESSION_TIMEOUT_MS (${sessionTimeoutMs}) must be at least 3 × QUORUM_COLLECTOR_OWNERSHIP_INTERVAL_MS (${ownershipIntervalMs}): a live collector must never look silent`);
  }
  const apiHost = raw.KUBERNETES_SERVICE_HOST?.trim() || null;
  let apiPort = 443;
  if (raw.QUORUM_SELF_REGISTER) {
    if (apiHost === null) throw bad('QUORUM_SELF_REGISTER', 'needs KUBERNETES_SERVICE_HOST (the kubelet sets it in every pod); unset QUORUM_SELF_REGISTER outside a cluster');
    const p = raw.KUBERNETES_SERVICE_PORT?.trim() || '443';
    apiPort = Number(p);
    if (!Number.isInteger(apiPort) || apiPort < 1 || apiPort > 65_535) throw bad('KUBERNETES_SERVICE_PORT', `"${p}" is not a TCP port`);
  }
  return {
    dataDir,
    db: parseDatabaseUrl(raw.DATABASE_URL?.trim() ?? '', dataDir, raw, timeouts),
    secretKey: parseSecretKey(raw.QUORUM_SECRET_KEY),
    collector: {
      intervalSeconds,
      // 5 s per probe request, 1 s when the interval is too short for that.
      probeTimeoutMs: raw.QUORUM_PROBE_TIMEOUT_MS ?? (intervalSeconds * 1000 - 500 > 1000 ? 5000 : 1000),
      concurrency: raw.QUORUM_COLLECTOR_CONCURRENCY!,
      bufferLimit: raw.QUORUM_COLLECTOR_BUFFER_LIMIT!,
      bufferBytes: raw.QUORUM_COLLECTOR_BUFFER_BYTES!,
      objectLimit: raw.QUORUM_CLUSTER_OBJECT_LIMIT!,
    },
    ha: { name: raw.QUORUM_COLLECTOR_NAME, ownershipIntervalMs, sessionTimeoutMs, healthPort: raw.QUORUM_COLLECTOR_HEALTH_PORT ?? null },
    selfRegister: {
      enabled: raw.QUORUM_SELF_REGISTER,
      name: raw.QUORUM_SELF_CLUSTER_NAME,
      serviceAccountDir: path.resolve(/*turbopackIgnore: true*/ raw.QUORUM_SERVICEACCOUNT_DIR),
      apiHost,
      apiPort,
    },
    retention: { rawRetentionMs: rawDays * DAY_MS, rollupRetentionMs: rollupDays * DAY_MS },
    clusterDomain: raw.QUORUM_CLUSTER_DOMAIN,
    web: { host: raw.QUORUM_HOST, port: raw.PORT!, shutdownTimeoutMs: raw.QUORUM_SHUTDOWN_TIMEOUT_MS! },
    shadowDatabaseUrls: [raw.QUORUM_SHADOW_DATABASE_URL, raw.DATABASE_URL, raw.QUORUM_TEST_PG_URL].filter((u): u is string => !!u && /^postgres(ql)?:\/\//i.test(u)),
  };
}

let memo: { key: string; env: QuorumEnv } | undefined;

/**
 * Reads and validates the environment (memoised on the values, so tests that change process.env
 * get the new values). Throws a QuorumError naming the variable on a bad value.
 */
export function loadEnv(src: Source = process.env): QuorumEnv {
  const key = JSON.stringify(VARIABLES.map((k) => src[k] ?? null));
  if (memo?.key === key) return memo.env;
  const env = build(src);
  memo = { key, env };
  return env;
}

/** The collector interval in ms: how far apart samples are (pages and the write path's cap use it). */
export function collectorIntervalMs(env: QuorumEnv = loadEnv()): number {
  return env.collector.intervalSeconds * 1000;
}

/** 3 × the collector interval: a sample speaks for at most three intervals; beyond that is no data. */
export function sampleCapMs(env: QuorumEnv = loadEnv()): number {
  return 3 * collectorIntervalMs(env);
}

/** `npm run quorum` (scripts/quorum.ts): the variables only the command-line tool reads. */
export interface CliConfig {
  /** QUORUM_URL: the Quorum server to talk to over its JSON API (`--server` overrides); null = the database directly. */
  serverUrl: string | null;
  /** QUORUM_TOKEN: the API token sent as `Authorization: Bearer` with QUORUM_URL / --server. */
  token: string | null;
  /** QUORUM_NEW_SECRET_KEY: the key `keys rotate` re-encrypts to (checked by lib/keys.ts rotateKeys); null = a new random key. */
  newSecretKeyText: string | null;
}

/** The CLI's variables; the URL and the key are validated where they are used (with the flag's name). */
export function loadCliConfig(src: Source = process.env): CliConfig {
  return {
    serverUrl: src.QUORUM_URL?.trim() || null,
    token: src.QUORUM_TOKEN || null,
    newSecretKeyText: src.QUORUM_NEW_SECRET_KEY || null,
  };
}

// ---------------------------------------------------------------------------------------------
// Sign-in, API hardening and outbound targets (issue 10). Read by lib/auth/*, lib/net/outbound.ts,
// proxy.ts and scripts/*; documented in README "Security".
//   QUORUM_PUBLIC_URL              the URL users type, e.g. https://quorum.example.com: Host allow-list,
//                                  same-origin check, Secure cookies when https, OIDC redirect URI
//   QUORUM_ALLOWED_HOSTS           more host[:port] names to accept (comma-separated)
//   QUORUM_TRUST_PROXY             1: take the client address from X-Forwarded-For (behind a reverse proxy)
//   QUORUM_SESSION_IDLE_MINUTES    default 480 (8 h); QUORUM_SESSION_MAX_HOURS default 168 (7 days)
//   QUORUM_OIDC_ISSUER, QUORUM_OIDC_CLIENT_ID, QUORUM_OIDC_CLIENT_SECRET, QUORUM_OIDC_SCOPES
//   QUORUM_OIDC_GROUPS_CLAIM (groups), QUORUM_OIDC_USERNAME_CLAIM (preferred_username)
//   QUORUM_OIDC_ADMIN_GROUPS, QUORUM_OIDC_EDITOR_GROUPS, QUORUM_OIDC_VIEWER_GROUPS (comma-separated)
//   QUORUM_OIDC_DEFAULT_ROLE       role for a sign-in whose groups map to none (default: refused)
//   QUORUM_OIDC_AUTO_PROVISION     1 (default): create the account on first sign-in; 0: only accounts
//                                  an admin added (`user add NAME --oidc`) can sign in
//   QUORUM_OIDC_NAME               label of the sign-in button (default "single sign-on")
//   QUORUM_OUTBOUND_ALLOW_LOOPBACK 1: clusters/etcd/DNS on 127.0.0.0/8 and ::1 may be probed (default 0)
//   QUORUM_OUTBOUND_ALLOW_HTTP     1: plain http:// API servers may be registered (default 0)
//   QUORUM_OUTBOUND_ALLOW_CIDRS    if set, only these networks may be targeted (comma-separated CIDRs)
//   QUORUM_OUTBOUND_DENY_CIDRS     networks never targeted (comma-separated CIDRs)
//   QUORUM_OUTBOUND_MAX_TARGETS    discovered targets (replicas, DNS endpoints, etcd members) probed per
//                                  cluster and kind, default 32


export interface OidcConfig {
  issuer: URL;
  clientId: string;
  clientSecret: string | null;
  scopes: string;
  groupsClaim: string;
  usernameClaim: string;
  /** Group names per role; a sign-in gets the highest role any of its groups maps to. */
  roleGroups: Record<Role, string[]>;
  defaultRole: Role | null;
  autoProvision: boolean;
  displayName: string;
}

export interface AuthConfig {
  publicUrl: URL | null;
  /** Host header values accepted besides the public URL's (lowercase host[:port]). */
  allowedHosts: string[];
  secureCookies: boolean;
  trustProxy: boolean;
  sessionIdleMs: number;
  sessionMaxMs: number;
  oidc: OidcConfig | null;
}

export interface OutboundConfig {
  allowLoopback: boolean;
  allowHttp: boolean;
  allowCidrs: string[];
  denyCidrs: string[];
  maxTargetsPerCluster: number;
}

function flag(src: Source, name: string, def: boolean): boolean {
  const v = src[name]?.trim().toLowerCase();
  if (v === undefined || v === '') return def;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw bad(name, `"${src[name]}" is not 1/0, true/false, yes/no or on/off`);
}

function whole(src: Source, name: string, def: number, min: number, max: number): number {
  const raw = src[name]?.trim();
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(name, `"${raw}" is not a whole number from ${min} to ${max}`);
  return n;
}

const list = (src: Source, name: string): string[] => (src[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);

function parsePublicUrl(raw: string | undefined): URL | null {
  const v = raw?.trim() ?? '';
  if (v === '') return null;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw bad('QUORUM_PUBLIC_URL', `"${v}" is not a URL; e.g. https://quorum.example.com`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw bad('QUORUM_PUBLIC_URL', 'must start with https:// (or http:// on a private network)');
  if (u.username || u.password || u.search || u.hash || (u.pathname !== '/' && u.pathname !== '')) {
    throw bad('QUORUM_PUBLIC_URL', 'must be scheme://host[:port] only (no path, query or credentials)');
  }
  return u;
}

function parseRole(src: Source, name: string): Role | null {
  const v = src[name]?.trim() ?? '';
  if (v === '') return null;
  if (!(ROLES as readonly string[]).includes(v)) throw bad(name, `"${v}" is not one of ${ROLES.join(', ')}`);
  return v as Role;
}

function parseOidc(src: Source): OidcConfig | null {
  const issuerRaw = src.QUORUM_OIDC_ISSUER?.trim() ?? '';
  if (issuerRaw === '') return null;
  let issuer: URL;
  try {
    issuer = new URL(issuerRaw);
  } catch {
    throw bad('QUORUM_OIDC_ISSUER', `"${issuerRaw}" is not a URL`);
  }
  if (issuer.protocol !== 'https:') throw bad('QUORUM_OIDC_ISSUER', 'must be an https:// URL (OpenID Connect requires TLS)');
  const clientId = src.QUORUM_OIDC_CLIENT_ID?.trim() ?? '';
  if (clientId === '') throw bad('QUORUM_OIDC_CLIENT_ID', 'is required when QUORUM_OIDC_ISSUER is set');
  const scopes = src.QUORUM_OIDC_SCOPES?.trim() || 'openid profile email groups';
  if (!scopes.split(/\s+/).includes('openid')) throw bad('QUORUM_OIDC_SCOPES', 'must include "openid"');
  return {
    issuer,
    clientId,
    clientSecret: src.QUORUM_OIDC_CLIENT_SECRET?.trim() || null,
    scopes,
    groupsClaim: src.QUORUM_OIDC_GROUPS_CLAIM?.trim() || 'groups',
    usernameClaim: src.QUORUM_OIDC_USERNAME_CLAIM?.trim() || 'preferred_username',
    roleGroups: { admin: list(src, 'QUORUM_OIDC_ADMIN_GROUPS'), editor: list(src, 'QUORUM_OIDC_EDITOR_GROUPS'), viewer: list(src, 'QUORUM_OIDC_VIEWER_GROUPS') },
    defaultRole: parseRole(src, 'QUORUM_OIDC_DEFAULT_ROLE'),
    autoProvision: flag(src, 'QUORUM_OIDC_AUTO_PROVISION', true),
    displayName: src.QUORUM_OIDC_NAME?.trim() || 'single sign-on',
  };
}

const HOST_RE = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/;

/** Sign-in and request-hardening settings. Throws a QuorumError naming the variable on bad values. */
export function loadAuthConfig(src: Source = process.env): AuthConfig {
  const publicUrl = parsePublicUrl(src.QUORUM_PUBLIC_URL);
  const allowedHosts = list(src, 'QUORUM_ALLOWED_HOSTS').map((h) => h.toLowerCase());
  for (const h of allowedHosts) if (!HOST_RE.test(h)) throw bad('QUORUM_ALLOWED_HOSTS', `"${h}" is not host[:port]`);
  const sessionIdleMs = whole(src, 'QUORUM_SESSION_IDLE_MINUTES', 480, 5, 60 * 24 * 30) * 60_000;
  const sessionMaxMs = whole(src, 'QUORUM_SESSION_MAX_HOURS', 168, 1, 24 * 90) * 3_600_000;
  return {
    publicUrl,
    allowedHosts,
    secureCookies: publicUrl?.protocol === 'https:',
    trustProxy: flag(src, 'QUORUM_TRUST_PROXY', false),
    sessionIdleMs: Math.min(sessionIdleMs, sessionMaxMs),
    sessionMaxMs,
    oidc: parseOidc(src),
  };
}

/** Which addresses the collector and the connection test may connect to (lib/net/outbound.ts). */
export function loadOutboundConfig(src: Source = process.env): OutboundConfig {
  return {
    allowLoopback: flag(src, 'QUORUM_OUTBOUND_ALLOW_LOOPBACK', false),
    allowHttp: flag(src, 'QUORUM_OUTBOUND_ALLOW_HTTP', false),
    allowCidrs: list(src, 'QUORUM_OUTBOUND_ALLOW_CIDRS'),
    denyCidrs: list(src, 'QUORUM_OUTBOUND_DENY_CIDRS'),
    maxTargetsPerCluster: whole(src, 'QUORUM_OUTBOUND_MAX_TARGETS', 32, 1, 10_000),
  };
}
