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
  const rows = await query(
    `SELECT s."probe", s."target", s."lastAtMs", s."recentGaps",
       (SELECT COALESCE(SUM(x."runSamples"), 0) FROM "Sample" x WHERE x."clusterId" = s."clusterId" AND x."probe" = s."probe" AND x."target" = s."target") AS "n",
       (SELECT COALESCE(SUM(m."samples"), 0) FROM "RollupMinute" m WHERE m."seriesId" = s."id") AS "minuteSamples"
     FROM "Series" s WHERE s."clusterId" = ${placeholder}`,
    clusterId,
  );
  const out: StoredSample[] = [];
  for (const r of rows) {
    const times = recentTimes(Number(r.lastAtMs), String(r.recentGaps ?? ''));
    const n = Number(r.n);
    assert.equal(Number(r.minuteSamples), n, `${String(r.probe)}/${String(r.target)}: the minute rollups count the runs' samples`);
    assert.ok(n <= times.length, `${String(r.probe)}/${String(r.target)}: ${n} samples, more than the cursor keeps the times of (${times.length})`);
    assert.equal(times.length, n, `${String(r.probe)}/${String(r.target)}: the cursor's times are every sample`);
    for (const t of times) out.push({ probe: String(r.probe), target: String(r.target), atMs: t });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}
