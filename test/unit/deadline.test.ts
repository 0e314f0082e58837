// lib/deadline.ts: the abortable waits (node:timers/promises underneath). The backoff policy itself is
// pinned in k8s-stream.test.ts (the watches that use it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pause, waitAtMost, withDeadline } from '@/lib/deadline';

test('waitAtMost returns when the work settles, or after the time with the work still pending', async () => {
  let settled = false;
  await waitAtMost(Promise.resolve().then(() => (settled = true)), 60_000);
  assert.equal(settled, true);
  const never = new Promise<void>(() => undefined);
  const t = Date.now();
  await waitAtMost(never, 20);
  assert.ok(Date.now() - t >= 15, 'waited for the time');
  await assert.rejects(waitAtMost(Promise.reject(new Error('boom')), 60_000), /boom/);
});

test('pause resolves early, never rejects, when its signal aborts; withDeadline rejects with the timeout error', async () => {
  const ac = new AbortController();
  const p = pause(60_000, ac.signal);
  ac.abort();
  assert.equal(await p, undefined);
  await assert.rejects(withDeadline(new Promise<void>(() => undefined), 10, () => new Error('too slow')), /too slow/);
  assert.equal(await withDeadline(Promise.resolve(7), 60_000, () => new Error('x')), 7);
});
