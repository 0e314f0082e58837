// Every sample time the database holds for a cluster, now that Sample rows are runs (prisma/README.md
// "Sparse raw tier"): each series cursor keeps the times of its last 101 samples (lastAtMs and
// recentGaps), and its runs count every sample (runSamples). For a series with at most 101 samples
// that is every sample time, exactly; the helper fails for a longer series rather than guess.
import assert from 'node:assert/strict';
import { recentTimes } from '@/lib/slo/timeline';

export interface StoredSample {
  probe: string;
  target: string;
  atMs: number;
}

/** `query` runs one statement with $1 (PostgreSQL) or ? (SQLite) for the cluster id. */
export async function storedSamples(query: (sql: string, clusterId: string) => Promise<Array<Record<string, unknown>>>, clusterId: string, placeholder: '$1' | '?'): Promise<StoredSample[]> {
  const out: StoredSample[] = [];
  // storedSeries checks that the minute rollups count the runs' samples.
  for (const s of await storedSeries(query, clusterId, placeholder)) {
    assert.ok(s.samples <= s.recent.length, `${s.probe}/${s.target}: ${s.samples} samples, more than the cursor keeps the times of (${s.recent.length})`);
    assert.equal(s.recent.length, s.samples, `${s.probe}/${s.target}: the cursor's times are every sample`);
    for (const t of s.recent) out.push({ probe: s.probe, target: s.target, atMs: t });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

/** What the database holds of one series, for series longer than the cursor's 101 sample times. */
export interface StoredSeries {
  probe: string;
  target: string;
  /** Every sample of the series: the sum of its runs' counts (equal to its minute rollups' count, checked). */
  samples: number;
  /** The times of its last samples (at most 101, exact), newest first. */
  recent: number[];
  /** Its minute rollups: samples per UTC minute. */
  minutes: Array<{ startMs: number; samples: number }>;
}

/** Every series of a cluster with its sample count, last sample times and minute counts (`query` as for storedSamples). */
export async function storedSeries(query: (sql: string, clusterId: string) => Promise<Array<Record<string, unknown>>>, clusterId: string, placeholder: '$1' | '?'): Promise<StoredSeries[]> {
  const rows = await query(
    `SELECT s."id", s."probe", s."target", s."lastAtMs", s."recentGaps",
       (SELECT COALESCE(SUM(x."runSamples"), 0) FROM "Sample" x WHERE x."clusterId" = s."clusterId" AND x."probe" = s."probe" AND x."target" = s."target") AS "n"
     FROM "Series" s WHERE s."clusterId" = ${placeholder}`,
    clusterId,
  );
  const minutes = await query(`SELECT m."seriesId", m."bucketStartMs", m."samples" FROM "RollupMinute" m JOIN "Series" s ON s."id" = m."seriesId" WHERE s."clusterId" = ${placeholder}`, clusterId);
  return rows.map((r) => {
    const own = minutes.filter((m) => Number(m.seriesId) === Number(r.id)).map((m) => ({ startMs: Number(m.bucketStartMs), samples: Number(m.samples) })).sort((a, b) => a.startMs - b.startMs);
    const n = Number(r.n);
    assert.equal(own.reduce((a, m) => a + m.samples, 0), n, `${String(r.probe)}/${String(r.target)}: the minute rollups count the runs' samples`);
    return { probe: String(r.probe), target: String(r.target), samples: n, recent: recentTimes(Number(r.lastAtMs), String(r.recentGaps ?? '')), minutes: own };
  });
}
