// Reads shared by the cards of one cluster page, once per request (React cache): the cluster's fleet
// row (lib/data/fleet.ts, the same model as the overview) and its current components.
import { cache } from 'react';
import { getComponents, type ComponentState } from '@/lib/data/components';
import { getFleet, type FleetRow } from '@/lib/data/fleet';
import { componentName } from '@/lib/format';

export const clusterRow = cache(async (clusterId: string, startMs: number, endMs: number, nowMs: number): Promise<FleetRow | null> => {
  const fleet = await getFleet({ clusterIds: [clusterId], range: { startMs, endMs }, now: new Date(nowMs) });
  return fleet.rows[0] ?? null;
});

export const clusterComponents = cache((clusterId: string, nowMs: number) => getComponents(clusterId, { now: new Date(nowMs) }));

/** The human name of a current component (the etcd checks seen through /readyz included). */
export function componentStateName(c: Pick<ComponentState, 'component' | 'probe' | 'target'>): string {
  if (c.component === 'etcd' && c.target.startsWith('readyz:')) return componentName('etcd', c.target);
  return componentName(c.probe, c.target);
}
