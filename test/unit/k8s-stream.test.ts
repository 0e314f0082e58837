// lib/k8s against a local HTTPS server (node:https, a self-signed certificate made here with openssl):
// a body over the cap is a classified `too-large` naming the path and the size (never `not-kubernetes`),
// and the list+watch protocol edge cases the real lab cannot be made to produce on demand: a server that
// refuses the streaming list (422, as with WatchList off) falls back to a paginated list; an ERROR 410
// event relists; a resumed watch continues from its resourceVersion; an object budget overrun reads
// `too-large` and frees the store. (The real apiserver paths are covered by test/lab/scale.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Backoff, WATCH_RETRY } from '@/lib/deadline';
import { QuorumError } from '@/lib/errors';
import { connect, type K8sConnection } from '@/lib/k8s/client';
import { ObjectBudget, startInformer, type KubeObject } from '@/lib/k8s/informer';
import { getJson } from '@/lib/k8s/json';

// The test server listens on loopback: allowed explicitly, as an operator would (lib/net/outbound.ts).
process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
const dir = mkdtempSync(path.join(os.tmpdir(), 'quorum-k8s-stream-'));
let server: https.Server;
let conn: K8sConnection;
let handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void = (_q, r) => r.end();

before(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  server = https.createServer({ cert, key: readFileSync(path.join(dir, 'key.pem'), 'utf8') }, (req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  conn = await connect([
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: local, cluster: {server: "https://127.0.0.1:${port}", certificate-authority-data: ${Buffer.from(cert).toString('base64')}}}]`,
    'users: [{name: u, user: {token: t0ken}}]', 'contexts: [{name: local, context: {cluster: local, user: u}}]', 'current-context: local', '',
  ].join('\n'));
});
after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = async (what: string, f: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};
const fast = (): Backoff => new Backoff({ baseMs: 5, maxMs: 20 });

test('a body over the cap is too-large (path and size named), with or without Content-Length; under a raised cap it parses', async () => {
  const big = JSON.stringify({ kind: 'NodeList', items: Array.from({ length: 3000 }, (_, i) => ({ metadata: { name: `node-${i}`, annotations: { pad: 'x'.repeat(400) } } })) });
  assert.ok(big.length > 1024 * 1024);
  for (const declared of [false, true]) {
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', ...(declared ? { 'content-length': Buffer.byteLength(big) } : {}) });
      // Chunked when undeclared: the client only finds out by reading.
      for (let i = 0; i < big.length; i += 64 * 1024) res.write(big.slice(i, i + 64 * 1024));
      res.end();
    };
    await assert.rejects(getJson(conn, '/api/v1/nodes', { timeoutMs: 5000 }), (e: unknown) => {
      assert.ok(e instanceof QuorumError);
      assert.equal(e.errorClass, 'too-large');
      assert.match(e.message, /^GET \/api\/v1\/nodes is larger than Quorum's 1\.0 MiB cap: /);
      assert.match(e.message, declared ? new RegExp(`Content-Length ${Buffer.byteLength(big)} bytes`) : /more than \d+ bytes read/);
      return true;
    });
  }
  const list = await getJson<{ items: unknown[] }>(conn, '/api/v1/nodes', { timeoutMs: 5000, maxBodyBytes: 4 * 1024 * 1024 });
  assert.equal(list.items.length, 3000);
  handler = (_q, res) => res.end('not json');
  await assert.rejects(getJson(conn, '/x', { timeoutMs: 5000 }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'not-kubernetes');
});

test('one watch line over the cap is too-large; a 403 is forbidden', async () => {
  handler = (_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}\n');
    res.end(`{"type":"ADDED","object":{"pad":"${'y'.repeat(300_000)}"}}\n`);
  };
  const lines: string[] = [];
  await assert.rejects(conn.stream('/api/v1/nodes?watch=1', { signal: new AbortController().signal, timeoutMs: 5000, idleTimeoutMs: 5000, maxLineBytes: 100_000 }, (l) => lines.push(l)), (e: unknown) => {
    assert.ok(e instanceof QuorumError && e.errorClass === 'too-large', String(e));
    assert.match(e.message, /one object of GET \/api\/v1\/nodes\?watch=1 is larger than Quorum's 97\.7 KiB cap/);
    return true;
  });
  assert.equal(lines.length, 1);
  handler = (_q, res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end('{"kind":"Status","code":403,"message":"nodes is forbidden: User \\"quorum\\" cannot watch resource \\"nodes\\""}');
  };
  await assert.rejects(conn.stream('/api/v1/nodes?watch=1', { signal: new AbortController().signal, timeoutMs: 5000, idleTimeoutMs: 5000 }, () => undefined), (e: unknown) => {
    assert.ok(e instanceof QuorumError && e.errorClass === 'forbidden');
    assert.match(e.message, /^403 forbidden: .*\/api\/v1\/nodes .*cannot watch resource/);
    return true;
  });
});

/** A tiny apiserver for one collection: `items` by name, a resourceVersion counter, scripted watch answers. */
function fakeCollection(o: { streaming: boolean; pageSize: number }) {
  const items = new Map<string, number>([['a', 1], ['b', 2], ['c', 3]]);
  let rv = 10;
  const requests: string[] = [];
  const watchScript: Array<(res: import('node:http').ServerResponse, from: string | null) => void> = [];
  handler = (req, res) => {
    const u = new URL(req.url ?? '/', 'https://x');
    requests.push(u.search);
    const obj = (name: string, v: number): KubeObject & { v: number } => ({ metadata: { name, resourceVersion: String(rv) }, v });
    if (u.searchParams.get('watch') === '1') {
      if (u.searchParams.get('sendInitialEvents') === 'true' && !o.streaming) {
        res.writeHead(422, { 'content-type': 'application/json' });
        res.end('{"kind":"Status","code":422,"message":"ListOptions.meta.k8s.io \\"\\" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders(); // as the apiserver does when a watch starts
      if (u.searchParams.get('sendInitialEvents') === 'true') {
        for (const [name, v] of items) res.write(`${JSON.stringify({ type: 'ADDED', object: obj(name, v) })}\n`);
        res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(rv), annotations: { 'k8s.io/initial-events-end': 'true' } } } })}\n`);
      }
      const next = watchScript.shift();
      if (next) next(res, u.searchParams.get('resourceVersion'));
      return; // otherwise held open
    }
    const names = [...items.keys()].sort();
    const start = Number(u.searchParams.get('continue') ?? 0);
    const page = names.slice(start, start + o.pageSize);
    const more = start + o.pageSize < names.length;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ metadata: { resourceVersion: String(rv), ...(more ? { continue: String(start + o.pageSize) } : {}) }, items: page.map((n) => obj(n, items.get(n)!)) }));
  };
  return {
    items, requests, watchScript,
    bump: () => ++rv,
  };
}

test('informer: streaming refused (422) → paginated list; events; ERROR 410 → relist; a drop → resume from the last resourceVersion', async () => {
  const api = fakeCollection({ streaming: false, pageSize: 2 });
  // First watch: one event, then the server reports 410 (its window moved on).
  api.watchScript.push((res) => {
    api.items.set('d', 4);
    res.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'd', resourceVersion: String(api.bump()) }, v: 4 } })}\n`);
    res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 10 (12)' } })}\n`);
  });
  // After the relist: one event, then the connection breaks (reset, as when the LB dies).
  api.watchScript.push((res) => {
    api.items.delete('a');
    res.write(`${JSON.stringify({ type: 'DELETED', object: { metadata: { name: 'a', resourceVersion: String(api.bump()) } } })}\n`, () => setTimeout(() => res.socket?.destroy(), 20));
  });
  const logs: Array<Record<string, unknown>> = [];
  const inf = startInformer<number>(conn, { name: 'things', path: '/api/v1/things', project: (x) => (x as { v: number }).v, backoff: fast(), onLog: (l) => logs.push(l) });
  try {
    await inf.synced;
    assert.equal(inf.state.mode, 'list');
    assert.ok(logs.some((l) => l.event === 'watch-list-unsupported'), 'the fallback is logged');
    await until('relisted after 410 and the delete applied', () => inf.state.relists === 2 && inf.get('a') === undefined && inf.state.phase === 'synced');
    assert.deepEqual([...inf.values()].sort(), [2, 3, 4]);
    assert.equal(inf.state.everSynced, true);
    // The third watch resumes from the resourceVersion of the DELETED event, it does not list again.
    await until('a resumed watch', () => api.requests.filter((q) => q.includes('watch=1')).length >= 4);
    const watches = api.requests.filter((q) => q.includes('watch=1') && !q.includes('sendInitialEvents'));
    const last = new URLSearchParams(watches[watches.length - 1]);
    assert.equal(last.get('resourceVersion'), '12');
    assert.equal(last.get('allowWatchBookmarks'), 'true');
    const lists = api.requests.filter((q) => !q.includes('watch=1'));
    assert.deepEqual(lists.map((q) => new URLSearchParams(q).get('limit')), ['500', '500', '500', '500'], 'two pages per list, twice, limit 500, no resourceVersion (a consistent read)');
    assert.ok(lists.every((q) => !new URLSearchParams(q).has('resourceVersion')));
    assert.equal(inf.state.relists, 2);
    await until('resumed counted', () => inf.state.resumes === 1 && inf.state.phase === 'synced');
  } finally {
    inf.stop();
  }
});

test('informer: a streaming list (initial events + bookmark) syncs; over the object budget it reads too-large and holds nothing', async () => {
  const api = fakeCollection({ streaming: true, pageSize: 500 });
  const inf = startInformer<number>(conn, { name: 'things', path: '/api/v1/things', project: (x) => (x as { v: number }).v, backoff: fast() });
  try {
    await inf.synced;
    assert.equal(inf.state.mode, 'stream');
    assert.equal(inf.size, 3);
    const q = new URLSearchParams(api.requests[0]);
    assert.equal(q.get('sendInitialEvents'), 'true');
    assert.equal(q.get('resourceVersionMatch'), 'NotOlderThan');
  } finally {
    inf.stop();
  }
  fakeCollection({ streaming: true, pageSize: 500 });
  const budget = new ObjectBudget(2, 'QUORUM_CLUSTER_OBJECT_LIMIT');
  const small = startInformer<number>(conn, { name: 'things', path: '/api/v1/things', project: (x) => (x as { v: number }).v, budget, backoff: fast(), tooLargeRetryMs: 60_000 });
  try {
    await small.synced;
    assert.equal(small.state.phase, 'too-large');
    assert.equal(small.state.errorClass, 'too-large');
    assert.equal(small.size, 0, 'nothing partial is kept');
    assert.match(small.state.reason ?? '', /more than 2 objects to track in this cluster \(limit QUORUM_CLUSTER_OBJECT_LIMIT=2; reached while reading things: 2 things held\)/);
  } finally {
    small.stop();
  }
});

test('watches retry per the one backoff policy (lib/deadline.ts): doubling ceilings capped at 30 s, full jitter floored at half the base, reset', () => {
  const top = new Backoff(WATCH_RETRY, () => 1);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(() => top.next()), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  assert.equal(top.failures, 7);
  const bottom = new Backoff(WATCH_RETRY, () => 0);
  assert.deepEqual([bottom.next(), bottom.next(), bottom.next()], [500, 500, 500]);
  const mid = new Backoff(WATCH_RETRY, () => 0.5);
  assert.deepEqual([mid.next(), mid.next(), mid.next()], [750, 1250, 2250]);
  mid.reset();
  assert.equal(mid.failures, 0);
  assert.equal(mid.next(), 750);
});
