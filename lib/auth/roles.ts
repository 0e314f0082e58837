// Roles and what each may do. Pure and import-free: used by the API guard (server), the pages (to hide
// what a role cannot do) and the CLI alike. The API is the authority; the UI only mirrors it.
export type Role = 'viewer' | 'editor' | 'admin';
export const ROLES = ['viewer', 'editor', 'admin'] as const satisfies readonly Role[];

export type Permission =
  /** Read everything: fleet, clusters, reports, the audit log. */
  | 'read'
  /** SLO policies, maintenance windows, labels, extra Leases and DNS servers. */
  | 'settings:write'
  /** Register (and test connections to) and remove clusters. */
  | 'clusters:write'
  /** Notification channels: add, change, remove, send a test (they make the server connect out). */
  | 'channels:write'
  /** Users and API tokens. */
  | 'access:manage';

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };
const NEEDS: Record<Permission, Role> = { read: 'viewer', 'settings:write': 'editor', 'clusters:write': 'admin', 'channels:write': 'admin', 'access:manage': 'admin' };

export function can(role: Role, permission: Permission): boolean {
  return RANK[role] >= RANK[NEEDS[permission]];
}

/** The lowest role that has `permission` (for messages: "needs the editor role"). */
export function roleFor(permission: Permission): Role {
  return NEEDS[permission];
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** The highest of several roles (OIDC group mapping). */
export function highestRole(roles: readonly Role[]): Role | null {
  let best: Role | null = null;
  for (const r of roles) if (best === null || RANK[r] > RANK[best]) best = r;
  return best;
}
