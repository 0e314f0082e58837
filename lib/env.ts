// The ONE validated read of Quorum's environment. Everything else asks here.
//   QUORUM_DATA_DIR    folder for the embedded SQLite file and the key file (default ./data)
//   DATABASE_URL       postgres://… or postgresql://… → PostgreSQL (optional ?schema=NAME);
//                      file:PATH or unset → SQLite (unset: <dataDir>/quorum.db)
//   QUORUM_SECRET_KEY  32 bytes as base64 (44 chars) or 64 hex chars; else <dataDir>/secret.key
//   QUORUM_DB_POOL_MAX PostgreSQL pool size (default 10)
import path from 'node:path';
import { QuorumError } from './errors';
import { ROLES, type Role } from './auth/roles';

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
