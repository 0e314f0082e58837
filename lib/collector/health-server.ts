// The collector's own probes for Kubernetes (QUORUM_COLLECTOR_HEALTH_PORT; off when unset):
//   GET /livez  → 200 while cycles keep ending (the last one within 3 intervals + the probe budget; a
//                 grace of 2 minutes after start), else 503 {"status":"stuck"} — the kubelet restarts it;
//   GET /readyz → 200 once the first cycle ended.
// Minimal anonymous answers, like the web app's. The database does not count: a collector probes on
// (and buffers) while it is down, which is not a reason to restart it.
import { createServer, type Server } from 'node:http';

export interface CollectorHealthState {
  startedAt: number;
  lastCycleAt: number | null;
  intervalMs: number;
  probeTimeoutMs: number;
}

export function collectorHealth(s: CollectorHealthState, now: number): { live: boolean; ready: boolean } {
  const allowance = 3 * s.intervalMs + s.probeTimeoutMs + 1000;
  const live = s.lastCycleAt === null ? now - s.startedAt < Math.max(120_000, allowance) : now - s.lastCycleAt < allowance;
  return { live, ready: s.lastCycleAt !== null };
}

export function startHealthServer(port: number, state: CollectorHealthState, log: (l: Record<string, unknown>) => void): Server {
  const server = createServer((req, res) => {
    const p = (req.url ?? '').split('?')[0];
    const h = collectorHealth(state, Date.now());
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ status: body }));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method-not-allowed');
    if (p === '/livez') return h.live ? send(200, 'ok') : send(503, 'stuck');
    if (p === '/readyz') return h.ready ? send(200, 'ok') : send(503, 'starting');
    send(404, 'not-found');
  });
  server.on('error', (e) => log({ event: 'health-server-error', port, error: String(e) }));
  server.listen(port, '0.0.0.0');
  server.unref();
  return server;
}
