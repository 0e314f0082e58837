// What the collector last knew: the cluster list of its last good listing and each cluster's
// credentials envelope, kept in memory and in <buffer folder>/known-clusters.json (0600, written
// atomically), so that while the database cannot answer — and after a restart while it still cannot —
// the collector keeps probing the clusters it knew. The credentials stay exactly as the database
// stores them: the AES-256-GCM envelope bound to the cluster id (lib/secrets.ts), never plaintext.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describeError } from '../errors';
import type { ClusterSummary } from '../types';

const FILE = 'known-clusters.json';
const VERSION = 1;

interface Envelope {
  /** The cluster's updatedAt when the envelope was read. */
  updatedAt: string;
  envelope: Uint8Array;
}

interface StoredFile {
  version: number;
  savedAt: string;
  clusters: ClusterSummary[];
  envelopes: Record<string, { updatedAt: string; envelope: string }>;
  /** PostgreSQL: the clusters this data folder's collector owned (absent: never known, or SQLite). */
  owned?: string[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Shallow shape check of a stored cluster (the file is ours, but disks and people edit files). */
function isCluster(v: unknown): v is ClusterSummary {
  return isObj(v) && typeof v.id === 'string' && typeof v.name === 'string' && typeof v.server === 'string' && typeof v.updatedAt === 'string' && isObj(v.settings) && isObj(v.labels);
}

export class KnownClusters {
  private list: ClusterSummary[] = [];
  private readonly envelopes = new Map<string, Envelope>();
  private listKey = '[]';
  private ownedIds: string[] | null = null;
  private dirty = false;

  private constructor(
    private readonly file: string | null,
    private readonly log: (line: Record<string, unknown>) => void,
  ) {}

  /** Loads `<dir>/known-clusters.json` (a missing or damaged file is an empty memory, logged); dir null: memory only. */
  static open(dir: string | null, log: (line: Record<string, unknown>) => void): KnownClusters {
    const k = new KnownClusters(dir === null ? null : path.join(dir, FILE), log);
    if (k.file) k.load();
    return k;
  }

  private load(): void {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file!, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log({ event: 'known-clusters-unreadable', file: this.file, error: describeError(e) });
      return;
    }
    if (!isObj(raw) || raw.version !== VERSION || !Array.isArray(raw.clusters) || !isObj(raw.envelopes)) {
      this.log({ event: 'known-clusters-unreadable', file: this.file, error: 'not a known-clusters file of this version' });
      return;
    }
    this.list = raw.clusters.filter(isCluster);
    if (Array.isArray(raw.owned)) this.ownedIds = raw.owned.filter((x): x is string => typeof x === 'string');
    this.listKey = JSON.stringify(this.list);
    for (const [id, v] of Object.entries(raw.envelopes)) {
      if (isObj(v) && typeof v.updatedAt === 'string' && typeof v.envelope === 'string') this.envelopes.set(id, { updatedAt: v.updatedAt, envelope: new Uint8Array(Buffer.from(v.envelope, 'base64')) });
    }
    this.log({ event: 'known-clusters-loaded', clusters: this.list.length, credentials: this.envelopes.size, savedAt: raw.savedAt });
  }

  /** The clusters of the last good listing (possibly from a previous run). */
  get clusters(): ClusterSummary[] {
    return this.list;
  }

  /** The stored envelope of a cluster, if one was ever read. */
  envelope(id: string): Envelope | undefined {
    return this.envelopes.get(id);
  }

  /** The clusters this folder's collector owned at its last ownership change (possibly in a previous run); null when never known. */
  get owned(): string[] | null {
    return this.ownedIds;
  }

  /** The owned set changed (persisted by the next persist()). */
  setOwned(ids: readonly string[]): void {
    const next = [...ids].sort();
    if (this.ownedIds && JSON.stringify(this.ownedIds) === JSON.stringify(next)) return;
    this.ownedIds = next;
    this.dirty = true;
  }

  /** A fresh listing from the database: remembered (persisted by the next persist() when it changed); envelopes of removed clusters are forgotten. */
  setClusters(list: ClusterSummary[]): void {
    const key = JSON.stringify(list);
    const live = new Set(list.map((c) => c.id));
    let changed = key !== this.listKey;
    for (const id of [...this.envelopes.keys()]) {
      if (!live.has(id)) {
        this.envelopes.delete(id);
        changed = true;
      }
    }
    this.list = list;
    this.listKey = key;
    if (changed) this.dirty = true;
  }

  /** A freshly read envelope: remembered (persisted by the next persist() when it differs). */
  setEnvelope(id: string, updatedAt: string, envelope: Uint8Array): void {
    const cur = this.envelopes.get(id);
    if (cur && cur.updatedAt === updatedAt && Buffer.from(cur.envelope).equals(Buffer.from(envelope))) return;
    this.envelopes.set(id, { updatedAt, envelope: new Uint8Array(envelope) });
    this.dirty = true;
  }

  /** Writes the file if anything changed since the last write (the collector calls this once per cycle). */
  persist(): void {
    if (!this.dirty || !this.file) return;
    this.dirty = false;
    const body: StoredFile = {
      version: VERSION,
      savedAt: new Date().toISOString(),
      clusters: this.list,
      envelopes: Object.fromEntries([...this.envelopes].map(([id, e]) => [id, { updatedAt: e.updatedAt, envelope: Buffer.from(e.envelope).toString('base64') }])),
      ...(this.ownedIds ? { owned: this.ownedIds } : {}),
    };
    const tmp = `${this.file}.tmp`;
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(body)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
    } catch (e) {
      // Not fatal: the memory copy still serves this run; try again next time.
      this.dirty = true;
      this.log({ event: 'known-clusters-save-failed', file: this.file, error: describeError(e) });
    }
  }
}
