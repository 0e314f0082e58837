// Probe results: batch writes from the collector, plain-object reads for pages and tests.
import { DbError, withDb, type SampleRow } from '../db';
import { STATUSES, type ProbeResult, type Status } from '../types';

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

const CHUNK = 500;
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

export function toSampleView(r: SampleRow): SampleView {
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
  if (!STATUSES.includes(r.status)) throw new DbError('query', `sample status "${String(r.status)}" is not one of ${STATUSES.join(', ')}`);
  if (!Number.isFinite(r.at)) throw new DbError('query', `sample time ${String(r.at)} is not a number of ms`);
  if (typeof r.probe !== 'string' || r.probe.length === 0) throw new DbError('query', 'sample probe must be a non-empty string');
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

/**
 * Writes one collector cycle's results for a cluster in one transaction. When the cluster was
 * removed meanwhile its samples are discarded (so a removed cluster can never wedge the
 * collector's retry buffer).
 *
 * `dedupe`: the batch may already be stored (the collector replays its on-disk buffer after a
 * crash between the commit and its acknowledgement, or after a write whose answer was lost). Then
 * rows already present are skipped, matched on the natural key (probe, target, at) within the
 * cluster — the key the collector makes unique (one result per probe and target per cycle, `at` =
 * the probe's start in ms) and the one the [clusterId, probe, at] index serves. Counted as a
 * multiset, so a batch that legitimately holds the same key twice is still stored twice, once.
 */
export async function insertSamples(clusterId: string, results: readonly ProbeResult[], opts: { dedupe?: boolean } = {}): Promise<void> {
  await insertSamplesCounted(clusterId, results, opts);
}

const sampleKey = (r: { probe: string; target: string; at: Date }): string => `${r.probe}\u0000${r.target}\u0000${r.at.getTime()}`;

/** insertSamples, returning how many rows were written (0 for a removed cluster or when all were present). */
export async function insertSamplesCounted(clusterId: string, results: readonly ProbeResult[], opts: { dedupe?: boolean } = {}): Promise<number> {
  if (results.length === 0) return 0;
  let rows = results.map((r) => toRow(clusterId, r));
  return withDb((db) =>
    db.transaction(async (tx) => {
      const cluster = await tx.cluster.findUnique({ where: { id: clusterId } });
      if (!cluster) return 0;
      if (opts.dedupe) {
        const times = rows.map((r) => r.at.getTime());
        const present = await tx.sample.findMany({
          where: { clusterId, probe: { in: [...new Set(rows.map((r) => r.probe))] }, at: { gte: new Date(Math.min(...times)), lte: new Date(Math.max(...times)) } },
          orderBy: [{ id: 'asc' }],
        });
        const have = new Map<string, number>();
        for (const p of present) have.set(sampleKey(p), (have.get(sampleKey(p)) ?? 0) + 1);
        rows = rows.filter((r) => {
          const k = sampleKey(r);
          const n = have.get(k) ?? 0;
          if (n === 0) return true;
          have.set(k, n - 1);
          return false;
        });
      }
      let written = 0;
      for (let i = 0; i < rows.length; i += CHUNK) {
        written += (await tx.sample.createMany({ data: rows.slice(i, i + CHUNK) })).count;
      }
      return written;
    }),
  );
}

/** Samples of one cluster in [since, until), oldest first. */
export async function listSamples(q: ListSamplesQuery): Promise<SampleView[]> {
  if (!(q.since instanceof Date) || Number.isNaN(q.since.getTime())) throw new DbError('query', 'listSamples: since must be a valid Date');
  if (q.until !== undefined && (!(q.until instanceof Date) || Number.isNaN(q.until.getTime()))) throw new DbError('query', 'listSamples: until must be a valid Date');
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
