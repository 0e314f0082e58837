import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialLeaseState, parseMicroTime, reduceLease, type FailoverEvent, type LeaseSnapshot, type LeaseState, type WatchInput } from '@/lib/failover/reducer';

let rv = 100;
const lease = (holder: string | null, acquire: string | null, renew: string | null, transitions: number, duration = 8): LeaseSnapshot => ({
  namespace: 'kube-system', name: 'kube-scheduler', holderIdentity: holder, leaseDurationSeconds: duration,
  acquireTime: acquire, renewTime: renew, leaseTransitions: transitions, resourceVersion: String(rv++),
});
const mod = (l: LeaseSnapshot, observedAt = 0): WatchInput => ({ type: 'MODIFIED', lease: l, observedAt });

function fold(inputs: WatchInput[]): { state: LeaseState; events: FailoverEvent[] } {
  let state = initialLeaseState;
  const events: FailoverEvent[] = [];
  for (const i of inputs) {
    const r = reduceLease(state, i);
    state = r.state;
    if (r.event) events.push(r.event);
  }
  return { state, events };
}

test('parseMicroTime keeps microseconds', () => {
  assert.equal(parseMicroTime('2026-11-26T19:22:09.123456Z'), Date.parse('2026-11-26T19:22:09Z') * 1000 + 123456);
  assert.equal(parseMicroTime('2026-11-26T19:22:09Z'), Date.parse('2026-11-26T19:22:09Z') * 1000);
  assert.equal(parseMicroTime('2026-11-26T19:22:09.5+01:00'), Date.parse('2026-11-26T18:22:09Z') * 1000 + 500000);
  assert.equal(parseMicroTime('garbage'), null);
  assert.equal(parseMicroTime(null), null);
});

test('crash: A renews, then B acquires after expiry → gap from A\'s last renew, exact to the µs', () => {
  const { events } = fold([
    { type: 'ADDED', lease: lease('a_1', '2026-11-26T10:00:00.000000Z', '2026-11-26T10:00:00.000000Z', 3), observedAt: 0 },
    mod(lease('a_1', '2026-11-26T10:00:00.000000Z', '2026-11-26T10:00:02.001234Z', 3)),
    mod(lease('a_1', '2026-11-26T10:00:00.000000Z', '2026-11-26T10:00:04.002468Z', 3)),
    mod(lease('b_2', '2026-11-26T10:00:13.512345Z', '2026-11-26T10:00:13.512345Z', 4), 99),
    mod(lease('b_2', '2026-11-26T10:00:13.512345Z', '2026-11-26T10:00:15.5Z', 4)),
  ]);
  assert.deepEqual(events, [{
    lease: 'kube-system/kube-scheduler', kind: 'crash', previousHolder: 'a_1', newHolder: 'b_2',
    previousRenewTime: '2026-11-26T10:00:04.002468Z', newAcquireTime: '2026-11-26T10:00:13.512345Z',
    gapMs: 9509.877, leaseDurationSeconds: 8, leaseTransitions: 4, observedAt: 99,
  }]);
});

test('graceful: A releases (empty holder, duration 1), B acquires → graceful, gap from A\'s last renew while holding', () => {
  const { events } = fold([
    mod(lease('a_1', '2026-11-26T10:00:00.000000Z', '2026-11-26T10:00:06.000000Z', 3)),
    mod(lease('', '2026-11-26T10:00:07.000000Z', '2026-11-26T10:00:07.000000Z', 3, 1)),
    mod(lease('b_2', '2026-11-26T10:00:08.250000Z', '2026-11-26T10:00:08.250000Z', 4)),
  ]);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.kind, 'graceful');
  assert.equal(events[0]!.gapMs, 2250);
  assert.equal(events[0]!.leaseDurationSeconds, 8);
});

test('a takeover while the watch was down is unobserved, with no made-up gap', () => {
  const { events, state } = fold([
    mod(lease('a_1', '2026-11-26T10:00:00.000000Z', '2026-11-26T10:00:06.000000Z', 3)),
    { type: 'WATCH_DOWN', at: 1, reason: 'connection reset' },
    mod(lease('b_2', '2026-11-26T10:00:20.000000Z', '2026-11-26T10:00:22.000000Z', 4)),
  ]);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.kind, 'unobserved');
  assert.equal(events[0]!.gapMs, null);
  assert.equal(events[0]!.previousRenewTime, null);
  assert.equal(state.blind, false);
});

test('renewals and a first observation produce no event; the same holder re-acquiring (transitions grew) is a failover', () => {
  assert.equal(fold([
    mod(lease('a_1', '2026-11-26T10:00:00Z', '2026-11-26T10:00:01Z', 0)),
    mod(lease('a_1', '2026-11-26T10:00:00Z', '2026-11-26T10:00:03Z', 0)),
  ]).events.length, 0);
  const { events } = fold([
    mod(lease('a_1', '2026-11-26T10:00:00Z', '2026-11-26T10:00:03Z', 0)),
    mod(lease('a_1', '2026-11-26T10:00:12Z', '2026-11-26T10:00:12Z', 1)),
  ]);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.kind, 'crash');
  assert.equal(events[0]!.gapMs, 9000);
});
