// The sparse raw tier's pure rules (lib/slo/timeline.ts): which sample starts a new run of its series
// (detailKey, startsRun) — checked on real collector output from the lab — and the minute rollups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MINUTE_BUCKET_MS, detailKey, minuteBuckets, startsRun, type LastSample, type TimelineSample } from '@/lib/slo/timeline';
import type { Status } from '@/lib/types';

interface Recorded {
  probe: string;
  target: string;
  at: string;
  status: Status;
  reason: string;
  latencyMs: number | null;
  detail: unknown;
}
const fixture = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'lab-samples.json'), 'utf8')) as { samples: Recorded[] };
const CAP = 30_000;
const toSample = (r: Recorded): TimelineSample => ({ t: Date.parse(r.at), status: r.status, reason: r.reason, latencyMs: r.latencyMs, detail: r.detail === null ? null : JSON.stringify(r.detail) });
const lastOf = (s: TimelineSample): LastSample => ({ lastAtMs: s.t, lastStatus: s.status, lastReason: s.reason, lastDetail: s.detail ?? null });

test('detailKey: volatile measurements masked, identities and states exact', () => {
  const lease = (holder: string, renewAgeMs: number, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ facts: { lease: 'kube-system/cloud-controller-manager', holder, renewAgeMs, leaseDurationSeconds: 8, leaseTransitions: 0, watchDown: false, seen: true, ...extra } });
  assert.equal(detailKey(lease('qlab-ccm_26742', 1597)), detailKey(lease('qlab-ccm_26742', 464.875)), 'a renew age is a measurement');
  // Holders that differ only in digits (a restarted process's pid) are different holders: strings are never masked.
  assert.notEqual(detailKey(lease('qlab-ccm_26742', 1597)), detailKey(lease('qlab-ccm_26743', 1597)));
  assert.notEqual(detailKey(lease('a', 1)), detailKey(lease('a', 1, { leaseTransitions: 1 })));
  assert.notEqual(detailKey(lease('a', 1)), detailKey(lease('a', 1, { watchDown: true })));
  const etcd = (raftIndex: number, dbSize: number, raftTerm = 2): string => JSON.stringify({ facts: { registered: true, memberId: 'a1', leader: 'b2', raftTerm, raftIndex, dbSize, dbSizeInUse: dbSize, dbSizeQuota: 2147483648, version: '3.6.5', errors: [] } });
  assert.equal(detailKey(etcd(1000, 20480)), detailKey(etcd(1017, 24576)));
  assert.notEqual(detailKey(etcd(1000, 20480)), detailKey(etcd(1000, 20480, 3)), 'a new raft term is a change');
  const readyz = (ok: boolean, httpStatus = ok ? 200 : 500): string => JSON.stringify({ httpStatus, checks: [{ name: 'ping', ok: true }, { name: 'etcd', ok }] });
  assert.notEqual(detailKey(readyz(true)), detailKey(readyz(false)));
  assert.notEqual(detailKey(readyz(true)), detailKey(readyz(true, 429)));
  assert.equal(detailKey(null), '');
  assert.equal(detailKey(undefined), '');
  assert.equal(detailKey('not json 12'), detailKey('not json 13'));
});

test('startsRun: first sample, gap beyond the cap, status, reason (digits masked), detail', () => {
  const prev: LastSample = { lastAtMs: 0, lastStatus: 'up', lastReason: 'held by a, renewed 1.2 s ago (lease 15 s)', lastDetail: '{"facts":{"holder":"a","renewAgeMs":1200}}' };
  const next = (o: Partial<TimelineSample> = {}): TimelineSample => ({ t: 10_000, status: 'up', reason: 'held by a, renewed 0.4 s ago (lease 15 s)', latencyMs: 3, detail: '{"facts":{"holder":"a","renewAgeMs":400}}', ...o });
  assert.equal(startsRun(null, next(), CAP), true);
  assert.equal(startsRun(prev, next(), CAP), false, 'only the latency, the renew age and its digits differ');
  assert.equal(startsRun(prev, next({ t: CAP }), CAP), false, 'a gap of exactly the cap is covered');
  assert.equal(startsRun(prev, next({ t: CAP + 1 }), CAP), true);
  assert.equal(startsRun(prev, next({ status: 'degraded' }), CAP), true);
  assert.equal(startsRun(prev, next({ reason: 'held by b, renewed 0.4 s ago (lease 15 s)' }), CAP), true);
  assert.equal(startsRun(prev, next({ detail: '{"facts":{"holder":"b","renewAgeMs":400}}' }), CAP), true);
  assert.equal(startsRun(prev, next({ detail: null }), CAP), true);
});

test('on real collector output from the lab: consecutive samples of a series are one run; a Lease holder change starts one', () => {
  const bySeries = new Map<string, Recorded[]>();
  for (const r of fixture.samples) bySeries.set(`${r.probe} ${r.target}`, [...(bySeries.get(`${r.probe} ${r.target}`) ?? []), r]);
  assert.ok(bySeries.size >= 17, `every probe of the lab: ${[...bySeries.keys()].join(', ')}`);
  for (const probe of ['apiserver-readyz', 'apiserver-livez', 'apiserver-replicas', 'etcd', 'leader-election', 'dns', 'nodes']) {
    assert.ok([...bySeries.keys()].some((k) => k.startsWith(`${probe} `)), `${probe} recorded`);
  }
  for (const [key, rows] of bySeries) {
    const s = rows.map(toSample);
    assert.equal(startsRun(null, s[0]!, CAP), true);
    if (key === 'leader-election kube-system/kube-scheduler') {
      const holders = rows.map((r) => (r.detail as { facts: { holder: string } }).facts.holder);
      assert.notEqual(holders[1], holders[2], 'the fixture holds the failover');
      assert.equal(startsRun(lastOf(s[0]!), s[1]!, CAP), false, `${key}: same holder, other renew age`);
      assert.equal(startsRun(lastOf(s[1]!), s[2]!, CAP), true, `${key}: the new holder is a change row (failovers are measured from it)`);
      assert.equal(startsRun(lastOf(s[2]!), s[3]!, CAP), false, `${key}: then one run again`);
      continue;
    }
    assert.equal(startsRun(lastOf(s[0]!), s[1]!, CAP), false, `${key}: the next cycle differs only in volatile fields: ${rows[0]!.reason} / ${rows[1]!.reason}`);
  }
});

test('minuteBuckets: counts by status and latency per UTC minute', () => {
  const M = MINUTE_BUCKET_MS;
  const s = (t: number, status: Status, latencyMs: number | null): TimelineSample => ({ t, status, reason: status, latencyMs });
  assert.deepEqual(minuteBuckets([s(M + 50_000, 'up', 12.4), s(10_000, 'down', null), s(M, 'degraded', 7), s(20_000, 'unknown', null), s(30_000, 'up', 5), s(M + 59_999, 'up', 30)]), [
    { bucketStartMs: 0, samples: 3, badSamples: 1, degradedSamples: 0, unknownSamples: 1, latencyCount: 1, latencySumMs: 5, latencyMinMs: 5, latencyMaxMs: 5 },
    { bucketStartMs: M, samples: 3, badSamples: 0, degradedSamples: 1, unknownSamples: 0, latencyCount: 3, latencySumMs: 49, latencyMinMs: 7, latencyMaxMs: 30 },
  ]);
  assert.deepEqual(minuteBuckets([]), []);
});
