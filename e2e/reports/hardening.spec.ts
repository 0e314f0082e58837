// API hardening against the real server (the reports e2e server: no lab, default outbound policy, so
// loopback targets are refused). Every API route is walked from the source tree: anonymous → 401,
// a viewer token on a change → 403, malformed bodies and queries → 4xx JSON with an error class,
// never 5xx. Plus CSRF, the Host allow-list, a chunked oversized body, SSRF targets, security headers,
// the anonymous healthz, a forged X-Forwarded-For and the login rate limit.
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import dns from 'node:dns/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { APIResponse } from '@playwright/test';
import { apiToken } from '../support/auth';
import { quorumCli, quorumRemote } from '../support/cli';
import { expect, test } from '../support/fixtures';

test.describe.configure({ mode: 'serial' });

interface RouteDef {
  path: string;
  method: string;
  permission: string;
  file: string;
}

/** Every exported handler of every app/api route file, with the permission its guard names. */
function apiRoutes(): RouteDef[] {
  const out: RouteDef[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = path.join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e === 'route.ts') {
        const src = readFileSync(p, 'utf8');
        const routePath = `/${path.relative('app', path.dirname(p)).split(path.sep).join('/')}`;
        const guardOf = (rhs: string): RegExpExecArray | null => /=\s*(route|publicRoute)(?:<[^>]*>)?\(\s*(?:'([a-z:]+)')?/.exec(rhs);
        for (const m of src.matchAll(/^export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b(.*)$/gm)) {
          // `export const GET = handler;` where `const handler = route(…)` (the API catch-all) counts as guarded.
          const alias = /^\s*=\s*([A-Za-z_$][\w$]*)\s*;?\s*$/.exec(m[2]!)?.[1];
          const guard = guardOf(m[2]!) ?? (alias ? guardOf(new RegExp(`^const ${alias}\\b(.*)$`, 'm').exec(src)?.[1] ?? '') : null);
          out.push({ path: routePath, method: m[1]!, permission: guard ? (guard[1] === 'publicRoute' ? 'public' : guard[2]!) : 'UNGUARDED', file: p });
        }
      }
    }
  };
  walk('app/api');
  walk('app/metrics'); // GET /metrics (issue 11) is guarded like the API
  return out.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

const ROUTES = apiRoutes();
const fill = (p: string, id: string): string => p.replace(/\[(?:\.\.\.)?[a-z]+\]/g, encodeURIComponent(id));
const BROWSER_REDIRECTS = new Set(['/api/auth/oidc/start', '/api/auth/oidc/callback']);

async function expectClassified(res: APIResponse, what: string, statuses: (s: number) => boolean): Promise<string> {
  expect(res.status(), `${what}: ${res.status()} ${(await res.text()).slice(0, 200)}`).toBeLessThan(500);
  expect(statuses(res.status()), `${what}: unexpected ${res.status()}`).toBe(true);
  if (res.status() < 400 && /^(text\/csv|application\/yaml|text\/plain; version=0\.0\.4)/.test(res.headers()['content-type'] ?? '')) return ''; // a CSV or OpenSLO YAML download, or the Prometheus exposition, that succeeded
  const body = (await res.json().catch(() => null)) as { error?: { class?: unknown; message?: unknown } } | null;
  expect(body, `${what}: JSON body`).not.toBeNull();
  if (res.status() >= 400) {
    expect(typeof body?.error?.class, `${what}: error.class`).toBe('string');
    expect(typeof body?.error?.message, `${what}: error.message`).toBe('string');
  }
  return String(body?.error?.class ?? '');
}

test('every API handler is wrapped by the guard (route/publicRoute), and the route list is what we expect', () => {
  expect(ROUTES.filter((r) => r.permission === 'UNGUARDED').map((r) => `${r.method} ${r.path} (${r.file})`)).toEqual([]);
  expect(ROUTES.filter((r) => r.permission === 'public').map((r) => `${r.method} ${r.path}`)).toEqual([
    'POST /api/auth/login',
    'POST /api/auth/logout',
    'GET /api/auth/oidc/callback',
    'GET /api/auth/oidc/start',
    'GET /api/healthz',
    'POST /api/setup',
  ]);
  expect(ROUTES.length).toBeGreaterThan(25);
});

test('anonymous: every protected route answers 401 unauthenticated (JSON), every method, before reading anything', async ({ playwright, baseURL }) => {
  const anon = await playwright.request.newContext({ ...(baseURL ? { baseURL } : {}), storageState: { cookies: [], origins: [] } });
  for (const r of ROUTES.filter((x) => x.permission !== 'public')) {
    const res = await anon.fetch(fill(r.path, 'no-such-cluster'), { method: r.method, ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { data: {} }) });
    expect(await expectClassified(res, `${r.method} ${r.path}`, (s) => s === 401)).toBe('unauthenticated');
  }
  await anon.dispose();
});

test('a viewer token may read but every change answers 403 permission-denied', async ({ playwright, baseURL }) => {
  const viewer = await playwright.request.newContext({ ...(baseURL ? { baseURL } : {}), storageState: { cookies: [], origins: [] }, extraHTTPHeaders: { authorization: `Bearer ${apiToken('viewer')}` } });
  for (const r of ROUTES.filter((x) => x.permission !== 'public' && x.permission !== 'read')) {
    const res = await viewer.fetch(fill(r.path, 'no-such-cluster'), { method: r.method, ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { data: {} }) });
    expect(await expectClassified(res, `${r.method} ${r.path}`, (s) => s === 403)).toBe('permission-denied');
  }
  for (const r of ROUTES.filter((x) => x.permission === 'read' && !x.path.includes('['))) {
    const res = await viewer.fetch(r.path, { method: r.method });
    expect(res.status(), `${r.method} ${r.path}`).toBeLessThan(500);
    expect([200, 400, 404], `${r.method} ${r.path}: ${res.status()}`).toContain(res.status());
  }
  await viewer.dispose();
});

test('an API path no route serves: 404 not-found JSON when signed in, 401 for anonymous callers, never an HTML page', async ({ playwright, baseURL, request }) => {
  for (const [method, p] of [['GET', '/api/no-such-route'], ['POST', '/api/clusters/x/no-such-sub/route'], ['DELETE', '/api/v1/nodes']] as const) {
    const res = await request.fetch(p, { method, ...(method === 'POST' ? { data: {} } : {}) });
    expect(await expectClassified(res, `${method} ${p}`, (s) => s === 404)).toBe('not-found');
    expect(res.headers()['content-type']).toContain('application/json');
  }
  const anon = await playwright.request.newContext({ ...(baseURL ? { baseURL } : {}), storageState: { cookies: [], origins: [] } });
  expect(await expectClassified(await anon.get('/api/no-such-route'), 'anonymous unknown path', (s) => s === 401)).toBe('unauthenticated');
  await anon.dispose();
});

test('malformed bodies, ids and queries on every route: 4xx JSON with an error class, never 5xx', async ({ request }) => {
  const ids = ['no-such-cluster', '00000000-0000-4000-8000-000000000000', 'x'.repeat(300), '%00', '.x.', "'; drop table \"Cluster\"; --"];
  const queries = ['?since=garbage', '?until=2020-01-01T00:00:00Z&since=2021-01-01T00:00:00Z', '?period=2026-13', '?period=9999-Q9&cluster=all', '?cluster=%00', '?component=', `?component=${'a'.repeat(400)}`, '?page=-1', '?page=abc', '?lease=..%2F..%2Fx', '?window=nope', '?action=DROP', '?since=2026-02-30'];
  const bodies: Array<[string, string]> = [['not json', 'text'], ['[]', 'array'], ['null', 'null'], ['{"name":1,"role":[],"kubeconfig":{}}', 'wrong types'], ['{"unknown":"field"}', 'unknown field'], [`"${'a'.repeat(100)}"`, 'string'], ['{"start":"tomorrow","durationMinutes":-5,"title":""}', 'bad values']];
  let checked = 0;
  for (const r of ROUTES) {
    if (BROWSER_REDIRECTS.has(r.path)) {
      // Browser redirects (never JSON); still never a 5xx.
      for (const q of ['', '?state=x&code=y', '?error=access_denied', '?next=//evil.example']) {
        const res = await request.fetch(r.path + q, { method: r.method, maxRedirects: 0 });
        expect(res.status(), `${r.path}${q}`).toBeLessThan(500);
      }
      continue;
    }
    const paths = r.path.includes('[') ? ids.map((id) => fill(r.path, id)) : [r.path];
    for (const p of paths) {
      for (const q of r.method === 'GET' || r.method === 'DELETE' ? ['', ...queries] : ['']) {
        const res = await request.fetch(p + q, { method: r.method });
        await expectClassified(res, `${r.method} ${p}${q}`, (s) => s < 500);
        checked++;
      }
      if (r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH') {
        for (const [body, what] of bodies) {
          const res = await request.fetch(p, { method: r.method, headers: { 'content-type': 'application/json' }, data: body });
          // logout ignores its body; every other change validates it.
          await expectClassified(res, `${r.method} ${p} (${what})`, (s) => (r.path === '/api/auth/logout' ? s === 200 : s >= 400 && s < 500));
          checked++;
        }
      }
    }
  }
  expect(checked).toBeGreaterThan(300);
});

test('CSRF: a change riding on the session needs a same-origin Origin and a JSON content type', async ({ playwright, baseURL, request }) => {
  const origin = new URL(baseURL!).origin;
  const browserLike = await playwright.request.newContext({ ...(baseURL ? { baseURL } : {}), storageState: { cookies: [], origins: [] } });
  // Sign in (login itself needs the Origin: no login CSRF).
  const creds = { name: 'e2e-admin', password: 'e2e admin password 1' };
  const noOrigin = await browserLike.post('/api/auth/login', { data: creds });
  expect(await expectClassified(noOrigin, 'login without Origin', (s) => s === 403)).toBe('csrf');
  expect((await browserLike.post('/api/auth/login', { data: creds, headers: { origin } })).status()).toBe(200);
  const body = { cluster: null, title: 'csrf probe', start: '2031-01-01T00:00:00Z', durationMinutes: 5 };
  const cases: Array<[string, Record<string, string>, string]> = [
    ['no Origin', {}, 'csrf'],
    ['cross-origin', { origin: 'http://evil.example' }, 'csrf'],
    ['same Origin but Sec-Fetch-Site cross-site', { origin, 'sec-fetch-site': 'cross-site' }, 'csrf'],
    ['text/plain body (a form could send that)', { origin, 'content-type': 'text/plain' }, 'unsupported-media-type'],
    ['form-urlencoded', { origin, 'content-type': 'application/x-www-form-urlencoded' }, 'unsupported-media-type'],
  ];
  for (const [what, headers, cls] of cases) {
    const res = await browserLike.post('/api/maintenance', { headers, data: headers['content-type'] ? JSON.stringify(body) : body });
    expect(await expectClassified(res, what, (s) => s === 403 || s === 415)).toBe(cls);
  }
  const ok = await browserLike.post('/api/maintenance', { headers: { origin }, data: body });
  expect(ok.status()).toBe(201);
  const id = ((await ok.json()) as { maintenance: { id: string } }).maintenance.id;
  const list = (await (await request.get('/api/maintenance')).json()) as { maintenance: Array<{ title: string }> };
  expect(list.maintenance.filter((m) => m.title === 'csrf probe')).toHaveLength(1); // only the same-origin one was stored
  expect((await browserLike.delete(`/api/maintenance/${id}`)).status()).toBe(403); // DELETE without Origin: refused too
  expect((await browserLike.delete(`/api/maintenance/${id}`, { headers: { origin } })).status()).toBe(200);
  await browserLike.dispose();
});

/** A raw HTTP request (Playwright's client would fix the Host header and the framing). */
function raw(opts: { port: number; method: string; path: string; headers: Record<string, string>; body?: (req: http.ClientRequest) => void }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: opts.port, method: opts.method, path: opts.path, headers: opts.headers }, (res) => {
      let b = '';
      res.on('data', (c: Buffer) => (b += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
    });
    req.on('error', reject);
    if (opts.body) opts.body(req);
    else req.end();
  });
}

test('a wrong Host (DNS rebinding) is refused with 421 for pages and the API', async ({ baseURL }) => {
  const port = Number(new URL(baseURL!).port);
  for (const p of ['/api/healthz', '/', '/signin', '/_next/static/x.js']) {
    const r = await raw({ port, method: 'GET', path: p, headers: { host: `rebind.attacker.example:${port}` } });
    expect(r.status, p).toBe(421);
    expect((JSON.parse(r.body) as { error: { class: string } }).error.class).toBe('misdirected');
  }
  expect((await raw({ port, method: 'GET', path: '/api/healthz', headers: { host: `127.0.0.1:${port}` } })).status).toBe(200);
  expect((await raw({ port, method: 'GET', path: '/api/healthz', headers: { host: `localhost:${port}` } })).status).toBe(200);
});

test('an oversized chunked body (no Content-Length) is cut off while streaming: 413, nothing stored', async ({ baseURL, request }) => {
  const port = Number(new URL(baseURL!).port);
  const before = ((await (await request.get('/api/maintenance')).json()) as { maintenance: unknown[] }).maintenance.length;
  const r = await raw({
    port,
    method: 'POST',
    path: '/api/maintenance',
    headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${apiToken('admin')}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    body: (req) => {
      req.write('{"cluster":null,"title":"');
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 40; i++) req.write(chunk); // 2.5 MiB > 1 MiB
      req.end('","start":"2031-01-01T00:00:00Z","durationMinutes":5}');
    },
  });
  expect(r.status).toBe(413);
  expect((JSON.parse(r.body) as { error: { class: string } }).error.class).toBe('payload-too-large');
  const after = ((await (await request.get('/api/maintenance')).json()) as { maintenance: unknown[] }).maintenance.length;
  expect(after).toBe(before);
});

const kubeconfigFor = (server: string): string =>
  `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: abc\ncontexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\ncurrent-context: ctx\n`;

test('SSRF: kubeconfigs pointing at the metadata service, a loopback port, or with http:// / userinfo are refused before connecting; nothing stored', async ({ request }) => {
  // A loopback listener that counts connections: the policy must refuse before any socket opens.
  let connections = 0;
  const listener = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  const port = (listener.address() as net.AddressInfo).port;
  const hostName = os.hostname();
  const resolved = await dns.lookup(hostName, { all: true });
  expect(resolved.length > 0 && resolved.every((a) => a.address.startsWith('127.') || a.address === '::1'), `${hostName} must resolve to loopback here (/etc/hosts): ${JSON.stringify(resolved)}`).toBe(true);
  try {
    const targets: Array<[string, string, RegExp]> = [
      ['metadata', 'https://169.254.169.254', /169\.254\.169\.254 is a link-local, metadata or multicast address/],
      ['metadata, IPv4-mapped IPv6', 'https://[::ffff:169.254.169.254]', /link-local, metadata/],
      ['AWS metadata over IPv6', 'https://[fd00:ec2::254]', /link-local, metadata/],
      ['loopback port', `https://127.0.0.1:${port}`, /127\.0\.0\.1 is a loopback address \(set QUORUM_OUTBOUND_ALLOW_LOOPBACK=1 to allow\)/],
      ['localhost by name', `https://localhost:${port}`, /local host/],
      ['*.localhost by name', `https://quorum.localhost:${port}`, /local host/],
      // This machine's host name resolves to a loopback address (/etc/hosts): only the resolver sees
      // that, so it is refused by the socket's lookup, i.e. the address checked is the one connected to.
      ['a host name that resolves to loopback', `https://${hostName}:${port}`, /resolves only to denied addresses: 127\./],
      ['0.0.0.0 (reaches the local host)', `https://0.0.0.0:${port}`, /loopback/],
      ['plain http API server', 'http://10.213.0.11:6443', /plain http:\/\//],
      ['userinfo in the URL', 'https://user:pw@10.213.0.11:6443', /must not carry a user name or password/],
      ['query in the URL', 'https://10.213.0.11:6443/?x=1', /must not carry a query/],
    ];
    for (const [i, [what, server, message]] of targets.entries()) {
      for (const url of ['/api/clusters', '/api/clusters/test']) {
        const res = await request.post(url, { data: { name: `ssrf-${i}`, kubeconfig: kubeconfigFor(server) } });
        const cls = await expectClassified(res, `${what} via ${url}`, (s) => s === 422);
        expect(cls, what).toBe('outbound-denied');
        expect(((await res.json()) as { error: { message: string } }).error.message, what).toMatch(message);
      }
    }
    expect(connections, 'no socket reached the loopback listener').toBe(0);
    const list = (await (await request.get('/api/clusters')).json()) as { clusters: Array<{ name: string }> };
    expect(list.clusters.filter((c) => c.name.startsWith('ssrf-'))).toEqual([]);
  } finally {
    listener.close();
  }
});

test('security headers: a nonce CSP with frame-ancestors none on pages, nothing runs from API responses, nosniff and no referrer everywhere', async ({ page, request }) => {
  const res = await page.goto('/settings/audit');
  const h = res!.headers();
  const csp = h['content-security-policy']!;
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(h['x-content-type-options']).toBe('nosniff');
  expect(h['referrer-policy']).toBe('no-referrer');
  expect(h['x-frame-options']).toBe('DENY');
  // Next's own scripts carry the nonce; the page works (no CSP violation blocks hydration).
  expect(await page.locator('script[nonce]').count()).toBeGreaterThan(0);
  const second = (await page.goto('/settings/audit'))!.headers()['content-security-policy']!;
  expect(second).not.toBe(csp); // a fresh nonce per response
  const api = await request.get('/api/clusters');
  expect(api.headers()['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  expect(api.headers()['x-content-type-options']).toBe('nosniff');
});

test('healthz: anonymous callers get the status only; a token gets version, pid and the database detail', async ({ playwright, baseURL, request }) => {
  const anon = await playwright.request.newContext({ ...(baseURL ? { baseURL } : {}), storageState: { cookies: [], origins: [] } });
  const a = await anon.get('/api/healthz');
  expect(a.status()).toBe(200);
  expect(await a.json()).toEqual({ status: 'ok' });
  await anon.dispose();
  const full = (await (await request.get('/api/healthz')).json()) as Record<string, unknown>;
  expect(full).toMatchObject({ status: 'ok', db: { ok: true, provider: 'sqlite' } });
  expect(typeof full.pid).toBe('number');
  expect(String(full.node)).toMatch(/^v\d+/);
});

test('a forged X-Forwarded-For does not change the recorded client address; failed sign-ins are rate-limited in the database', async ({ playwright, baseURL, request }) => {
  quorumCli(process.env.QUORUM_E2E_CLI_DATA_DIR!, ['user', 'add', 'e2e-ratelimit', '--role', 'viewer', '--password-stdin'], 'rate limit password 1\n');
  const origin = new URL(baseURL!).origin;
  const c = await playwright.request.newContext({ ...(baseURL ? { baseURL } : {}), storageState: { cookies: [], origins: [] }, extraHTTPHeaders: { origin, 'x-forwarded-for': '6.6.6.6' } });
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await c.post('/api/auth/login', { data: { name: 'e2e-ratelimit', password: `wrong ${i}` } })).status());
  expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  // Locked even with the right password now, with a Retry-After.
  const locked = await c.post('/api/auth/login', { data: { name: 'e2e-ratelimit', password: 'rate limit password 1' } });
  expect(locked.status()).toBe(429);
  expect(((await locked.json()) as { error: { class: string } }).error.class).toBe('rate-limited');
  expect(Number(locked.headers()['retry-after'])).toBeGreaterThan(0);
  await c.dispose();
  const audit = (await (await request.get('/api/audit?actor=e2e-ratelimit&action=auth.sign-in-failed')).json()) as { events: Array<{ clientAddress: string | null }> };
  expect(audit.events.length).toBe(5);
  expect(new Set(audit.events.map((e) => e.clientAddress))).toEqual(new Set(['127.0.0.1']));
});

test('the CLI against the running server: reads with a viewer token, is refused a change, an admin token creates and revokes a token', async ({ baseURL, request }) => {
  const server = new URL(baseURL!).origin;
  const list = quorumRemote(server, apiToken('viewer'), ['cluster', 'list', '--json']);
  expect(list.code, list.stderr).toBe(0);
  const viaApi = ((await (await request.get('/api/clusters')).json()) as { clusters: Array<{ name: string }> }).clusters.map((c) => c.name);
  expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((c) => c.name)).toEqual(viaApi);
  const refused = quorumRemote(server, apiToken('viewer'), ['user', 'list']);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('error [permission-denied]: this needs the admin role; token "e2e-viewer-token" has the viewer role');
  const created = quorumRemote(server, apiToken('admin'), ['token', 'create', '--name', 'cli-remote', '--role', 'viewer', '--expires-days', '1']);
  expect(created.code, created.stderr).toBe(0);
  const token = created.stdout.trim();
  expect(token).toMatch(/^qrm_[A-Za-z0-9_-]{43}$/);
  expect(quorumRemote(server, token, ['cluster', 'list']).code).toBe(0);
  expect(quorumRemote(server, apiToken('admin'), ['token', 'revoke', 'cli-remote']).code).toBe(0);
  const after = quorumRemote(server, token, ['cluster', 'list']);
  expect(after.code).toBe(1);
  expect(after.stderr).toContain('error [unauthenticated]');
  const wrong = quorumRemote('http://127.0.0.1:1', apiToken('admin'), ['cluster', 'list']);
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/error \[unreachable\]: cannot reach http:\/\/127\.0\.0\.1:1/);
});
