import type https from 'node:https';
import { createSecureContext } from 'node:tls';
import type { LookupFunction } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { requestDeadline } from '../deadline';
import { QuorumError } from '../errors';
import { OUTBOUND_DENIED_CODE, outboundPolicy } from '../net/outbound';
import type { ErrorClass } from '../types';
import { resolveContext, type ResolvedContext } from './kubeconfig';
import { H2_PING_TIMEOUT_CODE, H2_STREAM_CLOSED_CODE, createTransport, type Protocol, type TransportOptions, type TransportStats } from '../net/transport';

/** Default cap of a GET body: health endpoints answer a few KiB. Lists pass their own cap (a page of 500 objects). */
const MAX_BODY_BYTES = 1024 * 1024;
/** Cap of one line of a watch stream (one object): etcd refuses objects over 1.5 MiB by default. */
const MAX_WATCH_LINE_BYTES = 8 * 1024 * 1024;

/** What this process read from Kubernetes apiservers (bodies and watch streams, not headers or TLS). */
export interface K8sTraffic {
  requests: number;
  bytesRead: number;
  watchLines: number;
  /** Responses by protocol (the ALPN outcome per endpoint). */
  h2Responses: number;
  h1Responses: number;
}
const traffic: K8sTraffic = { requests: 0, bytesRead: 0, watchLines: 0, h2Responses: 0, h1Responses: 0 };
const countResponse = (p: Protocol): void => {
  if (p === 'h2') traffic.h2Responses += 1;
  else traffic.h1Responses += 1;
};
/** Process-wide counters of every connection made by lib/k8s (benchmarks read these). */
export function k8sTraffic(): K8sTraffic {
  return { ...traffic };
}

const mib = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

/** An answer over a cap: classified `too-large`, naming the path and the size, never cut off silently. */
function tooLarge(what: string, capBytes: number, seenBytes: number, declaredBytes?: number): QuorumError {
  const size = declaredBytes !== undefined ? `Content-Length ${declaredBytes} bytes (${mib(declaredBytes)})` : `more than ${seenBytes} bytes read`;
  return new QuorumError('too-large', `${what} is larger than Quorum's ${mib(capBytes)} cap: ${size}`);
}

/** A non-2xx answer of the API, with its HTTP status and the Status object's message when it sent one. */
export class K8sStatusError extends QuorumError {
  constructor(
    readonly httpStatus: number,
    readonly path: string,
    message: string,
  ) {
    const cls: ErrorClass = httpStatus === 401 ? 'unauthorized' : httpStatus === 403 ? 'forbidden' : 'http-error';
    super(cls, message);
  }
}

/** Classifies a non-2xx answer to `path` (401/403 get their own classes; the Status message is quoted). */
export function statusError(path: string, status: number, body: string): K8sStatusError {
  let detail = '';
  try {
    const st = JSON.parse(body) as { message?: unknown };
    if (typeof st.message === 'string') detail = `: ${st.message.slice(0, 300)}`;
  } catch {
    detail = body.trim() ? `: ${body.trim().slice(0, 200)}` : '';
  }
  if (status === 401) return new K8sStatusError(401, path, `401 unauthorized reading ${path}`);
  if (status === 403) return new K8sStatusError(403, path, `403 forbidden: Quorum's identity may not read ${path} (see deploy/rbac.yaml)${detail}`);
  return new K8sStatusError(status, path, `GET ${path} answered HTTP ${status}${detail}`);
}

export interface RawResponse {
  status: number;
  contentType: string;
  body: string;
  latencyMs: number;
  protocol: Protocol;
}

export interface GetOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Overrides the server's base URL (same credentials and CA), e.g. one apiserver replica behind the LB. */
  baseUrl?: string;
  /** Larger bodies are refused with a `too-large` error (default MAX_BODY_BYTES). */
  maxBodyBytes?: number;
}

export interface StreamOptions {
  signal: AbortSignal;
  /** Until the response headers arrive. */
  timeoutMs: number;
  /** The stream is given up (rejected as `timeout`) when nothing arrives for this long: a silently dead connection. */
  idleTimeoutMs: number;
  /** A longer line is refused with a `too-large` error (default MAX_WATCH_LINE_BYTES). */
  maxLineBytes?: number;
  /** Called when the server answered 200 (the watch is established). */
  onOpen?: () => void;
}

/** An authenticated connection to one cluster context. Holds credentials in memory only. */
export interface K8sConnection {
  server: string;
  context: string;
  get(path: string, opts: GetOptions): Promise<RawResponse>;
  /**
   * A streaming GET (a watch): calls `onLine` for every newline-terminated line of a 200 answer.
   * Resolves when the server ends the stream; rejects with a classified QuorumError (K8sStatusError
   * for a non-200 answer) or with whatever `onLine` threw. Uses its own connection pool, so
   * long-lived watches never queue the probes' requests. Its socket and timers are unref'd: a watch
   * never keeps the process alive by itself.
   */
  stream(path: string, opts: StreamOptions, onLine: (line: string) => void): Promise<void>;
  /** The @kubernetes/client-node KubeConfig, for typed API clients and watches. */
  kubeConfig: KubeConfig;
  /** HTTP/2 sessions and HTTP/1.1 endpoints of this connection (lib/net/transport.ts). */
  transportStats(): TransportStats;
  /** Closes every session and socket of this connection (in-flight requests and watches fail as cancelled). */
  close(): void;
}

/** Maps Node/OpenSSL error codes to Quorum's error classes. */
export function classifyNetworkError(e: unknown): { errorClass: ErrorClass; message: string } {
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const code = err?.code ?? '';
  const msg = err?.message ?? String(e);
  switch (code) {
    case OUTBOUND_DENIED_CODE: return { errorClass: 'outbound-denied', message: `refused by the outbound policy: ${msg}` };
    case 'ECONNREFUSED': return { errorClass: 'unreachable', message: `connection refused (${msg.replace(/^connect /, '')})` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN': return { errorClass: 'unreachable', message: `no route to host (${code})` };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE': return { errorClass: 'unreachable', message: `connection reset by the server (${code})` };
    // HTTP/2 (lib/net/transport.ts): the session went away (GOAWAY, closed, reset) or the stream was reset.
    case 'ERR_HTTP2_GOAWAY_SESSION': return { errorClass: 'unreachable', message: 'the server is closing the HTTP/2 connection (GOAWAY)' };
    case 'ERR_HTTP2_INVALID_SESSION':
    case 'ERR_HTTP2_SESSION_ERROR':
    case 'ERR_HTTP2_ERROR':
    case 'ERR_HTTP2_STREAM_CANCEL':
    case H2_STREAM_CLOSED_CODE: return { errorClass: 'unreachable', message: `the HTTP/2 connection closed before the answer (${code}: ${msg})` };
    case 'ERR_HTTP2_STREAM_ERROR': return { errorClass: 'unreachable', message: `the server reset the HTTP/2 stream (${msg.replace(/^Stream closed with error code /, '')})` };
    case H2_PING_TIMEOUT_CODE: return { errorClass: 'timeout', message: msg };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME': return { errorClass: 'dns', message: `host name does not resolve (${code})` };
    case 'ETIMEDOUT':
    case 'ABORT_ERR':
    case 'QUORUM_TIMEOUT': return { errorClass: 'timeout', message: msg };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_SIGNATURE_FAILURE':
    case 'CERT_UNTRUSTED':
      return { errorClass: 'tls-ca', message: `the server's certificate is not signed by the cluster's CA (${code})` };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { errorClass: 'tls-hostname', message: `the server's certificate does not cover this address (${err.reason ?? code})` };
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return { errorClass: 'tls-other', message: `the server's certificate is not valid now (${code})` };
    default:
      if (code.startsWith('ERR_SSL') || code === 'EPROTO' || /SSL|TLS|certificate/i.test(msg)) {
        return { errorClass: 'tls-other', message: `TLS handshake failed (${code || msg.slice(0, 120)})` };
      }
      return { errorClass: 'unreachable', message: code ? `${code}: ${msg}` : msg };
  }
}

/** A KubeConfig whose connections (the Lease watch) resolve through the outbound policy's lookup. */
class PolicyKubeConfig extends KubeConfig {
  constructor(private readonly lookup: LookupFunction) {
    super();
  }
  override createDispatcherOptions(...args: Parameters<KubeConfig['createDispatcherOptions']>): ReturnType<KubeConfig['createDispatcherOptions']> {
    const o = super.createDispatcherOptions(...args);
    if (o.type === 'agent') return { ...o, connect: { ...o.connect, lookup: this.lookup } };
    if (o.type === 'none') return { type: 'agent', connect: { lookup: this.lookup } };
    throw new QuorumError('outbound-denied', 'kubeconfig proxies are not supported');
  }
}

function kubeConfigFor(r: ResolvedContext, lookup: LookupFunction): KubeConfig {
  const kc = new PolicyKubeConfig(lookup);
  const user =
    r.auth.kind === 'token' ? { name: 'user', token: r.auth.token }
    : r.auth.kind === 'client-certificate' ? { name: 'user', certData: Buffer.from(r.auth.certData).toString('base64'), keyData: Buffer.from(r.auth.keyData).toString('base64') }
    : r.auth.kind === 'basic' ? { name: 'user', username: r.auth.username, password: r.auth.password }
    : { name: 'user' };
  kc.loadFromOptions({
    clusters: [{
      name: 'cluster',
      server: r.server,
      skipTLSVerify: r.insecureSkipTlsVerify,
      ...(r.caData ? { caData: Buffer.from(r.caData).toString('base64') } : {}),
      ...(r.tlsServerName ? { tlsServerName: r.tlsServerName } : {}),
    }],
    users: [user],
    contexts: [{ name: r.context, cluster: 'cluster', user: 'user' }],
    currentContext: r.context,
  });
  return kc;
}

/** Builds a connection from a kubeconfig text (validated by resolveContext). */
export async function connect(
  kubeconfigText: string,
  context?: string,
  opts: { baseDir?: string; /** HTTP/2 health and idle timings (tests); default client-go's. */ http2?: Pick<TransportOptions, 'readIdleMs' | 'pingTimeoutMs' | 'idleCloseMs'> } = {},
): Promise<K8sConnection> {
  const resolved = resolveContext(kubeconfigText, context, opts.baseDir ? { baseDir: opts.baseDir } : {});
  // Outbound policy (lib/net/outbound.ts): the server URL is checked before anything connects, and
  // every socket resolves names through the policy's lookup, so the checked address is the one used.
  const policy = outboundPolicy();
  policy.checkUrl(resolved.server, 'API server');
  const kubeConfig = kubeConfigFor(resolved, policy.lookup);
  const reqOpts: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(reqOpts);
  // One TLS context (CA, client certificate and key, parsed once) for every socket of this cluster —
  // the probes' pool to the server and to each replica, and every watch. Without it Node builds a
  // context per socket: ≈ 27 KiB RSS and a re-parse of the PEM material each (README "Collector performance").
  const secureContext = createSecureContext({
    ...(reqOpts.ca ? { ca: reqOpts.ca } : {}),
    ...(reqOpts.cert ? { cert: reqOpts.cert } : {}),
    ...(reqOpts.key ? { key: reqOpts.key } : {}),
  });
  const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9, */*;q=0.1', 'user-agent': 'quorum/0.1' };
  for (const [k, v] of Object.entries(reqOpts.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  if (resolved.auth.kind === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${resolved.auth.username}:${resolved.auth.password}`).toString('base64')}`;
  }
  // HTTP/2 to every endpoint (one session each, multiplexing the probes and the watches), HTTP/1.1
  // where the server does not negotiate h2: lib/net/transport.ts.
  const transport = createTransport({
    secureContext,
    rejectUnauthorized: !resolved.insecureSkipTlsVerify,
    ...(resolved.tlsServerName ? { servername: resolved.tlsServerName } : {}),
    lookup: policy.lookup,
    headers,
    ...opts.http2,
  });

  /** Replica base URLs that passed the outbound policy (checked once per connection, not per request). */
  const allowedBases = new Set<string>();
  function get(path: string, o: GetOptions): Promise<RawResponse> {
    if (o.baseUrl !== undefined && !allowedBases.has(o.baseUrl)) {
      try {
        policy.checkUrl(o.baseUrl, 'API server replica');
      } catch (e) {
        return Promise.reject(e);
      }
      if (allowedBases.size < 64) allowedBases.add(o.baseUrl);
    }
    const url = new URL(path, `${o.baseUrl ?? resolved.server}/`);
    const started = performance.now();
    // Released once the request settles, however it settles.
    const deadline = requestDeadline(o.timeoutMs, o.signal);
    const signal = deadline.signal;
    return new Promise<RawResponse>((resolve, reject) => {
      if (signal.aborted) {
        reject(new QuorumError('timeout', 'request aborted before it started'));
        return;
      }
      const cap = o.maxBodyBytes ?? MAX_BODY_BYTES;
      traffic.requests += 1;
      const fail = (e: unknown): void => reject(toQuorumError(e, deadline.timedOut, o.timeoutMs));
      transport.send(url, { signal, background: false, connectTimeoutMs: o.timeoutMs }, {
        onError: fail,
        onResponse: (head, cancel) => {
          countResponse(head.protocol);
          const chunks: Buffer[] = [];
          let size = 0;
          const over = (e: QuorumError): void => {
            cancel();
            reject(e);
          };
          if (head.contentLength !== undefined && head.contentLength > cap) {
            over(tooLarge(`GET ${path}`, cap, 0, head.contentLength));
            return { data: () => undefined, end: () => undefined, error: () => undefined };
          }
          return {
            data: (c) => {
              size += c.length;
              traffic.bytesRead += c.length;
              if (size <= cap) chunks.push(c);
              else over(tooLarge(`GET ${path}`, cap, size));
            },
            end: () =>
              resolve({
                status: head.status,
                contentType: head.contentType,
                body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
                latencyMs: Math.round(performance.now() - started),
                protocol: head.protocol,
              }),
            error: fail,
          };
        },
      });
    }).finally(deadline.done);
  }

  function stream(path: string, o: StreamOptions, onLine: (line: string) => void): Promise<void> {
    const url = new URL(path, `${resolved.server}/`);
    const maxLine = o.maxLineBytes ?? MAX_WATCH_LINE_BYTES;
    return new Promise<void>((resolve, reject) => {
      if (o.signal.aborted) {
        reject(new QuorumError('timeout', 'request cancelled'));
        return;
      }
      const controller = new AbortController();
      const onAbort = (): void => controller.abort();
      o.signal.addEventListener('abort', onAbort, { once: true });
      let settled = false;
      let idle: NodeJS.Timeout | undefined;
      const finish = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        o.signal.removeEventListener('abort', onAbort);
        if (err === undefined) resolve();
        else reject(err);
        controller.abort();
      };
      const armIdle = (ms: number, why: string): void => {
        clearTimeout(idle);
        idle = setTimeout(() => finish(new QuorumError('timeout', why)), ms);
        idle.unref();
      };
      armIdle(o.timeoutMs, `no answer to GET ${path} within ${o.timeoutMs} ms`);
      traffic.requests += 1;
      // A watch follows in the background: it never keeps the process alive on its own (the
      // collector's schedule does; whoever awaits a watch holds its own timer).
      transport.send(url, { signal: controller.signal, background: true, connectTimeoutMs: o.timeoutMs }, {
        onError: (e) => finish(toStreamError(e, o.signal)),
        onResponse: (head) => {
          countResponse(head.protocol);
          const status = head.status;
          const parts: Buffer[] = [];
          let partBytes = 0;
          if (status !== 200) {
            return {
              data: (c) => {
                traffic.bytesRead += c.length;
                if (partBytes < 64 * 1024) parts.push(c);
                partBytes += c.length;
              },
              end: () => finish(statusError(url.pathname, status, Buffer.concat(parts).toString('utf8'))),
              error: (e) => finish(toStreamError(e, o.signal)),
            };
          }
          const idleWhy = `GET ${path}: nothing received for ${o.idleTimeoutMs} ms (connection presumed dead)`;
          armIdle(o.idleTimeoutMs, idleWhy);
          try {
            o.onOpen?.();
          } catch (e) {
            finish(e);
          }
          return {
            data: (c) => {
              if (settled) return;
              traffic.bytesRead += c.length;
              armIdle(o.idleTimeoutMs, idleWhy);
              let start = 0;
              try {
                for (let nl = c.indexOf(10, start); nl !== -1; nl = c.indexOf(10, start)) {
                  const piece = c.subarray(start, nl);
                  start = nl + 1;
                  const line = parts.length ? Buffer.concat([...parts, piece]).toString('utf8') : piece.toString('utf8');
                  parts.length = 0;
                  partBytes = 0;
                  if (line.length > maxLine) throw tooLarge(`one object of GET ${path}`, maxLine, line.length);
                  traffic.watchLines += 1;
                  if (line.trim()) onLine(line);
                  if (settled) return;
                }
                if (start < c.length) {
                  parts.push(c.subarray(start));
                  partBytes += c.length - start;
                  if (partBytes > maxLine) throw tooLarge(`one object of GET ${path}`, maxLine, partBytes);
                }
              } catch (e) {
                finish(e);
              }
            },
            end: () => finish(),
            error: (e) => finish(toStreamError(e, o.signal)),
          };
        },
      });
    });
  }
  return { server: resolved.server, context: resolved.context, get, stream, kubeConfig, transportStats: transport.stats, close: transport.close };
}

function toStreamError(e: unknown, signal: AbortSignal): QuorumError {
  if (e instanceof QuorumError) return e;
  if (signal.aborted || (e as Error)?.name === 'AbortError') return new QuorumError('timeout', 'watch cancelled', { cause: e });
  const c = classifyNetworkError(e);
  return new QuorumError(c.errorClass, c.message, { cause: e });
}

function toQuorumError(e: unknown, timedOut: boolean, timeoutMs: number): QuorumError {
  if (timedOut) return new QuorumError('timeout', `no answer within ${timeoutMs} ms`, { cause: e });
  if ((e as Error)?.name === 'AbortError') return new QuorumError('timeout', 'request cancelled', { cause: e });
  const c = classifyNetworkError(e);
  return new QuorumError(c.errorClass, c.message, { cause: e });
}
