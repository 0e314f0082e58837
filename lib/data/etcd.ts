// etcd leader history of one cluster, read from the direct etcd probe's runs (raw tier, kept 14 days after a run ends).
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
      where: { clusterId: q.clusterId, probe: 'etcd', target: 'etcd', at: { lt: until }, runLastAtMs: { gte: BigInt(q.since.getTime()) } },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      take: 100_000,
    }),
  );
  const points = rows.map((r) => ({ at: r.at.getTime(), lastAt: Number(r.runLastAtMs), facts: (parseDetail(r.detail)?.facts as Record<string, unknown> | undefined) ?? null }));
  // samples: of the runs that overlap the window (a run that began before `since` counts whole).
  return { ...etcdLeaderHistory(points, 3 * interval, until.getTime(), q.since.getTime()), samples: rows.reduce((a, r) => a + r.runSamples, 0) };
}
