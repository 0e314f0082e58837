// The web app's HTTP server: Next.js (production build) behind a few lines of our own, run by
// `npm start` (scripts/start.ts). Why not plain `next start`: Next passes a client-sent
// X-Forwarded-For / -Host / -Proto through unchanged when present, so the client address in the audit
// log and the per-address login limit could be forged. Here those headers are replaced by what the
// socket says, unless QUORUM_TRUST_PROXY=1 (then a reverse proxy in front sets them). A request whose
// Host is not ours (DNS rebinding) is refused before Next sees it (lib/auth/request.ts checkHost).
import { createServer } from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import next from 'next';
import { loadAuthConfig } from '@/lib/env';
import { checkHost } from '@/lib/auth/request';
import { describeError } from '@/lib/errors';
import { checkKeysOnStart } from '@/lib/keys';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { hostname: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '3000' } }, strict: true });
const port = Number(values.port);
const hostname = values.hostname;

async function main(): Promise<void> {
  const cfg = loadAuthConfig(); // validates the sign-in settings before listening
  await checkKeysOnStart(); // a missing or different credentials key stops the server here
  const app = next({ dev: false, dir: root, hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = createServer((req, res) => {
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
  server.listen(port, hostname);
  const stop = (): void => {
    server.close();
    setTimeout(() => process.exit(0), 5000).unref();
    void app.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  console.error(`[quorum] web server failed to start: ${describeError(e)}`);
  process.exit(1);
});
