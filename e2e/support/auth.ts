// Signed-in e2e runs without any bypass: global-setup.ts creates real users and an API token with the
// real CLI (`npm run quorum -- user add … / token create …`, straight into the server's database) and
// signs each user in through the real sign-in page; specs then use the saved browser state (cookies)
// and, for API calls, the token as `Authorization: Bearer`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Role } from '../../lib/auth/roles';

/** Set by each Playwright config before anything else runs (main process and workers alike). */
export function authDir(): string {
  const d = process.env.QUORUM_E2E_AUTH_DIR;
  if (!d) throw new Error('QUORUM_E2E_AUTH_DIR is not set: run through a Playwright config (playwright*.config.ts)');
  return d;
}

export const E2E_USERS: Record<Role, { name: string; password: string }> = {
  admin: { name: 'e2e-admin', password: 'e2e admin password 1' },
  editor: { name: 'e2e-editor', password: 'e2e editor password 1' },
  viewer: { name: 'e2e-viewer', password: 'e2e viewer password 1' },
};

export const storageStatePath = (role: Role): string => path.join(authDir(), `${role}.json`);
export const tokenPath = (role: Role): string => path.join(authDir(), `${role}.token`);

export function apiToken(role: Role = 'admin'): string {
  return readFileSync(tokenPath(role), 'utf8').trim();
}
