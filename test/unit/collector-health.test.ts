// The collector's /livez and /readyz (lib/collector/health-server.ts): live while cycles keep ending,
// with a start grace; ready after the first cycle. Then the real server on a loopback port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { collectorHealth, startHealthServer } from '@/lib/collector/health-server';

test('live while cycles end within 3 intervals + the probe budget; a 2-minute grace before the first; ready after it', () => {
  const s = { startedAt: 0, lastCycleAt: null as number | null, intervalMs: 10_000, probeTimeoutMs: 5000 };
  assert.deepEqual(collectorHealth(s, 60_000), { live: true, ready: false });
  assert.deepEqual(collectorHealth(s, 121_000), { live: false, ready: false }, 'no cycle in two minutes: stuck');
  s.lastCycleAt = 200_000;
  assert.deepEqual(collectorHealth(s, 235_999), { live: true, ready: true });
  assert.deepEqual(collectorHealth(s, 236_000), { live: false, ready: true }, '36 s without a cycle ending: stuck');
});

test('the server answers /livez, /readyz, 404 and 405, as JSON', async () => {
  const state = { startedAt: Date.now(), lastCycleAt: null as number | null, intervalMs: 10_000, probeTimeoutMs: 5000 };
  const srv = startHealthServer(0, state, () => undefined);
  await new Promise<void>((r) => (srv.listening ? r() : srv.once('listening', () => r())));
  const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  try {
    assert.equal((await fetch(`${base}/livez`)).status, 200);
    const notReady = await fetch(`${base}/readyz`);
    assert.deepEqual([notReady.status, await notReady.json()], [503, { status: 'starting' }]);
    state.lastCycleAt = Date.now();
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/livez`, { method: 'POST' })).status, 405);
  } finally {
    srv.close();
  }
});
