import { QuorumError, describeError } from '../errors';
import type { StoredCredentials } from '../clusters/credentials';
import { createEtcdClient, type EtcdClient } from '../etcd/client';
import { connect, type K8sConnection } from '../k8s/client';
import type { Probe } from '../probes/types';
import type { FailoverEvent } from '../failover/reducer';
import type { ClusterSummary, ProbeResult } from '../types';
import { startClusterWatches, type ClusterWatches } from './cluster-watch';
import type { LeaseSeed, WatchGap } from '../failover/lease-types';
import { DEFAULT_LEASE_REFS, startLeaseTracker, type LeaseTracker } from './leases';

export interface CycleDeps {
  listClusters: () => Promise<ClusterSummary[]>;
  loadKubeconfig: (clusterId: string) => Promise<string>;
  /** Kubeconfig plus registered etcd endpoints; when given it is used instead of loadKubeconfig. */
  loadCredentials?: (clusterId: string) => Promise<StoredCredentials>;
  probes: readonly Probe[];
  now: () => number;
  probeTimeoutMs: number;
  concurrency: number;
  /** Connections reused across cycles, rebuilt when a cluster's updatedAt changes. */
  connections: Map<string, CachedConnection>;
  signal?: AbortSignal;
  /** Leader-election Lease watches, one per cluster, kept across cycles. Absent: no lease tracking. */
  leaseTracking?: {
    trackers: Map<string, { updatedAt: string; tracker: LeaseTracker }>;
    onFailover: (clusterId: string, event: FailoverEvent) => void;
    onWatchGap?: (clusterId: string, gap: WatchGap) => void;
    /** What the previous collector run last saw of each Lease (so takeovers while it was down are not lost). */
    loadSeeds?: (clusterId: string) => Promise<LeaseSeed[]>;
    /** Why a new watch starts blind, when the collector knows better (e.g. the cluster was taken over from another collector). */
    seedReason?: (clusterId: string) => string | undefined;
    onLog?: (line: Record<string, unknown>) => void;
  };
  /** Watch Nodes, Pods, EndpointSlices and identity Leases per cluster (kept with the connection). Absent: probes list once per cycle. */
  clusterWatch?: { objectLimit: number; onLog?: (line: Record<string, unknown>) => void };
}

export interface CachedConnection {
  updatedAt: string;
  conn: K8sConnection;
  etcd?: EtcdClient;
  watches?: ClusterWatches;
}

export interface ClusterCycleResult {
  clusterId: string;
  name: string;
  results: ProbeResult[];
  ms: number;
}

/** Runs fn over items with at most `limit` in flight. Results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function unknownFor(probes: readonly Probe[], at: number, reason: string, err?: QuorumError): ProbeResult[] {
  return probes.map((p) => ({
    probe: p.id,
    target: 'endpoint',
    status: 'unknown' as const,
    reason,
    latencyMs: null,
    at,
    detail: { errorClass: err?.errorClass ?? 'internal' },
  }));
}

async function connectionFor(deps: CycleDeps, c: ClusterSummary): Promise<CachedConnection> {
  const cached = deps.connections.get(c.id);
  if (cached && cached.updatedAt === c.updatedAt) return cached;
  const creds: StoredCredentials = deps.loadCredentials ? await deps.loadCredentials(c.id) : { kubeconfig: await deps.loadKubeconfig(c.id) };
  const conn = await connect(creds.kubeconfig);
  cached?.etcd?.close();
  cached?.watches?.stop();
  // The old connection's Lease watch stops before its sessions close (trackerFor replaces it), so its
  // end is a restart, not a watch drop.
  if (cached) deps.leaseTracking?.trackers.get(c.id)?.tracker.stop();
  cached?.conn.close();
  const cw = deps.clusterWatch;
  const log = cw?.onLog;
  const watches = cw ? startClusterWatches(conn, { objectLimit: cw.objectLimit, now: deps.now, ...(log ? { onLog: (l: Record<string, unknown>) => log({ cluster: c.name, ...l }) } : {}) }) : undefined;
  const entry: CachedConnection = { updatedAt: c.updatedAt, conn, ...(creds.etcd ? { etcd: createEtcdClient(creds.etcd) } : {}), ...(watches ? { watches } : {}) };
  deps.connections.set(c.id, entry);
  return entry;
}

async function trackerFor(deps: CycleDeps, c: ClusterSummary, conn: K8sConnection): Promise<LeaseTracker | undefined> {
  const lt = deps.leaseTracking;
  if (!lt) return undefined;
  const cur = lt.trackers.get(c.id);
  if (cur && cur.updatedAt === c.updatedAt) return cur.tracker;
  cur?.tracker.stop();
  const log = lt.onLog;
  // Seeded from what was last seen (the samples), so a takeover while nothing watched is not lost.
  let seeds: LeaseSeed[] = [];
  if (lt.loadSeeds) {
    try {
      seeds = await lt.loadSeeds(c.id);
    } catch (e) {
      log?.({ cluster: c.name, event: 'lease-seeds-unavailable', error: describeError(e) });
    }
  }
  const onWatchGap = lt.onWatchGap;
  const tracker = startLeaseTracker(conn, {
    leases: [...DEFAULT_LEASE_REFS, ...c.settings.leases],
    onFailover: (e) => lt.onFailover(c.id, e),
    ...(onWatchGap ? { onWatchGap: (g: WatchGap) => onWatchGap(c.id, g) } : {}),
    seeds,
    seedReason: cur ? 'lease watch restarted: cluster settings or credentials changed' : (lt.seedReason?.(c.id) ?? 'collector was not running'),
    ...(log ? { onLog: (l: Record<string, unknown>) => log({ cluster: c.name, ...l }) } : {}),
    now: deps.now,
  });
  lt.trackers.set(c.id, { updatedAt: c.updatedAt, tracker });
  return tracker;
}

/**
 * Probes one cluster. Never throws: every failure becomes `unknown` samples with a reason, so a
 * broken cluster shows up as data. A hard deadline (timeout + 1 s) guards against a probe that
 * ignores its signal, so one hanging cluster never holds a worker past its budget.
 */
async function probeCluster(deps: CycleDeps, c: ClusterSummary): Promise<ClusterCycleResult> {
  const started = deps.now();
  const done = (results: ProbeResult[]): ClusterCycleResult => ({ clusterId: c.id, name: c.name, results, ms: deps.now() - started });
  let conn: K8sConnection;
  let etcd: EtcdClient | undefined;
  let watches: ClusterWatches | undefined;
  try {
    ({ conn, etcd, watches } = await connectionFor(deps, c));
  } catch (e) {
    const qe = e instanceof QuorumError ? e : undefined;
    return done(unknownFor(deps.probes, started, `collector cannot use the stored credentials: ${describeError(e)}`, qe));
  }
  const tracker = await trackerFor(deps, c, conn);
  const controller = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, controller.signal]) : controller.signal;
  const deadlineMs = deps.probeTimeoutMs + 1000;
  const results = await Promise.all(
    deps.probes.map(async (p): Promise<ProbeResult[]> => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<ProbeResult[]>((resolve) => {
        timer = setTimeout(() => {
          controller.abort();
          resolve(unknownFor([p], started, `collector: probe did not finish within ${deadlineMs} ms`));
        }, deadlineMs);
      });
      try {
        return await Promise.race([p.run({ conn, timeoutMs: deps.probeTimeoutMs, signal, now: deps.now, settings: c.settings, ...(etcd ? { etcd } : {}), ...(watches ? { watches } : {}), ...(tracker ? { leases: (n: number) => tracker.view(n), leasesSynced: tracker.synced } : {}) }), deadline]);
      } catch (e) {
        return unknownFor([p], started, `collector error in ${p.id}: ${describeError(e)}`);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return done(results.flat());
}

/** One collector cycle over every registered cluster, at most `concurrency` clusters at a time. */
export async function runCycle(deps: CycleDeps): Promise<ClusterCycleResult[]> {
  const clusters = await deps.listClusters();
  const live = new Set(clusters.map((c) => c.id));
  for (const [id, cached] of deps.connections) {
    if (live.has(id)) continue;
    cached.etcd?.close();
    cached.watches?.stop();
    deps.leaseTracking?.trackers.get(id)?.tracker.stop();
    cached.conn.close();
    deps.connections.delete(id);
  }
  for (const [id, t] of deps.leaseTracking?.trackers ?? []) {
    if (!live.has(id)) {
      t.tracker.stop();
      deps.leaseTracking?.trackers.delete(id);
    }
  }
  return mapLimit(clusters, deps.concurrency, (c) => probeCluster(deps, c));
}
