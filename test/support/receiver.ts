// A real HTTP receiver on loopback for the notification tests (integration, lab, e2e): records every
// request (headers, raw body), answers what a test scripts (e.g. 500, 500, 500, then 200), and
// verifies Quorum's webhook signature the way a receiver would.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

export interface Received {
  at: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** What this receiver answered. */
  status: number;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** The statuses to answer next, in order; then `fallback`. */
  script: number[];
  fallback: number;
  close(): Promise<void>;
}

export async function startReceiver(port: number, o: { script?: number[]; fallback?: number } = {}): Promise<Receiver> {
  const rec: Receiver = { url: `http://127.0.0.1:${port}`, port, received: [], script: [...(o.script ?? [])], fallback: o.fallback ?? 200, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const status = rec.script.length > 0 ? rec.script.shift()! : rec.fallback;
      rec.received.push({ at: Date.now(), path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status >= 400 ? '{"error":"scripted failure"}' : '{"ok":true}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  rec.close = () => new Promise<void>((r) => server.close(() => r()));
  return rec;
}

/** What a receiver does with X-Quorum-Signature-256 / X-Quorum-Timestamp (constant-time compare). */
export function verifySignature(r: Pick<Received, 'headers' | 'body'>, secret: string): boolean {
  const ts = r.headers['x-quorum-timestamp'];
  const sig = r.headers['x-quorum-signature-256'];
  if (typeof ts !== 'string' || typeof sig !== 'string') return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`);
  const got = Buffer.from(sig);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** Polls `pred` until it holds or `timeoutMs` passes (never a fixed sleep standing in for a result). */
export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs: number, everyMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`${what}: not reached within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
