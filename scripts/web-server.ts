// The web app's HTTP server: Next.js (production build) behind a few lines of our own, run by
// `npm start` (scripts/start.ts) and, on Kubernetes, as the web container's command. Why not plain
// `next start`: Next passes a client-sent X-Forwarded-For / -Host / -Proto through unchanged when
// present, so the client address in the audit log and the per-address login limit could be forged.
// Here those headers are replaced by what the socket says, unless QUORUM_TRUST_PROXY=1 (then a
// reverse proxy in front sets them). A request whose Host is not ours (DNS rebinding) is refused
// before Next sees it (lib/auth/request.ts checkHost).
//
// Kubernetes-style probes, answered here before Next (anonymous, minimal, no Host check — a kubelet
// probes the pod IP):
//   GET /livez  → 200 {"status":"ok"} while the process serves requests at all;
//   GET /readyz → 200 {"status":"ok"} when the database answers a read of Quorum's tables (within 2 s)
//                 and the credentials key was checked; 503 {"status":"unavailable"} otherwise, and
//                 {"status":"shutting-down"} once SIGTERM arrived.
// The server starts listening before the database answers (readiness says so), migrates and checks
// the key in the background, and exits only for a missing or wrong key.
//
// SIGTERM/SIGINT: readiness false, stop accepting connections, close idle keep-alive connections,
// let requests in flight finish (at most QUORUM_SHUTDOWN_TIMEOUT_MS, 25 s; responses meanwhile carry
// `Connection: close`), close Next and the database pool, exit 0.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import next from 'next';
import { loadAuthConfig, loadEnv } from '@/lib/env';
import { checkHost } from '@/lib/auth/request';
import { describeError } from '@/lib/errors';
import { KeyCheckError, checkKeysOnStart } from '@/lib/keys';
import { checkDb, closeDb } from '@/lib/db';
import { migrate } from '@/lib/db/migrate';
import { backoffMs, pause } from '@/lib/deadline';

const root = path.resolve(import.meta.dirname, '..');
const env = loadEnv();
const { values } = parseArgs({ options: { hostname: { type: 'string', default: env.web.host }, port: { type: 'string', default: String(env.web.port) } }, strict: true });
const port = Number(values.port);
const hostname = values.hostname;
const log = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), svc: 'web', ...line })}\n`);
};

const state = { started: false, shuttingDown: false };
/** Responses not finished yet (their requests are in flight). */
const inFlight = new Set<ServerResponse>();

function answer(res: ServerResponse, status: number, body: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body));
}

/** One database check at a time: probes arriving meanwhile share its answer. */
let checking: Promise<boolean> | undefined;
function databaseAnswers(): Promise<boolean> {
  checking ??= checkDb({ timeoutMs: 2000 })
    .then((h) => h.ok)
    .finally(() => (checking = undefined));
  return checking;
}

/** /livez and /readyz; true when handled. */
function probe(req: IncomingMessage, res: ServerResponse): boolean {
  const p = (req.url ?? '').split('?')[0];
  if (p !== '/livez' && p !== '/readyz') return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    answer(res, 405, { status: 'method-not-allowed' });
    return true;
  }
  if (p === '/livez') {
    answer(res, 200, { status: 'ok' });
    return true;
  }
  if (state.shuttingDown) answer(res, 503, { status: 'shutting-down' });
  else if (!state.started) answer(res, 503, { status: 'starting' });
  else void databaseAnswers().then((ok) => answer(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable' }));
  return true;
}

/** Migrates (under the migration lock: several replicas may start at once) and checks the key, until the database answers. */
async function prepareDatabase(): Promise<void> {
  for (let attempt = 1; !state.shuttingDown; attempt++) {
    try {
      await migrate({ quiet: true });
      await checkKeysOnStart(); // a missing or different credentials key stops the server here
      if (attempt > 1) log({ event: 'database-ready', attempt });
      state.started = true;
      return;
    } catch (e) {
      if (e instanceof KeyCheckError) {
        console.error(`[quorum] web server cannot start: ${e.message}`);
        process.exit(1);
      }
      if (attempt === 1 || attempt % 10 === 0) log({ event: 'database-not-ready', attempt, error: describeError(e), why: '/readyz answers 503 until it is' });
      await pause(backoffMs({ baseMs: 1000, maxMs: 15_000 }, attempt));
    }
  }
}

async function main(): Promise<void> {
  const cfg = loadAuthConfig(); // validates the sign-in settings before listening
  const app = next({ dev: false, dir: root, hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = createServer((req, res) => {
    if (probe(req, res)) return;
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    if (state.shuttingDown) res.setHeader('connection', 'close');
    const host = checkHost(req.headers.host, cfg);
    if (!host.ok) {
      res.writeHead(421, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' });
      res.end(JSON.stringify({ error: { class: 'misdirected', message: host.reason } }));
      return;
    }
    if (!cfg.trustProxy) {
      req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
      delete req.headers['x-forwarded-host'];
      delete req.headers['x-forwarded-proto'];
      delete req.headers['x-forwarded-port'];
    }
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => resolve());
  });
  log({ event: 'listening', host: hostname, port });
  const ready = prepareDatabase();

  const stop = async (signal: string): Promise<void> => {
    if (state.shuttingDown) return;
    state.shuttingDown = true;
    const limitMs = env.web.shutdownTimeoutMs;
    log({ event: 'stopping', signal, inFlight: inFlight.size, drainMs: limitMs });
    // Requests in flight get their answer, then their connection closes: the client must not send another
    // request on it (that one would meet a closed socket).
    for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    const started = Date.now();
    while (inFlight.size > 0 && Date.now() - started < limitMs) {
      await pause(50);
      server.closeIdleConnections(); // keep-alive connections whose last request just finished
    }
    if (inFlight.size > 0) log({ event: 'shutdown-cut', inFlight: inFlight.size, afterMs: Date.now() - started });
    server.closeAllConnections();
    await Promise.race([closed, pause(1000)]);
    await Promise.race([ready, pause(1000)]);
    await Promise.race([app.close().catch(() => undefined), pause(2000)]);
    await Promise.race([closeDb().catch(() => undefined), pause(2000)]);
    log({ event: 'stopped', drainedMs: Date.now() - started });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e: unknown) => {
  console.error(`[quorum] web server failed to start: ${describeError(e)}`);
  process.exit(1);
});
