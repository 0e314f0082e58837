// How a cluster's connections reach its endpoints — lib/k8s/client.ts the apiserver (the registered
// server and each replica), lib/etcd/client.ts the etcd client URLs: HTTP/2, as client-go (and
// etcd's own clients) do, with ONE session per endpoint that multiplexes every request and every
// watch of the cluster on it; HTTP/1.1 keep-alive pools where the server does not negotiate h2 by
// ALPN, and for http:// URLs (no cleartext h2, as Go's transport). Per endpoint:
//
// - dial: one TLS connection offering ALPN h2 and http/1.1, with the cluster's one TLS context (CA,
//   client certificate), the same verification, tls-server-name and outbound-policy lookup as the
//   HTTP/1.1 agents; concurrent first requests share that dial. http/1.1 (or no ALPN) → the endpoint
//   is served by the HTTP/1.1 agents and asked again after H1_RECHECK_MS.
// - a session that received GOAWAY (apiserver shutting down, max-age) or closed takes no new
//   requests; the next request dials again. A request the server provably did not process (REFUSED_STREAM,
//   above the GOAWAY's last stream, or sent on a session that was already going away) is retried once on
//   a fresh session, as Go's http2 transport does; everything else fails classified.
// - health (client-go's defaults, k8s.io/apimachinery/pkg/util/net/http.go): after READ_IDLE_MS without a
//   frame read, a PING; no answer within PING_TIMEOUT_MS and the session is destroyed (its streams fail
//   as `timeout`, the watches resume on a new one). A session without streams for IDLE_CLOSE_MS is closed
//   (client-go's IdleConnTimeout).
// - a session is ref'd only while a foreground request (not a watch) is in flight: a watch never keeps
//   the process alive by itself.
import http from 'node:http';
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import tls, { type SecureContext, type TLSSocket } from 'node:tls';

const READ_IDLE_MS = 30_000;
const PING_TIMEOUT_MS = 15_000;
const IDLE_CLOSE_MS = 90_000;
/** An endpoint that answered ALPN with http/1.1 is asked for h2 again after this long. */
const H1_RECHECK_MS = 10 * 60_000;
/** Per-stream and per-session receive windows (Go's transport: 4 MiB / 1 GiB): a large list is not throttled by the 64 KiB default. */
const STREAM_WINDOW = 4 * 1024 * 1024;
const SESSION_WINDOW = 64 * 1024 * 1024;

/** Error codes this module gives its own failures (lib/k8s/client.ts classifies them). */
export const H2_PING_TIMEOUT_CODE = 'QUORUM_H2_PING_TIMEOUT';
export const H2_STREAM_CLOSED_CODE = 'QUORUM_H2_STREAM_CLOSED';

export type Protocol = 'h2' | 'http/1.1';

export interface ResponseHead {
  status: number;
  contentType: string;
  /** Declared Content-Length, when the server sent one. */
  contentLength: number | undefined;
  protocol: Protocol;
}

/** Receives a response body: `data` per chunk, then exactly one of `end` or `error` (none after `cancel`). */
export interface BodySink {
  data(chunk: Buffer): void;
  end(): void;
  error(e: unknown): void;
}

export interface Exchange {
  /** The response head arrived; returns where its body goes. `cancel` stops reading (nothing more is delivered). */
  onResponse(head: ResponseHead, cancel: () => void): BodySink;
  /** No response: the request failed (connect, TLS, reset, abort). */
  onError(e: unknown): void;
}

export interface SendOptions {
  /** Default GET. */
  method?: 'GET' | 'POST';
  /** A request body (sent with Content-Type application/json and its length). */
  jsonBody?: string;
  signal: AbortSignal;
  /** A watch: never keeps the process alive, and on HTTP/1.1 takes a socket of its own pool. */
  background: boolean;
  /** Bounds the TLS handshake when this request has to dial. */
  connectTimeoutMs: number;
}

export interface TransportOptions {
  secureContext: SecureContext;
  rejectUnauthorized: boolean;
  /** tls-server-name of the kubeconfig: SNI and the name the certificate must cover, for every endpoint. */
  servername?: string;
  lookup: LookupFunction;
  /** Headers of every request (Authorization, Accept, User-Agent). */
  headers: Record<string, string>;
  readIdleMs?: number;
  pingTimeoutMs?: number;
  idleCloseMs?: number;
}

export interface TransportStats {
  /** Open HTTP/2 sessions. */
  h2Sessions: number;
  /** Endpoints currently served over HTTP/1.1 (ALPN did not offer h2). */
  h1Endpoints: number;
  /** HTTP/2 sessions dialled since the transport was made. */
  dials: number;
}

export interface Transport {
  send(url: URL, o: SendOptions, ex: Exchange): void;
  stats(): TransportStats;
  /** Closes every session and pooled socket (in-flight streams fail as cancelled). */
  close(): void;
}

const codeError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

/** RFC 9113 §7 error code names. */
const RST_NAMES = ['NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED', 'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED'];
const rstName = (code: number): string => RST_NAMES[code] ?? `code ${code}`;

const num = (v: string | string[] | undefined): number | undefined => {
  const n = Number(Array.isArray(v) ? v[0] : v);
  return v !== undefined && Number.isFinite(n) ? n : undefined;
};

/** One request's state: the first terminal event (an error, the end of the body, a cancel) wins. */
class Pending {
  responded = false;
  done = false;
  sink: BodySink | undefined;
  constructor(private readonly ex: Exchange) {}
  finish(f: () => void): void {
    if (this.done) return;
    this.done = true;
    f();
  }
  /** Before the response: the exchange's onError; after it: the body's. */
  fail(err: unknown): void {
    this.finish(() => (this.responded && this.sink ? this.sink.error(err) : this.ex.onError(err)));
  }
}

/** One HTTP/2 session and what is in flight on it. */
interface Live {
  s: ClientHttp2Session;
  /** Streams in flight, and how many of them are foreground (keep the process alive). */
  streams: number;
  foreground: number;
  lastReadAt: number;
  idleSince: number;
  pinging: boolean;
  timer: NodeJS.Timeout;
  /** The GOAWAY's last processed stream id (streams above it were not processed). */
  goawayLast: number | null;
}

/** One endpoint (scheme://host:port): its HTTP/2 session, or the note that it speaks HTTP/1.1. */
interface Endpoint {
  origin: string;
  host: string;
  port: number;
  live: Live | null;
  dialing: Promise<Live | 'h1'> | null;
  h1Until: number;
}

export function createTransport(o: TransportOptions): Transport {
  const readIdleMs = o.readIdleMs ?? READ_IDLE_MS;
  const pingTimeoutMs = o.pingTimeoutMs ?? PING_TIMEOUT_MS;
  const idleCloseMs = o.idleCloseMs ?? IDLE_CLOSE_MS;
  const endpoints = new Map<string, Endpoint>();
  let dials = 0;
  const tlsOpts = { secureContext: o.secureContext, rejectUnauthorized: o.rejectUnauthorized, lookup: o.lookup };
  const sni = o.servername ? { servername: o.servername } : {};
  // HTTP/1.1: requests share 4 sockets; each watch holds its own long-lived one (never starving the requests).
  const agent = new https.Agent({ ...tlsOpts, ...sni, keepAlive: true, maxSockets: 4 });
  const watchAgent = new https.Agent({ ...tlsOpts, ...sni, keepAlive: true });
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4, lookup: o.lookup });
  const httpWatchAgent = new http.Agent({ keepAlive: true, lookup: o.lookup });
  const h1Headers: Record<string, string> = {};
  const h2Headers: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(o.headers)) {
    h1Headers[k.toLowerCase()] = v;
    h2Headers[k.toLowerCase()] = v;
  }

  function endpointOf(url: URL): Endpoint {
    let e = endpoints.get(url.host);
    if (!e) {
      e = { origin: url.origin, host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 443), live: null, dialing: null, h1Until: 0 };
      endpoints.set(url.host, e);
    }
    return e;
  }

  /** The session takes no new streams (those in flight go on until they end). */
  function retire(e: Endpoint, l: Live): void {
    clearInterval(l.timer);
    l.pinging = false;
    if (e.live === l) e.live = null;
  }

  function health(e: Endpoint, l: Live): void {
    const now = Date.now();
    if (l.streams === 0 && now - l.idleSince >= idleCloseMs) {
      retire(e, l);
      l.s.close();
      return;
    }
    if (l.pinging || now - l.lastReadAt < readIdleMs) return;
    l.pinging = true;
    const dead = setTimeout(() => {
      retire(e, l);
      l.s.destroy(codeError(H2_PING_TIMEOUT_CODE, `the HTTP/2 connection to ${e.origin} answered no PING within ${pingTimeoutMs} ms after ${readIdleMs} ms without a frame (presumed dead)`));
    }, pingTimeoutMs);
    dead.unref();
    const sent = l.s.ping((err) => {
      clearTimeout(dead);
      l.pinging = false;
      if (!err) l.lastReadAt = Date.now();
    });
    if (!sent) {
      clearTimeout(dead);
      l.pinging = false;
    }
  }

  function adopt(e: Endpoint, socket: TLSSocket): Live {
    const s = http2.connect(e.origin, {
      createConnection: () => socket,
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
      maxSessionMemory: 64,
    });
    dials += 1;
    const now = Date.now();
    const l: Live = { s, streams: 0, foreground: 0, lastReadAt: now, idleSince: now, pinging: false, goawayLast: null, timer: setInterval(() => health(e, l), Math.max(1000, Math.min(readIdleMs, idleCloseMs) / 2)) };
    l.timer.unref();
    e.live = l;
    s.on('connect', () => {
      try {
        s.setLocalWindowSize(SESSION_WINDOW);
      } catch {
        /* the session is already gone: its streams report that */
      }
    });
    // Failures reach the streams (and so their callers); the session is only retired here.
    s.on('error', () => retire(e, l));
    s.on('goaway', (_code: number, lastStreamID: number) => {
      l.goawayLast = lastStreamID;
      retire(e, l);
    });
    s.on('close', () => retire(e, l));
    s.unref();
    return l;
  }

  function dial(e: Endpoint, connectTimeoutMs: number): Promise<Live | 'h1'> {
    return new Promise((resolve, reject) => {
      const servername = o.servername ?? (isIP(e.host) ? undefined : e.host);
      const socket = tls.connect({ ...tlsOpts, host: e.host, port: e.port, ALPNProtocols: ['h2', 'http/1.1'], ...(servername ? { servername } : {}) });
      const timer = setTimeout(() => socket.destroy(codeError('QUORUM_TIMEOUT', `no TLS handshake with ${e.origin} within ${connectTimeoutMs} ms`)), connectTimeoutMs);
      timer.unref();
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once('error', onError);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        if (socket.alpnProtocol !== 'h2') {
          socket.destroy();
          e.h1Until = Date.now() + H1_RECHECK_MS;
          resolve('h1');
          return;
        }
        resolve(adopt(e, socket));
      });
    });
  }

  function sendH1(url: URL, so: SendOptions, ex: Exchange): void {
    const plain = url.protocol === 'http:';
    const p = new Pending(ex);
    const pool = plain ? (so.background ? httpWatchAgent : httpAgent) : so.background ? watchAgent : agent;
    const body = so.jsonBody;
    const headers = body === undefined ? h1Headers : { ...h1Headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    const req = (plain ? http : https).request(url, { method: so.method ?? 'GET', headers, agent: pool, signal: so.signal }, (res) => {
      p.responded = true;
      const sink = ex.onResponse({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), contentLength: num(res.headers['content-length']), protocol: 'http/1.1' }, () => {
        p.done = true;
        res.destroy();
      });
      p.sink = sink;
      res.on('data', (c: Buffer) => {
        if (!p.done) sink.data(c);
      });
      res.on('end', () => p.finish(() => sink.end()));
      res.on('error', (err) => p.fail(err));
      res.on('close', () => p.fail(codeError('ERR_STREAM_PREMATURE_CLOSE', 'the connection closed before the answer was complete')));
    });
    if (so.background) req.on('socket', (sock) => sock.unref());
    req.on('error', (err) => p.fail(err));
    req.end(body);
  }

  /** Whether the server provably did not process this stream: safe to send again on a new session. */
  function unprocessed(l: Live, stream: ClientHttp2Stream | null, err: unknown): boolean {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ERR_HTTP2_GOAWAY_SESSION' || code === 'ERR_HTTP2_INVALID_SESSION') return true;
    if (!stream) return false;
    if (stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) return true;
    return l.goawayLast !== null && (stream.id === undefined || stream.id > l.goawayLast);
  }

  function sendH2(e: Endpoint, l: Live, url: URL, so: SendOptions, ex: Exchange, attempt: number): void {
    const { s } = l;
    const retry = (err: unknown, stream: ClientHttp2Stream | null): boolean => {
      if (attempt > 0 || so.signal.aborted || !unprocessed(l, stream, err)) return false;
      retire(e, l);
      if (!s.closed) s.close();
      send(url, so, ex, attempt + 1);
      return true;
    };
    let stream: ClientHttp2Stream;
    try {
      const body = so.jsonBody;
      const head = { ...h2Headers, ':method': so.method ?? 'GET', ':path': `${url.pathname}${url.search}` };
      if (body === undefined) stream = s.request(head, { endStream: true, signal: so.signal });
      else {
        stream = s.request({ ...head, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, { signal: so.signal });
        stream.end(body);
      }
    } catch (err) {
      if (!retry(err, null)) ex.onError(err);
      return;
    }
    l.streams += 1;
    if (!so.background && ++l.foreground === 1) s.ref();
    const p = new Pending(ex);
    const onError = (err: unknown): void => {
      if (p.done) return;
      if (!p.responded && retry(err, stream)) {
        p.done = true;
        return;
      }
      p.fail(err);
    };
    stream.on('response', (h: IncomingHttpHeaders) => {
      p.responded = true;
      l.lastReadAt = Date.now();
      p.sink = ex.onResponse({ status: Number(h[':status'] ?? 0), contentType: String(h['content-type'] ?? ''), contentLength: num(h['content-length']), protocol: 'h2' }, () => {
        p.done = true;
        if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
      });
    });
    stream.on('data', (c: Buffer) => {
      l.lastReadAt = Date.now();
      if (!p.done) p.sink?.data(c);
    });
    // Node emits 'end' also for a stream cut off with its session (RST_STREAM CANCEL): the answer is
    // complete only when the stream then closes with NO_ERROR, so 'close' decides.
    let ended = false;
    stream.on('end', () => {
      ended = true;
    });
    stream.on('error', onError);
    stream.on('close', () => {
      l.streams -= 1;
      if (l.streams === 0) l.idleSince = Date.now();
      if (!so.background && --l.foreground === 0 && !s.destroyed) s.unref();
      if (p.done) return;
      const rst = stream.rstCode;
      if (ended && p.responded && (rst === undefined || rst === http2.constants.NGHTTP2_NO_ERROR)) {
        p.finish(() => p.sink?.end());
        return;
      }
      // Reset, or closed with its session, before the answer was complete: said, never taken as complete nor left hanging.
      onError(codeError(H2_STREAM_CLOSED_CODE, `the HTTP/2 stream closed before the answer was complete${rst ? ` (RST_STREAM ${rstName(rst)})` : ''}`));
    });
  }

  function send(url: URL, so: SendOptions, ex: Exchange, attempt = 0): void {
    if (url.protocol !== 'https:') {
      sendH1(url, so, ex);
      return;
    }
    const e = endpointOf(url);
    const l = e.live;
    if (l && !l.s.closed && !l.s.destroyed) {
      sendH2(e, l, url, so, ex, attempt);
      return;
    }
    if (Date.now() < e.h1Until) {
      sendH1(url, so, ex);
      return;
    }
    e.dialing ??= dial(e, so.connectTimeoutMs).finally(() => {
      e.dialing = null;
    });
    // The dial may have been started by another request with a longer deadline (a watch's 30 s): this
    // request's own deadline or cancel ends its wait.
    let waiting = true;
    const onAbort = (): void => {
      if (!waiting) return;
      waiting = false;
      ex.onError(Object.assign(new Error('request cancelled while connecting'), { name: 'AbortError', code: 'ABORT_ERR' }));
    };
    if (so.signal.aborted) {
      onAbort();
      return;
    }
    so.signal.addEventListener('abort', onAbort, { once: true });
    const settle = (): boolean => {
      if (!waiting) return false;
      waiting = false;
      so.signal.removeEventListener('abort', onAbort);
      return true;
    };
    e.dialing.then(
      (r) => {
        if (!settle()) return;
        if (r === 'h1') sendH1(url, so, ex);
        else if (!r.s.closed && !r.s.destroyed) sendH2(e, r, url, so, ex, attempt);
        else if (attempt === 0) send(url, so, ex, 1);
        else ex.onError(codeError('ERR_HTTP2_INVALID_SESSION', `the HTTP/2 connection to ${e.origin} closed at once`));
      },
      (err: unknown) => {
        if (settle()) ex.onError(err);
      },
    );
  }

  return {
    send: (url, so, ex) => send(url, so, ex),
    stats: () => {
      let h2Sessions = 0;
      let h1Endpoints = 0;
      const now = Date.now();
      for (const e of endpoints.values()) {
        if (e.live && !e.live.s.closed) h2Sessions += 1;
        else if (now < e.h1Until) h1Endpoints += 1;
      }
      return { h2Sessions, h1Endpoints, dials };
    },
    close: () => {
      for (const e of endpoints.values()) {
        const l = e.live;
        if (!l) continue;
        retire(e, l);
        l.s.destroy();
      }
      endpoints.clear();
      for (const a of [agent, watchAgent, httpAgent, httpWatchAgent]) a.destroy();
    },
  };
}
