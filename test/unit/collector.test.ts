import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleBuffer } from '@/lib/collector/buffer';
import { cronExpression, loadCollectorConfig } from '@/lib/collector/config';
import { mapLimit } from '@/lib/collector/run';
import type { ProbeResult } from '@/lib/types';

const sample = (i: number): ProbeResult => ({ probe: 'apiserver-readyz', target: 'endpoint', status: 'up', reason: 'ok', latencyMs: i, at: i });

test('cron expressions for intervals that divide a minute or an hour; others refused', () => {
  assert.equal(cronExpression(10), '*/10 * * * * *');
  assert.equal(cronExpression(60), '0 */1 * * * *');
  assert.equal(cronExpression(300), '0 */5 * * * *');
  assert.throws(() => cronExpression(7), /must divide a minute/);
  assert.throws(() => loadCollectorConfig({ QUORUM_COLLECTOR_INTERVAL_SECONDS: 'ten' }), /QUORUM_COLLECTOR_INTERVAL_SECONDS=ten is invalid/);
  assert.deepEqual(loadCollectorConfig({}), { intervalSeconds: 10, probeTimeoutMs: 5000, concurrency: 16, bufferLimit: 100000 });
});

test('SampleBuffer keeps order, stops at the first failed write, drops the oldest past its bound', async () => {
  const b = new SampleBuffer(1000);
  for (let i = 0; i < 3; i++) b.push({ clusterId: `c${i}`, results: Array.from({ length: 400 }, (_, j) => sample(j)) });
  assert.equal(b.pending, 800);
  assert.equal(b.dropped, 400);
  const seen: string[] = [];
  let fail = true;
  await assert.rejects(b.flush(async (x) => { if (fail && x.clusterId === 'c2') throw new Error('db down'); seen.push(x.clusterId); }), /db down/);
  assert.deepEqual(seen, ['c1']);
  assert.equal(b.pending, 400);
  fail = false;
  assert.equal(await b.flush(async (x) => { seen.push(x.clusterId); }), 400);
  assert.deepEqual(seen, ['c1', 'c2']);
  assert.equal(b.pending, 0);
});

test('mapLimit never runs more than the limit at once and keeps input order', async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, n * 3));
    inFlight--;
    return n * 10;
  });
  assert.equal(peak, 2);
  assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
});
