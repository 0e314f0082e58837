// Pure parts of sign-in and request hardening: roles, scrypt passwords, bearer secrets, Host and CSRF
// checks, client address, return-to paths, OIDC group mapping, CSV neutralising, headers, config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAuthConfig, type OidcConfig } from '@/lib/env';
import { QuorumError } from '@/lib/errors';
import { can, highestRole, roleFor, ROLES } from '@/lib/auth/roles';
import { hashPassword, passwordProblem, verifyPassword, SCRYPT_PARAMS } from '@/lib/auth/password';
import { hashSecret, looksLikeApiToken, newApiToken, newSecret } from '@/lib/auth/secret-values';
import { checkHost, checkMutation, clientAddress, safeReturnTo, sessionCookieName } from '@/lib/auth/request';
import { credentialOf } from '@/lib/auth/principal';
import { roleForGroups } from '@/lib/auth/oidc';
import { API_CSP, STATIC_SECURITY_HEADERS, pageSecurityHeaders } from '@/lib/auth/headers';
import { csvCell, csvLine } from '@/lib/csv';
import { validateClusterName } from '@/lib/clusters/register';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NextConfig } from 'next';

test('roles: viewer reads, editor also changes SLO settings, admin also clusters and access', () => {
  const table = {
    viewer: { read: true, 'settings:write': false, 'clusters:write': false, 'access:manage': false },
    editor: { read: true, 'settings:write': true, 'clusters:write': false, 'access:manage': false },
    admin: { read: true, 'settings:write': true, 'clusters:write': true, 'access:manage': true },
  } as const;
  for (const r of ROLES) for (const [perm, want] of Object.entries(table[r])) assert.equal(can(r, perm as keyof (typeof table)['admin']), want, `${r} ${perm}`);
  assert.equal(roleFor('settings:write'), 'editor');
  assert.equal(highestRole(['viewer', 'admin', 'editor']), 'admin');
  assert.equal(highestRole([]), null);
});

test('passwords: scrypt N=2^17 r=8 p=1, salted, verified in constant time; weaker stored parameters ask for a re-hash', async () => {
  const h = await hashPassword('correct horse battery staple');
  assert.match(h, /^scrypt\$17\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.notEqual(await hashPassword('correct horse battery staple'), h, 'a fresh salt each time');
  assert.deepEqual(await verifyPassword('correct horse battery staple', h), { ok: true, needsRehash: false });
  assert.deepEqual(await verifyPassword('correct horse battery stapl', h), { ok: false, needsRehash: false });
  for (const bad of ['', 'scrypt$17$8$1$x', 'bcrypt$whatever', 'scrypt$40$8$1$AAAA$AAAA', h.replace(/\$[^$]+$/, '$short')]) assert.equal((await verifyPassword('x', bad)).ok, false, bad);
  // A hash made with weaker parameters (an older Quorum) still verifies, and asks to be upgraded.
  const parts = h.split('$');
  const { scryptSync } = await import('node:crypto');
  const salt = Buffer.from(parts[4]!, 'base64url');
  const weak = ['scrypt', 14, 8, 1, parts[4], scryptSync('pw-weak-params', salt, 32, { N: 2 ** 14, r: 8, p: 1 }).toString('base64url')].join('$');
  assert.deepEqual(await verifyPassword('pw-weak-params', weak), { ok: true, needsRehash: true });
  assert.equal(SCRYPT_PARAMS.log2N, 17);
  assert.match(passwordProblem('short')!, /at least 12/);
  assert.equal(passwordProblem('twelve chars'), null);
});

test('bearer secrets: 256 random bits, base64url; only the SHA-256 is stored; tokens look like qrm_ + 43 characters', () => {
  const s = newSecret();
  assert.match(s, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(s, 'base64url').length, 32);
  assert.notEqual(newSecret(), s);
  assert.match(hashSecret(s), /^[0-9a-f]{64}$/);
  const t = newApiToken();
  assert.ok(looksLikeApiToken(t.token));
  assert.equal(t.hash, hashSecret(t.token));
  assert.equal(t.prefix, t.token.slice(0, 10));
  for (const bad of ['', 'qrm_short', `qrm_${s}x`, s, `Bearer qrm_${s}`]) assert.equal(looksLikeApiToken(bad), false, bad);
});

const cfg = (env: Record<string, string> = {}) => loadAuthConfig(env);
const local = new Set(['localhost', '::1', 'vm', '10.0.2.15']);

test('Host allow-list: the public URL, QUORUM_ALLOWED_HOSTS and this machine’s own names; anything else is refused (DNS rebinding)', () => {
  const none = cfg();
  for (const h of ['127.0.0.1:3000', 'localhost:3000', '[::1]:3000', 'vm:3000', '10.0.2.15:3000', 'app.localhost:3000']) assert.equal(checkHost(h, none, local).ok, true, h);
  for (const h of ['attacker.example:3000', 'quorum.example.com', '', null, 'a b', 'evil.com:80@127.0.0.1']) assert.equal(checkHost(h, none, local).ok, false, String(h));
  const pub = cfg({ QUORUM_PUBLIC_URL: 'https://quorum.example.com', QUORUM_ALLOWED_HOSTS: 'quorum.internal:8443' });
  assert.equal(checkHost('quorum.example.com', pub, local).ok, true);
  assert.equal(checkHost('QUORUM.example.com', pub, local).ok, true);
  assert.equal(checkHost('quorum.internal:8443', pub, local).ok, true);
  assert.equal(checkHost('127.0.0.1:3000', pub, local).ok, true, 'health checks on loopback keep working');
  const bad = checkHost('quorum.example.com.attacker.example', pub, local);
  assert.equal(bad.ok, false);
  assert.match((bad as { reason: string }).reason, /not quorum\.example\.com \(QUORUM_PUBLIC_URL\)/);
});

test('CSRF: cookie requests need a same-origin Origin and no cross-site fetch; bodies need application/json; bearer requests skip the Origin check', () => {
  const c = cfg();
  const req = (method: string, headers: Record<string, string>) => ({ method, headers: new Headers(headers) });
  const json = { 'content-type': 'application/json', 'content-length': '2' };
  assert.deepEqual(checkMutation(req('GET', {}), '127.0.0.1:3000', c, 'cookie'), { ok: true });
  assert.deepEqual(checkMutation(req('POST', { origin: 'http://127.0.0.1:3000', ...json }), '127.0.0.1:3000', c, 'cookie'), { ok: true });
  const refused: Array<[string, Record<string, string>, string]> = [
    ['POST', json, 'csrf'],
    ['POST', { origin: 'http://evil.example', ...json }, 'csrf'],
    ['POST', { origin: 'http://127.0.0.1:3001', ...json }, 'csrf'],
    ['POST', { origin: 'null', ...json }, 'csrf'],
    ['POST', { origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'cross-site', ...json }, 'csrf'],
    ['POST', { origin: 'http://127.0.0.1:3000', 'content-type': 'text/plain', 'content-length': '2' }, 'unsupported-media-type'],
    ['PUT', { origin: 'http://127.0.0.1:3000', 'content-type': 'multipart/form-data; boundary=x', 'content-length': '2' }, 'unsupported-media-type'],
    ['DELETE', {}, 'csrf'],
  ];
  for (const [m, h, cls] of refused) {
    const r = checkMutation(req(m, h), '127.0.0.1:3000', c, 'cookie');
    assert.equal(r.ok ? 'ok' : r.errorClass, cls, `${m} ${JSON.stringify(h)}`);
  }
  assert.deepEqual(checkMutation(req('DELETE', { origin: 'http://127.0.0.1:3000' }), '127.0.0.1:3000', c, 'cookie'), { ok: true });
  assert.deepEqual(checkMutation(req('POST', json), '127.0.0.1:3000', c, 'bearer'), { ok: true });
  assert.equal((checkMutation(req('POST', { 'content-type': 'text/plain', 'content-length': '1' }), 'h', c, 'bearer') as { errorClass: string }).errorClass, 'unsupported-media-type');
  // Behind a public URL its origin is accepted as well.
  const pub = cfg({ QUORUM_PUBLIC_URL: 'https://quorum.example.com' });
  assert.deepEqual(checkMutation(req('POST', { origin: 'https://quorum.example.com', ...json }), 'quorum.example.com', pub, 'cookie'), { ok: true });
});

test('credentials: a bearer header wins over the cookie; a malformed one is still a (failing) bearer, never a fallback to the cookie', () => {
  assert.deepEqual(credentialOf(new Headers({ authorization: 'Bearer qrm_abc' }), 'cookie'), { via: 'bearer', token: 'qrm_abc' });
  assert.deepEqual(credentialOf(new Headers({ authorization: 'Basic eDp5' }), 'cookie'), { via: 'bearer', token: '' });
  assert.deepEqual(credentialOf(new Headers(), 'cookie'), { via: 'cookie', value: 'cookie' });
  assert.deepEqual(credentialOf(new Headers(), undefined), { via: 'none' });
});

test('client address: the last X-Forwarded-For hop (the web server sets it from the socket); junk is null', () => {
  assert.equal(clientAddress(new Headers({ 'x-forwarded-for': '127.0.0.1' })), '127.0.0.1');
  assert.equal(clientAddress(new Headers({ 'x-forwarded-for': '6.6.6.6, 10.0.0.5' })), '10.0.0.5');
  assert.equal(clientAddress(new Headers({ 'x-forwarded-for': '::ffff:10.1.2.3' })), '10.1.2.3');
  assert.equal(clientAddress(new Headers({ 'x-forwarded-for': 'not-an-ip' })), null);
  assert.equal(clientAddress(new Headers()), null);
});

test('return-to after sign-in: same-site paths only', () => {
  for (const [input, want] of [['/clusters/x?window=7d', '/clusters/x?window=7d'], ['//evil.example/x', '/'], ['/\\evil.example', '/'], ['https://evil.example', '/'], ['/signin?next=/', '/'], ['/api/auth/logout', '/'], [null, '/'], ['/x\r\nSet-Cookie: a=b', '/']] as const) {
    assert.equal(safeReturnTo(input), want, String(input));
  }
});

test('cookies: __Host- prefixed and Secure behind an https public URL, plain name on http', () => {
  assert.equal(sessionCookieName(cfg({ QUORUM_PUBLIC_URL: 'https://q.example.com' })), '__Host-quorum-session');
  assert.equal(cfg({ QUORUM_PUBLIC_URL: 'https://q.example.com' }).secureCookies, true);
  assert.equal(sessionCookieName(cfg({ QUORUM_PUBLIC_URL: 'http://10.0.0.5:3000' })), 'quorum-session');
  assert.equal(sessionCookieName(cfg()), 'quorum-session');
});

test('OIDC groups → role: the highest mapped role, else the default role, else none', () => {
  const c: Pick<OidcConfig, 'roleGroups' | 'defaultRole'> = { roleGroups: { admin: ['sre-admins'], editor: ['sre'], viewer: ['developers', 'support'] }, defaultRole: null };
  assert.equal(roleForGroups(['developers', 'sre-admins'], c), 'admin');
  assert.equal(roleForGroups(['sre'], c), 'editor');
  assert.equal(roleForGroups(['support'], c), 'viewer');
  assert.equal(roleForGroups(['marketing'], c), null);
  assert.equal(roleForGroups([], { ...c, defaultRole: 'viewer' }), 'viewer');
});

test('sign-in config: validated, with the variable named', () => {
  const ok = cfg({ QUORUM_OIDC_ISSUER: 'https://dex.example.com/dex', QUORUM_OIDC_CLIENT_ID: 'quorum', QUORUM_OIDC_ADMIN_GROUPS: 'a, b', QUORUM_SESSION_IDLE_MINUTES: '30' });
  assert.deepEqual(ok.oidc?.roleGroups, { admin: ['a', 'b'], editor: [], viewer: [] });
  assert.equal(ok.oidc?.autoProvision, true);
  assert.equal(ok.oidc?.groupsClaim, 'groups');
  assert.equal(ok.sessionIdleMs, 30 * 60_000);
  assert.equal(ok.sessionMaxMs, 168 * 3_600_000);
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ QUORUM_PUBLIC_URL: 'quorum.example.com' }, /QUORUM_PUBLIC_URL is invalid/],
    [{ QUORUM_PUBLIC_URL: 'https://q.example.com/app' }, /no path/],
    [{ QUORUM_OIDC_ISSUER: 'http://dex.example.com', QUORUM_OIDC_CLIENT_ID: 'x' }, /QUORUM_OIDC_ISSUER is invalid: must be an https/],
    [{ QUORUM_OIDC_ISSUER: 'https://dex.example.com' }, /QUORUM_OIDC_CLIENT_ID is invalid/],
    [{ QUORUM_OIDC_ISSUER: 'https://dex.example.com', QUORUM_OIDC_CLIENT_ID: 'x', QUORUM_OIDC_DEFAULT_ROLE: 'root' }, /QUORUM_OIDC_DEFAULT_ROLE is invalid/],
    [{ QUORUM_OIDC_ISSUER: 'https://dex.example.com', QUORUM_OIDC_CLIENT_ID: 'x', QUORUM_OIDC_SCOPES: 'profile' }, /must include "openid"/],
    [{ QUORUM_SESSION_IDLE_MINUTES: '1' }, /QUORUM_SESSION_IDLE_MINUTES is invalid/],
    [{ QUORUM_ALLOWED_HOSTS: 'a b' }, /QUORUM_ALLOWED_HOSTS is invalid/],
    [{ QUORUM_TRUST_PROXY: 'perhaps' }, /QUORUM_TRUST_PROXY is invalid/],
  ];
  for (const [env, re] of bad) assert.throws(() => cfg(env), (e: unknown) => e instanceof QuorumError && re.test(e.message), JSON.stringify(env));
});

test('CSV cells starting with = + - @ (or tab/CR) are neutralised; numbers stay numbers', () => {
  assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  for (const [v, want] of [['+1', "'+1"], ['-cmd', "'-cmd"], ['@SUM(A1)', "'@SUM(A1)"], ['\tx', "'\tx"], ['plain', 'plain'], ['a,b', '"a,b"'], ['', '']] as const) assert.equal(csvCell(v), want, JSON.stringify(v));
  assert.equal(csvCell(-5), '-5');
  assert.equal(csvCell(null), '');
  assert.equal(csvLine(['=x', 1, true, null]), "'=x,1,true,");
});

test('security headers: next.config.js sends the same static set as lib/auth/headers.ts; the page CSP has a nonce and frame-ancestors none', async () => {
  const nextConfig = ((await import(pathToFileURL(path.resolve('next.config.js')).href)) as { default: NextConfig }).default;
  const routes = await nextConfig.headers!();
  const all = routes.find((r) => r.source === '/:path*')!;
  assert.deepEqual(Object.fromEntries(all.headers.map((h) => [h.key.toLowerCase(), h.value])), STATIC_SECURITY_HEADERS);
  assert.equal(routes.find((r) => r.source === '/api/:path*')!.headers[0]!.value, API_CSP);
  const h = pageSecurityHeaders('abc123', true);
  assert.match(h['content-security-policy'], /script-src 'self' 'nonce-abc123' 'strict-dynamic'/);
  assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
  assert.match(h['content-security-policy'], /upgrade-insecure-requests/);
  assert.equal(h['strict-transport-security'], 'max-age=31536000');
  assert.equal(pageSecurityHeaders('x', false)['strict-transport-security'], undefined);
});

test('a cluster name that looks like a cluster id (a UUID) is refused', () => {
  assert.throws(() => validateClusterName('0b6d8f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b'), (e: unknown) => e instanceof QuorumError && e.errorClass === 'invalid-input' && /looks like a cluster id/.test(e.message));
  assert.equal(validateClusterName('prod-eu-1'), 'prod-eu-1');
  assert.equal(validateClusterName('0b6d8f0e-1c2d'), '0b6d8f0e-1c2d');
});
