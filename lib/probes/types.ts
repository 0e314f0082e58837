import type { K8sConnection } from '../k8s/client';
import type { ProbeId, ProbeResult } from '../types';

/** Everything a probe may use. Probes get their dependencies passed in and return a value. */
export interface ProbeContext {
  conn: K8sConnection;
  timeoutMs: number;
  signal: AbortSignal;
  now: () => number;
}

export interface Probe {
  id: ProbeId;
  /** One line for docs and the UI. */
  title: string;
  run(ctx: ProbeContext): Promise<ProbeResult[]>;
}
