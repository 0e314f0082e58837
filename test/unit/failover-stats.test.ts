import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failoverStats, percentile } from '@/lib/failover/stats';

test('percentile: nearest rank on an ascending list', () => {
  const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(xs, 50), 5);
  assert.equal(percentile(xs, 95), 10);
  assert.equal(percentile(xs, 10), 1);
  assert.equal(percentile(xs, 100), 10);
  assert.equal(percentile([7.5], 50), 7.5);
  assert.equal(percentile([], 50), null);
  assert.throws(() => percentile(xs, 0), RangeError);
  assert.throws(() => percentile(xs, 101), RangeError);
});

test('failoverStats: counts by kind per lease; percentiles only over measured gaps', () => {
  const s = 'kube-system/kube-scheduler';
  const k = 'kube-system/kube-controller-manager';
  const stats = failoverStats([
    { lease: s, kind: 'crash', gapMs: 9000.5 },
    { lease: s, kind: 'crash', gapMs: 11000 },
    { lease: s, kind: 'graceful', gapMs: 300.25 },
    { lease: s, kind: 'unobserved', gapMs: null },
    { lease: k, kind: 'unobserved', gapMs: null },
  ]);
  assert.deepEqual(stats, [
    { lease: k, count: 1, crash: 0, graceful: 0, unobserved: 1, measured: 0, p50Ms: null, p95Ms: null, maxMs: null },
    { lease: s, count: 4, crash: 2, graceful: 1, unobserved: 1, measured: 3, p50Ms: 9000.5, p95Ms: 11000, maxMs: 11000 },
  ]);
  assert.deepEqual(failoverStats([]), []);
});
