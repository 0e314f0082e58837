// Sign-in data, the audit log, key checks and rotation, and the outbound refusal at registration — on
// real SQLite and real PostgreSQL (each suite its own database/schema, see provider-db.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadEnv } from '@/lib/env';
import { QuorumError } from '@/lib/errors';
import { DbError } from '@/lib/db';
import {
  authenticateToken, checkPassword, clearLoginFailures, completeSetup, createApiToken, createAuthFlow, createSession, createSetupToken, createUser, deleteUser,
  getSession, listUsers, loginRetryAfterMs, recordLoginFailure, revokeApiToken, setupTokenValid, signInOidc, takeAuthFlow, updateUser,
  LOGIN_MAX_FAILURES_PER_USER, LOGIN_WINDOW_MS,
} from '@/lib/data/auth';
import { auditToCsv, listAudit, writeAudit } from '@/lib/data/audit';
import { createCluster, listClusters, loadClusterCredentials, removeCluster } from '@/lib/data/clusters';
import { createMaintenanceWindow, listMaintenanceWindows } from '@/lib/data/slo';
import { registerCluster } from '@/lib/clusters/register';
import { KeyCheckError, checkKeysOnStart, getCredentialStates, rotateKeys } from '@/lib/keys';
import { keyFilePath, keyId } from '@/lib/secrets';
import { forEachProvider, useProviderDb } from './provider-db';

const times = { idleMs: 30 * 60_000, maxMs: 8 * 3_600_000 };
const kubeconfig = (server: string) => `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: t0k3n\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`;

forEachProvider('sign-in data', (provider) => {
  useProviderDb(provider, 'auth');

  test('users: created with a scrypt hash, names unique and normalised, the last enabled admin is protected', async () => {
    const admin = await createUser({ name: 'Alice', role: 'admin', password: 'alice password 1' });
    assert.equal(admin.name, 'alice');
    assert.equal(admin.local, true);
    await assert.rejects(createUser({ name: 'alice', role: 'viewer', password: 'another password' }), (e: unknown) => e instanceof DbError && e.kind === 'conflict' && /already exists/.test(e.message));
    await assert.rejects(createUser({ name: 'bob', role: 'viewer', password: 'short' }), (e: unknown) => e instanceof QuorumError && /at least 12/.test(e.message));
    await assert.rejects(createUser({ name: 'no spaces', role: 'viewer' }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'invalid-input');
    assert.equal((await checkPassword('ALICE', 'alice password 1')).ok, true);
    assert.deepEqual(await checkPassword('alice', 'wrong password!'), { ok: false, reason: 'bad-credentials' });
    assert.deepEqual(await checkPassword('nobody', 'whatever it is'), { ok: false, reason: 'bad-credentials' });
    // The only admin cannot be demoted, disabled or removed.
    for (const change of [() => updateUser('alice', { role: 'editor' }), () => updateUser('alice', { disabled: true }), () => deleteUser('alice')]) {
      await assert.rejects(change(), (e: unknown) => e instanceof QuorumError && /only enabled admin/.test(e.message));
    }
    await createUser({ name: 'carol', role: 'admin', password: 'carol password 1' });
    const { before, after } = await updateUser('alice', { role: 'viewer' });
    assert.equal(before.role, 'admin');
    assert.equal(after?.role, 'viewer');
    await updateUser('alice', { disabled: true });
    assert.deepEqual(await checkPassword('alice', 'alice password 1'), { ok: false, reason: 'disabled' });
    await deleteUser('alice');
    assert.deepEqual((await listUsers()).map((u) => u.name), ['carol']);
  });

  test('sessions: only the hash is stored; idle and absolute expiry; a role change or disabling ends them', async () => {
    const u = await createUser({ name: 'dave', role: 'editor', password: 'dave password 11' });
    const t0 = Date.UTC(2026, 11, 1, 8, 0, 0);
    const s = await createSession(u.id, { ...times, method: 'password', clientAddress: '10.0.0.7', userAgent: 'test', now: t0 });
    assert.match(s.cookie, /^[A-Za-z0-9_-]{43}$/);
    const got = await getSession(s.cookie, times, t0 + 60_000);
    assert.equal(got?.user.name, 'dave');
    assert.notEqual(got?.sessionHash, s.cookie);
    assert.equal(await getSession(`${s.cookie.slice(0, -1)}x`, times, t0), null, 'a different value is no session');
    // Used every 20 minutes: stays alive past the idle limit measured from the start…
    for (let m = 20; m <= 100; m += 20) assert.ok(await getSession(s.cookie, times, t0 + m * 60_000), `alive at ${m} min`);
    // …idle for 31 minutes: gone (and deleted).
    assert.equal(await getSession(s.cookie, times, t0 + 131 * 60_000), null);
    assert.equal(await getSession(s.cookie, times, t0 + 100 * 60_000), null, 'deleted, not just refused');
    // Absolute expiry, however active.
    const s2 = await createSession(u.id, { ...times, method: 'password', clientAddress: null, userAgent: null, now: t0 });
    for (let m = 25; m < 8 * 60; m += 25) await getSession(s2.cookie, times, t0 + m * 60_000);
    assert.equal(await getSession(s2.cookie, times, t0 + 8 * 3_600_000), null);
    // A role change ends every session of the user.
    const s3 = await createSession(u.id, { ...times, method: 'password', clientAddress: null, userAgent: null });
    assert.ok(await getSession(s3.cookie, times));
    await updateUser('dave', { role: 'viewer' });
    assert.equal(await getSession(s3.cookie, times), null);
  });

  test('API tokens: shown once, stored hashed, role-scoped, revocable, expiring, with a last-used time', async () => {
    const { token, view } = await createApiToken({ name: 'scraper', role: 'viewer', createdBy: 'carol' });
    assert.match(token, /^qrm_/);
    assert.equal(view.active, true);
    assert.equal(view.lastUsedAt, null);
    const used = await authenticateToken(token);
    assert.equal(used?.role, 'viewer');
    assert.notEqual(used?.lastUsedAt, null);
    await assert.rejects(createApiToken({ name: 'scraper', role: 'admin', createdBy: 'carol' }), (e: unknown) => e instanceof DbError && e.kind === 'conflict');
    assert.equal(await authenticateToken(`qrm_${'A'.repeat(43)}`), null);
    const r = await revokeApiToken('scraper', 'carol');
    assert.equal(r?.after.revokedBy, 'carol');
    assert.equal(await authenticateToken(token), null);
    const short = await createApiToken({ name: 'short-lived', role: 'admin', createdBy: 'carol', expiresAt: new Date(Date.now() + 60_000) });
    assert.ok(await authenticateToken(short.token));
    assert.equal(await authenticateToken(short.token, Date.now() + 61_000), null, 'expired');
    await assert.rejects(createApiToken({ name: 'past', role: 'admin', createdBy: 'c', expiresAt: new Date(Date.now() - 1) }), /expire in the future/);
  });

  test('login rate limit: 5 failures per user name per 15-minute window, shared through the database; success clears the user count', async () => {
    const t = Date.UTC(2026, 11, 1, 9, 1, 0);
    const k = { user: 'Eve', address: '10.9.9.9' };
    for (let i = 0; i < LOGIN_MAX_FAILURES_PER_USER - 1; i++) await recordLoginFailure(k, t + i);
    assert.equal(await loginRetryAfterMs(k, t + 10), 0);
    await recordLoginFailure(k, t + 10);
    const wait = await loginRetryAfterMs({ user: 'eve', address: '10.1.1.1' }, t + 20);
    assert.equal(wait, LOGIN_WINDOW_MS - ((t + 20) % LOGIN_WINDOW_MS), 'blocked until the window ends, whatever the address');
    assert.equal(await loginRetryAfterMs(k, t - (t % LOGIN_WINDOW_MS) + LOGIN_WINDOW_MS), 0, 'next window: allowed again');
    await clearLoginFailures('eve');
    assert.equal(await loginRetryAfterMs({ user: 'eve', address: null }, t + 30), 0);
  });

  test('OIDC flows are one-time; setup links create exactly one first admin', async () => {
    await createAuthFlow({ state: 's1', verifier: 'v1', nonce: 'n1', returnTo: '/x', ttlMs: 60_000 });
    assert.deepEqual(await takeAuthFlow('s1'), { verifier: 'v1', nonce: 'n1', returnTo: '/x' });
    assert.equal(await takeAuthFlow('s1'), null);
    await createAuthFlow({ state: 's2', verifier: 'v', nonce: 'n', returnTo: '/', ttlMs: -1 });
    assert.equal(await takeAuthFlow('s2'), null, 'expired');
    // Users exist in this database already: no setup link.
    assert.equal(await createSetupToken(60_000), null);
  });

  test('OIDC sign-in: auto-provisioning, role from groups at every sign-in, no takeover of a local account', async () => {
    const id = (sub: string, username: string, role: 'viewer' | 'editor' | 'admin') => ({ subject: `https://idp ${sub}`, username, displayName: username, email: `${username}@example.com`, role });
    const first = await signInOidc(id('1', 'frank', 'editor'), { autoProvision: true });
    assert.ok(first.ok && first.created && first.user.role === 'editor' && first.user.oidc && !first.user.local);
    const again = await signInOidc(id('1', 'frank-renamed', 'admin'), { autoProvision: true });
    assert.ok(again.ok && !again.created && again.user.name === 'frank' && again.user.role === 'admin' && again.roleBefore === 'editor');
    const noProv = await signInOidc(id('2', 'grace', 'viewer'), { autoProvision: false });
    assert.ok(!noProv.ok && /ask an admin/.test(noProv.reason));
    await createUser({ name: 'grace', role: 'viewer' }); // added by an admin for single sign-on: claimed by the first sign-in
    const claimed = await signInOidc(id('2', 'grace', 'viewer'), { autoProvision: false });
    assert.ok(claimed.ok && !claimed.created && claimed.user.oidc);
    const takeover = await signInOidc(id('3', 'carol', 'admin'), { autoProvision: true });
    assert.ok(!takeover.ok && /local account named "carol" already exists/.test(takeover.reason));
  });

  test('the audit log: filter by actor, action prefix, text and time; CSV with neutralised cells', async () => {
    const actor = { name: 'carol', kind: 'user' as const, role: 'admin', clientAddress: '10.0.0.1' };
    await writeAudit(actor, { action: 'cluster.create', target: 'cluster prod-eu', after: { server: 'https://10.0.0.1:6443' } });
    await writeAudit({ ...actor, name: 'token:ci', kind: 'token' }, { action: 'maintenance.create-retroactive', target: 'maintenance "=cmd"', after: { retroactive: true } });
    await writeAudit(actor, { action: 'cluster.remove', target: 'cluster prod-eu', before: { server: 'x'.repeat(5000) } });
    const all = await listAudit({}, { limit: 10 });
    assert.equal(all.total, 3);
    assert.deepEqual(all.events.map((e) => e.action), ['cluster.remove', 'maintenance.create-retroactive', 'cluster.create'], 'newest first');
    assert.ok(all.events[0]!.before!.length <= 2001, 'long summaries are cut');
    assert.equal((await listAudit({ actor: 'token:ci' }, { limit: 10 })).total, 1);
    assert.equal((await listAudit({ action: 'cluster.' }, { limit: 10 })).total, 2);
    assert.equal((await listAudit({ action: 'cluster' }, { limit: 10 })).total, 0, 'an exact action unless it ends with "."');
    assert.equal((await listAudit({ q: 'prod-eu' }, { limit: 10 })).total, 2);
    assert.equal((await listAudit({ since: new Date(Date.now() + 60_000) }, { limit: 10 })).total, 0);
    assert.equal((await listAudit({}, { limit: 1, offset: 1 })).events[0]!.action, 'maintenance.create-retroactive');
    const csv = auditToCsv((await listAudit({ actor: 'token:ci' }, { limit: 10 })).events);
    assert.match(csv, /,token:ci,token,admin,maintenance\.create-retroactive,"maintenance ""=cmd""",,"\{""retroactive"":true\}",10\.0\.0\.1\n$/);
  });

  test('a maintenance window starting in the past is stored as retroactive, with its author', async () => {
    const now = Date.UTC(2026, 11, 1, 12, 0, 0);
    const past = await createMaintenanceWindow({ clusterId: null, title: 'backdated', startMs: now - 3_600_000, durationMs: 3_600_000, author: { name: 'token:ci', role: 'editor' }, now });
    const future = await createMaintenanceWindow({ clusterId: null, title: 'planned', startMs: now + 3_600_000, durationMs: 3_600_000, author: { name: 'carol', role: 'admin' }, now });
    assert.deepEqual([past.retroactive, past.createdBy, past.createdByRole], [true, 'token:ci', 'editor']);
    assert.deepEqual([future.retroactive, future.createdBy], [false, 'carol']);
    const listed = await listMaintenanceWindows();
    assert.equal(listed.find((m) => m.title === 'backdated')?.retroactive, true);
  });
});

forEachProvider('credentials keys', (provider) => {
  useProviderDb(provider, 'keys');

  test('start checks: none stored is fine; the right key passes; a different key or a missing key refuses to start; one bad cluster is flagged', async () => {
    assert.deepEqual((await checkKeysOnStart()).clusters, 0);
    const a = await createCluster({ name: 'k-alpha', server: 'https://10.0.0.1:6443', context: 'a', labels: {}, kubeconfigYaml: kubeconfig('https://10.0.0.1:6443') });
    await createCluster({ name: 'k-beta', server: 'https://10.0.0.2:6443', context: 'b', labels: {}, kubeconfigYaml: kubeconfig('https://10.0.0.2:6443') });
    const ok = await checkKeysOnStart();
    assert.deepEqual([ok.clusters, ok.undecryptable], [2, []]);
    const saved = process.env.QUORUM_SECRET_KEY!;
    try {
      process.env.QUORUM_SECRET_KEY = randomBytes(32).toString('hex');
      await assert.rejects(checkKeysOnStart(), (e: unknown) => e instanceof KeyCheckError && /decrypts none of the 2 clusters' credentials/.test(e.message) && e.message.includes(keyId(Buffer.from(saved, 'hex'))));
      const states = await getCredentialStates();
      assert.ok([...states.values()].every((s) => !s.ok && /encrypted with key/.test(s.reason)));
      await assert.rejects(loadClusterCredentials(a.id), (e: unknown) => e instanceof QuorumError && e.errorClass === 'credentials-undecryptable');
      delete process.env.QUORUM_SECRET_KEY;
      if (provider === 'postgresql') {
        await assert.rejects(checkKeysOnStart(), (e: unknown) => e instanceof KeyCheckError && /QUORUM_SECRET_KEY is required with PostgreSQL/.test(e.message));
      } else {
        await assert.rejects(checkKeysOnStart(), (e: unknown) => e instanceof KeyCheckError && /no key is configured/.test(e.message) && /does not create a new key/.test(e.message));
        assert.equal(existsSync(keyFilePath(loadEnv().dataDir)), false, 'no key file was made');
        await assert.rejects(createCluster({ name: 'k-gamma', server: 'https://10.0.0.3:6443', context: 'c', labels: {}, kubeconfigYaml: 'x' }), /does not make a new one/);
      }
    } finally {
      process.env.QUORUM_SECRET_KEY = saved;
    }
    assert.equal((await listClusters()).length, 2);
  });

  test('keys rotate with QUORUM_SECRET_KEY: every envelope re-encrypted in one transaction; the old key then fails, the new one works', async () => {
    const oldKey = process.env.QUORUM_SECRET_KEY!;
    const newKey = randomBytes(32).toString('base64');
    await assert.rejects(rotateKeys({}), /give the new key as QUORUM_NEW_SECRET_KEY/);
    const r = await rotateKeys({ newKeyText: newKey });
    assert.deepEqual([r.clusters, r.fromKeyId, r.toKeyId], [2, keyId(Buffer.from(oldKey, 'hex')), keyId(Buffer.from(newKey, 'base64'))]);
    await assert.rejects(checkKeysOnStart(), KeyCheckError);
    process.env.QUORUM_SECRET_KEY = newKey;
    const after = await checkKeysOnStart();
    assert.deepEqual([after.clusters, after.undecryptable], [2, []]);
    const c = (await listClusters()).find((x) => x.name === 'k-alpha')!;
    assert.match((await loadClusterCredentials(c.id)).kubeconfig, /token: t0k3n/);
    for (const x of await listClusters()) await removeCluster(x.id);
  });
});

describe('credentials keys with the key file (SQLite default)', () => {
  useProviderDb('sqlite', 'keyfile');

  test('rotation writes secret.key.next, re-encrypts, then renames; an interrupted rotation is finished at the next start', async () => {
    delete process.env.QUORUM_SECRET_KEY; // the embedded default: <dataDir>/secret.key
    const file = keyFilePath(loadEnv().dataDir);
    await createCluster({ name: 'f-alpha', server: 'https://10.0.0.1:6443', context: 'a', labels: {}, kubeconfigYaml: kubeconfig('https://10.0.0.1:6443') });
    const k1 = readFileSync(file, 'utf8');
    const r = await rotateKeys();
    assert.equal(r.newKeyAt, file);
    assert.notEqual(readFileSync(file, 'utf8'), k1);
    assert.equal(existsSync(`${file}.next`), false);
    assert.deepEqual((await checkKeysOnStart()).undecryptable, []);
    // Simulate a crash after the commit, before the rename: the new key sits in secret.key.next.
    const k2 = readFileSync(file, 'utf8');
    await rotateKeys();
    const k3 = readFileSync(file, 'utf8');
    writeFileSync(`${file}.next`, k3, { mode: 0o600 });
    writeFileSync(file, k2, { mode: 0o600 });
    const check = await checkKeysOnStart();
    assert.equal(check.finishedRotation, true);
    assert.equal(readFileSync(file, 'utf8'), k3);
    assert.equal(existsSync(`${file}.next`), false);
  });
});

describe('outbound policy at registration (SQLite)', () => {
  useProviderDb('sqlite', 'outbound');

  test('the metadata address and a loopback port are refused before any connection, even with --no-verify; nothing is stored', async (t) => {
    delete process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK;
    let connections = 0;
    const srv = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    t.after(() => srv.close());
    const port = (srv.address() as net.AddressInfo).port;
    for (const [server, re] of [['https://169.254.169.254', /never allowed/], [`https://127.0.0.1:${port}`, /loopback/], ['http://10.213.0.11:6443', /plain http/]] as const) {
      for (const skipTest of [false, true]) {
        await assert.rejects(registerCluster({ name: `o-${skipTest ? 'nv' : 'v'}`, kubeconfigText: kubeconfig(server), skipTest, timeoutMs: 2000 }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'outbound-denied' && re.test(e.message), `${server} skipTest=${skipTest}`);
      }
    }
    await assert.rejects(
      registerCluster({ name: 'o-dns', kubeconfigText: kubeconfig('https://10.213.0.11:6443'), skipTest: true, settings: { dnsServers: ['169.254.169.254:53'] } }),
      (e: unknown) => e instanceof QuorumError && e.errorClass === 'outbound-denied',
    );
    await assert.rejects(registerCluster({ name: 'o-etcd', kubeconfigText: kubeconfig('https://10.213.0.11:6443'), skipTest: true, etcd: { endpoints: [`http://127.0.0.1:${port}`] } }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'outbound-denied');
    assert.equal(connections, 0);
    assert.deepEqual(await listClusters(), []);
    // Allowed explicitly (the lab's setting): the same loopback registration goes through (not verified here).
    process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
    try {
      const c = await registerCluster({ name: 'o-allowed', kubeconfigText: kubeconfig(`https://127.0.0.1:${port}`), skipTest: true });
      assert.equal(c.server, `https://127.0.0.1:${port}`);
    } finally {
      delete process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK;
    }
    assert.equal(path.basename(keyFilePath(loadEnv().dataDir)), 'secret.key');
  });
});

describe('first start: the setup link', () => {
  useProviderDb('sqlite', 'setup');

  test('a one-time link while no account exists; it creates exactly one admin; afterwards no new link', async () => {
    const token = (await createSetupToken(60_000))!;
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(await setupTokenValid(token), true);
    await assert.rejects(completeSetup(token, { name: 'root', password: 'short' }), /at least 12/);
    const admin = await completeSetup(token, { name: 'root', password: 'root password 12' });
    assert.equal(admin.role, 'admin');
    await assert.rejects(completeSetup(token, { name: 'root2', password: 'root password 12' }), /not valid any more/);
    assert.equal(await setupTokenValid(token), false);
    assert.equal(await createSetupToken(60_000), null);
  });
});
