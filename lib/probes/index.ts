import type { ProbeId } from '../types';
import { apiserverLivez, apiserverReadyz } from './apiserver';
import { dnsProbe } from './dns';
import { etcdProbe } from './etcd';
import { leaderElection } from './leader-election';
import { nodesProbe } from './nodes';
import { apiserverReplicas } from './replicas';
import type { Probe } from './types';

/** The one table of probes. Adding a ProbeId without a probe here is a type error. */
export const PROBES = {
  'apiserver-livez': apiserverLivez,
  'apiserver-readyz': apiserverReadyz,
  'apiserver-replicas': apiserverReplicas,
  'leader-election': leaderElection,
  dns: dnsProbe,
  nodes: nodesProbe,
  etcd: etcdProbe,
} as const satisfies Record<ProbeId, Probe>;

export function getProbe(id: ProbeId): Probe {
  switch (id) {
    case 'apiserver-livez':
    case 'apiserver-readyz':
    case 'apiserver-replicas':
    case 'leader-election':
    case 'dns':
    case 'nodes':
    case 'etcd':
      return PROBES[id];
    default: {
      const never: never = id;
      throw new Error(`unknown probe ${String(never)}`);
    }
  }
}

export const ALL_PROBES: readonly Probe[] = Object.values(PROBES);
