// Issue 16: late, replayed and superseded samples are decided by the series cursor instead of by reading
// raw rows. The same stream of batches — per-cycle writes, replays of committed batches (a lost answer),
// a late sample, a second collector's samples in already-written cycle slots and in new ones, gaps
// beyond the cap, reasons whose digits change, a Lease holder change — written through the real write
// path must give exactly the rollups, intervals and cursors that main's raw-row dedupe gave. main's
// decisions are modelled here from its code (withoutStored: a key already stored raw is skipped; with
// slotMs a slot holding any stored raw row is skipped; the rest is stored raw and rolled up when after the
// cursor), and the expected tables are computed from the accepted samples by the pure lib/slo/timeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getDb } from '@/lib/db';
import type { Provider } from '@/lib/db/schema';
import { forEachProvider, useProviderDb } from './provider-db';
import { createCluster } from '@/lib/data/clusters';
import { listSamples, writeSamples } from '@/lib/data/samples';
import { q } from '@/lib/data/sql';
import { DAY_BUCKET_MS, HOUR_BUCKET_MS, advanceSeries, bucketize, minuteBuckets, startsRun, type LastSample, type SeriesCursor, type TimelineSample } from '@/lib/slo/timeline';
import type { ProbeResult, Status } from '@/lib/types';

const S = 1000;
const CAP = 30 * S;
const SLOT = 10 * S;
const T0 = Date.UTC(2026, 10, 30, 23, 40); // crosses an hour and a UTC day

function cycle(k: number, o: { offsetMs?: number; holder?: string } = {}): ProbeResult[] {
  const t = T0 + k * SLOT + (o.offsetMs ?? 0);
  const down = k >= 40 && k < 47;
  const unknown = k >= 90 && k < 95;
  const status: Status = unknown ? 'unknown' : down ? 'down' : k % 13 === 5 ? 'degraded' : 'up';
  return [
    { probe: 'apiserver-readyz', target: 'endpoint', status, reason: status === 'up' ? 'ok' : `readyz failed: etcd (${k % 4} checks)`, latencyMs: 10 + (k % 9), at: t, detail: { httpStatus: down ? 500 : 200 } },
    {
      probe: 'leader-election',
      target: 'kube-system/kube-scheduler',
      status: 'up',
      reason: `held by ${o.holder ?? (k < 70 ? 'cp1_a' : 'cp2_b')}, renewed ${(k % 7) + 0.5} s ago (lease 15 s)`,
      latencyMs: null,
      at: t,
      detail: { facts: { holder: o.holder ?? (k < 70 ? 'cp1_a' : 'cp2_b'), renewAgeMs: (k % 7) * 1000 + 500 } },
    },
  ];
}

interface Batch {
  results: ProbeResult[];
  dedupe?: boolean;
  slotMs?: number;
}

function stream(): Batch[] {
  const out: Batch[] = [];
  for (let k = 0; k < 120; k++) {
    if (k >= 60 && k < 66) continue; // collector gap of 70 s: beyond the cap
    out.push({ results: cycle(k), slotMs: SLOT });
    if (k % 17 === 3) out.push({ results: cycle(k), dedupe: true, slotMs: SLOT }); // the same batch replayed after a lost answer
    if (k % 23 === 7) out.push({ results: cycle(k, { offsetMs: 4000, holder: 'cp9_z' }), slotMs: SLOT }); // a cut-off collector's sample of the same cycle
  }
  out.push({ results: cycle(30).slice(0, 1) }); // late: long before the cursor
  out.push({ results: cycle(80).concat(cycle(81)), dedupe: true, slotMs: SLOT }); // a replay of two cycles at once
  out.push({ results: cycle(120, { offsetMs: 2000 }), slotMs: SLOT }); // a new cycle, late in its slot
  return out;
}

/** main's decisions (lib/data/samples.ts withoutStored before issue 16), per batch: which samples it rolled up. */
function mainAccepted(batches: readonly Batch[]): Map<string, TimelineSample[]> {
  const stored: Array<{ key: string; t: number }> = [];
  const last = new Map<string, number>();
  const accepted = new Map<string, TimelineSample[]>();
  for (const b of batches) {
    let rows = b.results;
    if (b.dedupe) {
      const have = new Map<string, number>();
      for (const s of stored) have.set(`${s.key}|${s.t}`, (have.get(`${s.key}|${s.t}`) ?? 0) + 1);
      rows = rows.filter((r) => {
        const k = `${r.probe}|${r.target}|${r.at}`;
        const n = have.get(k) ?? 0;
        if (n === 0) return true;
        have.set(k, n - 1);
        return false;
      });
    }
    if (b.slotMs) {
      const slots = new Set(stored.map((s) => `${s.key}|${Math.floor(s.t / b.slotMs!)}`));
      rows = rows.filter((r) => !slots.has(`${r.probe}|${r.target}|${Math.floor(r.at / b.slotMs!)}`));
    }
    for (const r of [...rows].sort((x, y) => x.at - y.at)) {
      const key = `${r.probe}|${r.target}`;
      stored.push({ key, t: r.at });
      const l = last.get(key);
      if (l !== undefined && r.at <= l) continue; // late: stored raw, not rolled up
      last.set(key, r.at);
      const list = accepted.get(key) ?? [];
      list.push({ t: r.at, status: r.status, reason: r.reason || r.status, latencyMs: r.latencyMs, detail: JSON.stringify(r.detail) });
      accepted.set(key, list);
    }
  }
  return accepted;
}

function suite(provider: Provider): void {
  let clusterId = '';
  useProviderDb(provider, 'quorum_cursor_dedupe', async () => {
    clusterId = (await createCluster({ name: 'dedupe', server: 'https://127.0.0.1:6443', context: 'c', labels: {}, kubeconfigYaml: 'apiVersion: v1' })).id;
  });

  test('the cursor decides as main\'s raw-row dedupe did: identical rollups (hour, day), intervals and cursors; minutes and raw rows equal the accepted samples', async () => {
    const batches = stream();
    let late = 0;
    let superseded = 0;
    for (const b of batches) {
      const r = await writeSamples(clusterId, b.results, { capMs: CAP, ...(b.dedupe ? { dedupe: true } : {}), ...(b.slotMs ? { slotMs: b.slotMs } : {}) });
      late += r.late;
      superseded += r.superseded;
    }
    const expected = mainAccepted(batches);
    const produced = batches.reduce((a, b) => a + b.results.length, 0);
    const acceptedCount = [...expected.values()].reduce((a, l) => a + l.length, 0);
    assert.equal(late + superseded, produced - acceptedCount, 'every sample not rolled up is counted');
    assert.ok(late >= 1 + 2 * 7 + 4 && superseded >= 2 * 5, `late ${late}, superseded ${superseded}`);

    const db = await getDb();
    const sql = (text: string): Promise<Array<Record<string, unknown>>> => db.prisma.$queryRawUnsafe(q(db.provider, text), clusterId) as Promise<Array<Record<string, unknown>>>;
    const series = await sql(`SELECT "id","probe","target","lastAtMs","lastStatus","openStartMs","openReason","openSamples","lastReason","lastDetail","lastLatencyMs" FROM "Series" WHERE "clusterId" = $1 ORDER BY "probe"`);
    assert.equal(series.length, 2);
    const num = (rows: Array<Record<string, unknown>>): unknown[][] => rows.map((r) => Object.values(r).map((v) => (typeof v === 'bigint' || (typeof v === 'string' && /^\d+$/.test(v)) ? Number(v) : v)));
    for (const s of series) {
      const key = `${String(s.probe)}|${String(s.target)}`;
      const samples = expected.get(key)!;
      const a = advanceSeries(null, samples, CAP);
      const c: SeriesCursor = a.cursor;
      const lastS = samples[samples.length - 1]!;
      assert.deepEqual(
        [Number(s.lastAtMs), s.lastStatus, Number(s.openStartMs), s.openReason, Number(s.openSamples), s.lastReason, s.lastDetail, s.lastLatencyMs === null ? null : Number(s.lastLatencyMs)],
        [c.lastAtMs, c.lastStatus, c.openStartMs, c.openReason, c.openSamples, lastS.reason, lastS.detail, lastS.latencyMs],
        `${key}: cursor`,
      );
      const where = `"seriesId" IN (SELECT "id" FROM "Series" WHERE "clusterId" = $1 AND "id" = ${Number(s.id)})`;
      const intervals = await sql(`SELECT "startMs","endMs","status","reason","samples" FROM "StatusInterval" WHERE ${where} ORDER BY "startMs"`);
      // The expected intervals: every interval advanceSeries emits, the last value of each start winning (the write path upserts).
      const byStart = new Map<number, unknown[]>();
      for (const i of a.intervals) byStart.set(i.startMs, [i.startMs, i.endMs, i.status, i.reason, i.samples]);
      assert.deepEqual(num(intervals), [...byStart.values()].sort((x, y) => Number(x[0]) - Number(y[0])), `${key}: intervals`);
      for (const [table, ms] of [['RollupHour', HOUR_BUCKET_MS], ['RollupDay', DAY_BUCKET_MS]] as const) {
        const rows = await sql(`SELECT "bucketStartMs","goodMs","badMs","unknownMs","samples","badSamples","latencyCount","latencySumMs","latencyMinMs","latencyMaxMs" FROM "${table}" WHERE ${where} ORDER BY "bucketStartMs"`);
        const want = bucketize(a.spans, a.accepted, ms).map((b) => [b.bucketStartMs, b.goodMs, b.badMs, b.unknownMs, b.samples, b.badSamples, b.latencyCount, b.latencySumMs, b.latencyMinMs, b.latencyMaxMs]);
        assert.deepEqual(num(rows), want, `${key}: ${table}`);
      }
      const minutes = await sql(`SELECT "bucketStartMs","samples","badSamples","degradedSamples","unknownSamples","latencyCount","latencySumMs","latencyMinMs","latencyMaxMs" FROM "RollupMinute" WHERE ${where} ORDER BY "bucketStartMs"`);
      assert.deepEqual(num(minutes), minuteBuckets(samples).map((b) => Object.values(b)), `${key}: RollupMinute`);
      // Raw rows are runs of the accepted samples (startsRun: status, reason with digits masked, detail, a gap beyond
      // the cap), each with its first sample, count and last time; late and superseded samples are in none.
      const raw = await listSamples({ clusterId, since: new Date(0), probe: String(s.probe), limit: 100_000 });
      const runs: Array<[number, string, string, number | null, number, number]> = [];
      let prev: LastSample | null = null;
      for (const x of samples) {
        if (startsRun(prev, x, CAP)) runs.push([x.t, x.status, x.reason, x.latencyMs, 1, x.t]);
        else {
          const r = runs[runs.length - 1]!;
          r[4]++;
          r[5] = x.t;
        }
        prev = { lastAtMs: x.t, lastStatus: x.status, lastReason: x.reason, lastDetail: x.detail ?? null };
      }
      assert.deepEqual(raw.map((r) => [Date.parse(r.at), r.status, r.reason, r.latencyMs, r.samples, Date.parse(r.lastAt)]), runs, `${key}: raw rows = the runs of the accepted samples`);
      assert.ok(runs.length < samples.length, `${key}: ${runs.length} runs of ${samples.length} samples`);
    }
    // A replay of everything writes nothing.
    for (const b of batches) assert.equal((await writeSamples(clusterId, b.results, { capMs: CAP, dedupe: true, slotMs: SLOT })).written, 0);
  });
}

forEachProvider('cursor dedupe equals main\'s raw-row dedupe', suite);
