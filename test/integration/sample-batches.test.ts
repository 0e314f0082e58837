// Issue 16: the collector writes the cycles of several clusters in one transaction
// (writeSampleBatches). Each cluster must end up with exactly what writing it alone stores. The same
// streams go to two sets of clusters on one database: set A one writeSamples call per cluster and
// batch, set B one writeSampleBatches call per step holding every cluster's batch. The streams differ
// per cluster (outages, degraded spells, unknowns, a Lease holder change at other cycles) and carry
// replays, a cut-off collector's samples in written slots, a gap beyond the cap and a late sample.
// Every table of the storage tier is compared per cluster (ids mapped away), and so is what each call
// reported. Then: a cluster removed before the batch is skipped while the others are written, a cluster
// twice in one call is refused, and a failing batch writes none of its clusters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withDb } from '@/lib/db';
import type { Provider } from '@/lib/db/schema';
import { forEachProvider, useProviderDb } from './provider-db';
import { createCluster, removeCluster } from '@/lib/data/clusters';
import { writeSampleBatches, writeSamples, type WriteResult } from '@/lib/data/samples';
import { q } from '@/lib/data/sql';
import { QuorumError } from '@/lib/errors';
import type { ProbeResult, Status } from '@/lib/types';

const S = 1000;
const CAP = 30 * S;
const SLOT = 10 * S;
const T0 = Date.UTC(2026, 10, 30, 23, 40); // crosses an hour and a UTC day
const CLUSTERS = 4;

/** Cluster c's results of cycle k: its outage, degraded and unknown spells and holder change are shifted by c. */
function cycle(c: number, k: number, o: { offsetMs?: number; holder?: string } = {}): ProbeResult[] {
  const t = T0 + k * SLOT + (o.offsetMs ?? 0) + c * 137;
  const down = k >= 30 + 5 * c && k < 36 + 7 * c;
  const unknown = k >= 90 - c && k < 93;
  const status: Status = unknown ? 'unknown' : down ? 'down' : k % (11 + c) === 5 ? 'degraded' : 'up';
  const holder = o.holder ?? (k < 60 + 4 * c ? `cp1_${c}` : `cp2_${c}`);
  return [
    { probe: 'apiserver-readyz', target: 'endpoint', status, reason: status === 'up' ? 'ok' : `readyz failed: etcd (${k % 4} checks)`, latencyMs: 10 + ((k + c) % 9), at: t, detail: { httpStatus: down ? 500 : 200 } },
    { probe: 'leader-election', target: 'kube-system/kube-scheduler', status: 'up', reason: `held by ${holder}, renewed ${(k % 7) + 0.5} s ago (lease 15 s)`, latencyMs: null, at: t, detail: { facts: { holder, renewAgeMs: (k % 7) * 1000 + 500 } } },
    ...(c % 2 === 0 && k > 20 ? [{ probe: 'dns' as const, target: 'kube-dns', status: 'up' as Status, reason: 'ok', latencyMs: 2, at: t }] : []),
  ];
}

interface Step {
  results: (c: number) => ProbeResult[];
  slotMs?: number;
}

/** The same shape for every cluster (so one call's options fit all), with each cluster's own results. */
function steps(): Step[] {
  const out: Step[] = [];
  for (let k = 0; k < 110; k++) {
    if (k >= 70 && k < 76) continue; // collector gap of 60 s: beyond the cap
    out.push({ results: (c) => cycle(c, k), slotMs: SLOT });
    if (k % 17 === 3) out.push({ results: (c) => cycle(c, k), slotMs: SLOT }); // replayed after a lost answer
    if (k % 23 === 7) out.push({ results: (c) => cycle(c, k, { offsetMs: 4000, holder: 'cp9_z' }), slotMs: SLOT }); // a cut-off collector, same slot
  }
  out.push({ results: (c) => cycle(c, 30).slice(0, 1) }); // late: long before the cursor
  out.push({ results: (c) => cycle(c, 80).concat(cycle(c, 81)), slotMs: SLOT }); // a replay of two cycles at once
  out.push({ results: (c) => (c === 1 ? [] : cycle(c, 110, { offsetMs: 2000 })), slotMs: SLOT }); // one cluster has nothing this time
  return out;
}

type Row = Record<string, unknown>;

const newCluster = async (name: string): Promise<string> => (await createCluster({ name, server: 'https://127.0.0.1:6443', context: 'c', labels: {}, kubeconfigYaml: 'apiVersion: v1' })).id;

function plain(r: Row, drop: readonly string[]): Row {
  const o: Row = {};
  for (const [k, v] of Object.entries(r)) if (!drop.includes(k)) o[k] = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v;
  return o;
}

/** Every storage-tier row of one cluster, ids replaced by what they point at. */
async function dump(clusterId: string): Promise<Record<string, Row[]>> {
  return withDb(async (db) => {
    const p = db.provider;
    const all = async (sql: string): Promise<Row[]> => (await db.prisma.$queryRawUnsafe(q(p, sql), clusterId)) as Row[];
    const samples = await all(`SELECT * FROM "Sample" WHERE "clusterId" = $1 ORDER BY "probe", "target", "at", "id"`);
    const sampleKey = new Map(samples.map((s) => [Number(s.id), `${String(s.probe)}|${String(s.target)}|${new Date(s.at as string).toISOString()}`]));
    const series = await all(`SELECT * FROM "Series" WHERE "clusterId" = $1 ORDER BY "probe", "target"`);
    const out: Record<string, Row[]> = {
      Sample: samples.map((s) => plain(s, ['id', 'clusterId'])),
      Series: series.map((s) => ({ ...plain(s, ['id', 'clusterId', 'runSampleId']), run: s.runSampleId === null ? null : sampleKey.get(Number(s.runSampleId)) })),
    };
    for (const t of ['StatusInterval', 'RollupHour', 'RollupDay', 'RollupMinute']) {
      const rows = await all(`SELECT s."probe", s."target", r.* FROM "${t}" r JOIN "Series" s ON s."id" = r."seriesId" WHERE s."clusterId" = $1`);
      out[t] = rows.map((r) => plain(r, ['seriesId'])).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    }
    return out;
  });
}

forEachProvider('several clusters in one write transaction', (provider: Provider) => {
  useProviderDb(provider, 'sample-batches');

  test('each cluster stores exactly what writing it alone stores, and each call reports the same', async () => {
    const alone: string[] = [];
    const batched: string[] = [];
    for (let c = 0; c < CLUSTERS; c++) {
      alone.push((await newCluster(`alone-${c}`)));
      batched.push((await newCluster(`batched-${c}`)));
    }
    const totals = { alone: [] as WriteResult[], batched: [] as WriteResult[] };
    for (const st of steps()) {
      const opts = { capMs: CAP, ...(st.slotMs ? { slotMs: st.slotMs } : {}) };
      for (let c = 0; c < CLUSTERS; c++) totals.alone.push(await writeSamples(alone[c]!, st.results(c), opts));
      totals.batched.push(...(await writeSampleBatches(batched.map((id, c) => ({ clusterId: id, results: st.results(c) })), opts)));
    }
    assert.deepEqual(totals.batched, totals.alone);
    const sum = (k: keyof WriteResult): number => totals.alone.reduce((a, r) => a + r[k], 0);
    // The stream does exercise every decision of the cursor.
    assert.ok(sum('written') > 800 && sum('late') > 20 && sum('superseded') > 10, JSON.stringify({ written: sum('written'), late: sum('late'), superseded: sum('superseded') }));
    for (let c = 0; c < CLUSTERS; c++) {
      const [a, b] = [await dump(alone[c]!), await dump(batched[c]!)];
      assert.ok(a.Sample!.length > 5 && a.RollupMinute!.length > 10 && a.StatusInterval!.length > 3, `cluster ${c} stored too little to compare: ${JSON.stringify(Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v.length])))}`);
      for (const t of Object.keys(a)) assert.deepEqual(b[t], a[t], `cluster ${c}, table ${t}`);
    }
  });

  test('a removed cluster is skipped, the others are written; a cluster twice is refused; a failure writes none', async () => {
    const ids: string[] = [];
    for (let c = 0; c < 3; c++) ids.push((await newCluster(`edge-${c}`)));
    assert.equal(await removeCluster(ids[1]!), true);
    // Cycle 25: clusters 0 and 2 have three series (readyz, the Lease and DNS).
    const r = await writeSampleBatches(ids.map((id, c) => ({ clusterId: id, results: cycle(c, 25) })), { capMs: CAP });
    assert.deepEqual(r, [{ written: 3, late: 0, superseded: 0 }, { written: 0, late: 0, superseded: 0 }, { written: 3, late: 0, superseded: 0 }]);
    await assert.rejects(writeSampleBatches([{ clusterId: ids[0]!, results: cycle(0, 26) }, { clusterId: ids[0]!, results: cycle(0, 27) }], { capMs: CAP }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'invalid-input');
    // A bad record in the batch: nothing of the call is stored (the collector then writes each alone).
    const bad = { ...cycle(2, 26)[0]!, status: 'sideways' as Status };
    await assert.rejects(writeSampleBatches([{ clusterId: ids[0]!, results: cycle(0, 26) }, { clusterId: ids[2]!, results: [bad] }], { capMs: CAP }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'invalid-input');
    const last = (await dump(ids[0]!)).Series!.map((x) => x.lastAtMs);
    assert.deepEqual(last, [cycle(0, 25)[0]!.at, cycle(0, 25)[0]!.at, cycle(0, 25)[0]!.at], 'cluster 0 still ends at cycle 25');
    // The batch rerun without the bad record writes both.
    const again = await writeSampleBatches([{ clusterId: ids[0]!, results: cycle(0, 26) }, { clusterId: ids[2]!, results: cycle(2, 26) }], { capMs: CAP });
    assert.deepEqual(again.map((x) => x.written), [3, 3]);
  });
});
