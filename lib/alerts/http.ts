// Sends one notification request through the outbound policy (lib/net/outbound.ts), like every
// other connection Quorum makes: the URL is checked before anything connects (scheme, no user name
// or password, an IP literal must be allowed), a host NAME is resolved by the policy's own lookup on
// the socket (so a webhook aimed at the metadata service or, without
// QUORUM_OUTBOUND_ALLOW_LOOPBACK=1, at this machine is refused), redirects are never followed (a 3xx
// could point anywhere), the whole request has a deadline, and at most 16 KiB of the answer is read.
import http from 'node:http';
import https from 'node:https';
import { QuorumError, describeError } from '../errors';
import { OUTBOUND_DENIED_CODE, type OutboundPolicy } from '../net/outbound';
import type { HttpRequestSpec } from './channels';

export interface HttpResult {
  url: string;
  status: number | null;
  /** Set when no response came back, or the policy refused: a sentence, never a secret. */
  error: string | null;
  /** `outbound-denied`, `timeout`, `invalid-url` or the socket's code (ECONNREFUSED …). */
  errorCode: string | null;
  retryAfter: string | null;
  durationMs: number;
  /** The first 512 characters of the answer (for the delivery log). */
  bodySnippet: string;
}

const MAX_BODY = 16 * 1024;

/** Removes anything secret-looking from a URL for messages: the path and query are cut. */
function hostOf(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid URL)';
  }
}

export async function sendRequest(req: HttpRequestSpec, opts: { policy: OutboundPolicy; timeoutMs: number; signal?: AbortSignal }): Promise<HttpResult> {
  const started = performance.now();
  const done = (r: Omit<HttpResult, 'url' | 'durationMs'>): HttpResult => ({ url: hostOf(req.url), durationMs: Math.round(performance.now() - started), ...r });
  let url: URL;
  try {
    url = opts.policy.checkUrl(req.url, 'notification channel');
  } catch (e) {
    const denied = e instanceof QuorumError && e.errorClass === 'outbound-denied';
    return done({ status: null, error: e instanceof Error ? e.message : String(e), errorCode: denied ? 'outbound-denied' : 'invalid-url', retryAfter: null, bodySnippet: '' });
  }
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise<HttpResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<HttpResult, 'url' | 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(r));
    };
    const r = mod.request(
      url,
      {
        method: 'POST',
        headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
        lookup: opts.policy.lookup,
        agent: false,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          if (size < MAX_BODY) chunks.push(d);
          size += d.length;
          if (size >= MAX_BODY) res.destroy();
        });
        const end = (): void =>
          finish({
            status: res.statusCode ?? null,
            error: null,
            errorCode: null,
            retryAfter: typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : null,
            bodySnippet: Buffer.concat(chunks).toString('utf8').slice(0, 512),
          });
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
      },
    );
    const timer = setTimeout(() => {
      finish({ status: null, error: `timeout: no answer from ${hostOf(req.url)} within ${opts.timeoutMs} ms`, errorCode: 'timeout', retryAfter: null, bodySnippet: '' });
      r.destroy();
    }, opts.timeoutMs);
    r.on('error', (e: NodeJS.ErrnoException) => {
      const denied = e.code === OUTBOUND_DENIED_CODE;
      finish({
        status: null,
        error: denied ? `refused by the outbound policy: ${e.message}` : `${hostOf(req.url)}: ${describeError(e)}`,
        errorCode: denied ? 'outbound-denied' : (e.code ?? 'error'),
        retryAfter: null,
        bodySnippet: '',
      });
    });
    r.end(req.body);
  });
}
