// lib/collector/ownership.ts, the pure part: fair shares, what to release and claim, and that collectors
// taking turns over one lock table converge to an even split as they join and leave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fairShare, planShares, sessionStillGood, slotOf } from '@/lib/collector/ownership';
import { DbError } from '@/lib/db/errors';

const ids = (n: number, p = 'c'): string[] => Array.from({ length: n }, (_, i) => `${p}${String(i).padStart(2, '0')}`);

test('fair share: ⌊C/n⌋, one more for the first C mod n collectors in id order', () => {
  const live = ['b', 'a', 'c'];
  assert.deepEqual(['a', 'b', 'c'].map((m) => fairShare(m, live, 10)), [4, 3, 3]);
  assert.deepEqual(['a', 'b', 'c'].map((m) => fairShare(m, live, 2)), [1, 1, 0]);
  assert.equal(fairShare('a', [], 7), 7, 'alone (itself always counts)');
  assert.equal(fairShare('z', ['a'], 3), 1, 'me is counted even when the live list lags behind');
  assert.equal(fairShare('a', ['a', 'b'], 0), 0);
});

test('planShares: claims free clusters up to its share, releases beyond it, never what another holds', () => {
  const clusters = ids(6);
  const alone = planShares({ me: 'a', live: ['a'], clusters, mine: new Set(), heldByOthers: new Set() });
  assert.equal(alone.target, 6);
  assert.deepEqual(alone.release, []);
  assert.deepEqual([...alone.claim].sort(), clusters);

  const joined = planShares({ me: 'a', live: ['a', 'b'], clusters, mine: new Set(clusters), heldByOthers: new Set() });
  assert.equal(joined.target, 3);
  assert.equal(joined.release.length, 3);
  assert.deepEqual(joined.claim, []);

  const newcomer = planShares({ me: 'b', live: ['a', 'b'], clusters, mine: new Set(), heldByOthers: new Set(clusters.slice(0, 4)) });
  assert.equal(newcomer.target, 3);
  assert.deepEqual(newcomer.release, []);
  assert.deepEqual([...newcomer.claim].sort(), ['c04', 'c05'], 'only the free ones; the other two come when a releases them');

  const removed = planShares({ me: 'a', live: ['a'], clusters: ['c00'], mine: new Set(['c00', 'gone']), heldByOthers: new Set() });
  assert.deepEqual(removed.release, [], 'a removed cluster is not counted against the share (the loop unlocks it)');
});

test('planShares: a cluster free for two ticks is claimed even beyond the share', () => {
  const p = planShares({ me: 'a', live: ['a', 'b'], clusters: ids(4), mine: new Set(['c00', 'c01']), heldByOthers: new Set(['c02']), longFree: new Set(['c03']) });
  assert.deepEqual(p.claim, ['c03']);
});

/** Collectors taking turns over one lock table, as the real loop does on PostgreSQL. */
function simulate(collectors: string[], clusters: string[], locks: Map<string, string>, rounds: number): Map<string, number> {
  const freeBefore = new Map<string, Set<string>>();
  for (let r = 0; r < rounds; r++) {
    for (const me of collectors) {
      const mine = new Set([...locks].filter(([, o]) => o === me).map(([c]) => c));
      const heldByOthers = new Set([...locks].filter(([, o]) => o !== me).map(([c]) => c));
      const free = new Set(clusters.filter((c) => !locks.has(c)));
      const p = planShares({ me, live: collectors, clusters, mine, heldByOthers, longFree: new Set([...free].filter((c) => freeBefore.get(me)?.has(c))) });
      freeBefore.set(me, free);
      for (const c of p.release) locks.delete(c);
      for (const c of p.claim) if (!locks.has(c)) locks.set(c, me);
    }
  }
  const count = new Map(collectors.map((c) => [c, 0]));
  for (const o of locks.values()) count.set(o, (count.get(o) ?? 0) + 1);
  return count;
}

test('collectors converge to an even split within two rounds as they join and leave; every cluster owned once', () => {
  const clusters = ids(10);
  const locks = new Map<string, string>();
  assert.deepEqual([...simulate(['a'], clusters, locks, 1).values()], [10]);
  const two = simulate(['a', 'b'], clusters, locks, 2);
  assert.deepEqual([...two.values()], [5, 5]);
  const three = simulate(['a', 'b', 'c'], clusters, locks, 2);
  assert.deepEqual([...three.values()].sort(), [3, 3, 4]);
  assert.equal(locks.size, 10, 'every cluster has exactly one owner');
  // b dies: its locks go with its session.
  for (const [c, o] of [...locks]) if (o === 'b') locks.delete(c);
  const after = simulate(['a', 'c'], clusters, locks, 2);
  assert.deepEqual([...after.values()], [5, 5]);
  assert.equal(locks.size, 10);
  // Stable: more rounds move nothing.
  const snapshot = JSON.stringify([...locks].sort());
  simulate(['a', 'c'], clusters, locks, 3);
  assert.equal(JSON.stringify([...locks].sort()), snapshot);
});

test('slots are the cron cycles: multiples of the interval', () => {
  assert.equal(slotOf(Date.UTC(2026, 11, 1, 10, 0, 9, 999), 10_000), slotOf(Date.UTC(2026, 11, 1, 10, 0, 0), 10_000));
  assert.equal(slotOf(Date.UTC(2026, 11, 1, 10, 0, 10), 10_000), slotOf(Date.UTC(2026, 11, 1, 10, 0, 0), 10_000) + 1);
});

test('the ownership session is kept after errors the server answered, dropped after connection trouble', () => {
  assert.equal(sessionStillGood(new DbError('timeout', 'statement timeout', { dbCode: '57014' })), true, 'a slow statement: the session is alive');
  assert.equal(sessionStillGood(new DbError('busy', 'lock timeout', { dbCode: '55P03' })), true);
  assert.equal(sessionStillGood(new DbError('deadlock', 'deadlock', { dbCode: '40P01' })), true);
  assert.equal(sessionStillGood(new DbError('timeout', 'Query read timeout')), false, 'no answer: the session may be dead');
  assert.equal(sessionStillGood(new DbError('unreachable', 'Connection terminated unexpectedly')), false);
  assert.equal(sessionStillGood(new DbError('shutdown', 'terminating connection due to administrator command', { dbCode: '57P01' })), false);
  assert.equal(sessionStillGood(new DbError('shutdown', 'idle session timeout', { dbCode: '57P05' })), false);
  assert.equal(sessionStillGood(new DbError('unreachable', 'connection failure', { dbCode: '08006' })), false);
  assert.equal(sessionStillGood(new Error('anything else')), false);
});
