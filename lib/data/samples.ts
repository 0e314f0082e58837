// Probe results: batch writes from the collector, plain-object reads for pages and tests.
import { getOrInsert } from '../collections';
import { DbError, withDb, type DbProvider, type DbTx, type LastSampleRow, type SampleRow } from '../db';
import { sampleCapMs } from '../env';
import { QuorumError } from '../errors';
import { DAY_BUCKET_MS, HOUR_BUCKET_MS, advanceRuns, advanceSeries, bucketize, nextRecentGaps, recentTimes, minuteBuckets, type BucketStats, type CoalescedInterval, type MinuteStats, type TimelineSample } from '../slo/timeline';
import { STATUSES, type ProbeResult, type Status } from '../types';
import { createSeries, insertRawSamples, lockClustersForWrite, lockSeries, readSeries, updateRuns, updateSeries, upsertIntervals, upsertMinutes, upsertRollups, type NewSeries, type RawSampleRow, type SeriesRow } from './sql';

/**
 * A run of one series as pages, the API and tests see it: its first sample (`at` as ISO text,
 * `detail` parsed) and how far it went: `samples` samples, the last at `lastAt`. Every sample of a
 * run has the run's status, and its reason and detail equal the first one's but for digits and
 * measurements (lib/slo/timeline.ts startsRun); consecutive samples are at most the cap apart.
 */
export interface SampleView {
  id: string;
  clusterId: string;
  probe: string;
  target: string;
  at: string;
  status: Status;
  reason: string;
  /** The first sample's latency (latency per minute: RollupMinute). */
  latencyMs: number | null;
  detail: ProbeResult['detail'] | null;
  samples: number;
  lastAt: string;
}

export interface ListSamplesQuery {
  clusterId: string;
  since: Date;
  until?: Date;
  probe?: string;
  /** Default 10 000, at most 100 000. */
  limit?: number;
}

const MAX_TEXT = 4096;

export function parseDetail(text: string | null): ProbeResult['detail'] | null {
  if (text === null) return null;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as ProbeResult['detail']) : null;
  } catch {
    return null;
  }
}

function toSampleView(r: SampleRow): SampleView {
  return {
    id: r.id.toString(),
    clusterId: r.clusterId,
    probe: r.probe,
    target: r.target,
    at: r.at.toISOString(),
    status: r.status,
    reason: r.reason,
    latencyMs: r.latencyMs,
    detail: parseDetail(r.detail),
    samples: r.runSamples,
    lastAt: new Date(Number(r.runLastAtMs)).toISOString(),
  };
}

function toRow(clusterId: string, r: ProbeResult): Row {
  if (!STATUSES.includes(r.status)) throw new QuorumError('invalid-input', `sample status "${String(r.status)}" is not one of ${STATUSES.join(', ')}`);
  if (!Number.isFinite(r.at)) throw new QuorumError('invalid-input', `sample time ${String(r.at)} is not a number of ms`);
  if (typeof r.probe !== 'string' || r.probe.length === 0) throw new QuorumError('invalid-input', 'sample probe must be a non-empty string');
  const latency = r.latencyMs === null || !Number.isFinite(r.latencyMs) ? null : Math.max(0, Math.round(r.latencyMs));
  return {
    clusterId,
    probe: r.probe,
    target: r.target || 'endpoint',
    at: new Date(r.at),
    status: r.status,
    reason: (r.reason || r.status).slice(0, MAX_TEXT),
    latencyMs: latency,
    detail: r.detail === undefined ? null : JSON.stringify(r.detail),
  };
}

/** Options of the write path. */
export interface SampleWriteOptions {
  /** Longest time one sample speaks for. The collector passes its own (3 × its interval); default: the same from lib/env. */
  capMs?: number;
  /**
   * The batch may already be stored (a replay of the collector's buffer). Kept for callers: the
   * series cursor decides this for every batch now (a sample at or before its series' last sample
   * is a replay or late, and is skipped), so replays need no flag.
   */
  dedupe?: boolean;
  /**
   * The collector's interval: at most one sample per probe, target and cycle (`at` in the same
   * [k·slotMs, (k+1)·slotMs)) is kept — the first one written; later ones are skipped and counted as
   * `superseded`. Two collectors never probe one cluster in the same cycle by design
   * (lib/collector/ownership.ts); this keeps it so when one was cut off from the database and kept
   * probing what it owned while another took over.
   */
  slotMs?: number;
}

/**
 * What one write did: samples written (raw rows and the storage tier), samples skipped because they
 * were at or before their series' last sample (late, or a replay of a batch already stored), and
 * samples of a cycle already stored (`slotMs`).
 */
export interface WriteResult {
  written: number;
  late: number;
  superseded: number;
}

/**
 * Writes one collector cycle's results for a cluster in one transaction: the raw samples AND the
 * storage tier derived from them (lib/slo/timeline.ts): per series the newly attributed time goes
 * into hourly and daily rollups, each sample into its minute (RollupMinute), consecutive identical
 * results are coalesced into StatusInterval rows, and the series cursor (with the last sample
 * exactly: status, reason, detail, latency) moves on. Long windows are then read without raw rows.
 * When the cluster was removed meanwhile its samples are discarded (so a removed cluster can never
 * wedge the collector's retry buffer).
 *
 * Late, duplicate and superseded samples are decided by the series cursor, without reading raw
 * rows: a sample at or before its series' last sample is late or a replay (the collector replays
 * its on-disk buffer after a crash between the commit and its acknowledgement, or after a write
 * whose answer was lost) and is skipped — neither stored nor rolled up, so no time is counted
 * twice and a replayed batch writes nothing; with `slotMs`, a sample in the cycle slot of its
 * series' last sample is superseded. The cluster row is locked first, so writers of one cluster
 * (also two collectors) take turns and each sees the cursor the previous one committed.
 */
export async function insertSamples(clusterId: string, results: readonly ProbeResult[], opts: SampleWriteOptions = {}): Promise<void> {
  await writeSamples(clusterId, results, opts);
}

/** insertSamples, returning how many samples were written (0 for a removed cluster). */
export async function insertSamplesCounted(clusterId: string, results: readonly ProbeResult[], opts: SampleWriteOptions = {}): Promise<number> {
  return (await writeSamples(clusterId, results, opts)).written;
}

/** insertSamples with the full outcome (written, late, superseded). */
export async function writeSamples(clusterId: string, results: readonly ProbeResult[], opts: SampleWriteOptions = {}): Promise<WriteResult> {
  return (await writeSampleBatches([{ clusterId, results }], opts))[0]!;
}

/** One cluster's results in a write of several clusters. */
export interface SampleBatch {
  clusterId: string;
  results: readonly ProbeResult[];
}

/**
 * Writes several clusters' results in ONE transaction, each exactly as `writeSamples` would write it
 * alone (its cluster row locked, its cursors deciding late, replayed and superseded samples, a removed
 * cluster's results discarded), with one statement per table for all of them: the collector writes
 * the cycles that finished while the previous write ran this way (lib/collector/collector.ts), so a
 * fleet's cycle costs a few transactions instead of one per cluster. A cluster may appear once; the
 * outcome of each batch is returned in order. All or nothing: a failure writes none of them (the
 * collector then writes each alone, so one bad record is rejected by itself).
 */
export async function writeSampleBatches(batches: readonly SampleBatch[], opts: SampleWriteOptions = {}): Promise<WriteResult[]> {
  if (batches.every((b) => b.results.length === 0)) return batches.map(() => ({ written: 0, late: 0, superseded: 0 }));
  const capMs = opts.capMs ?? sampleCapMs();
  if (!Number.isInteger(capMs) || capMs <= 0 || capMs > 2_147_483_647) throw new QuorumError('invalid-input', `capMs must be a whole number of ms > 0, got ${String(capMs)}`);
  const slotMs = opts.slotMs;
  if (slotMs !== undefined && (!Number.isInteger(slotMs) || slotMs <= 0)) throw new QuorumError('invalid-input', `slotMs must be a whole number of ms > 0, got ${String(slotMs)}`);
  const seen = new Set<string>();
  for (const b of batches) {
    if (seen.has(b.clusterId)) throw new QuorumError('invalid-input', `writeSampleBatches: cluster ${b.clusterId} appears twice (merge its results, or write them in turn)`);
    seen.add(b.clusterId);
  }
  const prepared = batches.map((b) => b.results.map((r) => toRow(b.clusterId, r)));
  const ids = batches.filter((_b, i) => prepared[i]!.length > 0).map((b) => b.clusterId);
  return withDb((db) =>
    db.transaction(async (tx) => {
      const out: WriteResult[] = batches.map(() => ({ written: 0, late: 0, superseded: 0 }));
      // First the cluster rows, locked: writers of one cluster take turns (also two collectors), so the
      // cursors read next are what an earlier attempt of this batch — or another writer — committed
      // (even one whose answer was lost in a timeout). Then the cursors, locked (PostgreSQL) until commit.
      const present = await lockClustersForWrite(db.provider, tx, ids);
      if (present.size === 0) return out;
      const existing = new Map<string, SeriesRow>();
      for (const s of await lockSeries(db.provider, tx, [...present])) existing.set(seriesKey(s), s);
      const rows: Row[] = [];
      batches.forEach((b, i) => {
        if (!present.has(b.clusterId)) return;
        for (const r of prepared[i]!) {
          const c = existing.get(seriesKey(r));
          const t = r.at.getTime();
          // At or before the cursor: late or a replay, counted by advanceSeries below.
          if (!c || !slotMs || t <= c.lastAtMs || Math.floor(t / slotMs) !== Math.floor(c.lastAtMs / slotMs)) rows.push(r);
          else out[i]!.superseded++;
        }
      });
      if (rows.length === 0) return out;
      const done = await rollUp(db.provider, tx, existing, rows, capMs);
      batches.forEach((b, i) => {
        const d = done.get(b.clusterId);
        if (d) Object.assign(out[i]!, d);
      });
      return out;
    }),
  );
}

type Row = Omit<LastSampleRow, 'id'>;

const seriesKey = (r: { clusterId: string; probe: string; target: string }): string => `${r.clusterId}\u0000${r.probe}\u0000${r.target}`;

/**
 * Advances every series touched by `rows` (of one or several clusters) from its cursor and writes
 * intervals, rollups (hour, day, minute), runs (a Sample row for each run a sample starts, the open
 * run's count and last time otherwise) and cursors, one statement per table. Returns per cluster how
 * many samples were accepted (after their series' cursor), and how many were not.
 */
async function rollUp(
  provider: DbProvider,
  tx: DbTx,
  existing: Map<string, SeriesRow>,
  rows: readonly Row[],
  capMs: number,
): Promise<Map<string, { written: number; late: number }>> {
  const bySeries = new Map<string, { clusterId: string; probe: string; target: string; samples: TimelineSample[] }>();
  for (const r of rows) {
    getOrInsert(bySeries, seriesKey(r), () => ({ clusterId: r.clusterId, probe: r.probe, target: r.target, samples: [] as TimelineSample[] })).samples.push({
      t: r.at.getTime(),
      status: r.status,
      reason: r.reason,
      latencyMs: r.latencyMs,
      detail: r.detail,
    });
  }
  const missing = new Map<string, NewSeries[]>();
  for (const [key, g] of bySeries) {
    if (existing.has(key)) continue;
    const first = g.samples.reduce((a, b) => (b.t < a.t ? b : a));
    getOrInsert(missing, g.clusterId, () => []).push({ probe: g.probe, target: g.target, atMs: first.t, status: first.status, reason: first.reason, capMs });
  }
  const created = new Set<string>();
  for (const [clusterId, list] of missing) {
    for (const s of await createSeries(provider, tx, clusterId, list)) {
      existing.set(seriesKey(s), s);
      created.add(seriesKey(s));
    }
  }
  const intervals: Array<CoalescedInterval & { seriesId: number }> = [];
  const hours: Array<BucketStats & { seriesId: number }> = [];
  const days: Array<BucketStats & { seriesId: number }> = [];
  const minutes: Array<MinuteStats & { seriesId: number }> = [];
  const cursors = new Map<string, SeriesRow>();
  const detailKept = new Set<number>();
  const newRuns: RawSampleRow[] = [];
  const continued: Array<{ id: number; runSamples: number; runLastAtMs: number }> = [];
  const counts = new Map<string, { written: number; late: number }>();
  for (const [key, g] of bySeries) {
    const s = existing.get(key);
    if (!s) throw new DbError('query', `series ${g.probe}/${g.target} was not created`);
    const n = getOrInsert(counts, g.clusterId, () => ({ written: 0, late: 0 }));
    // A series created just now has no earlier sample: start from nothing (its first sample is in the batch).
    const prev = created.has(key) ? null : s;
    const r = advanceSeries(prev, g.samples, capMs);
    n.late += r.late;
    if (r.accepted.length === 0) continue;
    n.written += r.accepted.length;
    for (const i of r.intervals) intervals.push({ ...i, seriesId: s.id });
    for (const b of bucketize(r.spans, r.accepted, HOUR_BUCKET_MS)) hours.push({ ...b, seriesId: s.id });
    for (const b of bucketize(r.spans, r.accepted, DAY_BUCKET_MS)) days.push({ ...b, seriesId: s.id });
    for (const b of minuteBuckets(r.accepted)) minutes.push({ ...b, seriesId: s.id });
    const runs = advanceRuns(prev, r.accepted, capMs);
    if (runs.continued && s.runSampleId !== null) continued.push({ id: s.runSampleId, runSamples: runs.continued.samples, runLastAtMs: runs.continued.lastAtMs });
    for (const run of runs.runs) {
      const f = run.first;
      newRuns.push({ clusterId: g.clusterId, probe: g.probe, target: g.target, atMs: f.t, status: f.status, reason: f.reason, latencyMs: f.latencyMs, detail: f.detail ?? null, runSamples: run.samples, runLastAtMs: run.lastAtMs });
    }
    const open = runs.runs.at(-1) ?? runs.continued;
    const last = r.accepted[r.accepted.length - 1]!;
    if ((last.detail ?? null) === s.lastDetail) detailKept.add(s.id);
    cursors.set(key, { ...s, ...r.cursor, capMs, lastReason: last.reason, lastDetail: last.detail ?? null, lastLatencyMs: last.latencyMs, runSamples: open?.samples ?? s.runSamples, recentGaps: nextRecentGaps(prev, r.accepted) });
  }
  await upsertIntervals(provider, tx, intervals);
  await upsertRollups(provider, tx, 'RollupHour', hours);
  await upsertRollups(provider, tx, 'RollupDay', days);
  await upsertMinutes(provider, tx, minutes);
  await updateRuns(provider, tx, continued);
  // The open run of a series is its newest row.
  for (const row of await insertRawSamples(provider, tx, newRuns)) {
    const c = cursors.get(seriesKey(row));
    if (c && row.runLastAtMs === c.lastAtMs) c.runSampleId = row.id;
  }
  await updateSeries(provider, tx, [...cursors.values()], detailKept);
  return counts;
}

/**
 * The last sample of each series of a cluster as of `nowMs`, newest first: the series cursor (which
 * keeps the last sample's status, reason, detail and latency exactly), without reading raw rows.
 * A series whose cursor is after `nowMs` (a sample written while a page was read, or a page about
 * the past) answers from the run that holds `nowMs`: its time exactly when it is among the cursor's
 * last 100 (recentGaps) or a run's first or last sample — else the run's first sample, the newest
 * one known before `nowMs` — with the run's status, and its first sample's reason and detail (the
 * same but for digits and measurements); the latency only when that is the run's first sample
 * (runs keep no other), else null. Series whose last sample is before `sinceMs` are left out. `id`
 * is the series id for cursors.
 */
export async function latestSamples(clusterId: string, o: { nowMs: number; sinceMs?: number; probes?: readonly string[] }): Promise<LastSampleRow[]> {
  return withDb(async (db) => {
    const out: LastSampleRow[] = [];
    for (const s of await readSeries(db, clusterId, o.probes)) {
      if (s.lastAtMs <= o.nowMs) {
        if (o.sinceMs === undefined || s.lastAtMs >= o.sinceMs) {
          out.push({ id: s.id, clusterId, probe: s.probe, target: s.target, at: new Date(s.lastAtMs), status: s.lastStatus, reason: s.lastReason, latencyMs: s.lastLatencyMs, detail: s.lastDetail });
        }
        continue;
      }
      const row = await db.prisma.sample.findFirst({
        where: { clusterId, probe: s.probe, target: s.target, at: { lte: new Date(o.nowMs) }, ...(o.sinceMs === undefined ? {} : { runLastAtMs: { gte: BigInt(o.sinceMs) } }) },
        orderBy: [{ at: 'desc' }, { id: 'asc' }],
      });
      if (!row) continue;
      const { runSamples: _n, runLastAtMs, ...first } = row;
      const firstMs = first.at.getTime();
      const lastMs = Number(runLastAtMs);
      const known = lastMs <= o.nowMs ? lastMs : recentTimes(s.lastAtMs, s.recentGaps).find((t) => t <= o.nowMs && t >= firstMs);
      if (known === undefined || known === firstMs) out.push(first);
      else out.push({ ...first, at: new Date(known), latencyMs: null });
    }
    return out.sort((a, b) => b.at.getTime() - a.at.getTime() || b.id - a.id);
  });
}

/**
 * Runs of one cluster that overlap [since, until) — a run that started before `since` but whose
 * last sample is at or after it is included — oldest first (by their first sample).
 */
export async function listSamples(q: ListSamplesQuery): Promise<SampleView[]> {
  if (!(q.since instanceof Date) || Number.isNaN(q.since.getTime())) throw new QuorumError('invalid-input', 'listSamples: since must be a valid Date');
  if (q.until !== undefined && (!(q.until instanceof Date) || Number.isNaN(q.until.getTime()))) throw new QuorumError('invalid-input', 'listSamples: until must be a valid Date');
  const limit = Math.min(100_000, Math.max(1, Math.floor(q.limit ?? 10_000)));
  const rows = await withDb((db) =>
    db.prisma.sample.findMany({
      where: { clusterId: q.clusterId, ...(q.probe ? { probe: q.probe } : {}), runLastAtMs: { gte: BigInt(q.since.getTime()) }, ...(q.until ? { at: { lt: q.until } } : {}) },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      take: limit,
    }),
  );
  return rows.map(toSampleView);
}
