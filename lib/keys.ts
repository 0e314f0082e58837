// Key checks at start and key rotation (`npm run quorum -- keys rotate`).
//
// At start (scripts/start.ts, the collector, the CLI, the web server's instrumentation hook), Quorum
// refuses to run — with a message saying what to do — when credentials are stored and
//   - no key is configured (QUORUM_SECRET_KEY unset and the key file missing): a new key would orphan
//     them, so none is made;
//   - the configured key decrypts none of them (a different key);
//   - PostgreSQL is used without QUORUM_SECRET_KEY.
// When only some clusters cannot be decrypted it starts; those clusters show "credentials cannot be
// decrypted" on the overview (getCredentialStates) and in their samples.
//
// Rotation re-encrypts every envelope in one transaction. With the key file (SQLite default) the new
// key is written to secret.key.next first and renamed over secret.key after the commit; a crash in
// between is finished by the next start (the .next key is the one that decrypts). With
// QUORUM_SECRET_KEY the new key comes from QUORUM_NEW_SECRET_KEY and the operator swaps it in.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, renameSync, writeSync, fsyncSync } from 'node:fs';
import { loadEnv, parseSecretKey, type QuorumEnv } from './env';
import { listCredentialEnvelopes, replaceCredentialEnvelopes } from './data/clusters';
import { listChannelEnvelopes } from './data/channels';
import { SecretError, decryptSecret, encryptSecret, envelopeKeyId, keyFilePath, keyId, loadSecretKey, readKeyFile } from './secrets';

export class KeyCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyCheckError';
  }
}

export interface KeyCheck {
  clusters: number;
  /** Notification channels with encrypted secrets (issue 11); their names are "channel NAME" in `undecryptable`. */
  channels: number;
  keyId: string | null;
  /** Clusters whose credentials the configured key cannot decrypt (names). */
  undecryptable: string[];
  /** A rotation interrupted after its commit was completed now. */
  finishedRotation: boolean;
}

const nextKeyPath = (dataDir: string): string => `${keyFilePath(dataDir)}.next`;

/** An encrypted envelope and the context it is bound to (a cluster id, or "alert-channel/<id>"). */
interface Envelope {
  id: string;
  name: string;
  credentials: Uint8Array;
  context?: string;
}

/** Every envelope under the key: the clusters' credentials and the notification channels' secrets. */
async function listAllEnvelopes(): Promise<{ clusters: Envelope[]; channels: Envelope[] }> {
  const [clusters, channels] = await Promise.all([listCredentialEnvelopes(), listChannelEnvelopes()]);
  return { clusters, channels };
}

function what(clusters: number, channels: number): string {
  return `${clusters} clusters' credentials${channels ? ` and ${channels} notification channels' secrets` : ''}`;
}

function tryDecryptAll(rows: readonly Envelope[], key: Buffer): string[] {
  const bad: string[] = [];
  for (const r of rows) {
    try {
      decryptSecret(r.credentials, r.context ?? r.id, key);
    } catch {
      bad.push(r.name);
    }
  }
  return bad;
}

/** Throws KeyCheckError (a sentence for the operator) when Quorum must not start. */
export async function checkKeysOnStart(env: QuorumEnv = loadEnv()): Promise<KeyCheck> {
  let key: Buffer | null;
  try {
    key = loadSecretKey(env);
  } catch (e) {
    throw new KeyCheckError(e instanceof Error ? e.message : String(e));
  }
  const all = await listAllEnvelopes();
  const rows = [...all.clusters, ...all.channels];
  const counts = { clusters: all.clusters.length, channels: all.channels.length };
  if (rows.length === 0) return { ...counts, keyId: key ? keyId(key) : null, undecryptable: [], finishedRotation: false };
  const storedIds = [...new Set(rows.map((r) => envelopeKeyId(r.credentials) ?? 'v1 (no key id)'))].join(', ');
  if (!key) {
    throw new KeyCheckError(
      `${counts.channels ? `${what(counts.clusters, counts.channels)} are encrypted` : `${rows.length} cluster(s) have encrypted credentials`} (key id ${storedIds}) but no key is configured: QUORUM_SECRET_KEY is not set and ${keyFilePath(env.dataDir)} does not exist. Restore the key file or set QUORUM_SECRET_KEY; Quorum does not create a new key while credentials exist.`,
    );
  }
  let bad = tryDecryptAll(rows, key);
  let finishedRotation = false;
  if (bad.length === rows.length && !env.secretKey && existsSync(nextKeyPath(env.dataDir))) {
    // An interrupted rotation: the transaction committed with the next key, the rename did not happen.
    const next = readNextKey(env.dataDir);
    if (next && tryDecryptAll(rows, next).length === 0) {
      renameSync(nextKeyPath(env.dataDir), keyFilePath(env.dataDir));
      key = next;
      bad = [];
      finishedRotation = true;
    }
  }
  if (bad.length === rows.length) {
    throw new KeyCheckError(
      `the configured key (id ${keyId(key)}) decrypts none of the ${what(counts.clusters, counts.channels)} (they name key id ${storedIds}). Set QUORUM_SECRET_KEY / restore ${keyFilePath(env.dataDir)} to the key they were encrypted with; Quorum will not start with a different key.`,
    );
  }
  return { ...counts, keyId: keyId(key), undecryptable: bad, finishedRotation };
}

function readNextKey(dataDir: string): Buffer | null {
  try {
    return readKeyFile(nextKeyPath(dataDir));
  } catch {
    return null;
  }
}

export interface RotateResult {
  clusters: number;
  channels: number;
  fromKeyId: string;
  toKeyId: string;
  /** Where the new key is: "secret.key" (already in place) or "QUORUM_NEW_SECRET_KEY" (swap it in). */
  newKeyAt: string;
}

/**
 * Re-encrypts every cluster's credentials with a new key. Refuses when any cannot be decrypted with
 * the current key (nothing is lost). `newKeyText`: the new key (QUORUM_NEW_SECRET_KEY); required when
 * QUORUM_SECRET_KEY is in use, else a new key file is generated.
 */
export async function rotateKeys(opts: { newKeyText?: string; env?: QuorumEnv } = {}): Promise<RotateResult> {
  const env = opts.env ?? loadEnv();
  const current = loadSecretKey(env);
  const all = await listAllEnvelopes();
  const rows = [...all.clusters, ...all.channels];
  if (!current) {
    if (rows.length > 0) throw new KeyCheckError('no current key is configured, so the stored credentials cannot be re-encrypted');
    throw new KeyCheckError('nothing to rotate: no key and no stored credentials yet');
  }
  const bad = tryDecryptAll(rows, current);
  if (bad.length > 0) throw new KeyCheckError(`the current key cannot decrypt the credentials of ${bad.join(', ')}; rotation would lose them. Remove or re-register those clusters first.`);
  let next: Buffer;
  if (env.secretKey) {
    const parsed = parseSecretKey(opts.newKeyText);
    if (!parsed) throw new KeyCheckError('QUORUM_SECRET_KEY is set: give the new key as QUORUM_NEW_SECRET_KEY (32 bytes, base64 or hex), then set QUORUM_SECRET_KEY to it on every Quorum process');
    next = parsed;
  } else {
    next = opts.newKeyText ? (parseSecretKey(opts.newKeyText) ?? randomBytes(32)) : randomBytes(32);
  }
  if (keyId(next) === keyId(current)) throw new KeyCheckError('the new key is the current key');
  const reseal = (r: Envelope): { id: string; credentials: Uint8Array<ArrayBuffer> } => {
    const context = r.context ?? r.id;
    return { id: r.id, credentials: new Uint8Array(encryptSecret(decryptSecret(r.credentials, context, current), context, next)) };
  };
  const envelopes = all.clusters.map(reseal);
  const channelEnvelopes = all.channels.map(reseal);
  if (!env.secretKey) {
    const file = nextKeyPath(env.dataDir);
    const fd = openSync(file, 'w', 0o600);
    try {
      writeSync(fd, `${next.toString('base64')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  try {
    await replaceCredentialEnvelopes(envelopes, channelEnvelopes);
  } catch (e) {
    throw e instanceof SecretError ? new KeyCheckError(e.message) : e;
  }
  if (!env.secretKey) renameSync(nextKeyPath(env.dataDir), keyFilePath(env.dataDir));
  return { clusters: all.clusters.length, channels: all.channels.length, fromKeyId: keyId(current), toKeyId: keyId(next), newKeyAt: env.secretKey ? 'QUORUM_NEW_SECRET_KEY' : keyFilePath(env.dataDir) };
}

export type CredentialState = { ok: true } | { ok: false; reason: string };

/**
 * Per cluster, whether its envelope names the configured key — without decrypting anything (the web
 * app's overview calls this on every render). v1 envelopes carry no key id and read as ok here; the
 * collector's samples still report one that fails (errorClass credentials-undecryptable).
 */
export async function getCredentialStates(env: QuorumEnv = loadEnv()): Promise<Map<string, CredentialState>> {
  const out = new Map<string, CredentialState>();
  let current: string | null;
  try {
    const key = loadSecretKey(env);
    current = key ? keyId(key) : null;
  } catch {
    current = null;
  }
  for (const r of await listCredentialEnvelopes()) {
    const kid = envelopeKeyId(r.credentials);
    if (current === null) out.set(r.id, { ok: false, reason: 'credentials cannot be decrypted: no key is configured (QUORUM_SECRET_KEY / secret.key)' });
    else if (kid !== null && kid !== current) out.set(r.id, { ok: false, reason: `credentials cannot be decrypted: encrypted with key ${kid}, the configured key is ${current}` });
    else out.set(r.id, { ok: true });
  }
  return out;
}
