// Sign-in data: users, sessions, API tokens, login rate limits, pending OIDC sign-ins and the one-time
// setup link. Server-only; returns plain objects, never Prisma rows. Secrets arrive and leave as the
// bearer value; only their SHA-256 hashes (lib/auth/secret-values.ts) touch the database.
import { randomUUID } from 'node:crypto';
import { DbError, classifyDbError, withDb } from '../db';
import type { ApiTokenRow, UserRow } from '../db/auth-delegates';
import { QuorumError } from '../errors';
import { hashSecret, looksLikeApiToken, newApiToken, newSecret } from '../auth/secret-values';
import { burnPasswordCheck, hashPassword, passwordProblem, verifyPassword } from '../auth/password';
import type { Role } from '../auth/roles';

export interface UserView {
  id: string;
  name: string;
  displayName: string | null;
  email: string | null;
  role: Role;
  /** Has a local password. */
  local: boolean;
  /** Linked to an OIDC identity. */
  oidc: boolean;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface TokenView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  active: boolean;
}

const USER_NAME_RE = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
const TOKEN_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,63}$/;
/** lastSeenAt / lastUsedAt are written at most this often (not on every request). */
const TOUCH_EVERY_MS = 60_000;

function validateUserName(name: string): string {
  const n = name.trim().toLowerCase();
  if (!USER_NAME_RE.test(n)) throw new QuorumError('invalid-input', `user name "${name.slice(0, 80)}" must be 1–64 characters: lowercase letters, digits, ".", "_", "@" or "-", starting with a letter or digit`);
  return n;
}

function toUserView(u: UserRow): UserView {
  return {
    id: u.id,
    name: u.name,
    displayName: u.displayName,
    email: u.email,
    role: u.role,
    local: u.passwordHash !== null,
    oidc: u.oidcSubject !== null,
    disabled: u.disabled,
    createdAt: u.createdAt.toISOString(),
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  };
}

function toTokenView(t: ApiTokenRow, now = Date.now()): TokenView {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    prefix: t.prefix,
    createdBy: t.createdBy,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
    revokedBy: t.revokedBy,
    active: t.revokedAt === null && (t.expiresAt === null || t.expiresAt.getTime() > now),
  };
}

async function conflictAs<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = classifyDbError(e);
    if (err.kind === 'conflict') throw new DbError('conflict', what, { cause: e, code: 'P2002' });
    throw err;
  }
}

// ---- users ----

export interface CreateUserInput {
  name: string;
  role: Role;
  /** Local password; omit for an account that signs in with OIDC only. */
  password?: string;
  displayName?: string | null;
  email?: string | null;
  /** "<issuer> <sub>" when created by an OIDC sign-in. */
  oidcSubject?: string | null;
}

export async function createUser(input: CreateUserInput): Promise<UserView> {
  const name = validateUserName(input.name);
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password);
    if (problem) throw new QuorumError('invalid-input', problem);
  }
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
  const row = await conflictAs(`a user named "${name}" already exists`, () =>
    withDb((db) =>
      db.prisma.user.create({
        data: { id: randomUUID(), name, role: input.role, passwordHash, oidcSubject: input.oidcSubject ?? null, displayName: input.displayName ?? null, email: input.email ?? null },
      }),
    ),
  );
  return toUserView(row);
}

export async function listUsers(): Promise<UserView[]> {
  return (await withDb((db) => db.prisma.user.findMany({ orderBy: { name: 'asc' } }))).map(toUserView);
}

export async function countUsers(): Promise<number> {
  return withDb((db) => db.prisma.user.count());
}

async function findUserRow(idOrName: string): Promise<UserRow | null> {
  return withDb(async (db) => (await db.prisma.user.findUnique({ where: { id: idOrName } })) ?? (await db.prisma.user.findUnique({ where: { name: idOrName.trim().toLowerCase() } })));
}

async function requireUserRow(idOrName: string): Promise<UserRow> {
  const row = await findUserRow(idOrName);
  if (!row) throw new QuorumError('invalid-input', `no user "${idOrName.slice(0, 80)}"`);
  return row;
}

/** Refuses a change that would leave no enabled admin (nobody could manage access any more). */
async function assertAdminRemains(user: UserRow, next: { role?: Role; disabled?: boolean; deleted?: boolean }): Promise<void> {
  if (user.role !== 'admin' || user.disabled) return;
  const stillAdmin = !next.deleted && !next.disabled && (next.role ?? user.role) === 'admin';
  if (stillAdmin) return;
  const admins = await withDb((db) => db.prisma.user.count({ where: { role: 'admin', disabled: false } }));
  if (admins <= 1) throw new QuorumError('invalid-input', `"${user.name}" is the only enabled admin; make another user admin first`);
}

export interface UserChange {
  before: UserView;
  after: UserView | null;
}

export async function updateUser(idOrName: string, patch: { role?: Role; disabled?: boolean; password?: string }): Promise<UserChange> {
  const user = await requireUserRow(idOrName);
  await assertAdminRemains(user, patch);
  if (patch.password !== undefined) {
    const problem = passwordProblem(patch.password);
    if (problem) throw new QuorumError('invalid-input', problem);
  }
  const data = {
    ...(patch.role !== undefined ? { role: patch.role } : {}),
    ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
    ...(patch.password !== undefined ? { passwordHash: await hashPassword(patch.password) } : {}),
  };
  const row = await withDb((db) => db.prisma.user.update({ where: { id: user.id }, data }));
  // A role change, a new password or disabling ends the user's sessions: they sign in again.
  await withDb((db) => db.prisma.session.deleteMany({ where: { userId: user.id } }));
  return { before: toUserView(user), after: toUserView(row) };
}

export async function deleteUser(idOrName: string): Promise<UserChange> {
  const user = await requireUserRow(idOrName);
  await assertAdminRemains(user, { deleted: true });
  await withDb((db) => db.prisma.user.deleteMany({ where: { id: user.id } }));
  return { before: toUserView(user), after: null };
}

export type PasswordCheck = { ok: true; user: UserView } | { ok: false; reason: 'bad-credentials' | 'disabled' };

/** Checks a local password. Unknown names and OIDC-only accounts cost the same time as a wrong password. */
export async function checkPassword(name: string, password: string): Promise<PasswordCheck> {
  const n = name.trim().toLowerCase();
  const user = USER_NAME_RE.test(n) ? await withDb((db) => db.prisma.user.findUnique({ where: { name: n } })) : null;
  if (!user?.passwordHash) {
    await burnPasswordCheck(password);
    return { ok: false, reason: 'bad-credentials' };
  }
  const v = await verifyPassword(password, user.passwordHash);
  if (!v.ok) return { ok: false, reason: 'bad-credentials' };
  if (user.disabled) return { ok: false, reason: 'disabled' };
  const newHash = v.needsRehash ? await hashPassword(password) : undefined;
  const row = await withDb((db) => db.prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date(), ...(newHash ? { passwordHash: newHash } : {}) } }));
  return { ok: true, user: toUserView(row) };
}

export interface OidcIdentity {
  subject: string;
  username: string;
  displayName: string | null;
  email: string | null;
  role: Role;
}

export type OidcSignIn = { ok: true; user: UserView; created: boolean; roleBefore: Role | null } | { ok: false; reason: string };

/**
 * Finds or creates the account of an OIDC sign-in. The role comes from the identity's groups at every
 * sign-in (the IdP is the source of truth). Without auto-provisioning only an account an admin added
 * for OIDC (no password, not linked yet) with the same name is claimed.
 */
export async function signInOidc(identity: OidcIdentity, opts: { autoProvision: boolean }): Promise<OidcSignIn> {
  return withDb(async (db) => {
    const linked = await db.prisma.user.findUnique({ where: { oidcSubject: identity.subject } });
    const profile = { displayName: identity.displayName, email: identity.email, lastLoginAt: new Date() };
    if (linked) {
      if (linked.disabled) return { ok: false, reason: `the account "${linked.name}" is disabled` };
      const row = await db.prisma.user.update({ where: { id: linked.id }, data: { ...profile, role: identity.role } });
      if (linked.role !== identity.role) await db.prisma.session.deleteMany({ where: { userId: linked.id } });
      return { ok: true, user: toUserView(row), created: false, roleBefore: linked.role };
    }
    let name: string;
    try {
      name = validateUserName(identity.username);
    } catch {
      return { ok: false, reason: `the identity provider's user name "${identity.username.slice(0, 80)}" is not a valid Quorum user name` };
    }
    const existing = await db.prisma.user.findUnique({ where: { name } });
    if (existing) {
      if (existing.passwordHash !== null || existing.oidcSubject !== null) {
        return { ok: false, reason: `a local account named "${name}" already exists; an admin must remove or rename it before "${name}" can sign in with single sign-on` };
      }
      if (existing.disabled) return { ok: false, reason: `the account "${name}" is disabled` };
      const row = await db.prisma.user.update({ where: { id: existing.id }, data: { ...profile, role: identity.role, oidcSubject: identity.subject } });
      return { ok: true, user: toUserView(row), created: false, roleBefore: existing.role };
    }
    if (!opts.autoProvision) return { ok: false, reason: `no Quorum account "${name}"; ask an admin to add it (npm run quorum -- user add ${name} --role viewer --oidc)` };
    const row = await db.prisma.user.create({ data: { id: randomUUID(), name, role: identity.role, passwordHash: null, oidcSubject: identity.subject, displayName: identity.displayName, email: identity.email } });
    return { ok: true, user: toUserView(row), created: true, roleBefore: null };
  });
}

// ---- sessions ----

export interface SessionTimes {
  idleMs: number;
  maxMs: number;
}

export interface SessionPrincipal {
  sessionHash: string;
  user: UserView;
  method: string;
  expiresAt: string;
}

/** Opens a session; returns the cookie value (the only place it exists). */
export async function createSession(userId: string, opts: SessionTimes & { method: 'password' | 'oidc'; clientAddress: string | null; userAgent: string | null; now?: number }): Promise<{ cookie: string; expiresAt: Date }> {
  const cookie = newSecret();
  const now = opts.now ?? Date.now();
  const expiresAt = new Date(now + opts.maxMs);
  await withDb((db) =>
    db.prisma.session.create({
      data: { id: hashSecret(cookie), userId, lastSeenAt: new Date(now), expiresAt, method: opts.method, clientAddress: opts.clientAddress, userAgent: opts.userAgent?.slice(0, 300) ?? null },
    }),
  );
  return { cookie, expiresAt };
}

/** The session behind a cookie value, or null when unknown, idle too long, past its absolute expiry, or its user is disabled. */
export async function getSession(cookie: string, times: SessionTimes, now = Date.now()): Promise<SessionPrincipal | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(cookie)) return null;
  const id = hashSecret(cookie);
  return withDb(async (db) => {
    const s = await db.prisma.session.findUnique({ where: { id }, include: { user: true } });
    if (!s) return null;
    if (s.expiresAt.getTime() <= now || s.lastSeenAt.getTime() + times.idleMs <= now || s.user.disabled) {
      await db.prisma.session.deleteMany({ where: { id } });
      return null;
    }
    if (now - s.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await touch(() => db.prisma.session.update({ where: { id }, data: { lastSeenAt: new Date(now) } }));
    return { sessionHash: id, user: toUserView(s.user), method: s.method, expiresAt: s.expiresAt.toISOString() };
  });
}

/**
 * lastSeenAt / lastUsedAt are bookkeeping: a database that can be read but not written right now
 * (SQLite write-locked by another process, a PostgreSQL standby after a failover) must not turn every
 * read into a 503. A touch that fails is skipped; the next request tries again.
 */
async function touch<T>(write: () => Promise<T>): Promise<T | null> {
  try {
    return await write();
  } catch {
    return null;
  }
}

export async function deleteSession(cookie: string): Promise<void> {
  await withDb((db) => db.prisma.session.deleteMany({ where: { id: hashSecret(cookie) } }));
}

// ---- API tokens ----

export async function createApiToken(input: { name: string; role: Role; createdBy: string; expiresAt?: Date | null }): Promise<{ token: string; view: TokenView }> {
  const name = input.name.trim();
  if (!TOKEN_NAME_RE.test(name)) throw new QuorumError('invalid-input', `token name "${input.name.slice(0, 80)}" must be 1–64 letters, digits, ".", "_", "-" or spaces`);
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new QuorumError('invalid-input', 'a token must expire in the future');
  const t = newApiToken();
  const row = await conflictAs(`a token named "${name}" already exists`, () =>
    withDb((db) => db.prisma.apiToken.create({ data: { id: randomUUID(), name, role: input.role, hash: t.hash, prefix: t.prefix, createdBy: input.createdBy, expiresAt: input.expiresAt ?? null } })),
  );
  return { token: t.token, view: toTokenView(row) };
}

export async function listApiTokens(): Promise<TokenView[]> {
  const now = Date.now();
  return (await withDb((db) => db.prisma.apiToken.findMany({ orderBy: { createdAt: 'desc' } }))).map((t) => toTokenView(t, now));
}

export async function revokeApiToken(idOrName: string, by: string): Promise<{ before: TokenView; after: TokenView } | null> {
  return withDb(async (db) => {
    const row = (await db.prisma.apiToken.findUnique({ where: { id: idOrName } })) ?? (await db.prisma.apiToken.findUnique({ where: { name: idOrName.trim() } }));
    if (!row) return null;
    if (row.revokedAt) return { before: toTokenView(row), after: toTokenView(row) };
    const after = await db.prisma.apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date(), revokedBy: by } });
    return { before: toTokenView(row), after: toTokenView(after) };
  });
}

/** The active token behind a bearer value, or null (unknown, revoked, expired). Touches lastUsedAt. */
export async function authenticateToken(bearer: string, now = Date.now()): Promise<TokenView | null> {
  if (!looksLikeApiToken(bearer)) return null;
  return withDb(async (db) => {
    const row = await db.prisma.apiToken.findUnique({ where: { hash: hashSecret(bearer) } });
    if (!row) return null;
    const view = toTokenView(row, now);
    if (!view.active) return null;
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
      const touched = await touch(() => db.prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } }));
      return touched ? toTokenView(touched, now) : view;
    }
    return view;
  });
}

// ---- login rate limits (shared by every replica: they live in the database) ----

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const LOGIN_MAX_FAILURES_PER_USER = 5;
const LOGIN_MAX_FAILURES_PER_ADDRESS = 20;

export interface LoginKeys {
  user: string;
  address: string | null;
}

const keysOf = (k: LoginKeys): Array<{ key: string; max: number }> => [
  { key: `user:${k.user.trim().toLowerCase().slice(0, 80)}`, max: LOGIN_MAX_FAILURES_PER_USER },
  ...(k.address ? [{ key: `addr:${k.address}`, max: LOGIN_MAX_FAILURES_PER_ADDRESS }] : []),
];

/** Milliseconds until another attempt is allowed, or 0 when it is allowed now. */
export async function loginRetryAfterMs(k: LoginKeys, now = Date.now()): Promise<number> {
  const windowStartMs = BigInt(now - (now % LOGIN_WINDOW_MS));
  return withDb(async (db) => {
    for (const { key, max } of keysOf(k)) {
      const row = await db.prisma.loginAttempt.findUnique({ where: { key_windowStartMs: { key, windowStartMs } } });
      if (row && row.failures >= max) return Number(windowStartMs) + LOGIN_WINDOW_MS - now;
    }
    return 0;
  });
}

export async function recordLoginFailure(k: LoginKeys, now = Date.now()): Promise<void> {
  const windowStartMs = BigInt(now - (now % LOGIN_WINDOW_MS));
  await withDb(async (db) => {
    for (const { key } of keysOf(k)) {
      await db.prisma.loginAttempt.upsert({ where: { key_windowStartMs: { key, windowStartMs } }, create: { key, windowStartMs, failures: 1 }, update: { failures: { increment: 1 } } });
    }
    // Old windows are useless: drop them as we go (one short statement).
    await db.prisma.loginAttempt.deleteMany({ where: { windowStartMs: { lt: windowStartMs - BigInt(LOGIN_WINDOW_MS) } } });
  });
}

/** A successful sign-in clears the user's failures (not the address's). */
export async function clearLoginFailures(user: string): Promise<void> {
  await withDb((db) => db.prisma.loginAttempt.deleteMany({ where: { key: `user:${user.trim().toLowerCase().slice(0, 80)}` } }));
}

// ---- pending OIDC sign-ins ----

export async function createAuthFlow(input: { state: string; verifier: string; nonce: string; returnTo: string; ttlMs: number }): Promise<void> {
  const now = Date.now();
  await withDb(async (db) => {
    await db.prisma.authFlow.deleteMany({ where: { expiresAt: { lt: new Date(now) } } });
    await db.prisma.authFlow.create({ data: { id: hashSecret(input.state), verifier: input.verifier, nonce: input.nonce, returnTo: input.returnTo, expiresAt: new Date(now + input.ttlMs) } });
  });
}

/** One use only: the row is deleted as it is read. Null when unknown or expired. */
export async function takeAuthFlow(state: string): Promise<{ verifier: string; nonce: string; returnTo: string } | null> {
  const id = hashSecret(state);
  return withDb(async (db) => {
    const row = await db.prisma.authFlow.findUnique({ where: { id } });
    if (!row) return null;
    const { count } = await db.prisma.authFlow.deleteMany({ where: { id } });
    if (count === 0 || row.expiresAt.getTime() <= Date.now()) return null;
    return { verifier: row.verifier, nonce: row.nonce, returnTo: row.returnTo };
  });
}

// ---- one-time setup link ----

/** A new setup token (valid ttlMs) while no user exists; null once anyone can sign in. */
export async function createSetupToken(ttlMs: number): Promise<string | null> {
  if ((await countUsers()) > 0) return null;
  const token = newSecret();
  await withDb(async (db) => {
    await db.prisma.setupToken.deleteMany({ where: { usedAt: null } });
    await db.prisma.setupToken.create({ data: { hash: hashSecret(token), expiresAt: new Date(Date.now() + ttlMs) } });
  });
  return token;
}

export async function setupTokenValid(token: string): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return false;
  const row = await withDb((db) => db.prisma.setupToken.findUnique({ where: { hash: hashSecret(token) } }));
  return row !== null && row.usedAt === null && row.expiresAt.getTime() > Date.now() && (await countUsers()) === 0;
}

/** Uses the setup token to create the first admin. Exactly one caller wins; the rest get an error. */
export async function completeSetup(token: string, admin: { name: string; password: string }): Promise<UserView> {
  if (!(await setupTokenValid(token))) throw new QuorumError('invalid-input', 'this setup link is not valid any more (used, expired, or an account exists already)');
  const problem = passwordProblem(admin.password);
  if (problem) throw new QuorumError('invalid-input', problem);
  const { count } = await withDb((db) => db.prisma.setupToken.updateMany({ where: { hash: hashSecret(token), usedAt: null }, data: { usedAt: new Date() } }));
  if (count !== 1) throw new QuorumError('invalid-input', 'this setup link has just been used');
  return createUser({ name: admin.name, role: 'admin', password: admin.password });
}
