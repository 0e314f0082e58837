// The typed surface of the sign-in tables (issue 10) that lib/data/auth.ts and lib/data/audit.ts use.
// Both generated clients satisfy it structurally (checked where lib/db.ts assigns them to DbClient).
import type { Role } from '../auth/roles';

type Order = 'asc' | 'desc';
type DateRange = { gte?: Date; lt?: Date; lte?: Date; gt?: Date };

export interface UserRow {
  id: string;
  name: string;
  displayName: string | null;
  email: string | null;
  role: Role;
  passwordHash: string | null;
  oidcSubject: string | null;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
}

export interface SessionRow {
  id: string;
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  method: string;
  clientAddress: string | null;
  userAgent: string | null;
}

export interface ApiTokenRow {
  id: string;
  name: string;
  role: Role;
  hash: string;
  prefix: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
}

export interface AuditEventRow {
  id: number;
  at: Date;
  actor: string;
  actorKind: string;
  role: string | null;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
  clientAddress: string | null;
}

export interface AuthFlowRow {
  id: string;
  verifier: string;
  nonce: string;
  returnTo: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface SetupTokenRow {
  hash: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

type UserUpdate = Partial<Pick<UserRow, 'role' | 'passwordHash' | 'oidcSubject' | 'disabled' | 'displayName' | 'email' | 'lastLoginAt'>>;

interface UserDelegate {
  create(args: { data: Omit<UserRow, 'createdAt' | 'updatedAt' | 'lastLoginAt' | 'disabled'> & { disabled?: boolean } }): Promise<UserRow>;
  findUnique(args: { where: { id: string } | { name: string } | { oidcSubject: string } }): Promise<UserRow | null>;
  findMany(args: { orderBy: { name: Order } }): Promise<UserRow[]>;
  update(args: { where: { id: string }; data: UserUpdate }): Promise<UserRow>;
  deleteMany(args: { where: { id: string } }): Promise<{ count: number }>;
  count(args?: { where?: { role?: Role; disabled?: boolean } }): Promise<number>;
}

interface SessionDelegate {
  create(args: { data: Omit<SessionRow, 'createdAt'> }): Promise<SessionRow>;
  findUnique(args: { where: { id: string }; include: { user: true } }): Promise<(SessionRow & { user: UserRow }) | null>;
  update(args: { where: { id: string }; data: { lastSeenAt: Date } }): Promise<SessionRow>;
  deleteMany(args: { where: { id?: string; userId?: string; expiresAt?: DateRange } }): Promise<{ count: number }>;
}

interface ApiTokenDelegate {
  create(args: { data: Omit<ApiTokenRow, 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'revokedBy'> }): Promise<ApiTokenRow>;
  findUnique(args: { where: { hash: string } | { id: string } | { name: string } }): Promise<ApiTokenRow | null>;
  findMany(args: { orderBy: { createdAt: Order } }): Promise<ApiTokenRow[]>;
  update(args: { where: { id: string }; data: { lastUsedAt?: Date; revokedAt?: Date; revokedBy?: string } }): Promise<ApiTokenRow>;
}

export interface AuditWhere {
  actor?: string;
  action?: string | { startsWith: string };
  at?: DateRange;
  OR?: Array<{ target: { contains: string } } | { actor: { contains: string } } | { action: { contains: string } }>;
}

interface AuditEventDelegate {
  create(args: { data: Omit<AuditEventRow, 'id' | 'at'> & { at?: Date } }): Promise<AuditEventRow>;
  findMany(args: { where: AuditWhere; orderBy: Array<{ at: Order } | { id: Order }>; take?: number; skip?: number }): Promise<AuditEventRow[]>;
  count(args: { where: AuditWhere }): Promise<number>;
}

interface LoginAttemptDelegate {
  upsert(args: {
    where: { key_windowStartMs: { key: string; windowStartMs: bigint } };
    create: { key: string; windowStartMs: bigint; failures: number };
    update: { failures: { increment: number } };
  }): Promise<{ key: string; windowStartMs: bigint; failures: number }>;
  findUnique(args: { where: { key_windowStartMs: { key: string; windowStartMs: bigint } } }): Promise<{ key: string; windowStartMs: bigint; failures: number } | null>;
  deleteMany(args: { where: { key?: string; windowStartMs?: { lt: bigint } } }): Promise<{ count: number }>;
}

interface AuthFlowDelegate {
  create(args: { data: Omit<AuthFlowRow, 'createdAt'> }): Promise<AuthFlowRow>;
  findUnique(args: { where: { id: string } }): Promise<AuthFlowRow | null>;
  deleteMany(args: { where: { id?: string; expiresAt?: DateRange } }): Promise<{ count: number }>;
}

interface SetupTokenDelegate {
  create(args: { data: Omit<SetupTokenRow, 'createdAt' | 'usedAt'> }): Promise<SetupTokenRow>;
  findUnique(args: { where: { hash: string } }): Promise<SetupTokenRow | null>;
  updateMany(args: { where: { hash: string; usedAt: null }; data: { usedAt: Date } }): Promise<{ count: number }>;
  deleteMany(args: { where: { usedAt?: null; expiresAt?: DateRange } }): Promise<{ count: number }>;
}

/** The sign-in tables, as part of DbTx (lib/db.ts). */
export interface AuthDelegates {
  user: UserDelegate;
  session: SessionDelegate;
  apiToken: ApiTokenDelegate;
  auditEvent: AuditEventDelegate;
  loginAttempt: LoginAttemptDelegate;
  authFlow: AuthFlowDelegate;
  setupToken: SetupTokenDelegate;
}
