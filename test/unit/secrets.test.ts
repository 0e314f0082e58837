// AES-256-GCM envelopes, key parsing and the key file — real crypto, real files in a temp folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv, parseSecretKey } from '@/lib/env';
import { QuorumError } from '@/lib/errors';
import { ENVELOPE_VERSION, KEY_FILE_NAME, SecretError, decryptSecret, encryptSecret, ensureSecretKey, envelopeKeyId, getSecretKey, keyId, loadOrCreateKeyFile, loadSecretKey } from '@/lib/secrets';

const key = randomBytes(32);
const id = '3f1c2a9e-0000-4000-8000-000000000001';
const kubeconfig = 'apiVersion: v1\nkind: Config\nusers:\n- name: quorum\n  user:\n    token: s3cr3t-token-ü\n';

const undecryptable = (e: unknown): boolean => e instanceof SecretError && e.kind === 'undecryptable' && !e.message.includes('s3cr3t');

function tempDir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'quorum-secrets-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

// Issue 10 changed the layout to v2 (a key id after the version byte) so a wrong key is named, not
// guessed; v1 envelopes written before it still decrypt (test below).
test('round trip, and the envelope layout is version 2 | 8-byte key id | 12-byte IV | 16-byte tag | ciphertext', () => {
  const env = encryptSecret(kubeconfig, id, key);
  assert.equal(env[0], ENVELOPE_VERSION);
  assert.equal(ENVELOPE_VERSION, 2);
  assert.equal(env.length, 1 + 8 + 12 + 16 + Buffer.byteLength(kubeconfig, 'utf8'));
  assert.equal(envelopeKeyId(env), keyId(key));
  assert.match(keyId(key), /^[0-9a-f]{16}$/);
  assert.ok(!env.includes(Buffer.from('s3cr3t')), 'plaintext must not appear in the envelope');
  assert.equal(decryptSecret(env, id, key), kubeconfig);
  // Works from a Uint8Array view too (what the database hands back).
  assert.equal(decryptSecret(new Uint8Array(env), id, key), kubeconfig);
});

test('a v1 envelope (no key id, written before issue 10) still decrypts', () => {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  c.setAAD(Buffer.from(`quorum/v1/${id}`, 'utf8'));
  const body = Buffer.concat([c.update(kubeconfig, 'utf8'), c.final()]);
  const v1 = Buffer.concat([Buffer.from([1]), iv, c.getAuthTag(), body]);
  assert.equal(envelopeKeyId(v1), null);
  assert.equal(decryptSecret(v1, id, key), kubeconfig);
  assert.throws(() => decryptSecret(v1, id, randomBytes(32)), undecryptable);
});

test('a fresh IV every time: same input, different envelopes', () => {
  const a = encryptSecret(kubeconfig, id, key);
  const b = encryptSecret(kubeconfig, id, key);
  assert.notDeepEqual(a.subarray(9, 21), b.subarray(9, 21));
  assert.notDeepEqual(a, b);
});

test('tampering with the IV, the tag or the ciphertext is detected; a changed key id is named', () => {
  const env = encryptSecret(kubeconfig, id, key);
  for (const [what, offset] of [['iv', 9], ['iv end', 20], ['tag', 21], ['tag end', 36], ['ciphertext', 37], ['ciphertext end', env.length - 1]] as const) {
    const bad = Buffer.from(env);
    bad[offset] = bad[offset]! ^ 0x01;
    assert.throws(() => decryptSecret(bad, id, key), undecryptable, what);
  }
  assert.throws(() => decryptSecret(Buffer.concat([env, Buffer.from([0])]), id, key), undecryptable, 'appended byte');
  const kid = Buffer.from(env);
  kid[1] = kid[1]! ^ 0x01;
  assert.throws(() => decryptSecret(kid, id, key), (e: unknown) => e instanceof SecretError && e.kind === 'wrong-key');
});

test('AAD binds the envelope to its cluster id: another id cannot decrypt it', () => {
  const env = encryptSecret(kubeconfig, id, key);
  assert.throws(() => decryptSecret(env, '3f1c2a9e-0000-4000-8000-000000000002', key), undecryptable);
  assert.throws(() => decryptSecret(env, '', key), (e: unknown) => e instanceof SecretError && e.kind === 'bad-envelope');
});

test('the wrong key is named by key id, without trying it; a short key is refused', () => {
  const env = encryptSecret(kubeconfig, id, key);
  const other = randomBytes(32);
  assert.throws(
    () => decryptSecret(env, id, other),
    (e: unknown) => e instanceof SecretError && e.kind === 'wrong-key' && e.message.includes(keyId(key)) && e.message.includes(keyId(other)) && !e.message.includes('s3cr3t'),
  );
  assert.throws(() => decryptSecret(env, id, randomBytes(16)), (e: unknown) => e instanceof SecretError && e.kind === 'bad-key');
});

test('truncated or unknown-version envelopes are refused by name', () => {
  const env = encryptSecret(kubeconfig, id, key);
  assert.throws(() => decryptSecret(env.subarray(0, 20), id, key), (e: unknown) => e instanceof SecretError && e.kind === 'bad-envelope' && /truncated/.test(e.message));
  assert.throws(() => decryptSecret(Buffer.alloc(0), id, key), (e: unknown) => e instanceof SecretError && e.kind === 'bad-envelope' && /truncated/.test(e.message));
  const v3 = Buffer.from(env);
  v3[0] = 3;
  assert.throws(() => decryptSecret(v3, id, key), (e: unknown) => e instanceof SecretError && /unknown format version 3/.test(e.message));
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
  bad(`${hex.slice(0, 62)}zz`, /decodes to 48 bytes/); // not hex, so read as base64
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

test('getSecretKey prefers QUORUM_SECRET_KEY, else the key file; a missing key is an error, never a new key', (t) => {
  const dir = tempDir(t);
  assert.deepEqual(getSecretKey(loadEnv({ QUORUM_DATA_DIR: dir, QUORUM_SECRET_KEY: key.toString('hex') })), key);
  assert.throws(() => statSync(path.join(dir, KEY_FILE_NAME)), /ENOENT/, 'no key file when the env key is set');
  const env = loadEnv({ QUORUM_DATA_DIR: dir });
  assert.equal(loadSecretKey(env), null);
  assert.throws(() => getSecretKey(env), (e: unknown) => e instanceof SecretError && e.kind === 'no-key' && e.message.includes(path.join(dir, KEY_FILE_NAME)));
  assert.throws(() => statSync(path.join(dir, KEY_FILE_NAME)), /ENOENT/, 'reading never creates a key');
  // Encrypting with credentials already stored: refused, still no key file.
  assert.throws(() => ensureSecretKey(env, true), (e: unknown) => e instanceof SecretError && e.kind === 'no-key' && /does not make a new one/.test(e.message));
  assert.throws(() => statSync(path.join(dir, KEY_FILE_NAME)), /ENOENT/);
  // Nothing stored yet: the key file is created (0600) and then used.
  const k = ensureSecretKey(env, false);
  assert.equal(statSync(path.join(dir, KEY_FILE_NAME)).mode & 0o777, 0o600);
  assert.deepEqual(getSecretKey(env), k);
});

test('PostgreSQL requires QUORUM_SECRET_KEY (no key file on one machine for a shared database)', (t) => {
  const dir = tempDir(t);
  const pgEnv = loadEnv({ QUORUM_DATA_DIR: dir, DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' });
  for (const fn of [() => loadSecretKey(pgEnv), () => getSecretKey(pgEnv), () => ensureSecretKey(pgEnv, false)]) {
    assert.throws(fn, (e: unknown) => e instanceof SecretError && e.kind === 'no-key' && /QUORUM_SECRET_KEY is required with PostgreSQL/.test(e.message));
  }
  assert.throws(() => statSync(path.join(dir, KEY_FILE_NAME)), /ENOENT/);
  assert.deepEqual(getSecretKey(loadEnv({ QUORUM_DATA_DIR: dir, DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', QUORUM_SECRET_KEY: key.toString('base64') })), key);
});
