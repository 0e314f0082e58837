// Minimal HTTPS JSON client for the lab's own bookkeeping (bootstrap checks, heartbeats). Tests use kubectl.
import https from 'node:https';

export interface KubeTarget { server: string; token: string; ca: string }
export interface KubeResponse { status: number; body: string; json<T>(): T }

export function request(t: KubeTarget, method: string, urlPath: string, body?: unknown, opts: { timeoutMs?: number; contentType?: string; accept?: string } = {}): Promise<KubeResponse> {
  const url = new URL(urlPath, t.server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method,
      ca: t.ca,
      timeout: opts.timeoutMs ?? 5000,
      headers: {
        authorization: `Bearer ${t.token}`,
        accept: opts.accept ?? 'application/json',
        ...(payload ? { 'content-type': opts.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text, json: <T>() => JSON.parse(text) as T });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 5000} ms: ${method} ${url.href}`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}
