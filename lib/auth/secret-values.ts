// Bearer secrets (session cookies, API tokens, setup links, OIDC state): 256 random bits, base64url.
// Only SHA-256 hashes are stored, so a copy of the database opens no session and holds no token.
import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'qrm_';

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** An API token as handed to its owner once: "qrm_" + 43 base64url characters. */
export function newApiToken(): { token: string; hash: string; prefix: string } {
  const token = `${TOKEN_PREFIX}${newSecret()}`;
  return { token, hash: hashSecret(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) };
}

export function looksLikeApiToken(v: string): boolean {
  return /^qrm_[A-Za-z0-9_-]{43}$/.test(v);
}
