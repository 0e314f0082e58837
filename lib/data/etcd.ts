// etcd leader history of one cluster, read from the direct etcd probe's raw samples (kept 14 days).
import { collectorIntervalMs } from '../env';
import { withDb } from '../db';
import { QuorumError } from '../errors';
import { etcdLeaderHistory, type EtcdLeaderHistory } from '../etcd/history';
import { parseDetail } from './samples';

export async function getEtcdHistory(q: { clusterId: string; since: Date; until?: Date }): Promise<EtcdLeaderHistory & { samples: number }> {
  const until = q.until ?? new Date();
  if (Number.isNaN(q.since.getTime()) || Number.isNaN(until.getTime())) throw new QuorumError('invalid-input', 'since and until must be valid times');
  const interval = collectorIntervalMs();
  const rows = await withDb((db) =>
    db.prisma.sample.findMany({
      where: { clusterId: q.clusterId, probe: 'etcd', at: { gte: q.since, lt: until } },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      take: 100_000,
    }),
  );
  const points = rows.filter((r) => r.target === 'etcd').map((r) => ({ at: r.at.getTime(), facts: (parseDetail(r.detail)?.facts as Record<string, unknown> | undefined) ?? null }));
  return { ...etcdLeaderHistory(points, 3 * interval, until.getTime()), samples: points.length };
}
