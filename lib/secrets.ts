// Credentials at rest: AES-256-GCM envelopes.
//   envelope = version (1 byte, 0x01) | IV (12 random bytes) | tag (16 bytes) | ciphertext
//   AAD      = "quorum/v1/" + context (the cluster id), so a row's credentials cannot be moved to
//              another row: decrypting under a different id fails like any tamper.
// Key: QUORUM_SECRET_KEY (32 bytes, base64 or hex), else <dataDir>/secret.key, created with mode
// 0600 on first use; a key file readable by group/others is refused. Secrets are never logged:
// errors name what failed, never the plaintext or the key.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { loadEnv, type QuorumEnv } from './env';

export const ENVELOPE_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
export const KEY_FILE_NAME = 'secret.key';

export type SecretErrorKind = 'bad-envelope' | 'undecryptable' | 'key-file' | 'bad-key';

export class SecretError extends Error {
  readonly kind: SecretErrorKind;
  constructor(kind: SecretErrorKind, message: string) {
    super(message);
    this.name = 'SecretError';
    this.kind = kind;
  }
}

function aadFor(context: string): Buffer {
  if (context.length === 0) throw new SecretError('bad-envelope', 'a secret needs a non-empty context (the cluster id)');
  return Buffer.from(`quorum/v${ENVELOPE_VERSION}/${context}`, 'utf8');
}

function checkKey(key: Uint8Array): void {
  if (key.length !== 32) throw new SecretError('bad-key', `an AES-256 key is 32 bytes, got ${key.length}`);
}

/** Encrypts `plaintext` bound to `context` (the cluster id). A fresh random IV every call. */
export function encryptSecret(plaintext: string, context: string, key: Uint8Array): Buffer {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadFor(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([ENVELOPE_VERSION]), iv, cipher.getAuthTag(), body]);
}

/** Decrypts an envelope made by encryptSecret for the same context and key; anything else throws. */
export function decryptSecret(envelope: Uint8Array, context: string, key: Uint8Array): string {
  checkKey(key);
  const buf = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  if (buf.length < HEADER_BYTES) throw new SecretError('bad-envelope', `encrypted credentials are truncated (${buf.length} bytes)`);
  if (buf[0] !== ENVELOPE_VERSION) throw new SecretError('bad-envelope', `encrypted credentials have unknown format version ${buf[0]}`);
  const iv = buf.subarray(1, 1 + IV_BYTES);
  const tag = buf.subarray(1 + IV_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aadFor(context));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(buf.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretError(
      'undecryptable',
      'stored credentials failed authentication: they were modified, belong to another cluster, or were encrypted with a different key (QUORUM_SECRET_KEY / secret.key)',
    );
  }
}

function readKeyFile(file: string): Buffer {
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

let warnedPgKeyFile = false;
const keyCache = new Map<string, Buffer>();

/**
 * The key for credentials: QUORUM_SECRET_KEY, else the key file in the data folder. With PostgreSQL
 * and no QUORUM_SECRET_KEY a warning is printed once: the key then lives apart from the database,
 * on this machine only, and every Quorum process needs the same file.
 */
export function getSecretKey(env: QuorumEnv = loadEnv()): Buffer {
  if (env.secretKey) return env.secretKey;
  const cached = keyCache.get(env.dataDir);
  if (cached) return cached;
  const key = loadOrCreateKeyFile(env.dataDir);
  if (env.db.provider === 'postgresql' && !warnedPgKeyFile) {
    warnedPgKeyFile = true;
    process.stderr.write(
      `[quorum] WARNING: QUORUM_SECRET_KEY is not set; cluster credentials in PostgreSQL are encrypted with ${path.join(env.dataDir, KEY_FILE_NAME)}. Every Quorum process (web, collector) needs that same file — set QUORUM_SECRET_KEY for a shared deployment.\n`,
    );
  }
  keyCache.set(env.dataDir, key);
  return key;
}
