// Prisma's driver adapters hand every query — its SQL and every argument — to @prisma/debug, which
// keeps the last 100 calls in memory even with DEBUG off. A collector's batch write sends megabytes
// of arguments, so lib/db.ts `withDb` empties that history after every call. This pins both halves:
// the adapter really logs into the @prisma/debug instance Quorum clears (an upgrade that bundles its
// own copy fails here, not silently in production memory), and nothing of a call is left after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { getLogs } from '@prisma/debug';
import { withDb } from '@/lib/db';
import { createCluster } from '@/lib/data/clusters';
import { writeSampleBatches } from '@/lib/data/samples';
import type { ProbeResult } from '@/lib/types';
import { forEachProvider, useProviderDb } from './provider-db';

forEachProvider('the driver adapters\' query history', (provider) => {
  useProviderDb(provider, 'query-log');

  test('a query is in the history while its call runs, and gone when the call returns', async () => {
    const marker = `quorum-marker-${randomBytes(6).toString('hex')}`;
    const during = await withDb(async (db) => {
      await db.prisma.$queryRawUnsafe(`SELECT '${marker}' AS m`); // hex only: safe to inline
      return getLogs(1_000_000);
    });
    assert.ok(during.includes(marker), `the adapter's debug call did not reach @prisma/debug's history (was: ${during.slice(0, 300)})`);
    assert.ok(!getLogs(1_000_000).includes(marker), 'the query and its argument are still held after withDb returned');
  });

  test('a batch write of fifty clusters leaves none of its arguments behind', async () => {
    const at = Date.UTC(2026, 11, 2, 1, 0);
    const checks = Array.from({ length: 50 }, (_, i) => ({ name: `poststarthook/check-${i}`, ok: true }));
    const batches: { clusterId: string; results: ProbeResult[] }[] = [];
    for (let c = 0; c < 50; c++) {
      const { id } = await createCluster({ name: `qlog-${c}`, server: 'https://127.0.0.1:6443', context: 'c', labels: {}, kubeconfigYaml: 'apiVersion: v1' });
      batches.push({ clusterId: id, results: [{ probe: 'apiserver-readyz', target: 'endpoint', status: 'up', reason: 'ok', latencyMs: 7, at, detail: { httpStatus: 200, checks } }] });
    }
    const written = await writeSampleBatches(batches, { capMs: 30_000 });
    assert.equal(written.reduce((n, w) => n + w.written, 0), 50);
    const left = getLogs(1_000_000);
    assert.ok(!left.includes('poststarthook/check-49'), `the write's arguments are still held: ${left.length} characters of history`);
  });
});
