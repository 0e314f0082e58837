import { test } from 'node:test';
import assert from 'node:assert/strict';
import { majority, quorumState } from '@/lib/etcd/quorum';

test('the etcd FAQ table: majority and failure tolerance by cluster size', () => {
  const table: Array<[number, number, number]> = [[1, 1, 0], [2, 2, 0], [3, 2, 1], [4, 3, 1], [5, 3, 2], [6, 4, 2], [7, 4, 3], [8, 5, 3], [9, 5, 4]];
  for (const [n, maj, tol] of table) {
    assert.equal(majority(n), maj, `majority(${n})`);
    assert.equal(quorumState(n, n, true).toleranceDesign, tol, `tolerance(${n})`);
  }
  assert.throws(() => majority(-1), RangeError);
});

test('quorum state as members fail', () => {
  assert.deepEqual(quorumState(3, 3, true), { members: 3, healthy: 3, majority: 2, toleranceNow: 1, toleranceDesign: 1, hasQuorum: true, status: 'up', reason: '3/3 healthy; tolerates 1 failure' });
  const one = quorumState(3, 2, true);
  assert.equal(one.status, 'degraded');
  assert.equal(one.toleranceNow, 0);
  assert.equal(one.reason, '2/3 healthy; can lose 0 more');
  const two = quorumState(3, 1, false);
  assert.equal(two.status, 'down');
  assert.equal(two.hasQuorum, false);
  assert.equal(two.reason, 'quorum lost: 1/3 healthy, 2 needed');
  assert.equal(quorumState(3, 3, false).reason, 'no leader (3/3 healthy)');
  assert.equal(quorumState(0, 0, false).status, 'unknown');
});
