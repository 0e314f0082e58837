// Local passwords: scrypt from node:crypto (memory-hard, in Node's standard library, no native addon to
// build offline). Stored as "scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>" so the parameters can be
// raised later: a hash with weaker parameters is re-hashed at the next successful sign-in.
// Parameters: N = 2^17, r = 8, p = 1 (128 MiB, OWASP's scrypt recommendation).
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const SCRYPT_PARAMS = { log2N: 17, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const PASSWORD_MIN_LENGTH = 12;
const PASSWORD_MAX_LENGTH = 1024;

/** At most this many derivations run at once (each holds 128 MiB): a burst of sign-ins queues, it cannot exhaust memory. */
const MAX_CONCURRENT_DERIVATIONS = 4;
let running = 0;
const waiting: Array<() => void> = [];

async function derive(password: string, salt: Buffer, log2N: number, r: number, p: number): Promise<Buffer> {
  // A finishing derivation hands its slot straight to the next waiter (running stays exact).
  if (running >= MAX_CONCURRENT_DERIVATIONS) await new Promise<void>((resume) => waiting.push(resume));
  else running++;
  try {
    const N = 2 ** log2N;
    const opts: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 };
    return await new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, opts, (err, key) => (err ? reject(err) : resolve(key))));
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** A reason the password is not acceptable, or null. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `a password needs at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `a password has at most ${PASSWORD_MAX_LENGTH} characters`;
  return null;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const { log2N, r, p } = SCRYPT_PARAMS;
  const key = await derive(password, salt, log2N, r, p);
  return ['scrypt', log2N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export interface VerifyResult {
  ok: boolean;
  /** The stored hash uses weaker parameters than SCRYPT_PARAMS: store a new hash. */
  needsRehash: boolean;
}

/** Constant-time comparison; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<VerifyResult> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return { ok: false, needsRehash: false };
  const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![log2N, r, p].every((n) => Number.isInteger(n) && n > 0) || log2N > 22 || r > 32 || p > 16) return { ok: false, needsRehash: false };
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length !== KEY_BYTES || password.length > PASSWORD_MAX_LENGTH) return { ok: false, needsRehash: false };
  const key = await derive(password, salt, log2N, r, p);
  const ok = timingSafeEqual(key, expected);
  return { ok, needsRehash: ok && (log2N < SCRYPT_PARAMS.log2N || r < SCRYPT_PARAMS.r || p < SCRYPT_PARAMS.p) };
}

let dummy: Promise<string> | undefined;

/** Spends the same time as a real check, for a user name that does not exist (no timing oracle). */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password.slice(0, PASSWORD_MAX_LENGTH), await dummy);
}
