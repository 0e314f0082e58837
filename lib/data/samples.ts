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
 */
export async function insertSamples(clusterId: string, results: readonly ProbeResult[]): Promise<void> {
  await insertSamplesCounted(clusterId, results);
}

/** insertSamples, returning how many rows were written (0 for a removed cluster). */
export async function insertSamplesCounted(clusterId: string, results: readonly ProbeResult[]): Promise<number> {
  if (results.length === 0) return 0;
  const rows = results.map((r) => toRow(clusterId, r));
  return withDb((db) =>
    db.transaction(async (tx) => {
      const cluster = await tx.cluster.findUnique({ where: { id: clusterId } });
      if (!cluster) return 0;
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
