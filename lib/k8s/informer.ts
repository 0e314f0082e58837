// Informer-style list + watch of one Kubernetes collection, the way client-go's reflector does it:
//
// - (re)list: a streaming list (a watch with sendInitialEvents=true, resourceVersionMatch=NotOlderThan:
//   the apiserver streams every object from its watch cache, then a bookmark marks the end), or, where
//   the server refuses that (WatchList disabled, or older than 1.27), a paginated list (limit=500;
//   without a resourceVersion it is a consistent read, served from the watch cache on 1.31+);
// - then a watch from the list's resourceVersion with bookmarks; after a drop it resumes from the last
//   resourceVersion it saw (no relist); on 410 Gone (the version left the apiserver's window, e.g. after
//   a compaction or an apiserver restart) it relists;
// - every retry waits per the one backoff policy (lib/deadline.ts, WATCH_RETRY);
// - no answer is truncated: a list page over its cap or one object over the line cap is `too-large`.
//
// `runListWatch` delivers raw events (the Lease watch folds them itself); `startInformer` keeps a
// store of projected objects (only the fields a consumer needs) with a bounded object budget.
import { Backoff, WATCH_RETRY, pause } from '../deadline';
import { QuorumError, describeError } from '../errors';
import type { ErrorClass } from '../types';
import { K8sStatusError, type K8sConnection } from './client';
import { getJson } from './json';

export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> | null } | null;
}

export type ListWatchEvent =
  /** A (re)list starts: everything LISTED until SYNCED is the complete current state. */
  | { type: 'RELIST'; mode: ListMode; at: number }
  | { type: 'LISTED'; object: KubeObject; at: number }
  /** The (re)list is complete; `items` objects were listed. Live events follow. */
  | { type: 'SYNCED'; resourceVersion: string; items: number; mode: ListMode; at: number }
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; at: number }
  /** A dropped watch was re-established from the last resourceVersion (the server answered 200): no relist needed. */
  | { type: 'RESUMED'; resourceVersion: string; at: number }
  /** The list or watch failed; retried after a backoff (`gone`: 410, the next attempt relists). */
  | { type: 'DOWN'; error: QuorumError; gone: boolean; at: number; retryInMs: number };

export type ListMode = 'stream' | 'list';

export interface ListWatchOptions {
  /** Collection path, e.g. /api/v1/pods or /apis/discovery.k8s.io/v1/namespaces/default/endpointslices. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  signal: AbortSignal;
  /** May throw a QuorumError (e.g. `too-large` from an object budget): that attempt ends as DOWN. */
  onEvent: (e: ListWatchEvent) => void;
  /** 'auto' (default): streaming list, falling back to a paginated list if the server refuses it. */
  mode?: 'auto' | ListMode;
  /** Objects per list page (paginated mode). */
  pageLimit?: number;
  /** Cap of one list page's body. */
  pageMaxBytes?: number;
  /** Per list page, and until a watch's response headers arrive. */
  timeoutMs?: number;
  /** A watch that delivers nothing (not even a bookmark, sent about once a minute) for this long is presumed dead. */
  idleTimeoutMs?: number;
  /** Server-side watch timeout, drawn between these (s), so many watches never expire together. */
  watchSeconds?: [number, number];
  /** How long to wait after a `too-large` failure before trying again. */
  tooLargeRetryMs?: number;
  backoff?: Backoff;
  now?: () => number;
  random?: () => number;
  onLog?: (line: Record<string, unknown>) => void;
}

const LIST_PAGE_LIMIT = 500;
const LIST_PAGE_MAX_BYTES = 64 * 1024 * 1024;
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

const isGone = (e: unknown): boolean => e instanceof K8sStatusError && e.httpStatus === 410;
/** The server does not accept a streaming list (WatchList off: 422 Invalid; very old servers: 400). */
const refusesStreaming = (e: unknown): boolean => e instanceof K8sStatusError && (e.httpStatus === 422 || e.httpStatus === 400);

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  return q.toString();
}

interface ListPage {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[];
}

/**
 * A paginated list (limit per page, continue tokens, every page under `pageMaxBytes`). Without a
 * resourceVersion this is a consistent read (from the watch cache on 1.31+ apiservers).
 * Calls `onItem` per object; returns the list's resourceVersion.
 */
export async function listPages(
  conn: K8sConnection,
  o: { path: string; labelSelector?: string; fieldSelector?: string; signal: AbortSignal; timeoutMs: number; pageLimit?: number; pageMaxBytes?: number },
  onItem: (item: KubeObject) => void,
): Promise<{ resourceVersion: string; items: number }> {
  let cont: string | undefined;
  let resourceVersion = '';
  let items = 0;
  do {
    const q = query({ limit: String(o.pageLimit ?? LIST_PAGE_LIMIT), continue: cont, labelSelector: o.labelSelector, fieldSelector: o.fieldSelector });
    const page = await getJson<ListPage>(conn, `${o.path}?${q}`, { timeoutMs: o.timeoutMs, signal: o.signal, maxBodyBytes: o.pageMaxBytes ?? LIST_PAGE_MAX_BYTES });
    for (const item of page.items ?? []) {
      items += 1;
      onItem(item);
    }
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return { resourceVersion, items };
}

interface WatchLine {
  type?: string;
  object?: KubeObject & { code?: number; message?: string; reason?: string };
}

/** Runs until `signal` aborts; never rejects. */
export async function runListWatch(conn: K8sConnection, o: ListWatchOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const backoff = o.backoff ?? new Backoff(WATCH_RETRY, random);
  const timeoutMs = o.timeoutMs ?? 30_000;
  const [minWatch, maxWatch] = o.watchSeconds ?? [240, 480];
  let mode: ListMode = o.mode === 'list' ? 'list' : 'stream';
  let resourceVersion: string | null = null;
  const selectors = { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector };

  /** One watch connection. `initial`: a streaming list (LISTED until the initial-events-end bookmark). */
  const watch = async (from: string | null, initial: boolean): Promise<void> => {
    let listed = 0;
    let syncing = initial;
    const q = query({
      watch: '1',
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(Math.round(minWatch + (maxWatch - minWatch) * random())),
      ...(initial ? { sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan' } : {}),
      resourceVersion: from ?? undefined,
      ...selectors,
    });
    const onOpen = initial || from === null ? undefined : (): void => o.onEvent({ type: 'RESUMED', resourceVersion: from, at: now() });
    await conn.stream(`${o.path}?${q}`, { signal: o.signal, timeoutMs, idleTimeoutMs: o.idleTimeoutMs ?? 90_000, ...(onOpen ? { onOpen } : {}) }, (line) => {
      let ev: WatchLine;
      try {
        ev = JSON.parse(line) as WatchLine;
      } catch {
        throw new QuorumError('not-kubernetes', `watch ${o.path} sent a line that is not JSON`);
      }
      const at = now();
      const obj = ev.object ?? {};
      if (ev.type === 'ERROR') {
        const code = obj.code ?? 0;
        throw new K8sStatusError(code, o.path, `watch ${o.path}: ${code} ${obj.reason ?? ''} ${obj.message ?? ''}`.trim());
      }
      const rv = obj.metadata?.resourceVersion;
      backoff.reset();
      if (ev.type === 'BOOKMARK') {
        if (rv) resourceVersion = rv;
        if (syncing && obj.metadata?.annotations?.[INITIAL_EVENTS_END] === 'true') {
          syncing = false;
          o.onEvent({ type: 'SYNCED', resourceVersion: rv ?? '', items: listed, mode: 'stream', at });
        }
        return;
      }
      if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') return;
      if (syncing) {
        // During the initial events the stream's own resourceVersion is not yet a resumable point.
        listed += 1;
        o.onEvent({ type: 'LISTED', object: obj, at });
        return;
      }
      if (rv) resourceVersion = rv;
      o.onEvent({ type: ev.type, object: obj, at });
    });
    if (syncing) {
      // Ended before the initial-events-end bookmark: what we have is partial, list again.
      resourceVersion = null;
      throw new QuorumError('unreachable', `watch ${o.path} ended before its initial list was complete`);
    }
  };

  while (!o.signal.aborted) {
    try {
      if (resourceVersion === null) {
        o.onEvent({ type: 'RELIST', mode, at: now() });
        if (mode === 'stream') {
          try {
            await watch(null, true);
            continue; // server closed the watch normally: resume from resourceVersion
          } catch (e) {
            if (!refusesStreaming(e) || o.mode === 'stream') throw e;
            mode = 'list';
            // Refused before any object was sent: the RELIST above still stands.
            o.onLog?.({ event: 'watch-list-unsupported', path: o.path, error: describeError(e), fallback: 'paginated list' });
          }
        }
        const r = await listPages(conn, { path: o.path, ...selectors, signal: o.signal, timeoutMs, ...(o.pageLimit ? { pageLimit: o.pageLimit } : {}), ...(o.pageMaxBytes ? { pageMaxBytes: o.pageMaxBytes } : {}) }, (item) =>
          o.onEvent({ type: 'LISTED', object: item, at: now() }),
        );
        resourceVersion = r.resourceVersion;
        backoff.reset();
        o.onEvent({ type: 'SYNCED', resourceVersion: r.resourceVersion, items: r.items, mode: 'list', at: now() });
      }
      await watch(resourceVersion, false);
    } catch (e) {
      if (o.signal.aborted) break;
      const gone = isGone(e);
      if (gone) {
        // The server answered: it is there, only our resourceVersion is too old. Relist promptly.
        resourceVersion = null;
        backoff.reset();
      }
      const error = e instanceof QuorumError ? e : new QuorumError('internal', describeError(e), { cause: e });
      const retryInMs = error.errorClass === 'too-large' ? (o.tooLargeRetryMs ?? 10 * 60_000) : backoff.next();
      if (error.errorClass === 'too-large') resourceVersion = null;
      try {
        o.onEvent({ type: 'DOWN', error, gone, at: now(), retryInMs });
      } catch (handlerError) {
        o.onLog?.({ event: 'watch-handler-error', path: o.path, error: describeError(handlerError) });
      }
      await pause(retryInMs, o.signal, { ref: false }); // a background retry never keeps the process alive
    }
  }
}

/** A cap on the objects several informers of one cluster may hold together. */
export class ObjectBudget {
  private readonly members = new Set<() => number>();
  constructor(
    readonly limit: number,
    /** Names the setting in messages, e.g. QUORUM_CLUSTER_OBJECT_LIMIT. */
    readonly setting: string,
  ) {}
  join(count: () => number): () => void {
    this.members.add(count);
    return () => this.members.delete(count);
  }
  total(): number {
    let n = 0;
    for (const c of this.members) n += c();
    return n;
  }
}

export type InformerPhase = 'syncing' | 'synced' | 'down' | 'too-large';

export interface InformerState {
  phase: InformerPhase;
  /** The store holds a complete list (possibly stale while `phase` is down). */
  everSynced: boolean;
  syncedAt: number | null;
  /** Since when the watch is not delivering (null while it is). */
  downSince: number | null;
  reason: string | null;
  errorClass: ErrorClass | null;
  /** Objects read so far by the current (re)list. */
  listing: number;
  mode: ListMode | null;
  relists: number;
  /** Drops after which the watch resumed from its resourceVersion (no relist). */
  resumes: number;
  lastEventAt: number | null;
}

export interface Informer<T> {
  readonly name: string;
  get(key: string): T | undefined;
  values(): IterableIterator<T>;
  readonly size: number;
  readonly state: Readonly<InformerState>;
  /** Grows whenever the store's contents change (for memoising what is computed from it); not for updates that change no kept field. */
  readonly version: number;
  /** Resolves at the first complete list, or at the first failure (never rejects). */
  readonly synced: Promise<void>;
  stop(): void;
}

export interface InformerOptions<T> extends Omit<ListWatchOptions, 'onEvent' | 'signal'> {
  /** What the store calls the objects in messages ("nodes", "pods"). */
  name: string;
  /** Keep only what the consumer needs; null: not tracked. */
  project: (obj: KubeObject) => T | null;
  budget?: ObjectBudget;
  signal?: AbortSignal;
  /** Whether two projections are the same (default: equal as JSON): an update that keeps it the same is no change. */
  equals?: (a: T, b: T) => boolean;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const keyOf = (o: KubeObject): string => (o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name ?? ''}` : (o.metadata?.name ?? ''));

/** Starts a list+watch that keeps projected objects in memory; stop() ends it. */
export function startInformer<T>(conn: K8sConnection, o: InformerOptions<T>): Informer<T> {
  const controller = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, controller.signal]) : controller.signal;
  let store = new Map<string, T>();
  let staging: Map<string, T> | null = null;
  let version = 0;
  let resumedAt: number | null = null;
  const state: InformerState = { phase: 'syncing', everSynced: false, syncedAt: null, downSince: null, reason: null, errorClass: null, listing: 0, mode: null, relists: 0, resumes: 0, lastEventAt: null };
  let markSynced!: () => void;
  const synced = new Promise<void>((r) => (markSynced = r));
  const leave = o.budget?.join(() => staging?.size ?? store.size);

  const admit = (target: Map<string, T>, key: string): void => {
    const b = o.budget;
    if (!b || target.has(key) || b.total() < b.limit) return;
    throw new QuorumError('too-large', `more than ${b.limit.toLocaleString('en-US')} objects to track in this cluster (limit ${b.setting}=${b.limit}; reached while reading ${o.name}: ${target.size.toLocaleString('en-US')} ${o.name} held)`);
  };
  const same = o.equals ?? sameJson;
  /** Stores the projection; true when the store's contents changed (a heartbeat that changes no kept field does not). */
  const put = (target: Map<string, T>, obj: KubeObject): boolean => {
    const key = keyOf(obj);
    const v = o.project(obj);
    if (v === null) return target.delete(key);
    const prev = target.get(key);
    if (prev !== undefined && same(prev, v)) return false;
    admit(target, key);
    target.set(key, v);
    return true;
  };

  void runListWatch(conn, {
    ...o,
    signal,
    onEvent: (e) => {
      switch (e.type) {
        case 'RELIST':
          staging = new Map();
          state.listing = 0;
          state.mode = e.mode;
          state.relists += 1;
          if (state.phase !== 'down' && state.phase !== 'too-large') state.phase = 'syncing';
          return;
        case 'LISTED':
          if (staging) put(staging, e.object);
          state.listing += 1;
          return;
        case 'SYNCED':
          if (staging) store = staging;
          staging = null;
          version += 1;
          Object.assign(state, { phase: 'synced', mode: e.mode, everSynced: true, syncedAt: e.at, downSince: null, reason: null, errorClass: null, lastEventAt: e.at });
          markSynced();
          return;
        case 'RESUMED':
          // The store plus what this watch delivers from here is exact again.
          if (state.phase === 'down' && state.everSynced) {
            Object.assign(state, { phase: 'synced', downSince: null, reason: null, errorClass: null, resumes: state.resumes + 1 });
            resumedAt = e.at;
          }
          return;
        case 'ADDED':
        case 'MODIFIED':
          resumedAt = null;
          if (put(store, e.object)) version += 1;
          state.lastEventAt = e.at;
          return;
        case 'DELETED':
          resumedAt = null;
          if (store.delete(keyOf(e.object))) version += 1;
          state.lastEventAt = e.at;
          return;
        case 'DOWN': {
          // 410 as the first thing a resumed watch said: that was no resumption after all.
          if (e.gone && resumedAt !== null) state.resumes -= 1;
          resumedAt = null;
          staging = null;
          const tooLargeNow = e.error.errorClass === 'too-large';
          if (tooLargeNow) {
            // Never hold a partial or over-budget picture: free it and say why.
            store = new Map();
            state.everSynced = false;
            version += 1;
          }
          state.phase = tooLargeNow ? 'too-large' : 'down';
          state.downSince ??= e.at;
          state.reason = `${e.gone ? 'watch expired (410 Gone), relisting' : `${o.name} watch down`}: ${e.error.message}`;
          state.errorClass = e.error.errorClass;
          o.onLog?.({ event: 'informer-down', informer: o.name, path: o.path, errorClass: e.error.errorClass, error: e.error.message, gone: e.gone, retryInMs: e.retryInMs, held: store.size });
          markSynced();
          return;
        }
        default: {
          const never: never = e;
          throw new Error(`unknown list-watch event ${String((never as { type: unknown }).type)}`);
        }
      }
    },
  }).finally(() => leave?.());

  return {
    name: o.name,
    get: (k) => store.get(k),
    values: () => store.values(),
    get size() {
      return store.size;
    },
    state,
    get version() {
      return version;
    },
    synced,
    stop: () => controller.abort(),
  };
}
