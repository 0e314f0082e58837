// What the Lease watch hands on, as plain data: the current view of a Lease (for the leader-election
// probe), the periods a watch was down (stored as LeaseWatchGap) and the seeds a restarted collector
// starts from. Here, below lib/collector and lib/probes, so the data layer and the probes depend on
// lib/failover and not on the collector.

export interface LeaseView {
  lease: string; // namespace/name
  holder: string | null;
  renewAgeMs: number | null;
  leaseDurationSeconds: number | null;
  leaseTransitions: number | null;
  /** The watch of its namespace is not delivering right now (state may be stale). */
  watchDown: boolean;
  /** Why, when watchDown (e.g. "lease watch dropped: list leases: HTTP 403 …"). */
  watchReason?: string;
  /** Ever seen in this collector's lifetime (cloud-controller-manager often does not exist). */
  seen: boolean;
}

/** The watch of `namespace` delivered nothing in [startedAt, endedAt] (ms since epoch). */
export interface WatchGap {
  namespace: string;
  startedAt: number;
  endedAt: number;
  reason: string;
}

/** What the collector last knew of a Lease before it (re)started: the holder and its transitions counter. */
export interface LeaseSeed {
  /** namespace/name */
  lease: string;
  holder: string;
  leaseTransitions: number | null;
  leaseDurationSeconds: number | null;
  /** When that was observed (ms); the watch is treated as down since then. */
  observedAt: number;
}
