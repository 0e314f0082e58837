// lib/net/transport.ts: HTTP/2 to each endpoint, one session multiplexing requests and watches, against
// real local TLS servers on 127.0.0.1 (certificates made here with openssl; the server demands the
// kubeconfig's client certificate): ALPN h2 → one session; an HTTP/1.1-only server → the keep-alive
// pools; GOAWAY → a new session, and a request above the GOAWAY's last stream is sent again there; a
// session dying mid-answer → classified `unreachable`, the next request reconnects; a peer that
// stops answering → PING timeout (`timeout`); an idle session is closed. No timing is asserted:
// waits poll for a state with generous caps.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http2, { type Http2Session, type ServerHttp2Stream } from 'node:http2';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { QuorumError } from '@/lib/errors';
import { connect } from '@/lib/k8s/client';
import { createTestPki } from '../support/test-pki';

process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
const pki = createTestPki('quorum-k8s-h2-');
const { file, ca, signed } = pki;
const closers: Array<() => void> = [];

const serverTls = (): tls.TlsOptions => ({ cert: readFileSync(file('apiserver.crt')), key: readFileSync(file('apiserver.key')), ca: readFileSync(file('cluster-ca.crt')), requestCert: true, rejectUnauthorized: true });
const kubeconfig = (port: number): string => [
  'apiVersion: v1', 'kind: Config',
  `clusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", certificate-authority-data: ${readFileSync(file('cluster-ca.crt')).toString('base64')}}}]`,
  `users: [{name: u, user: {client-certificate-data: ${readFileSync(file('quorum.crt')).toString('base64')}, client-key-data: ${readFileSync(file('quorum.key')).toString('base64')}}}]`,
  'contexts: [{name: c, context: {cluster: c, user: u}}]', 'current-context: c', '',
].join('\n');
const portOf = (s: { address(): AddressInfo | string | null }): number => (s.address() as AddressInfo).port;

async function until(what: string, check: () => boolean, capMs = 10_000): Promise<void> {
  const end = Date.now() + capMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An HTTP/2-only server (no HTTP/1.1 fallback) that records sessions and paths; `handle` may take over a stream. */
async function h2Server(handle?: (stream: ServerHttp2Stream, path: string, session: Http2Session) => boolean) {
  const sessions: Http2Session[] = [];
  const paths: string[] = [];
  const server = http2.createSecureServer({ ...serverTls(), allowHTTP1: false });
  server.on('session', (s) => sessions.push(s));
  server.on('stream', (stream, headers) => {
    const p = String(headers[':path']);
    paths.push(p);
    stream.on('error', () => undefined); // a stream this server resets itself reports that here
    if (handle?.(stream, p, stream.session!)) return;
    if (p.includes('watch=1')) {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.write('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}}\n');
      return; // stays open, like a watch
    }
    stream.respond({ ':status': 200, 'content-type': 'text/plain' });
    stream.end('[+]ping ok\nreadyz check passed\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    for (const s of sessions) s.destroy();
    server.close();
  });
  return { server, sessions, paths, port: portOf(server) };
}

before(() => {
  ca('cluster-ca');
  signed('apiserver', 'cluster-ca', 'subjectAltName=IP:127.0.0.1');
  signed('quorum', 'cluster-ca', 'extendedKeyUsage=clientAuth');
});
after(() => {
  for (const c of closers) c();
  pki.remove();
});

test('ALPN h2: requests and a watch share one session; the server saw the client certificate', async () => {
  const srv = await h2Server();
  const conn = await connect(kubeconfig(srv.port));
  const results = await Promise.all([1, 2, 3, 4].map((i) => conn.get(`/readyz?verbose&n=${i}`, { timeoutMs: 5000 })));
  const watch = new AbortController();
  const lines: string[] = [];
  const w = conn.stream('/api/v1/pods?watch=1', { signal: watch.signal, timeoutMs: 5000, idleTimeoutMs: 30_000 }, (l) => lines.push(l)).catch((e: unknown) => e);
  await until('the watch line', () => lines.length === 1);
  const more = await conn.get('/livez?verbose', { timeoutMs: 5000 });
  assert.deepEqual(results.map((r) => [r.status, r.protocol]), [[200, 'h2'], [200, 'h2'], [200, 'h2'], [200, 'h2']]);
  assert.equal(more.protocol, 'h2');
  assert.equal(srv.sessions.length, 1, 'one TLS connection for 5 requests and a watch');
  assert.equal((srv.sessions[0]!.socket as tls.TLSSocket).getPeerCertificate().subject?.CN, 'quorum');
  assert.deepEqual(conn.transportStats(), { h2Sessions: 1, h1Endpoints: 0, dials: 1 });
  watch.abort();
  const end = await w;
  assert.ok(end instanceof QuorumError && end.errorClass === 'timeout', `a cancelled watch rejects as cancelled: ${String(end)}`);
  conn.close();
});

test('a server that only speaks HTTP/1.1: ALPN falls back, the same answers over the keep-alive pool', async () => {
  const seen: string[] = [];
  const server = https.createServer(serverTls(), (req, res) => {
    seen.push(`${req.httpVersion} ${req.url}`);
    res.setHeader('Content-Type', 'text/plain');
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  const conn = await connect(kubeconfig(portOf(server)));
  const [a, b] = await Promise.all([conn.get('/livez', { timeoutMs: 5000 }), conn.get('/readyz', { timeoutMs: 5000 })]);
  assert.deepEqual([a.status, a.body, a.protocol, b.protocol], [200, 'ok', 'http/1.1', 'http/1.1']);
  assert.deepEqual(seen.sort(), ['1.1 /livez', '1.1 /readyz']);
  assert.deepEqual(conn.transportStats(), { h2Sessions: 0, h1Endpoints: 1, dials: 0 });
  conn.close();
});

test('GOAWAY (an apiserver shutting down): the stream in flight completes, the next request goes to a new session', async () => {
  let goaways = 0;
  const srv = await h2Server((stream, p, session) => {
    if (!p.startsWith('/slow') || goaways > 0) return false;
    goaways += 1;
    session.goaway(http2.constants.NGHTTP2_NO_ERROR);
    setTimeout(() => {
      stream.respond({ ':status': 200, 'content-type': 'text/plain' });
      stream.end('ok');
    }, 50);
    return true;
  });
  const conn = await connect(kubeconfig(srv.port));
  await conn.get('/readyz', { timeoutMs: 5000 });
  const r = await conn.get('/slow', { timeoutMs: 5000 });
  assert.deepEqual([r.status, r.body], [200, 'ok']);
  await conn.get('/livez', { timeoutMs: 5000 });
  assert.deepEqual(srv.paths, ['/readyz', '/slow', '/livez']);
  assert.equal(srv.sessions.length, 2, 'a new session after the GOAWAY');
  await conn.get('/livez', { timeoutMs: 5000 });
  assert.equal(srv.sessions.length, 2, 'the new session is reused');
  assert.equal(conn.transportStats().dials, 2);
  conn.close();
});

test('REFUSED_STREAM (the server did not process it): sent once more, on a new session', async () => {
  let refused = 0;
  const srv = await h2Server((stream, p) => {
    if (p !== '/refused' || refused > 0) return false;
    refused += 1;
    stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    return true;
  });
  const conn = await connect(kubeconfig(srv.port));
  const r = await conn.get('/refused', { timeoutMs: 5000 });
  assert.equal(r.status, 200);
  assert.deepEqual(srv.paths, ['/refused', '/refused']);
  assert.equal(conn.transportStats().dials, 2);
  conn.close();
});

test('a stream reset by the server (not REFUSED_STREAM) is not retried: unreachable, naming the code', async () => {
  const srv = await h2Server((stream, p) => {
    if (p !== '/reset') return false;
    stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    return true;
  });
  const conn = await connect(kubeconfig(srv.port));
  const err = await conn.get('/reset', { timeoutMs: 5000 }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof QuorumError, String(err));
  assert.equal(err.errorClass, 'unreachable');
  assert.match(err.message, /INTERNAL_ERROR/);
  assert.deepEqual(srv.paths, ['/reset']);
  conn.close();
});

test('the session dies mid-answer: unreachable (not retried: the server had the request), the next request reconnects', async () => {
  let killed = false;
  const srv = await h2Server((stream, p, session) => {
    if (p !== '/die' || killed) return false;
    killed = true;
    stream.respond({ ':status': 200, 'content-type': 'text/plain' });
    stream.write('[+]ping ok\n');
    setImmediate(() => session.destroy());
    return true;
  });
  const conn = await connect(kubeconfig(srv.port));
  const err = await conn.get('/die', { timeoutMs: 5000 }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof QuorumError, String(err));
  assert.equal(err.errorClass, 'unreachable');
  assert.match(err.message, /HTTP\/2|reset|closed/);
  const ok = await conn.get('/readyz', { timeoutMs: 5000 });
  assert.equal(ok.status, 200);
  assert.equal(conn.transportStats().dials, 2);
  conn.close();
});

test('a peer that stops answering (no PING ack): the session is destroyed, its requests fail as timeout, the next one reconnects', async () => {
  // Raw TLS with ALPN h2: sends its SETTINGS and then never reads or answers again.
  const sockets: tls.TLSSocket[] = [];
  let mute = true;
  const server = tls.createServer({ ...serverTls(), ALPNProtocols: ['h2'] }, (sock) => {
    sockets.push(sock);
    if (mute) {
      sock.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])); // empty SETTINGS frame
      sock.on('data', () => undefined);
      return;
    }
    sock.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const conn = await connect(kubeconfig(portOf(server)), undefined, { http2: { readIdleMs: 300, pingTimeoutMs: 300 } });
  const err = await conn.get('/readyz', { timeoutMs: 20_000 }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof QuorumError, String(err));
  assert.equal(err.errorClass, 'timeout');
  assert.match(err.message, /PING/);
  mute = false;
  const again = await conn.get('/readyz', { timeoutMs: 5000 }).then(() => null, (e: unknown) => e);
  assert.ok(again instanceof QuorumError && again.errorClass === 'unreachable', `a new dial, refused this time: ${String(again)}`);
  assert.equal(sockets.length, 2);
  conn.close();
});

test('a session without streams is closed after the idle time; the next request dials again', async () => {
  const srv = await h2Server();
  const conn = await connect(kubeconfig(srv.port), undefined, { http2: { idleCloseMs: 200 } });
  await conn.get('/readyz', { timeoutMs: 5000 });
  await until('the idle session to close', () => conn.transportStats().h2Sessions === 0);
  await conn.get('/readyz', { timeoutMs: 5000 });
  assert.equal(srv.sessions.length, 2);
  conn.close();
});

test('a server certificate from another CA is refused before any request (tls-ca), as over HTTP/1.1', async () => {
  ca('other-ca');
  signed('impostor', 'other-ca', 'subjectAltName=IP:127.0.0.1');
  const server = http2.createSecureServer({ cert: readFileSync(file('impostor.crt')), key: readFileSync(file('impostor.key')), allowHTTP1: false });
  server.on('stream', (s) => s.respond({ ':status': 200 }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  const conn = await connect(kubeconfig(portOf(server)));
  const err = await conn.get('/readyz', { timeoutMs: 5000 }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof QuorumError, String(err));
  assert.equal(err.errorClass, 'tls-ca');
  conn.close();
});

test('a request waiting on a dial another request started (a watch, 30 s) ends at its own deadline, classified timeout', async () => {
  // Accepts TCP and never answers the TLS handshake (a blackhole).
  const held: net.Socket[] = [];
  const server = net.createServer((s) => held.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    for (const s of held) s.destroy();
    server.close();
  });
  const conn = await connect(kubeconfig(portOf(server)));
  const stop = new AbortController();
  let watchSettled = false;
  const watch = conn.stream('/api/v1/pods?watch=1', { signal: stop.signal, timeoutMs: 30_000, idleTimeoutMs: 30_000 }, () => undefined).catch(() => undefined).finally(() => {
    watchSettled = true;
  });
  const err = await conn.get('/readyz', { timeoutMs: 300 }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof QuorumError && err.errorClass === 'timeout', String(err));
  assert.equal(watchSettled, false, 'the probe did not wait for the watch\'s dial');
  stop.abort();
  await watch;
  conn.close();
});
