// Notification channels: server-only reads and writes. Everything that may carry a secret is in one
// AES-256-GCM envelope per channel (lib/secrets.ts, bound to "alert-channel/<id>"), encrypted with
// the same key as the clusters' credentials; lists and the API only ever show the channel's
// scheme://host. Every URL passes the outbound policy before it is stored (422 outbound-denied).
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { classifyDbError, DbError, withDb } from '../db';
import type { AlertChannelRow } from '../db/alert-delegates';
import { loadEnv } from '../env';
import { QuorumError } from '../errors';
import { outboundPolicy } from '../net/outbound';
import { SecretError, decryptSecret, encryptSecret, ensureSecretKey, getSecretKey } from '../secrets';
import { ChannelSecretInput, ChannelSettingsInput, displayTargets, parseChannelSettings, type ChannelKind, type ChannelSecret, type ChannelSettings } from '../alerts/channels';

export interface ChannelView {
  id: string;
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  settings: ChannelSettings;
  /** scheme://host[:port] of each URL, never the path or a secret. */
  target: string;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  /** What the secret holds, without the values: which optional parts are set. */
  has: { bearerToken: boolean; hmacSecret: boolean; urls: number };
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

const secretContext = (channelId: string): string => `alert-channel/${channelId}`;

function validateChannelName(name: unknown): string {
  const n = typeof name === 'string' ? name.trim() : '';
  if (!NAME_RE.test(n)) throw new QuorumError('invalid-input', `channel name "${String(name).slice(0, 80)}" must be 1–64 letters, digits, space, ".", "_" or "-", starting with a letter or digit`);
  return n;
}

function issueText(e: z.ZodError, prefix: string): string {
  const i = e.issues[0];
  return `${prefix}${i?.path.length ? `${i.path.join('.')}: ` : ''}${i?.message ?? 'invalid'}`;
}

/** Validates a channel's secret part for its kind, and every URL against the outbound policy. */
function validateSecret(kind: ChannelKind, raw: unknown): ChannelSecret {
  const schema = ChannelSecretInput[kind];
  const p = schema.safeParse(raw);
  if (!p.success) throw new QuorumError('invalid-input', issueText(p.error, ''));
  const secret = { kind, ...p.data } as ChannelSecret;
  const policy = outboundPolicy();
  const urls = secret.kind === 'alertmanager' ? secret.urls : [secret.url];
  for (const u of urls) policy.checkUrl(u, 'notification channel'); // throws QuorumError outbound-denied (422)
  if (new Set(urls).size !== urls.length) throw new QuorumError('invalid-input', 'the same URL is listed twice');
  return secret;
}

function validateSettingsInput(raw: unknown): Partial<ChannelSettings> {
  const p = ChannelSettingsInput.safeParse(raw ?? {});
  if (!p.success) throw new QuorumError('invalid-input', issueText(p.error, 'settings.'));
  return p.data;
}

function toView(r: AlertChannelRow, secret: ChannelSecret | null): ChannelView {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    enabled: r.enabled,
    settings: parseChannelSettings(r.settings),
    target: r.targetDisplay,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    createdBy: r.createdBy,
    has: {
      bearerToken: secret !== null && secret.kind !== 'slack' && Boolean(secret.bearerToken),
      hmacSecret: secret?.kind === 'webhook',
      urls: secret ? (secret.kind === 'alertmanager' ? secret.urls.length : 1) : 0,
    },
  };
}

/** Decrypts a channel's envelope. A wrong key is classified (credentials-undecryptable), never a crash. */
export function openChannelSecret(r: Pick<AlertChannelRow, 'id' | 'kind' | 'secret'>, key: Buffer = getSecretKey()): ChannelSecret {
  let text: string;
  try {
    text = decryptSecret(r.secret, secretContext(r.id), key);
  } catch (e) {
    if (e instanceof SecretError) throw new QuorumError('credentials-undecryptable', `the channel's secrets cannot be decrypted: ${e.message}`, { cause: e });
    throw e;
  }
  return { kind: r.kind, ...(JSON.parse(text) as object) } as ChannelSecret;
}

function sealSecret(id: string, secret: ChannelSecret, key: Buffer): Uint8Array<ArrayBuffer> {
  const { kind: _kind, ...rest } = secret;
  return new Uint8Array(encryptSecret(JSON.stringify(rest), secretContext(id), key));
}

async function anyEnvelopeStored(): Promise<boolean> {
  return withDb(async (db) => (await db.prisma.cluster.count()) + (await db.prisma.alertChannel.count()) > 0);
}

function safeView(r: AlertChannelRow): ChannelView {
  let secret: ChannelSecret | null = null;
  try {
    secret = openChannelSecret(r);
  } catch {
    secret = null;
  }
  return toView(r, secret);
}

export async function listChannels(): Promise<ChannelView[]> {
  const rows = await withDb((db) => db.prisma.alertChannel.findMany({ orderBy: { name: 'asc' } }));
  return rows.map(safeView);
}

async function findRow(idOrName: string): Promise<AlertChannelRow | null> {
  if (typeof idOrName !== 'string' || idOrName === '' || idOrName.length > 200) return null;
  return withDb(async (db) => (await db.prisma.alertChannel.findUnique({ where: { id: idOrName } })) ?? (await db.prisma.alertChannel.findUnique({ where: { name: idOrName } })));
}

export async function getChannel(idOrName: string): Promise<ChannelView | null> {
  const r = await findRow(idOrName);
  return r ? safeView(r) : null;
}

export interface ChannelInput {
  name: string;
  kind: ChannelKind;
  enabled?: boolean;
  settings?: unknown;
  secret: unknown;
  createdBy?: string | null;
}

export async function createChannel(input: ChannelInput): Promise<ChannelView> {
  const name = validateChannelName(input.name);
  const secret = validateSecret(input.kind, input.secret);
  const settings = { ...parseChannelSettings('{}'), ...validateSettingsInput(input.settings) };
  const id = randomUUID();
  const key = ensureSecretKey(loadEnv(), await anyEnvelopeStored());
  try {
    const row = await withDb((db) =>
      db.prisma.alertChannel.create({
        data: { id, name, kind: input.kind, enabled: input.enabled ?? true, settings: JSON.stringify(settings), targetDisplay: displayTargets(secret), secret: sealSecret(id, secret, key), createdBy: input.createdBy ?? null },
      }),
    );
    return toView(row, secret);
  } catch (e) {
    const err = classifyDbError(e);
    if (err.kind === 'conflict') throw new DbError('conflict', `a channel named "${name}" already exists`, { cause: e, code: 'P2002' });
    throw err;
  }
}

export interface ChannelPatch {
  name?: string;
  enabled?: boolean;
  settings?: unknown;
  /** Merged over the stored secret field by field (omit a field to keep it; bearerToken "" removes it). */
  secret?: Record<string, unknown>;
}

/** Updates a channel; returns before/after views (for the audit log), or null when there is none. */
export async function updateChannel(idOrName: string, patch: ChannelPatch): Promise<{ before: ChannelView; after: ChannelView } | null> {
  const row = await findRow(idOrName);
  if (!row) return null;
  const before = safeView(row);
  const key = getSecretKey();
  let secret: ChannelSecret | null = null;
  if (patch.secret !== undefined) {
    const current = openChannelSecret(row, key);
    const { kind: _k, ...stored } = current;
    const merged: Record<string, unknown> = { ...stored, ...patch.secret };
    if (merged.bearerToken === '') delete merged.bearerToken;
    secret = validateSecret(row.kind, merged);
  }
  const settings = patch.settings !== undefined ? { ...parseChannelSettings(row.settings), ...validateSettingsInput(patch.settings) } : null;
  try {
    const updated = await withDb((db) =>
      db.prisma.alertChannel.update({
        where: { id: row.id },
        data: {
          ...(patch.name !== undefined ? { name: validateChannelName(patch.name) } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          ...(settings ? { settings: JSON.stringify(settings) } : {}),
          ...(secret ? { secret: sealSecret(row.id, secret, key), targetDisplay: displayTargets(secret) } : {}),
        },
      }),
    );
    return { before, after: safeView(updated) };
  } catch (e) {
    const err = classifyDbError(e);
    if (err.kind === 'conflict') throw new DbError('conflict', `a channel named "${String(patch.name)}" already exists`, { cause: e, code: 'P2002' });
    throw err;
  }
}

export async function removeChannel(idOrName: string): Promise<ChannelView | null> {
  const row = await findRow(idOrName);
  if (!row) return null;
  await withDb((db) => db.prisma.alertChannel.deleteMany({ where: { id: row.id } }));
  return safeView(row);
}

/** An enabled channel with its secret opened, for the dispatcher (never leaves lib/). */
export interface OpenChannel {
  id: string;
  name: string;
  kind: ChannelKind;
  settings: ChannelSettings;
  secret: ChannelSecret | null;
  /** Why the secret could not be opened. */
  secretError: string | null;
}

export async function loadOpenChannels(opts: { includeDisabled?: boolean; id?: string } = {}): Promise<OpenChannel[]> {
  const rows = await withDb((db) => db.prisma.alertChannel.findMany({ orderBy: { name: 'asc' }, ...(opts.includeDisabled ? {} : { where: { enabled: true } }) }));
  let key: Buffer | null = null;
  let keyError: string | null = null;
  try {
    key = getSecretKey();
  } catch (e) {
    keyError = e instanceof Error ? e.message : String(e);
  }
  return rows
    .filter((r) => opts.id === undefined || r.id === opts.id)
    .map((r) => {
      let secret: ChannelSecret | null = null;
      let secretError = keyError;
      if (key) {
        try {
          secret = openChannelSecret(r, key);
        } catch (e) {
          secretError = e instanceof Error ? e.message : String(e);
        }
      }
      return { id: r.id, name: r.name, kind: r.kind, settings: parseChannelSettings(r.settings), secret, secretError };
    });
}

/** Every channel's envelope (key checks and rotation only). */
export async function listChannelEnvelopes(): Promise<Array<{ id: string; name: string; credentials: Uint8Array; context: string }>> {
  const rows = await withDb((db) => db.prisma.alertChannel.findMany({ orderBy: { name: 'asc' } }));
  return rows.map((r) => ({ id: r.id, name: `channel ${r.name}`, credentials: r.secret, context: secretContext(r.id) }));
}
