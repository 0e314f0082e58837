// Graceful shutdown of the web server with a request in flight, with the real `npm start` on SQLite
// (what a rolling update or a node drain does to a web replica): SIGTERM arrives while an API request is
// half-way through its upload.
//   - the listener is closed at once (new connections are refused; the kubelet's readiness probe fails
//     and the pod leaves the Service's endpoints) and idle keep-alive connections are closed;
//   - the request in flight is not cut: once its body arrives it gets its real answer (a classified
//     400 for the bad kubeconfig it carries) with `Connection: close`;
//   - then the process exits 0 and logs how long the drain took.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { signIn, startQuorum, type QuorumProc, type SignedIn } from '../support/quorum-proc';

const PORT = 3313;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-faults-drain-'));
const env: Record<string, string> = { QUORUM_DATA_DIR: dataDir, QUORUM_COLLECTOR_INTERVAL_SECONDS: '2' };
let quorum: QuorumProc | undefined;
let auth: SignedIn;

before(async () => {
  delete process.env.DATABASE_URL;
  quorum = await startQuorum(PORT, env);
  auth = await signIn(quorum.base, env);
});

after(async () => {
  await quorum?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Resolves when `q`'s output (web and collector lines) has a line matching `re`. */
async function outputLine(q: QuorumProc, re: RegExp, ms: number): Promise<string> {
  const started = Date.now();
  for (;;) {
    const line = q.output().split('\n').find((l) => re.test(l));
    if (line) return line;
    if (Date.now() - started > ms) assert.fail(`no line matching ${re} within ${ms} ms: ${q.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Connects to the port; resolves with the error code when refused, 'connected' otherwise. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? String(e)));
  });
}

test('SIGTERM with a request in flight: listener closed, idle keep-alive closed, the request answered in full, exit 0', { timeout: 120_000 }, async (t) => {
  const q = quorum!;
  const body = JSON.stringify({ name: 'drain-test', kubeconfig: 'this is not a kubeconfig' });
  const half = Math.floor(body.length / 2);

  // An idle keep-alive connection (a browser's, or a proxy's pool).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const idleClosed = new Promise<void>((resolve, reject) => {
    const r = http.get({ host: '127.0.0.1', port: PORT, path: '/livez', agent }, (res) => res.resume());
    r.once('socket', (socket) => socket.once('close', () => resolve()));
    r.once('error', reject);
  });
  await new Promise((r) => setTimeout(r, 300));

  // The request in flight: headers and half the body now, the rest after SIGTERM.
  const req = http.request({
    host: '127.0.0.1', port: PORT, path: '/api/clusters', method: 'POST',
    headers: { ...auth.api, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
  });
  const answered = new Promise<{ status: number; connection: string | undefined; text: string }>((resolve, reject) => {
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }));
      res.once('error', reject);
    });
    req.once('error', reject);
  });
  req.flushHeaders();
  req.write(body.slice(0, half));
  // The route handler is running and waits for the rest of its body (give Next the time to get there).
  await new Promise((r) => setTimeout(r, 1500));

  const exited = new Promise<number | null>((r) => q.child.once('exit', (code) => r(code)));
  const termAt = Date.now();
  q.child.kill('SIGTERM');
  const stopping = JSON.parse(await outputLine(q, /"svc":"web","event":"stopping"/, 10_000)) as { inFlight: number; drainMs: number };
  assert.equal(stopping.inFlight, 1, `the web server saw the request in flight: ${JSON.stringify(stopping)}`);
  assert.equal(stopping.drainMs, 25_000, 'the default drain limit (QUORUM_SHUTDOWN_TIMEOUT_MS)');

  // New connections are refused (the pod leaves the Service); the idle keep-alive connection is closed.
  let refused = '';
  for (let i = 0; i < 40 && refused !== 'ECONNREFUSED'; i++) {
    refused = await tryConnect(PORT);
    if (refused !== 'ECONNREFUSED') await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(refused, 'ECONNREFUSED', 'no new connections once SIGTERM arrived');
  await idleClosed;
  assert.equal(q.child.exitCode, null, 'still running: a request is in flight');

  // Two seconds later the rest of the body: the request gets its real answer, and the server says it closes.
  await new Promise((r) => setTimeout(r, 2000));
  req.end(body.slice(half));
  const a = await answered.catch((e: unknown) => assert.fail(`the request in flight was cut: ${String(e)}\n${q.output().slice(-3000)}`));
  assert.equal(a.status, 400, a.text);
  assert.match(a.text, /"class":"kubeconfig-not-yaml"/, a.text);
  assert.equal(a.connection, 'close', 'responses during the drain carry Connection: close');

  assert.equal(await exited, 0, q.output().slice(-2000));
  const stopped = JSON.parse(await outputLine(q, /"svc":"web","event":"stopped"/, 1000)) as { drainedMs: number };
  assert.ok(stopped.drainedMs >= 2000, `the drain waited for the request: ${stopped.drainedMs} ms`);
  assert.doesNotMatch(q.output(), /shutdown-cut/, 'nothing was cut');
  t.diagnostic(`SIGTERM → exit ${Date.now() - termAt} ms, drain ${stopped.drainedMs} ms`);
  agent.destroy();
  quorum = undefined;
});
