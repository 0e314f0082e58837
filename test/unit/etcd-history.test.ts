import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdLeaderHistory } from '@/lib/etcd/history';

const T = Date.parse('2026-11-26T12:00:00Z');
const led = (s: number, leaderName: string, raftTerm: number) => ({ at: T + s * 1000, facts: { leader: 'id', leaderName, raftTerm, members: [] } });
const noLeader = (s: number) => ({ at: T + s * 1000, facts: { leader: null, leaderName: null, members: [{ healthy: false, reason: 'unhealthy: RAFT NO LEADER' }, { healthy: false, reason: 'unreachable' }] } });
const unreadable = (s: number) => ({ at: T + s * 1000, facts: { leader: null, members: [] } });

test('leader changes and leaderless time from etcd samples', () => {
  const h = etcdLeaderHistory(
    [led(0, 'cp1', 2), led(5, 'cp1', 2), noLeader(10), noLeader(15), noLeader(20), led(25, 'cp2', 3), led(30, 'cp2', 3), led(35, 'cp3', 4)],
    15_000,
    T + 40_000,
  );
  assert.deepEqual(h.changes, [
    { at: '2026-11-26T12:00:25.000Z', from: 'cp1', to: 'cp2', raftTerm: 3 },
    { at: '2026-11-26T12:00:35.000Z', from: 'cp2', to: 'cp3', raftTerm: 4 },
  ]);
  assert.deepEqual(h.leaderless, [{ start: '2026-11-26T12:00:10.000Z', end: '2026-11-26T12:00:25.000Z', durationMs: 15_000 }]);
  assert.equal(h.leaderlessMs, 15_000);
  assert.equal(h.observedMs, 40_000);
});

test('nothing is claimed when no member could be read; gaps beyond the cap are not counted', () => {
  const h = etcdLeaderHistory([led(0, 'cp1', 2), unreadable(5), noLeader(10), led(100, 'cp1', 3)], 15_000, T + 105_000);
  assert.deepEqual(h.changes, [], 'the same leader after a gap is no change');
  assert.deepEqual(h.leaderless, [{ start: '2026-11-26T12:00:10.000Z', end: '2026-11-26T12:00:25.000Z', durationMs: 15_000 }]);
  assert.equal(h.observedMs, 5_000 + 15_000 + 5_000);
  assert.deepEqual(etcdLeaderHistory([], 15_000, T), { changes: [], leaderless: [], leaderlessMs: 0, observedMs: 0 });
});
