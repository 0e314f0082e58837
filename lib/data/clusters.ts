// Cluster settings: server-only reads and writes. Returns plain ClusterSummary objects (never Prisma
// models, never credentials); only loadClusterKubeconfig decrypts, for the collector.
import { randomUUID } from 'node:crypto';
import { DbError, classifyDbError, withDb, type ClusterRow } from '../db';
import { QuorumError } from '../errors';
import { decodeCredentials, encodeCredentials, type StoredCredentials } from '../clusters/credentials';
import type { EtcdTarget } from '../etcd/client';
import { SecretError, decryptSecret, encryptSecret, ensureSecretKey, getSecretKey } from '../secrets';
import { loadEnv } from '../env';
import { assertSettingsAllowed, parseSettingsJson, validateSettings } from '../clusters/settings';
import type { ClusterSettings, ClusterSummary } from '../types';

export interface CreateClusterInput {
  name: string;
  /** API server URL of the chosen context. */
  server: string;
  context: string;
  labels: Record<string, string>;
  /** Extra Leases and DNS servers to probe (validated again here). */
  settings?: Partial<ClusterSettings>;
  /** Minimal self-contained kubeconfig; stored only as an AES-256-GCM envelope. */
  kubeconfigYaml: string;
  /** etcd client endpoints (and TLS material), stored inside the same envelope. */
  etcd?: EtcdTarget;
}

type ClusterPublicRow = Omit<ClusterRow, 'credentials'>;

/** Labels are stored as JSON text; anything that is not an object of strings reads as {}. */
function parseLabelsJson(text: string): Record<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') out[k] = v;
  return out;
}

function toSummary(r: ClusterPublicRow): ClusterSummary {
  return {
    id: r.id,
    name: r.name,
    server: r.server,
    context: r.context,
    labels: parseLabelsJson(r.labels),
    settings: parseSettingsJson(r.settings),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function requireText(field: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw new QuorumError('invalid-input', `cluster ${field} must be a non-empty string`);
  return v.trim();
}

const OMIT = { credentials: true } as const;

/** Stores a new cluster with its kubeconfig encrypted under its own id. Name taken → DbError 'conflict'. */
export async function createCluster(input: CreateClusterInput): Promise<ClusterSummary> {
  const name = requireText('name', input.name);
  const server = requireText('server', input.server);
  const context = requireText('context', input.context);
  const kubeconfig = input.kubeconfigYaml;
  requireText('kubeconfig', kubeconfig); // stored byte for byte, not trimmed
  for (const [k, v] of Object.entries(input.labels)) {
    if (typeof v !== 'string') throw new QuorumError('invalid-input', `label "${k}" must have a string value`);
  }
  const settings = assertSettingsAllowed(validateSettings(input.settings ?? {}));
  const id = randomUUID();
  // The key file may be created only while no credentials exist (lib/secrets.ts ensureSecretKey).
  // Notification channels' secrets (issue 11) are under the same key: they count as stored too.
  const stored = (await withDb(async (db) => (await db.prisma.cluster.count()) + (await db.prisma.alertChannel.count()))) > 0;
  const credentials = new Uint8Array(encryptSecret(encodeCredentials({ kubeconfig, ...(input.etcd ? { etcd: input.etcd } : {}) }), id, ensureSecretKey(loadEnv(), stored)));
  try {
    const row = await withDb((db) =>
      db.prisma.cluster.create({ data: { id, name, server, context, labels: JSON.stringify(input.labels), settings: JSON.stringify(settings), credentials }, omit: OMIT }),
    );
    return toSummary(row);
  } catch (e) {
    const err = classifyDbError(e);
    if (err.kind === 'conflict') throw new DbError('conflict', `a cluster named "${name}" already exists`, { cause: e, code: 'P2002' });
    throw err;
  }
}

/** All clusters, by name. */
export async function listClusters(): Promise<ClusterSummary[]> {
  const rows = await withDb((db) => db.prisma.cluster.findMany({ orderBy: { name: 'asc' }, omit: OMIT }));
  return rows.map(toSummary);
}

/** By id or by name (ids are UUIDs, names never look like one; both are unique). */
export async function getCluster(idOrName: string): Promise<ClusterSummary | null> {
  if (typeof idOrName !== 'string' || idOrName === '') return null;
  const row = await withDb((db) => db.prisma.cluster.findFirst({ where: { OR: [{ id: idOrName }, { name: idOrName }] }, omit: OMIT }));
  return row ? toSummary(row) : null;
}

/**
 * Replaces a cluster's probe settings (the fields given; others kept). Returns the updated cluster,
 * or null when none matched. The collector picks the change up on its next cycle (updatedAt moves).
 */
export async function updateClusterSettings(idOrName: string, patch: { leases?: unknown; dnsServers?: unknown }): Promise<ClusterSummary | null> {
  const current = await getCluster(idOrName);
  if (!current) return null;
  const next = assertSettingsAllowed(validateSettings({ leases: patch.leases ?? current.settings.leases, dnsServers: patch.dnsServers ?? current.settings.dnsServers }));
  const row = await withDb((db) => db.prisma.cluster.update({ where: { id: current.id }, data: { settings: JSON.stringify(next) }, omit: OMIT }));
  return toSummary(row);
}

/** Replaces a cluster's labels (already validated by lib/clusters/register parseLabels). Null when none matched. */
export async function updateClusterLabels(idOrName: string, labels: Record<string, string>): Promise<ClusterSummary | null> {
  const current = await getCluster(idOrName);
  if (!current) return null;
  for (const [k, v] of Object.entries(labels)) {
    if (typeof v !== 'string') throw new QuorumError('invalid-input', `label "${k}" must have a string value`);
  }
  const row = await withDb((db) => db.prisma.cluster.update({ where: { id: current.id }, data: { labels: JSON.stringify(labels) }, omit: OMIT }));
  return toSummary(row);
}

/** Deletes the cluster and (cascade) its samples. False when nothing matched. */
export async function removeCluster(idOrName: string): Promise<boolean> {
  if (typeof idOrName !== 'string' || idOrName === '') return false;
  const { count } = await withDb((db) => db.prisma.cluster.deleteMany({ where: { OR: [{ id: idOrName }, { name: idOrName }] } }));
  return count > 0;
}

/** The decrypted kubeconfig of a cluster. For the collector only: never send it anywhere else. */
export async function loadClusterKubeconfig(id: string): Promise<string> {
  return (await loadClusterCredentials(id)).kubeconfig;
}

/** The decrypted kubeconfig and etcd endpoints/TLS material of a cluster. For the collector only. */
export async function loadClusterCredentials(id: string): Promise<StoredCredentials> {
  return openClusterEnvelope(id, await loadClusterEnvelope(id));
}

/**
 * The cluster's credentials exactly as stored: the AES-256-GCM envelope, still encrypted (bound to
 * the cluster id). The collector keeps this — never plaintext — on disk, so it can probe what it
 * last knew while the database cannot answer.
 */
export async function loadClusterEnvelope(id: string): Promise<Uint8Array> {
  const row = await withDb((db) => db.prisma.cluster.findUnique({ where: { id } }));
  if (!row) throw new QuorumError('invalid-input', `no cluster with id "${id}"`);
  return row.credentials;
}

/** Decrypts an envelope from loadClusterEnvelope (QuorumError `credentials-undecryptable` when the key or the envelope is wrong). */
export function openClusterEnvelope(id: string, envelope: Uint8Array): StoredCredentials {
  try {
    return decodeCredentials(decryptSecret(envelope, id, getSecretKey()));
  } catch (e) {
    // Classified, so the collector's samples (and the overview) say what is wrong with this cluster.
    if (e instanceof SecretError) throw new QuorumError('credentials-undecryptable', `credentials cannot be decrypted: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Every cluster's encrypted envelope (for key checks and rotation only; never leaves lib/). */
export async function listCredentialEnvelopes(): Promise<Array<{ id: string; name: string; credentials: Uint8Array }>> {
  return withDb((db) => db.clusterEnvelopes.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, credentials: true } }));
}

/**
 * Replaces every cluster's envelope — and every notification channel's (issue 11), under the same
 * key — in one transaction (key rotation). All or nothing.
 */
export async function replaceCredentialEnvelopes(
  envelopes: ReadonlyArray<{ id: string; credentials: Uint8Array<ArrayBuffer> }>,
  channelEnvelopes: ReadonlyArray<{ id: string; credentials: Uint8Array<ArrayBuffer> }> = [],
): Promise<number> {
  await withDb((db) =>
    db.transaction(async (tx) => {
      for (const e of envelopes) await tx.cluster.update({ where: { id: e.id }, data: { credentials: e.credentials }, omit: OMIT });
      for (const e of channelEnvelopes) await tx.alertChannel.update({ where: { id: e.id }, data: { secret: e.credentials } });
    }),
  );
  return envelopes.length;
}

/**
 * Replaces a cluster's kubeconfig (etcd settings kept), encrypted under its id like at creation. The
 * collectors rebuild their connections on their next cycle (updatedAt moves). Null when none matched.
 */
export async function replaceClusterKubeconfig(id: string, kubeconfigYaml: string): Promise<ClusterSummary | null> {
  requireText('kubeconfig', kubeconfigYaml);
  return withDb((db) =>
    db.transaction(async (tx) => {
      const row = await tx.cluster.findUnique({ where: { id } });
      if (!row) return null;
      const key = getSecretKey();
      const current = decodeCredentials(decryptSecret(row.credentials, id, key));
      const credentials = new Uint8Array(encryptSecret(encodeCredentials({ ...current, kubeconfig: kubeconfigYaml }), id, key));
      return toSummary(await tx.cluster.update({ where: { id }, data: { credentials }, omit: OMIT }));
    }),
  );
}
