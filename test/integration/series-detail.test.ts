// The write path sends a series' lastDetail only when it changed (lib/data/sql.ts updateSeries,
// `detailKept`): a healthy /readyz repeats the same few KiB every cycle. After every write the
// cursor must still hold exactly the last sample's detail — through repeats, a change, a change back,
// no detail at all, and a batch of several clusters where some keep theirs and some change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getDb } from '@/lib/db';
import type { Provider } from '@/lib/db/schema';
import { createCluster } from '@/lib/data/clusters';
import { writeSampleBatches, writeSamples } from '@/lib/data/samples';
import { q } from '@/lib/data/sql';
import type { ProbeResult } from '@/lib/types';
import { forEachProvider, useProviderDb } from './provider-db';

const CAP = 30_000;
const T0 = Date.UTC(2026, 11, 2, 1, 0);
const A = { httpStatus: 200, checks: [{ name: 'ping', ok: true }, { name: 'etcd', ok: true }] };
const B = { httpStatus: 500, checks: [{ name: 'ping', ok: true }, { name: 'etcd', ok: false, message: 'reason withheld' }] };

const sample = (k: number, detail: ProbeResult['detail'] | undefined): ProbeResult => ({
  probe: 'apiserver-readyz', target: 'endpoint', status: detail === B ? 'down' : 'up', reason: detail === B ? 'readyz failed: etcd' : 'ok', latencyMs: 5, at: T0 + k * 10_000, ...(detail ? { detail } : {}),
});

async function lastDetail(provider: Provider, clusterId: string): Promise<unknown> {
  const db = await getDb();
  const rows = (await db.prisma.$queryRawUnsafe(q(provider, 'SELECT "lastDetail" FROM "Series" WHERE "clusterId" = $1'), clusterId)) as Array<{ lastDetail: string | null }>;
  assert.equal(rows.length, 1);
  return rows[0]!.lastDetail === null ? null : JSON.parse(rows[0]!.lastDetail);
}

forEachProvider('the series cursor\'s lastDetail, sent only when it changed', (provider) => {
  useProviderDb(provider, 'quorum_series_detail');
  const newCluster = async (name: string): Promise<string> => (await createCluster({ name, server: 'https://127.0.0.1:6443', context: 'c', labels: {}, kubeconfigYaml: 'apiVersion: v1' })).id;

  test('one cluster: repeats, a change, a change back, no detail', async () => {
    const id = await newCluster('one');
    const steps = [A, A, B, B, undefined, undefined, A, A];
    for (const [k, d] of steps.entries()) {
      await writeSamples(id, [sample(k, d)], { capMs: CAP });
      assert.deepEqual(await lastDetail(provider, id), d ?? null, `after write ${k}`);
    }
  });

  test('a batch of clusters, some keeping their detail and some changing it', async () => {
    const ids = [await newCluster('b0'), await newCluster('b1'), await newCluster('b2')];
    const plan = [
      [A, B, undefined],
      [A, A, A],
      [B, A, undefined],
      [B, B, B],
    ];
    for (const [k, row] of plan.entries()) {
      await writeSampleBatches(ids.map((clusterId, c) => ({ clusterId, results: [sample(k, row[c])] })), { capMs: CAP });
      for (const [c, id] of ids.entries()) assert.deepEqual(await lastDetail(provider, id), row[c] ?? null, `cluster ${c} after batch ${k}`);
    }
  });
});
