import type { ProbeId } from '../types';
import { apiserverLivez, apiserverReadyz } from './apiserver';
import { dnsProbe } from './dns';
import { etcdProbe } from './etcd';
import { leaderElection } from './leader-election';
import { nodesProbe } from './nodes';
import { apiserverReplicas } from './replicas';
import type { Probe } from './types';

/** The one table of probes. Adding a ProbeId without a probe here is a type error. */
const PROBES = {
  'apiserver-livez': apiserverLivez,
  'apiserver-readyz': apiserverReadyz,
  'apiserver-replicas': apiserverReplicas,
  'leader-election': leaderElection,
  dns: dnsProbe,
  nodes: nodesProbe,
  etcd: etcdProbe,
} as const satisfies Record<ProbeId, Probe>;

export const ALL_PROBES: readonly Probe[] = Object.values(PROBES);
