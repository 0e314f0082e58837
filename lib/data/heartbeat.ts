// The collector's heartbeat rows (CollectorHeartbeat): written after every cycle by the collector,
// read by GET /metrics. One row per collector (host + buffer folder), so replicas each have theirs.
import { withDb } from '../db';
import { parseHeartbeat, type HeartbeatStats } from '../metrics/heartbeat';

export async function writeHeartbeat(id: string, stats: HeartbeatStats, at: Date): Promise<void> {
  const data = { updatedAt: at, intervalSeconds: stats.intervalSeconds, stats: JSON.stringify(stats) };
  await withDb((db) => db.prisma.collectorHeartbeat.upsert({ where: { id }, create: { id, ...data }, update: data }));
}

export interface HeartbeatView {
  id: string;
  updatedAt: Date;
  stats: HeartbeatStats;
}

/** Collectors seen within `maxAgeMs` (default 1 day; older rows are removed). */
export async function listHeartbeats(nowMs: number, maxAgeMs = 86_400_000): Promise<HeartbeatView[]> {
  return withDb(async (db) => {
    await db.prisma.collectorHeartbeat.deleteMany({ where: { updatedAt: { lt: new Date(nowMs - maxAgeMs) } } });
    const rows = await db.prisma.collectorHeartbeat.findMany({ orderBy: { id: 'asc' } });
    return rows.flatMap((r) => {
      const stats = parseHeartbeat(r.stats);
      return stats ? [{ id: r.id, updatedAt: r.updatedAt, stats }] : [];
    });
  });
}
