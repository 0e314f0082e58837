// Probe results: batch writes from the collector, plain-object reads for pages and tests.
import { getOrInsert } from '../collections';
import { DbError, withDb, type DbProvider, type DbTx, type SampleRow } from '../db';
import { sampleCapMs } from '../env';
import { QuorumError } from '../errors';
import { DAY_BUCKET_MS, HOUR_BUCKET_MS, advanceSeries, bucketize, type BucketStats, type CoalescedInterval, type TimelineSample } from '../slo/timeline';
import { STATUSES, type ProbeResult, type Status } from '../types';
import { createSeries, insertRawSamples, lockClusterForWrite, lockSeries, updateSeries, upsertIntervals, upsertRollups, type NewSeries, type SeriesRow } from './sql';

/** A sample as pages and tests see it: `at` as ISO text, `detail` parsed. */
export interface SampleView {
  id: string;
  clusterId: string;
  probe: string;
  target: string;
  at: string;
  status: Status;
  reason: string;
  latencyMs: number | null;
  detail: ProbeResult['detail'] | null;
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
  };
}

function toRow(clusterId: string, r: ProbeResult): Omit<SampleRow, 'id'> {
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
  /** The batch may already be stored (a replay of the collector's buffer): skip rows already present. */
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

/** What one write did: raw rows, samples at or before their series' last time (not rolled up), and samples of a cycle already stored. */
export interface WriteResult {
  written: number;
  late: number;
  superseded: number;
}

/**
 * Writes one collector cycle's results for a cluster in one transaction: the raw samples AND the
 * storage tier derived from them (lib/slo/timeline.ts): per series the newly attributed time goes
 * into hourly and daily rollups, consecutive identical results are coalesced into StatusInterval
 * rows, and the series cursor moves on. Long windows are then read without raw rows. When the
 * cluster was removed meanwhile its samples are discarded (so a removed cluster can never wedge
 * the collector's retry buffer).
 *
 * `dedupe`: the batch may already be stored (the collector replays its on-disk buffer after a
 * crash between the commit and its acknowledgement, or after a write whose answer was lost). Then
 * rows already present are skipped — before the raw insert AND before the rollups, so no time is
 * counted twice — matched on the natural key (probe, target, at) within the cluster: the key the
 * collector makes unique (one result per probe and target per cycle, `at` = the probe's start in
 * ms), served by the [clusterId, probe, at] index. Counted as a multiset, so a batch that
 * legitimately holds the same key twice is still stored twice, once.
 */
export async function insertSamples(clusterId: string, results: readonly ProbeResult[], opts: SampleWriteOptions = {}): Promise<void> {
  await writeSamples(clusterId, results, opts);
}

/** insertSamples, returning how many rows were written (0 for a removed cluster). */
export async function insertSamplesCounted(clusterId: string, results: readonly ProbeResult[], opts: SampleWriteOptions = {}): Promise<number> {
  return (await writeSamples(clusterId, results, opts)).written;
}

/** insertSamples with the full outcome (written, late). */
export async function writeSamples(clusterId: string, results: readonly ProbeResult[], opts: SampleWriteOptions = {}): Promise<WriteResult> {
  if (results.length === 0) return { written: 0, late: 0, superseded: 0 };
  const capMs = opts.capMs ?? sampleCapMs();
  if (!Number.isInteger(capMs) || capMs <= 0 || capMs > 2_147_483_647) throw new QuorumError('invalid-input', `capMs must be a whole number of ms > 0, got ${String(capMs)}`);
  const slotMs = opts.slotMs;
  if (slotMs !== undefined && (!Number.isInteger(slotMs) || slotMs <= 0)) throw new QuorumError('invalid-input', `slotMs must be a whole number of ms > 0, got ${String(slotMs)}`);
  const all = results.map((r) => toRow(clusterId, r));
  return withDb((db) =>
    db.transaction(async (tx) => {
      // First the cluster row, locked: writers of one cluster take turns (also two collectors), so a
      // replayed batch's dedupe check below sees whatever an earlier attempt of it — or another
      // writer — committed (even one whose answer was lost in a timeout).
      if (!(await lockClusterForWrite(db.provider, tx, clusterId))) return { written: 0, late: 0, superseded: 0 };
      const exact = opts.dedupe ? await withoutStored(tx, clusterId, all, sampleKey) : all;
      const rows = slotMs ? await withoutStored(tx, clusterId, exact, (r) => slotKey(r, slotMs), slotMs) : exact;
      const superseded = exact.length - rows.length;
      if (rows.length === 0) return { written: 0, late: 0, superseded };
      const written = await insertRawSamples(
        db.provider,
        tx,
        clusterId,
        rows.map((r) => ({ probe: r.probe, target: r.target, atMs: r.at.getTime(), status: r.status, reason: r.reason, latencyMs: r.latencyMs, detail: r.detail })),
      );
      const late = await rollUp(db.provider, tx, clusterId, rows, capMs);
      return { written, late, superseded };
    }),
  );
}

type Row = Omit<SampleRow, 'id'>;

type Keyed = { probe: string; target: string; at: Date };
const sampleKey = (r: Keyed): string => `${r.probe}\u0000${r.target}\u0000${r.at.getTime()}`;
const slotKey = (r: Keyed, slotMs: number): string => `${r.probe}\u0000${r.target}\u0000${Math.floor(r.at.getTime() / slotMs)}`;

/**
 * The rows whose key is not already stored (see `dedupe` and `slotMs` above). Counted as a multiset,
 * so a batch that legitimately holds one key twice keeps both when none is stored. `slotMs` widens
 * the read to whole slots.
 */
async function withoutStored(tx: DbTx, clusterId: string, rows: Row[], key: (r: Keyed) => string, slotMs?: number): Promise<Row[]> {
  if (rows.length === 0) return rows;
  const times = rows.map((r) => r.at.getTime());
  const from = slotMs ? Math.floor(Math.min(...times) / slotMs) * slotMs : Math.min(...times);
  const to = slotMs ? (Math.floor(Math.max(...times) / slotMs) + 1) * slotMs : Math.max(...times) + 1;
  const present = await tx.sample.findMany({
    where: { clusterId, probe: { in: [...new Set(rows.map((r) => r.probe))] }, at: { gte: new Date(from), lt: new Date(to) } },
    orderBy: [{ id: 'asc' }],
  });
  const have = new Map<string, number>();
  for (const p of present) have.set(key(p), (have.get(key(p)) ?? 0) + 1);
  return rows.filter((r) => {
    const k = key(r);
    const n = have.get(k) ?? 0;
    if (n === 0) return true;
    if (!slotMs) have.set(k, n - 1); // exact: one stored row answers for one batch row; a slot answers for all
    return false;
  });
}

/** Advances every series touched by `rows` and writes intervals, rollups and cursors. Returns late samples. */
async function rollUp(provider: DbProvider, tx: DbTx, clusterId: string, rows: readonly Row[], capMs: number): Promise<number> {
  const bySeries = new Map<string, { probe: string; target: string; samples: TimelineSample[] }>();
  for (const r of rows) {
    const key = `${r.probe}\u0000${r.target}`;
    getOrInsert(bySeries, key, () => ({ probe: r.probe, target: r.target, samples: [] as TimelineSample[] })).samples.push({ t: r.at.getTime(), status: r.status, reason: r.reason, latencyMs: r.latencyMs });
  }
  const existing = new Map<string, SeriesRow>();
  for (const s of await lockSeries(provider, tx, clusterId)) existing.set(`${s.probe}\u0000${s.target}`, s);
  const missing: NewSeries[] = [];
  for (const [key, g] of bySeries) {
    if (existing.has(key)) continue;
    const first = g.samples.reduce((a, b) => (b.t < a.t ? b : a));
    missing.push({ probe: g.probe, target: g.target, atMs: first.t, status: first.status, reason: first.reason, capMs });
  }
  const created = new Set<string>();
  for (const s of await createSeries(provider, tx, clusterId, missing)) {
    const key = `${s.probe}\u0000${s.target}`;
    existing.set(key, s);
    created.add(key);
  }
  const intervals: Array<CoalescedInterval & { seriesId: number }> = [];
  const hours: Array<BucketStats & { seriesId: number }> = [];
  const days: Array<BucketStats & { seriesId: number }> = [];
  const cursors: SeriesRow[] = [];
  let late = 0;
  for (const [key, g] of bySeries) {
    const s = existing.get(key);
    if (!s) throw new DbError('query', `series ${g.probe}/${g.target} was not created`);
    // A series created just now has no earlier sample: start from nothing (its first sample is in the batch).
    const prev = created.has(key) ? null : s;
    const r = advanceSeries(prev, g.samples, capMs);
    late += r.late;
    for (const i of r.intervals) intervals.push({ ...i, seriesId: s.id });
    for (const b of bucketize(r.spans, r.accepted, HOUR_BUCKET_MS)) hours.push({ ...b, seriesId: s.id });
    for (const b of bucketize(r.spans, r.accepted, DAY_BUCKET_MS)) days.push({ ...b, seriesId: s.id });
    cursors.push({ ...s, ...r.cursor, capMs });
  }
  await upsertIntervals(provider, tx, intervals);
  await upsertRollups(provider, tx, 'RollupHour', hours);
  await upsertRollups(provider, tx, 'RollupDay', days);
  await updateSeries(provider, tx, cursors);
  return late;
}

/** Samples of one cluster in [since, until), oldest first. */
export async function listSamples(q: ListSamplesQuery): Promise<SampleView[]> {
  if (!(q.since instanceof Date) || Number.isNaN(q.since.getTime())) throw new QuorumError('invalid-input', 'listSamples: since must be a valid Date');
  if (q.until !== undefined && (!(q.until instanceof Date) || Number.isNaN(q.until.getTime()))) throw new QuorumError('invalid-input', 'listSamples: until must be a valid Date');
  const limit = Math.min(100_000, Math.max(1, Math.floor(q.limit ?? 10_000)));
  const rows = await withDb((db) =>
    db.prisma.sample.findMany({
      where: { clusterId: q.clusterId, ...(q.probe ? { probe: q.probe } : {}), at: { gte: q.since, ...(q.until ? { lt: q.until } : {}) } },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      take: limit,
    }),
  );
  return rows.map(toSampleView);
}
