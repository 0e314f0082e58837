// etcd leader history from the direct etcd probe's samples (pure): leader changes and leaderless time.
// Resolution is the collector interval: a sample speaks for the time until the next one, capped.
// Leaderless time counts only when a member answered and said there is no leader; when no member
// could be read at all, nothing is claimed (that time is neither led nor leaderless).

export interface EtcdSamplePoint {
  at: number;
  /**
   * The last sample of the run this point stands for (runs: prisma/README.md "Sparse raw tier"; every sample of a
   * run has the same leader, term and member states); absent: a single sample.
   */
  lastAt?: number;
  /** detail.facts of the etcd summary sample. */
  facts: Record<string, unknown> | null;
}

export interface LeaderChange {
  /** Time of the first sample that saw the new leader (ISO). */
  at: string;
  from: string;
  to: string;
  raftTerm: number | null;
}

export interface LeaderlessInterval {
  start: string;
  end: string;
  durationMs: number;
}

export interface EtcdLeaderHistory {
  changes: LeaderChange[];
  leaderless: LeaderlessInterval[];
  leaderlessMs: number;
  /** Time covered by samples that could tell (led or leaderless). */
  observedMs: number;
}

type State = { kind: 'led'; leader: string; term: number | null } | { kind: 'leaderless' } | { kind: 'unknown' };

function stateOf(facts: Record<string, unknown> | null): State {
  if (!facts) return { kind: 'unknown' };
  const leader = typeof facts.leaderName === 'string' && facts.leaderName ? facts.leaderName : typeof facts.leader === 'string' && facts.leader ? facts.leader : null;
  const term = typeof facts.raftTerm === 'number' ? facts.raftTerm : null;
  if (leader) return { kind: 'led', leader, term };
  const members = Array.isArray(facts.members) ? (facts.members as Array<{ reason?: unknown; healthy?: unknown }>) : [];
  // Someone answered: a member that is healthy, or whose reason is etcd's own "no leader" answer.
  const answered = members.some((m) => m.healthy === true || (typeof m.reason === 'string' && /no leader/i.test(m.reason)));
  return answered ? { kind: 'leaderless' } : { kind: 'unknown' };
}

/**
 * Samples (or runs) must be sorted by time. `capMs`: the longest time one sample speaks for. Time before
 * `startMs` is not counted (a run that began before the window speaks for the window from its start).
 */
export function etcdLeaderHistory(points: readonly EtcdSamplePoint[], capMs: number, endMs: number, startMs = Number.NEGATIVE_INFINITY): EtcdLeaderHistory {
  const changes: LeaderChange[] = [];
  const leaderless: Array<{ start: number; end: number }> = [];
  let lastLeader: string | null = null;
  let observedMs = 0;
  for (let i = 0; i < points.length; i++) {
    const raw = points[i]!;
    const p = { ...raw, at: Math.max(raw.at, startMs) };
    const next = i + 1 < points.length ? points[i + 1]!.at : endMs;
    const until = Math.min(next, (raw.lastAt ?? raw.at) + capMs, endMs);
    const span = Math.max(0, until - p.at);
    const s = stateOf(p.facts);
    if (s.kind === 'unknown') continue;
    observedMs += span;
    if (s.kind === 'leaderless') {
      const last = leaderless.at(-1);
      if (last && last.end >= p.at) last.end = Math.max(last.end, until);
      else leaderless.push({ start: p.at, end: until });
      continue;
    }
    if (lastLeader !== null && s.leader !== lastLeader) changes.push({ at: new Date(p.at).toISOString(), from: lastLeader, to: s.leader, raftTerm: s.term });
    lastLeader = s.leader;
  }
  const out = leaderless.filter((l) => l.end > l.start).map((l) => ({ start: new Date(l.start).toISOString(), end: new Date(l.end).toISOString(), durationMs: l.end - l.start }));
  return { changes, leaderless: out, leaderlessMs: out.reduce((a, l) => a + l.durationMs, 0), observedMs };
}
