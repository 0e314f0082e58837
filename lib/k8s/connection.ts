import { QuorumError, describeError } from '../errors';
import type { ErrorClass, HealthCheck, Status } from '../types';
import { classifyHealth } from '../probes/apiserver';
import { connect, type K8sConnection } from './client';

export interface ConnectionTestResult {
  ok: boolean;
  server: string;
  context?: string;
  version?: string;
  readyz?: { allowed: boolean; status: Status; reason: string; checks: readonly HealthCheck[] };
  error?: { errorClass: ErrorClass; message: string };
}

const asError = (e: unknown): { errorClass: ErrorClass; message: string } =>
  e instanceof QuorumError ? { errorClass: e.errorClass, message: e.message } : { errorClass: 'internal', message: describeError(e) };

/** GET /version and classify: proves the endpoint is a Kubernetes API and the credentials are accepted. */
async function fetchVersion(conn: K8sConnection, timeoutMs: number): Promise<string> {
  const res = await conn.get('/version', { timeoutMs });
  if (res.status === 401) throw new QuorumError('unauthorized', '401 unauthorized: the cluster rejected these credentials (wrong or expired token/certificate)');
  if (res.status === 403) throw new QuorumError('forbidden', '403 forbidden: this identity may not read /version');
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    parsed = undefined;
  }
  const gitVersion = (parsed as { gitVersion?: unknown } | undefined)?.gitVersion;
  if (res.status !== 200 || typeof gitVersion !== 'string') {
    const ct = res.contentType.split(';')[0] || 'no content type';
    throw new QuorumError('not-kubernetes', `not a Kubernetes API: GET /version answered HTTP ${res.status} (${ct})`);
  }
  return gitVersion;
}

/**
 * What the "Test connection" button and `cluster add` run: validate the kubeconfig, reach /version,
 * then ask /readyz?verbose whether Quorum may read the named checks.
 */
export async function testConnection(input: { kubeconfigText: string; context?: string; baseDir?: string; timeoutMs?: number }): Promise<ConnectionTestResult> {
  const timeoutMs = input.timeoutMs ?? 5000;
  let conn: K8sConnection;
  try {
    conn = await connect(input.kubeconfigText, input.context, input.baseDir ? { baseDir: input.baseDir } : {});
  } catch (e) {
    return { ok: false, server: '', error: asError(e) };
  }
  const base = { server: conn.server, context: conn.context };
  try {
    const version = await fetchVersion(conn, timeoutMs);
    let readyz: ConnectionTestResult['readyz'];
    try {
      const res = await conn.get('/readyz?verbose', { timeoutMs });
      const c = classifyHealth('readyz', res);
      readyz = { allowed: res.status !== 401 && res.status !== 403, status: c.status, reason: c.reason, checks: c.checks ?? [] };
    } catch (e) {
      const c = classifyHealth('readyz', e instanceof QuorumError ? e : new QuorumError('internal', describeError(e)));
      readyz = { allowed: false, status: c.status, reason: c.reason, checks: [] };
    }
    return { ok: true, ...base, version, readyz };
  } catch (e) {
    return { ok: false, ...base, error: asError(e) };
  } finally {
    conn.close();
  }
}
