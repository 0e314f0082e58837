// AES-256-GCM envelopes, key parsing and the key file — real crypto, real files in a temp folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv, parseSecretKey } from '@/lib/env';
import { QuorumError } from '@/lib/errors';
import { ENVELOPE_VERSION, KEY_FILE_NAME, SecretError, decryptSecret, encryptSecret, getSecretKey, loadOrCreateKeyFile } from '@/lib/secrets';

const key = randomBytes(32);
const id = '3f1c2a9e-0000-4000-8000-000000000001';
const kubeconfig = 'apiVersion: v1\nkind: Config\nusers:\n- name: quorum\n  user:\n    token: s3cr3t-token-ü\n';

const undecryptable = (e: unknown): boolean => e instanceof SecretError && e.kind === 'undecryptable' && !e.message.includes('s3cr3t');

function tempDir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'quorum-secrets-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('round trip, and the envelope layout is version | 12-byte IV | 16-byte tag | ciphertext', () => {
  const env = encryptSecret(kubeconfig, id, key);
  assert.equal(env[0], ENVELOPE_VERSION);
  assert.equal(env.length, 1 + 12 + 16 + Buffer.byteLength(kubeconfig, 'utf8'));
  assert.ok(!env.includes(Buffer.from('s3cr3t')), 'plaintext must not appear in the envelope');
  assert.equal(decryptSecret(env, id, key), kubeconfig);
  // Works from a Uint8Array view too (what the database hands back).
  assert.equal(decryptSecret(new Uint8Array(env), id, key), kubeconfig);
});

test('a fresh IV every time: same input, different envelopes', () => {
  const a = encryptSecret(kubeconfig, id, key);
  const b = encryptSecret(kubeconfig, id, key);
  assert.notDeepEqual(a.subarray(1, 13), b.subarray(1, 13));
  assert.notDeepEqual(a, b);
});

test('tampering with the IV, the tag or the ciphertext is detected', () => {
  const env = encryptSecret(kubeconfig, id, key);
  for (const [what, offset] of [['iv', 1], ['iv end', 12], ['tag', 13], ['tag end', 28], ['ciphertext', 29], ['ciphertext end', env.length - 1]] as const) {
    const bad = Buffer.from(env);
    bad[offset] = bad[offset]! ^ 0x01;
    assert.throws(() => decryptSecret(bad, id, key), undecryptable, what);
  }
  assert.throws(() => decryptSecret(Buffer.concat([env, Buffer.from([0])]), id, key), undecryptable, 'appended byte');
});

test('AAD binds the envelope to its cluster id: another id cannot decrypt it', () => {
  const env = encryptSecret(kubeconfig, id, key);
  assert.throws(() => decryptSecret(env, '3f1c2a9e-0000-4000-8000-000000000002', key), undecryptable);
  assert.throws(() => decryptSecret(env, '', key), (e: unknown) => e instanceof SecretError && e.kind === 'bad-envelope');
});

test('the wrong key fails with the same clear error', () => {
  const env = encryptSecret(kubeconfig, id, key);
  assert.throws(() => decryptSecret(env, id, randomBytes(32)), undecryptable);
  assert.throws(() => decryptSecret(env, id, randomBytes(16)), (e: unknown) => e instanceof SecretError && e.kind === 'bad-key');
});

test('truncated or unknown-version envelopes are refused by name', () => {
  const env = encryptSecret(kubeconfig, id, key);
  assert.throws(() => decryptSecret(env.subarray(0, 20), id, key), (e: unknown) => e instanceof SecretError && e.kind === 'bad-envelope' && /truncated/.test(e.message));
  const v2 = Buffer.from(env);
  v2[0] = 2;
  assert.throws(() => decryptSecret(v2, id, key), (e: unknown) => e instanceof SecretError && /unknown format version 2/.test(e.message));
});

test('QUORUM_SECRET_KEY: 64 hex chars or base64 of 32 bytes; anything else is a clear error without the value', () => {
  const hex = key.toString('hex');
  assert.deepEqual(parseSecretKey(hex), key);
  assert.deepEqual(parseSecretKey(key.toString('base64')), key);
  assert.deepEqual(parseSecretKey(` ${key.toString('base64url')} `), key);
  assert.equal(parseSecretKey(undefined), null);
  assert.equal(parseSecretKey(''), null);
  const bad = (v: string, re: RegExp): void => {
    assert.throws(
      () => parseSecretKey(v),
      (e: unknown) => e instanceof QuorumError && /QUORUM_SECRET_KEY is invalid/.test(e.message) && re.test(e.message) && !e.message.includes(v),
      v,
    );
  };
  bad(randomBytes(16).toString('base64'), /decodes to 16 bytes/);
  bad(hex.slice(0, 62) + 'zz', /decodes to 48 bytes/); // not hex, so read as base64
  bad('not a key!', /expected 32 bytes/);
  assert.throws(() => loadEnv({ QUORUM_SECRET_KEY: 'short' }), /QUORUM_SECRET_KEY is invalid/);
  assert.deepEqual(loadEnv({ QUORUM_SECRET_KEY: hex }).secretKey, key);
});

test('the key file is created once with mode 0600 and reused', (t) => {
  const dir = path.join(tempDir(t), 'nested', 'data');
  const k1 = loadOrCreateKeyFile(dir);
  const file = path.join(dir, KEY_FILE_NAME);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(k1.length, 32);
  assert.deepEqual(loadOrCreateKeyFile(dir), k1);
  assert.equal(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').length, 32);
});

test('a key file readable by group or others is refused, with the fix in the message', (t) => {
  const dir = tempDir(t);
  loadOrCreateKeyFile(dir);
  const file = path.join(dir, KEY_FILE_NAME);
  for (const mode of [0o640, 0o604, 0o644]) {
    chmodSync(file, mode);
    assert.throws(
      () => loadOrCreateKeyFile(dir),
      (e: unknown) => e instanceof SecretError && e.kind === 'key-file' && e.message.includes(`chmod 600 ${file}`) && e.message.includes(`0${mode.toString(8)}`),
    );
  }
  chmodSync(file, 0o600);
  writeFileSync(file, 'too short\n', { mode: 0o600 });
  assert.throws(() => loadOrCreateKeyFile(dir), (e: unknown) => e instanceof SecretError && /does not hold a 32-byte key/.test(e.message));
});

test('getSecretKey prefers QUORUM_SECRET_KEY; without it uses the key file; PostgreSQL warns once on stderr', (t) => {
  const dir = tempDir(t);
  assert.deepEqual(getSecretKey(loadEnv({ QUORUM_DATA_DIR: dir, QUORUM_SECRET_KEY: key.toString('hex') })), key);
  assert.throws(() => statSync(path.join(dir, KEY_FILE_NAME)), /ENOENT/, 'no key file when the env key is set');
  const writes: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array): boolean => (writes.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const pgEnv = loadEnv({ QUORUM_DATA_DIR: dir, DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' });
    const k = getSecretKey(pgEnv);
    assert.deepEqual(getSecretKey(pgEnv), k);
    assert.equal(statSync(path.join(dir, KEY_FILE_NAME)).mode & 0o777, 0o600);
  } finally {
    process.stderr.write = orig;
  }
  assert.equal(writes.filter((w) => /QUORUM_SECRET_KEY is not set/.test(w)).length, 1);
});
