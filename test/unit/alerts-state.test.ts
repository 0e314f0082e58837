// The alert state machine (lib/alerts/state.ts): exact transitions, dedupe keys, repeat interval,
// maintenance silences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dedupeKey, eventDedupeKey, step, type StoredAlert } from '@/lib/alerts/state';
import type { Condition } from '@/lib/alerts/rules';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const cond = (over: Partial<Condition> = {}): Condition => ({ rule: 'component-down', component: 'apiserver-readyz', severity: 'page', active: false, pending: false, summary: 's', labels: { slo: 'lab-default' }, ...over });
const ctx = (nowMs: number, silencedBy: string | null = null, repeatIntervalMs = 240 * MIN) => ({ nowMs, silencedBy, repeatIntervalMs });

test('inactive → pending → firing → resolved, with exactly one transition at each edge', () => {
  const trace: Array<[string, string[]]> = [];
  let s: StoredAlert | null = null;
  const run = (c: Condition, now: number): void => {
    const r = step(s, c, ctx(now));
    trace.push([r.next.status, r.transitions.map((t) => `${t.kind}@${(t.startsAtMs - T0) / 1000}${t.endsAtMs !== null ? `-${(t.endsAtMs - T0) / 1000}` : ''}`)]);
    s = r.next;
  };
  run(cond(), T0); // nothing
  run(cond({ pending: true }), T0 + 10_000); // 1 of 3 cycles down
  run(cond({ pending: true }), T0 + 20_000); // 2 of 3
  run(cond({ active: true, sinceMs: T0 + 30_000 }), T0 + 31_000); // 3 of 3: firing since the third sample
  run(cond({ active: true, sinceMs: T0 + 30_000 }), T0 + 41_000); // still firing: nothing new
  run(cond({ pending: true }), T0 + 51_000); // an up sample ends the run, the next is down again: resolved, pending again
  run(cond(), T0 + 61_000);
  assert.deepEqual(trace, [
    ['inactive', []],
    ['pending', []],
    ['pending', []],
    ['firing', ['firing@30']],
    ['firing', []],
    ['pending', ['resolved@30-51']],
    ['inactive', []],
  ]);
});

test('a new state with nothing to report is not written; pending keeps its first start', () => {
  assert.equal(step(null, cond(), ctx(T0)).changed, false);
  const p1 = step(null, cond({ pending: true }), ctx(T0));
  assert.equal(p1.changed, true);
  assert.equal(p1.next.pendingSinceMs, T0);
  const p2 = step(p1.next, cond({ pending: true }), ctx(T0 + 10_000));
  assert.equal(p2.changed, false);
  assert.equal(p2.next.pendingSinceMs, T0);
});

test('firing starts at the condition time, never in the future', () => {
  assert.equal(step(null, cond({ active: true, sinceMs: T0 - 5000 }), ctx(T0)).next.firingSinceMs, T0 - 5000);
  assert.equal(step(null, cond({ active: true, sinceMs: T0 + 5000 }), ctx(T0)).next.firingSinceMs, T0);
  assert.equal(step(null, cond({ active: true }), ctx(T0)).next.firingSinceMs, T0);
});

test('repeat interval: one repeat per elapsed interval, numbered, never twice', () => {
  let s = step(null, cond({ active: true }), ctx(T0, null, 60 * MIN)).next;
  const kinds: string[] = [];
  for (const m of [30, 59, 60, 61, 119, 120, 300]) {
    const r = step(s, cond({ active: true }), ctx(T0 + m * MIN, null, 60 * MIN));
    kinds.push(`${m}:${r.transitions.map((t) => `${t.kind}#${t.repeat}`).join(',')}`);
    s = r.next;
  }
  // At 300 min the 5th interval is due; 3 and 4 were missed (no evaluation then): one repeat, numbered 5.
  assert.deepEqual(kinds, ['30:', '59:', '60:repeat#1', '61:', '119:', '120:repeat#2', '300:repeat#5']);
  assert.equal(s.repeats, 5);
  // 0 = never repeat.
  const once = step(null, cond({ active: true }), ctx(T0, null, 0)).next;
  assert.deepEqual(step(once, cond({ active: true }), ctx(T0 + 10_000 * MIN, null, 0)).transitions, []);
});

test('maintenance: a firing inside it is recorded silenced; when it ends the alert is notified with its original start', () => {
  const a = step(null, cond({ active: true, sinceMs: T0 }), ctx(T0, 'kernel upgrade'));
  assert.deepEqual(a.transitions, [{ kind: 'firing', startsAtMs: T0, endsAtMs: null, repeat: null, silencedBy: 'kernel upgrade' }]);
  assert.equal(a.next.notified, false);
  assert.equal(a.next.silencedBy, 'kernel upgrade');
  const b = step(a.next, cond({ active: true }), ctx(T0 + 10 * MIN, 'kernel upgrade'));
  assert.deepEqual(b.transitions, []);
  const c = step(b.next, cond({ active: true }), ctx(T0 + 20 * MIN, null));
  assert.deepEqual(c.transitions, [{ kind: 'firing', startsAtMs: T0, endsAtMs: null, repeat: null, silencedBy: null }]);
  assert.equal(c.next.notified, true);
  assert.equal(c.next.silencedBy, null);
});

test('maintenance: resolved inside it is still sent when the firing was notified; a firing silenced throughout resolves silently', () => {
  const notified = step(null, cond({ active: true }), ctx(T0)).next;
  const r1 = step(notified, cond(), ctx(T0 + MIN, 'upgrade'));
  assert.deepEqual(r1.transitions, [{ kind: 'resolved', startsAtMs: T0, endsAtMs: T0 + MIN, repeat: null, silencedBy: null }]);
  const silent = step(null, cond({ active: true }), ctx(T0, 'upgrade')).next;
  const r2 = step(silent, cond(), ctx(T0 + MIN, 'upgrade'));
  assert.deepEqual(r2.transitions, [{ kind: 'resolved', startsAtMs: T0, endsAtMs: T0 + MIN, repeat: null, silencedBy: 'upgrade' }]);
  // A repeat that falls inside maintenance is skipped, not sent late.
  const n = step(null, cond({ active: true }), ctx(T0, null, 60 * MIN)).next;
  const inside = step(n, cond({ active: true }), ctx(T0 + 61 * MIN, 'upgrade', 60 * MIN));
  assert.deepEqual(inside.transitions, []);
  assert.equal(inside.next.repeats, 1);
  assert.deepEqual(step(inside.next, cond({ active: true }), ctx(T0 + 70 * MIN, null, 60 * MIN)).transitions, []);
});

test('dedupe keys: cluster | rule | component | transition | start (| repeat) (| silenced)', () => {
  const t = { kind: 'firing' as const, startsAtMs: T0, endsAtMs: null, repeat: null, silencedBy: null };
  assert.equal(dedupeKey('c1', 'etcd-quorum-lost', 'etcd', t), `c1|etcd-quorum-lost|etcd|firing|${T0}`);
  assert.equal(dedupeKey('c1', 'etcd-quorum-lost', 'etcd', { ...t, kind: 'repeat', repeat: 2 }), `c1|etcd-quorum-lost|etcd|repeat|${T0}|2`);
  assert.equal(dedupeKey('c1', 'etcd-quorum-lost', 'etcd', { ...t, silencedBy: 'x' }), `c1|etcd-quorum-lost|etcd|firing|${T0}|silenced`);
  assert.equal(eventDedupeKey('c1', 'failover', 'leader-election/kube-system/kube-scheduler', 'failover-event:7'), 'c1|failover|leader-election/kube-system/kube-scheduler|event|failover-event:7');
  // The same transition computed twice (two replicas) has the same key.
  const a = step(null, cond({ active: true, sinceMs: T0 }), ctx(T0 + 500)).transitions[0]!;
  const b = step(null, cond({ active: true, sinceMs: T0 }), ctx(T0 + 900)).transitions[0]!;
  assert.equal(dedupeKey('c1', 'component-down', 'apiserver-readyz', a), dedupeKey('c1', 'component-down', 'apiserver-readyz', b));
});
