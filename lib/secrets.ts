// Credentials at rest: AES-256-GCM envelopes.
//   envelope v2 = 0x02 | key id (8 bytes) | IV (12 random bytes) | tag (16 bytes) | ciphertext
//   envelope v1 = 0x01 | IV | tag | ciphertext (written before key ids existed; still read)
//   AAD         = "quorum/v<version>/" [+ key id hex + "/"] + context (the cluster id), so a row's
//                 credentials cannot be moved to another row, and the key id cannot be swapped.
//   key id      = the first 8 bytes of SHA-256("quorum-key-id/" + key): names a key without revealing it.
// Key: QUORUM_SECRET_KEY (32 bytes, base64 or hex; REQUIRED with PostgreSQL, where several processes
// on several machines share the credentials), else <dataDir>/secret.key (mode 0600). The key file is
// created only while no credentials are stored (ensureSecretKey): Quorum never silently makes a new key
// that would orphan existing credentials — lib/keys.ts refuses to start instead. Secrets are never
// logged: errors name what failed and key ids, never the plaintext or the key.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { loadEnv, type QuorumEnv } from './env';

export const ENVELOPE_VERSION = 2;
const KEY_ID_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_FILE_NAME = 'secret.key';

export type SecretErrorKind = 'bad-envelope' | 'undecryptable' | 'wrong-key' | 'key-file' | 'bad-key' | 'no-key';

export class SecretError extends Error {
  readonly kind: SecretErrorKind;
  constructor(kind: SecretErrorKind, message: string) {
    super(message);
    this.name = 'SecretError';
    this.kind = kind;
  }
}

/** The public name of a key (16 hex characters). */
export function keyId(key: Uint8Array): string {
  return createHash('sha256').update('quorum-key-id/').update(key).digest().subarray(0, KEY_ID_BYTES).toString('hex');
}

function aadFor(version: number, context: string, kid?: string): Buffer {
  if (context.length === 0) throw new SecretError('bad-envelope', 'a secret needs a non-empty context (the cluster id)');
  return Buffer.from(`quorum/v${version}/${kid ? `${kid}/` : ''}${context}`, 'utf8');
}

function checkKey(key: Uint8Array): void {
  if (key.length !== 32) throw new SecretError('bad-key', `an AES-256 key is 32 bytes, got ${key.length}`);
}

/** Encrypts `plaintext` bound to `context` (the cluster id). A fresh random IV every call; v2 envelope. */
export function encryptSecret(plaintext: string, context: string, key: Uint8Array): Buffer {
  checkKey(key);
  const kid = keyId(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadFor(ENVELOPE_VERSION, context, kid));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([ENVELOPE_VERSION]), Buffer.from(kid, 'hex'), iv, cipher.getAuthTag(), body]);
}

/** The key id an envelope names (v2), or null (v1 envelopes carry none; malformed ones neither). */
export function envelopeKeyId(envelope: Uint8Array): string | null {
  if (envelope.length < 1 + KEY_ID_BYTES || envelope[0] !== 2) return null;
  return Buffer.from(envelope.buffer, envelope.byteOffset + 1, KEY_ID_BYTES).toString('hex');
}

/** Decrypts an envelope made by encryptSecret for the same context and key; anything else throws. */
export function decryptSecret(envelope: Uint8Array, context: string, key: Uint8Array): string {
  checkKey(key);
  const buf = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const version = buf[0];
  if (version !== 1 && version !== 2) {
    if (buf.length === 0) throw new SecretError('bad-envelope', 'encrypted credentials are truncated (0 bytes)');
    throw new SecretError('bad-envelope', `encrypted credentials have unknown format version ${version}`);
  }
  const kidBytes = version === 2 ? KEY_ID_BYTES : 0;
  const header = 1 + kidBytes + IV_BYTES + TAG_BYTES;
  if (buf.length < header) throw new SecretError('bad-envelope', `encrypted credentials are truncated (${buf.length} bytes)`);
  let kid: string | undefined;
  if (version === 2) {
    kid = buf.subarray(1, 1 + KEY_ID_BYTES).toString('hex');
    const current = keyId(key);
    if (kid !== current) throw new SecretError('wrong-key', `stored credentials were encrypted with key ${kid}; the configured key is ${current} (QUORUM_SECRET_KEY / secret.key)`);
  }
  const iv = buf.subarray(1 + kidBytes, 1 + kidBytes + IV_BYTES);
  const tag = buf.subarray(1 + kidBytes + IV_BYTES, header);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aadFor(version, context, kid));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(buf.subarray(header)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretError(
      'undecryptable',
      'stored credentials failed authentication: they were modified, belong to another cluster, or were encrypted with a different key (QUORUM_SECRET_KEY / secret.key)',
    );
  }
}

export function readKeyFile(file: string): Buffer {
  const st = statSync(file);
  if (!st.isFile()) throw new SecretError('key-file', `${file} is not a regular file`);
  if ((st.mode & 0o077) !== 0) {
    throw new SecretError('key-file', `${file} is accessible by group/others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); run: chmod 600 ${file}`);
  }
  const text = readFileSync(file, 'utf8').trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new SecretError('key-file', `${file} does not hold a 32-byte key (base64 or hex)`);
  return key;
}

/** Reads <dataDir>/secret.key, creating it (mode 0600, exclusive create) when it does not exist. */
export function loadOrCreateKeyFile(dataDir: string): Buffer {
  const file = path.join(dataDir, KEY_FILE_NAME);
  try {
    return readKeyFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (e instanceof SecretError) throw e;
      throw new SecretError('key-file', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file); // another process won the race
    throw new SecretError('key-file', `cannot create ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
  } finally {
    closeSync(fd);
  }
  return readKeyFile(file);
}

/** The key file's path for a data folder. */
export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, KEY_FILE_NAME);
}

/**
 * The configured key, or null when none exists yet (no QUORUM_SECRET_KEY, no key file). Never creates
 * one. PostgreSQL without QUORUM_SECRET_KEY is refused: the credentials live in a shared database,
 * and a key file on one machine is not a key the other processes have.
 */
export function loadSecretKey(env: QuorumEnv = loadEnv()): Buffer | null {
  if (env.secretKey) return env.secretKey;
  if (env.db.provider === 'postgresql') {
    throw new SecretError('no-key', 'QUORUM_SECRET_KEY is required with PostgreSQL (every Quorum process needs the same key): set it to 32 random bytes, e.g. `openssl rand -base64 32`');
  }
  const file = keyFilePath(env.dataDir);
  try {
    return readKeyFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (e instanceof SecretError) throw e;
    throw new SecretError('key-file', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** The key for decrypting: missing is an error naming where it was looked for. */
export function getSecretKey(env: QuorumEnv = loadEnv()): Buffer {
  const key = loadSecretKey(env);
  if (!key) throw new SecretError('no-key', `no key: QUORUM_SECRET_KEY is not set and ${keyFilePath(env.dataDir)} does not exist`);
  return key;
}

/**
 * The key for encrypting new credentials. Creates the key file only when `credentialsStored` is false
 * (nothing it could orphan); otherwise a missing key is an error, never a new key.
 */
export function ensureSecretKey(env: QuorumEnv, credentialsStored: boolean): Buffer {
  const key = loadSecretKey(env);
  if (key) return key;
  if (credentialsStored) {
    throw new SecretError('no-key', `clusters with encrypted credentials exist but no key is configured (QUORUM_SECRET_KEY unset, ${keyFilePath(env.dataDir)} missing): restore the key; Quorum does not make a new one`);
  }
  return loadOrCreateKeyFile(env.dataDir);
}
