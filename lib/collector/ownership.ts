// Which collector probes which cluster (README "Running in production").
//
// PostgreSQL ("ha"): any number of collectors share the fleet through what PostgreSQL provides —
// session-level advisory locks. A collector owns a cluster while its ownership session holds that
// cluster's lock; it holds one more lock saying it is alive. The server releases every lock of a
// session the moment the session ends: at once when the process dies (its socket closes, also on
// kill -9), and after QUORUM_COLLECTOR_SESSION_TIMEOUT_MS of silence when it is frozen or cut off
// (lib/db/session.ts). No consensus of our own: pg_try_advisory_lock decides every race.
//
// Every tick (QUORUM_COLLECTOR_OWNERSHIP_INTERVAL_MS, 2 s) a collector heartbeats, reads which locks
// are held (pg_locks) and which collectors are alive, and moves towards its fair share: with n live
// collectors and C clusters each owns ⌊C/n⌋ or ⌈C/n⌉ (`planShares`); it releases its least
// preferred clusters beyond that and claims free ones (rendezvous hashing picks which, so shares stay
// put when nothing changes). A cluster free for two ticks is claimed by anyone, share or not.
//
// No cycle is probed twice: a cluster taken in cycle k is first probed in cycle k + 1. Its previous
// owner stopped before letting go (graceful) or is gone (crash), so it probed at most up to cycle k.
// While the ownership session is down (the database is), a collector keeps probing what it owned —
// never stall — and re-takes those locks when the database answers; should another collector have
// taken one meanwhile (a collector cut off from the database alone), the write path keeps the first
// sample of each probe and cycle (lib/data/samples.ts `slotMs`), so none is stored twice.
//
// SQLite ("single"): one collector, guaranteed by an OS lock on the database (lib/os-lock.ts); it owns
// every cluster.
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import { DbError } from '../db/errors';
import { backoffMs, pause } from '../deadline';
import { describeError } from '../errors';
import type { ClusterSummary } from '../types';
import type { ClaimResult, CollectorInfo, OwnershipStore } from '../data/ownership';

// ---- the pure part ---------------------------------------------------------------------------

/** Rendezvous (highest random weight) score: how much `collector` prefers `cluster`. */
function preference(clusterId: string, collectorId: string): bigint {
  return createHash('sha256').update(`${clusterId}\u0000${collectorId}`).digest().readBigUInt64BE(0);
}

export interface ShareInput {
  me: string;
  /** Live collectors' ids (me included). */
  live: readonly string[];
  clusters: readonly string[];
  mine: ReadonlySet<string>;
  /** Clusters whose lock someone else holds. */
  heldByOthers: ReadonlySet<string>;
  /** Free clusters that were already free at the previous tick (claimed whatever the share). */
  longFree?: ReadonlySet<string>;
}

/** This collector's fair share: ⌊C/n⌋, one more for the first C mod n collectors in id order. */
export function fairShare(me: string, live: readonly string[], clusters: number): number {
  const ids = [...new Set([...live, me])].sort();
  const base = Math.floor(clusters / ids.length);
  return base + (ids.indexOf(me) < clusters % ids.length ? 1 : 0);
}

/** What to release and what to try to claim this tick. Pure; pinned by test/unit/ownership.test.ts. */
export function planShares(i: ShareInput): { target: number; release: string[]; claim: string[] } {
  const clusters = new Set(i.clusters);
  const mine = [...i.mine].filter((c) => clusters.has(c));
  const target = fairShare(i.me, i.live, clusters.size);
  const byPref = (a: string, b: string): number => {
    const d = preference(b, i.me) - preference(a, i.me);
    return d > 0n ? 1 : d < 0n ? -1 : a < b ? -1 : 1;
  };
  const release = mine.length > target ? [...mine].sort(byPref).slice(target).reverse() : [];
  const free = [...clusters].filter((c) => !i.mine.has(c) && !i.heldByOthers.has(c)).sort(byPref);
  const room = Math.max(0, target - (mine.length - release.length));
  const claim = free.slice(0, room);
  for (const c of free.slice(room)) if (i.longFree?.has(c)) claim.push(c);
  return { target, release, claim };
}

/**
 * After an error on the ownership session: may it (and its locks) still be used? Only when the server
 * itself answered with a SQLSTATE that is not about the connection (08xxx) or a shutdown (57P0x):
 * then the session is alive. No code (a socket error, a client-side timeout): it is not.
 */
export function sessionStillGood(e: unknown): boolean {
  const code = e instanceof DbError ? e.dbCode : undefined;
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('08') && !code.startsWith('57P');
}

/** The cycle (slot) a time falls in: cycles start on multiples of the interval (the cron ticks). */
export const slotOf = (ms: number, intervalMs: number): number => Math.floor(ms / intervalMs);

// ---- the loop --------------------------------------------------------------------------------

export interface OwnershipStatus {
  mode: 'ha' | 'single';
  collectorId: string;
  name: string;
  owned: number;
  /** The ownership session is up and its last tick succeeded. */
  confirmed: boolean;
  /** When ownership was last confirmed (ms), null if never in this run. */
  confirmedAt: number | null;
  liveCollectors: number;
  target: number;
  error?: string;
}

export interface ClusterOwnership {
  readonly mode: 'ha' | 'single';
  readonly info: CollectorInfo;
  start(): void;
  /** Settles after the first ownership tick (taken or failed): the first cycle waits for it, briefly. */
  readonly ready: Promise<void>;
  /** The clusters this collector probes in the cycle that starts at `cycleStartMs` (of those listed). */
  select(clusters: readonly ClusterSummary[], cycleStartMs: number): ClusterSummary[];
  /** Why a cluster's Lease watch starts blind (taken from another collector), for its Lease-watch gap. */
  seedReason(clusterId: string): string | undefined;
  /** After a cycle: its line (the heartbeat carries it) and the first sample time of each probed cluster. */
  cycleDone(line: Record<string, unknown>, probed: ReadonlyArray<{ clusterId: string; atMs: number }>): void;
  status(): OwnershipStatus;
  /** Runs `job` unless another collector runs it now (PostgreSQL: a lock; SQLite: always). */
  exclusively<T>(job: string, fn: () => Promise<T>): Promise<T | undefined>;
  /** Graceful: lets go of every cluster (the next owners' takeovers read `graceful`) and marks the run stopped. */
  stop(): Promise<void>;
}

export function newCollectorInfo(opts: { name: string; version: string; mode: 'ha' | 'single'; intervalSeconds: number }): CollectorInfo {
  return { id: `${opts.name}-${randomBytes(4).toString('hex')}`, name: opts.name, host: os.hostname(), pid: process.pid, version: opts.version, mode: opts.mode, intervalSeconds: opts.intervalSeconds };
}

/** The ownership session's application_name: unique per run (the id ends in random hex), at most 63 bytes as PostgreSQL keeps it. */
export function sessionNameOf(info: CollectorInfo): string {
  const prefix = 'quorum-collector ';
  return info.id.length + prefix.length <= 63 ? `${prefix}${info.id}` : `${prefix}…${info.id.slice(-(63 - prefix.length - 3))}`;
}

interface Owned {
  /** Cycles before this one are not ours to probe (another collector may have probed them). */
  probeFromSlot: number;
  /** Taken from another collector: its first probe is recorded on the takeover row. */
  firstProbePending: boolean;
  seedReason?: string;
}

export interface HaOwnershipDeps {
  info: CollectorInfo;
  /** Opens the ownership session: its store and how to close it. Throws a DbError. */
  connect: () => Promise<{ store: OwnershipStore; close: () => Promise<void> }>;
  /** The session's application_name (it carries the run id): earlier sessions of this run are ended on reconnect. */
  applicationName?: string;
  intervalMs: number;
  tickMs: number;
  now: () => number;
  log: (line: Record<string, unknown>) => void;
  /** Clusters owned by this data folder's previous run: probed (unconfirmed) until the database answers. */
  previouslyOwned?: readonly string[];
  /** Called when the owned set changes (the collector persists it with the known clusters). */
  onOwnedChange?: (ids: string[]) => void;
}

/** PostgreSQL: shared ownership through session advisory locks (see the top of this file). */
export function haOwnership(d: HaOwnershipDeps): ClusterOwnership {
  const me = d.info;
  const owned = new Map<string, Owned>();
  for (const id of d.previouslyOwned ?? []) owned.set(id, { probeFromSlot: 0, firstProbePending: false });
  let session: { store: OwnershipStore; close: () => Promise<void> } | null = null;
  let confirmedAt: number | null = null;
  let lastError: string | undefined;
  let failures = 0;
  let live = 1;
  let target = 0;
  let lastLine: { atMs: number; json: string } | null = null;
  const firstProbes: Array<{ clusterId: string; atMs: number }> = [];
  let freeBefore = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let stopped = false;
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const ownedChanged = (): void => d.onOwnedChange?.([...owned.keys()].sort());

  async function connect(): Promise<{ store: OwnershipStore; close: () => Promise<void> }> {
    const s = await d.connect();
    try {
      if (d.applicationName) {
        const ended = await s.store.endStaleSessions(d.applicationName, 3000);
        if (ended > 0) d.log({ event: 'ownership-stale-sessions-ended', sessions: ended, why: 'a session of this collector from before the reconnect still held its locks' });
      }
      await s.store.register(me);
      if (!(await s.store.tryLock(s.store.keyOfCollector(me.id)))) throw new Error(`the liveness lock of ${me.id} is held by another session`);
      // Re-take what this collector owned (previous session, or the previous run on this data folder) before anything else.
      for (const [clusterId, o] of [...owned]) {
        if (await s.store.tryLock(s.store.keyOfCluster(clusterId))) {
          const r = await s.store.claim(clusterId, me).catch((e: unknown) => {
            d.log({ event: 'ownership-record-failed', clusterId, error: describeError(e) });
            return null;
          });
          // Owned by someone else in between (this data folder's previous run, or another collector that let go):
          // its cycles up to now may be probed already.
          const at = d.now();
          if (r && !r.continued) o.probeFromSlot = slotOf(at, d.intervalMs) + 1;
          if (r?.takeover) noteTakeover(clusterId, r, o, at);
        } else {
          owned.delete(clusterId);
          d.log({ event: 'ownership-lost', clusterId, why: 'another collector took it while this one could not reach the database' });
        }
      }
      ownedChanged();
      d.log({ event: 'ownership-session', collector: me.id, owned: owned.size });
      return s;
    } catch (e) {
      await s.close();
      throw e;
    }
  }

  function noteTakeover(clusterId: string, r: ClaimResult, o: Owned, at: number): void {
    const t = r.takeover!;
    o.firstProbePending = true;
    o.seedReason = `collector ${t.previousCollector} ${t.kind === 'graceful' ? 'handed the cluster over' : 'stopped (its ownership lock vanished with its database session)'}; ${me.name} took it over`;
    d.log({ event: 'takeover', clusterId, kind: t.kind, from: t.previousCollectorId, to: me.id, gapMs: t.gapMs, at, probeFrom: new Date(o.probeFromSlot * d.intervalMs).toISOString() });
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    try {
      session ??= await connect();
      const s = session.store;
      if (!(await s.heartbeat(me.id, owned.size, lastLine))) await s.register(me);
      lastLine = null;
      const locks = await s.locks();
      const clusters = await s.clusterIds();
      const collectors = await s.collectors();
      const heldMine = new Set(locks.filter((l) => l.mine).map((l) => l.key));
      const heldOthers = new Set(locks.filter((l) => !l.mine).map((l) => l.key));
      const liveIds = collectors.filter((c) => c.id === me.id || heldOthers.has(s.keyOfCollector(c.id))).map((c) => c.id);
      const clusterSet = new Set(clusters);
      let changed = false;
      for (const id of [...owned.keys()]) {
        if (!clusterSet.has(id)) {
          owned.delete(id); // removed: its lock goes too
          await s.unlock(s.keyOfCluster(id));
          changed = true;
        } else if (!heldMine.has(s.keyOfCluster(id))) {
          owned.delete(id);
          changed = true;
          d.log({ event: 'ownership-lost', clusterId: id, why: 'this session no longer holds its lock' });
        }
      }
      for (const id of clusters) {
        // A tick that failed half-way on a session that was kept (sessionStillGood) can leave a lock this
        // collector no longer counts as its own (dropped from `owned`, the unlock not reached): nobody would
        // probe that cluster. Let go of it now, saying so first.
        if (owned.has(id) || !heldMine.has(s.keyOfCluster(id))) continue;
        await s.release(id, me.id);
        await s.unlock(s.keyOfCluster(id));
        d.log({ event: 'ownership-released', clusterId: id, why: 'a lock left behind by a tick that failed half-way' });
      }
      const heldByOthers = new Set(clusters.filter((c) => heldOthers.has(s.keyOfCluster(c))));
      const free = new Set(clusters.filter((c) => !owned.has(c) && !heldByOthers.has(c)));
      const plan = planShares({ me: me.id, live: liveIds, clusters, mine: new Set(owned.keys()), heldByOthers, longFree: new Set([...free].filter((c) => freeBefore.has(c))) });
      freeBefore = free;
      live = liveIds.length;
      target = plan.target;
      for (const id of plan.release) {
        // Stop probing first, say so, then let go: the next owner reads a graceful handover.
        owned.delete(id);
        await s.release(id, me.id);
        await s.unlock(s.keyOfCluster(id));
        d.log({ event: 'ownership-released', clusterId: id, why: `rebalancing: ${liveIds.length} collectors, share ${plan.target}` });
        changed = true;
      }
      const now = d.now();
      for (const id of plan.claim) {
        if (!(await s.tryLock(s.keyOfCluster(id)))) continue; // someone was quicker
        let r: ClaimResult;
        try {
          r = await s.claim(id, me);
        } catch (e) {
          await s.unlock(s.keyOfCluster(id)); // e.g. removed meanwhile; try again next tick
          d.log({ event: 'ownership-claim-failed', clusterId: id, error: describeError(e) });
          continue;
        }
        const o: Owned = { probeFromSlot: slotOf(now, d.intervalMs) + 1, firstProbePending: false };
        owned.set(id, o);
        if (r.takeover) noteTakeover(id, r, o, now);
        else d.log({ event: 'ownership-claimed', clusterId: id, at: now, probeFrom: new Date(o.probeFromSlot * d.intervalMs).toISOString() });
        changed = true;
      }
      while (firstProbes.length > 0) {
        const p = firstProbes[0]!;
        await s.firstProbe(p.clusterId, me.id, p.atMs);
        firstProbes.shift();
      }
      if (changed) {
        ownedChanged();
        await s.heartbeat(me.id, owned.size, null);
      }
      confirmedAt = d.now();
      lastError = undefined;
      failures = 0;
    } catch (e) {
      failures++;
      lastError = describeError(e);
      if (session && sessionStillGood(e)) {
        // The server answered (a statement or lock timeout under load, a deadlock): the session and its
        // locks are intact; dropping it would hand every cluster over for nothing. Next tick tries again.
        d.log({ event: 'ownership-tick-failed', error: lastError, why: 'the session is kept; next tick retries' });
      } else if (session) {
        d.log({ event: 'ownership-session-lost', error: lastError, owned: owned.size, why: 'probing what it owned until the database answers' });
        const s = session;
        session = null;
        await s.close();
      } else if (failures === 1 || failures % 30 === 0) {
        d.log({ event: 'ownership-unavailable', error: lastError, owned: owned.size, attempt: failures });
      }
    }
  }

  function schedule(): void {
    if (stopped) return;
    const delay = failures === 0 ? d.tickMs : Math.min(backoffMs({ baseMs: d.tickMs, maxMs: 5 * d.tickMs }, failures), 30_000);
    timer = setTimeout(() => {
      ticking = tick().finally(() => {
        ticking = undefined;
        schedule();
      });
    }, delay);
  }

  return {
    mode: 'ha',
    info: me,
    ready,
    start() {
      ticking = tick().finally(() => {
        ticking = undefined;
        markReady();
        schedule();
      });
    },
    select(clusters, cycleStartMs) {
      const slot = slotOf(cycleStartMs, d.intervalMs);
      return clusters.filter((c) => {
        const o = owned.get(c.id);
        return o !== undefined && slot >= o.probeFromSlot;
      });
    },
    seedReason: (id) => owned.get(id)?.seedReason,
    cycleDone(line, probed) {
      lastLine = { atMs: d.now(), json: JSON.stringify(line) };
      for (const p of probed) {
        const o = owned.get(p.clusterId);
        if (o?.firstProbePending) {
          o.firstProbePending = false;
          firstProbes.push(p);
        }
      }
    },
    status: () => ({ mode: 'ha', collectorId: me.id, name: me.name, owned: owned.size, confirmed: session !== null && lastError === undefined, confirmedAt, liveCollectors: live, target, ...(lastError ? { error: lastError } : {}) }),
    async exclusively(job, fn) {
      const s = session?.store;
      if (!s) return undefined; // no session, no lock: another collector may run it
      const key = s.keyOfJob(job);
      if (!(await s.tryLock(key).catch(() => false))) return undefined;
      try {
        return await fn();
      } finally {
        await s.unlock(key).catch(() => undefined);
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await ticking;
      const s = session;
      if (!s) return;
      try {
        for (const id of [...owned.keys()]) await s.store.release(id, me.id);
        await s.store.stopped(me.id);
      } catch (e) {
        d.log({ event: 'ownership-stop-incomplete', error: describeError(e), why: 'the session ends anyway: its locks go with it' });
      }
      owned.clear();
      session = null;
      await s.close(); // releases every lock at once
    },
  };
}

export interface SingleOwnershipDeps {
  info: CollectorInfo;
  /** Upserts the collector's row (best effort, with its own deadline). */
  heartbeat: (info: CollectorInfo, owned: number, lastCycle: { atMs: number; json: string } | null) => Promise<void>;
  stopped: (id: string) => Promise<void>;
  now: () => number;
  log: (line: Record<string, unknown>) => void;
}

/** SQLite: the one collector (its OS lock is taken by the caller) owns every cluster. */
export function singleOwnership(d: SingleOwnershipDeps): ClusterOwnership {
  let owned = 0;
  let beating: Promise<void> | undefined;
  const beat = (line: { atMs: number; json: string } | null): void => {
    if (beating) return; // one at a time; the next cycle writes the next one
    beating = d
      .heartbeat(d.info, owned, line)
      .catch((e: unknown) => d.log({ event: 'heartbeat-not-stored', error: describeError(e) }))
      .finally(() => (beating = undefined));
  };
  return {
    mode: 'single',
    info: d.info,
    ready: Promise.resolve(),
    start: () => beat(null),
    select(clusters) {
      owned = clusters.length;
      return [...clusters];
    },
    seedReason: () => undefined,
    cycleDone: (line) => beat({ atMs: d.now(), json: JSON.stringify(line) }),
    status: () => ({ mode: 'single', collectorId: d.info.id, name: d.info.name, owned, confirmed: true, confirmedAt: d.now(), liveCollectors: 1, target: owned }),
    exclusively: (_job, fn) => fn(),
    async stop() {
      await beating;
      await Promise.race([d.stopped(d.info.id).catch(() => undefined), pause(2000)]);
    },
  };
}
