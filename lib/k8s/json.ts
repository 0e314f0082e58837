import { QuorumError } from '../errors';
import { statusError, type GetOptions, type K8sConnection } from './client';

/**
 * GET a Kubernetes API path and parse JSON; non-200 answers become classified QuorumErrors, a body
 * over `opts.maxBodyBytes` (default 1 MiB) a `too-large` one naming the path and the size.
 */
export async function getJson<T>(conn: K8sConnection, path: string, opts: GetOptions): Promise<T> {
  const res = await conn.get(path, opts);
  if (res.status !== 200) throw statusError(path, res.status, res.body);
  try {
    return JSON.parse(res.body) as T;
  } catch {
    throw new QuorumError('not-kubernetes', `GET ${path} did not answer JSON`);
  }
}
