import { QuorumError } from '../errors';
import type { GetOptions, K8sConnection } from './client';

/** GET a Kubernetes API path and parse JSON; non-200 answers become classified QuorumErrors. */
export async function getJson<T>(conn: K8sConnection, path: string, opts: GetOptions): Promise<T> {
  const res = await conn.get(path, opts);
  if (res.status === 401) throw new QuorumError('unauthorized', `401 unauthorized reading ${path}`);
  if (res.status === 403) throw new QuorumError('forbidden', `403 forbidden: Quorum's identity may not read ${path} (see deploy/rbac.yaml)`);
  if (res.status !== 200) throw new QuorumError('http-error', `GET ${path} answered HTTP ${res.status}`);
  try {
    return JSON.parse(res.body) as T;
  } catch {
    throw new QuorumError('not-kubernetes', `GET ${path} did not answer JSON`);
  }
}
