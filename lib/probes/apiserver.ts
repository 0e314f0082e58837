import { QuorumError, describeError } from '../errors';
import type { RawResponse } from '../k8s/client';
import { healthSummary, looksLikeHealthOutput, parseHealthChecks } from '../k8s/health';
import type { ErrorClass, HealthCheck, ProbeId, ProbeResult, Status } from '../types';
import type { Probe, ProbeContext } from './types';

export type HealthEndpoint = 'livez' | 'readyz';

interface Classified {
  status: Status;
  reason: string;
  checks?: readonly HealthCheck[];
  errorClass?: ErrorClass;
}

/** Network-level failures that mean "the endpoint does not answer" (the cluster's fault, not ours). */
const DOWN_CLASSES: ReadonlySet<ErrorClass> = new Set(['unreachable', 'timeout']);

/**
 * Pure classification of one /livez or /readyz answer (or the error instead of one).
 * - 200 with the health summary or named checks: up.
 * - a failing answer with named checks: down, the reason naming every failing check.
 * - 401/403, TLS/CA problems, DNS of the collector, a non-Kubernetes answer: unknown (we could not see).
 * - connection refused/reset, timeout: down (the endpoint does not answer).
 */
export function classifyHealth(endpoint: HealthEndpoint, outcome: RawResponse | QuorumError): Classified {
  if (outcome instanceof QuorumError) {
    const down = DOWN_CLASSES.has(outcome.errorClass);
    return { status: down ? 'down' : 'unknown', reason: `${outcome.errorClass}: ${outcome.message}`, errorClass: outcome.errorClass };
  }
  const { status: code, body } = outcome;
  if (code === 401) return { status: 'unknown', reason: '401 unauthorized: the cluster rejected Quorum\'s credentials', errorClass: 'unauthorized' };
  if (code === 403) return { status: 'unknown', reason: `403 forbidden: Quorum's identity may not read /${endpoint} (see deploy/rbac.yaml)`, errorClass: 'forbidden' };
  if (code === 429) return { status: 'unknown', reason: '429 too many requests: the apiserver throttled the probe', errorClass: 'http-error' };
  const checks = parseHealthChecks(body);
  const isHealth = looksLikeHealthOutput(body) || (code === 200 && body.trim() === 'ok');
  if (!isHealth) {
    const what = `HTTP ${code} ${outcome.contentType.split(';')[0] || 'no content type'}`;
    if (code >= 500) return { status: 'down', reason: `${endpoint} answered ${what}, not a Kubernetes health response`, errorClass: 'not-kubernetes' };
    return { status: 'unknown', reason: `not a Kubernetes API: ${endpoint} answered ${what}`, errorClass: 'not-kubernetes' };
  }
  const failing = checks.filter((c) => !c.ok);
  if (code === 200 && failing.length === 0) return { status: 'up', reason: 'ok', checks };
  if (failing.length > 0) {
    const names = failing.map((c) => c.name).join(', ');
    return { status: 'down', reason: `${endpoint} failed: ${names}`, checks };
  }
  return { status: 'down', reason: `${endpoint} answered HTTP ${code}${healthSummary(body) ? `: ${healthSummary(body)}` : ''}`, checks };
}

export async function probeHealth(ctx: ProbeContext, endpoint: HealthEndpoint, probe: ProbeId, target = 'endpoint', baseUrl?: string): Promise<ProbeResult> {
  const at = ctx.now();
  let outcome: RawResponse | QuorumError;
  try {
    outcome = await ctx.conn.get(`/${endpoint}?verbose`, { timeoutMs: ctx.timeoutMs, signal: ctx.signal, ...(baseUrl ? { baseUrl } : {}) });
  } catch (e) {
    outcome = e instanceof QuorumError ? e : new QuorumError('internal', describeError(e), { cause: e });
  }
  const c = classifyHealth(endpoint, outcome);
  const latencyMs = outcome instanceof QuorumError ? null : outcome.latencyMs;
  return {
    probe,
    target,
    status: c.status,
    reason: c.reason,
    latencyMs,
    at,
    detail: {
      ...(outcome instanceof QuorumError ? {} : { httpStatus: outcome.status }),
      ...(c.checks ? { checks: c.checks } : {}),
      ...(c.errorClass ? { errorClass: c.errorClass } : {}),
    },
  };
}

export const apiserverLivez: Probe = {
  id: 'apiserver-livez',
  title: 'API server /livez through the registered endpoint',
  run: async (ctx) => [await probeHealth(ctx, 'livez', 'apiserver-livez')],
};

export const apiserverReadyz: Probe = {
  id: 'apiserver-readyz',
  title: 'API server /readyz (named checks) through the registered endpoint',
  run: async (ctx) => [await probeHealth(ctx, 'readyz', 'apiserver-readyz')],
};
