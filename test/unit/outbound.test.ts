// The outbound-target policy (lib/net/outbound.ts): address rules, URL rules, and that the address the
// socket connects to is the one that was checked (a real https.Agent with the policy's lookup, against a
// real listener on loopback that counts connections).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import dns from 'node:dns/promises';
import { loadOutboundConfig, type OutboundConfig } from '@/lib/env';
import { QuorumError } from '@/lib/errors';
import { OUTBOUND_DENIED_CODE, createOutboundPolicy } from '@/lib/net/outbound';
import { classifyNetworkError } from '@/lib/k8s/client';

const base: OutboundConfig = { allowLoopback: false, allowHttp: false, allowCidrs: [], denyCidrs: [], maxTargetsPerCluster: 32 };
const policy = (o: Partial<OutboundConfig> = {}) => createOutboundPolicy({ ...base, ...o });

test('addresses: metadata and link-local always denied, loopback unless allowed, private networks allowed', () => {
  const p = policy();
  const denied = ['169.254.169.254', '169.254.0.1', '::ffff:169.254.169.254', 'fd00:ec2::254', 'fe80::1', '127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '0.0.0.0', '::', '224.0.0.1', '255.255.255.255', 'ff02::1'];
  for (const a of denied) assert.notEqual(p.denyReason(a), null, a);
  for (const a of ['10.213.0.11', '10.96.0.10', '192.168.1.1', '172.16.0.1', '8.8.8.8', 'fd00::a', '2001:db8::1']) assert.equal(p.denyReason(a), null, a);
  assert.match(p.denyReason('169.254.169.254')!, /never allowed/);
  assert.match(p.denyReason('127.0.0.1')!, /QUORUM_OUTBOUND_ALLOW_LOOPBACK=1/);
  assert.match(p.denyReason('not-an-ip')!, /not an IP address/);
  const lo = policy({ allowLoopback: true });
  for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) assert.equal(lo.denyReason(a), null, a);
  // Allowing loopback never opens the metadata service.
  for (const a of ['169.254.169.254', 'fd00:ec2::254', '::ffff:169.254.169.254']) assert.notEqual(lo.denyReason(a), null, a);
});

test('allow and deny lists (CIDRs, IPv4 and IPv6); the deny list wins; bad CIDRs are a clear error', () => {
  const p = policy({ allowCidrs: ['10.0.0.0/8', 'fd00::/8'], denyCidrs: ['10.66.0.0/16'] });
  assert.equal(p.denyReason('10.213.0.11'), null);
  assert.equal(p.denyReason('fd00::a'), null);
  assert.match(p.denyReason('10.66.1.1')!, /QUORUM_OUTBOUND_DENY_CIDRS/);
  assert.match(p.denyReason('192.168.1.1')!, /not in QUORUM_OUTBOUND_ALLOW_CIDRS/);
  assert.match(p.denyReason('2001:db8::1')!, /not in QUORUM_OUTBOUND_ALLOW_CIDRS/);
  // Loopback, when allowed, needs no allow-list entry (the lab: LB on 127.0.0.1, replicas on 10.213.0.0/24).
  assert.equal(policy({ allowCidrs: ['10.213.0.0/24'], allowLoopback: true }).denyReason('127.0.0.1'), null);
  for (const bad of ['10.0.0.0/33', 'banana', '10.0.0/8', 'fd00::/129']) {
    assert.throws(() => policy({ denyCidrs: [bad] }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'invalid-input' && e.message.includes(bad), bad);
  }
  assert.throws(() => loadOutboundConfig({ QUORUM_OUTBOUND_ALLOW_LOOPBACK: 'maybe' }), /QUORUM_OUTBOUND_ALLOW_LOOPBACK is invalid/);
  assert.throws(() => loadOutboundConfig({ QUORUM_OUTBOUND_MAX_TARGETS: '0' }), /QUORUM_OUTBOUND_MAX_TARGETS is invalid/);
  assert.deepEqual(loadOutboundConfig({ QUORUM_OUTBOUND_DENY_CIDRS: ' 10.0.0.0/8 , fd00::/8 ' }).denyCidrs, ['10.0.0.0/8', 'fd00::/8']);
});

test('server URLs: https only for API servers (http:// when allowed), no userinfo, query or fragment, local names refused', () => {
  const p = policy();
  const refused: Array<[string, RegExp]> = [
    ['http://10.0.0.1:6443', /plain http:\/\/.*QUORUM_OUTBOUND_ALLOW_HTTP=1/],
    ['https://user:pw@10.0.0.1:6443', /user name or password/],
    ['https://10.0.0.1:6443/?token=x', /query or fragment/],
    ['https://10.0.0.1:6443/#x', /query or fragment/],
    ['https://localhost:6443', /local host/],
    ['https://api.localhost:6443', /local host/],
    ['https://169.254.169.254', /never allowed/],
    ['https://[::1]:6443', /loopback/],
    ['ftp://10.0.0.1', /must be https/],
    ['not a url', /not a URL/],
  ];
  for (const [u, re] of refused) assert.throws(() => p.checkUrl(u, 'API server'), (e: unknown) => e instanceof QuorumError && e.errorClass === 'outbound-denied' && re.test(e.message), u);
  assert.equal(p.checkUrl('https://10.213.0.11:6443', 'API server').host, '10.213.0.11:6443');
  assert.equal(p.checkUrl('https://kube.example.com:6443', 'API server').hostname, 'kube.example.com'); // names are checked when resolved
  assert.equal(policy({ allowHttp: true }).checkUrl('http://10.0.0.1:8080', 'API server').protocol, 'http:');
  assert.equal(p.checkUrl('http://10.213.0.11:2379', 'etcd endpoint').protocol, 'http:'); // plain etcd is a separate choice
  assert.equal(policy({ allowLoopback: true }).checkUrl('https://127.0.0.1:16443', 'API server').port, '16443');
});

test('caps: at most maxTargetsPerCluster discovered targets', () => {
  const p = policy({ maxTargetsPerCluster: 3 });
  assert.deepEqual(p.cap([1, 2, 3, 4, 5]), { kept: [1, 2, 3], dropped: 2 });
  assert.deepEqual(p.cap([1]), { kept: [1], dropped: 0 });
});

test('the lookup checks what the resolver returns, and the socket connects to exactly that (a real https.Agent)', async (t) => {
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  // This machine's host name resolves to loopback (/etc/hosts): only the resolver knows that.
  const name = os.hostname();
  const addrs = await dns.lookup(name, { all: true });
  assert.ok(addrs.length > 0 && addrs.every((a) => a.address.startsWith('127.') || a.address === '::1'), `${name} must resolve to loopback: ${JSON.stringify(addrs)}`);

  const get = (lookup: net.LookupFunction): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const agent = new https.Agent({ lookup, rejectUnauthorized: false });
      const req = https.get({ host: name, port, path: '/', agent, timeout: 5000 }, resolve);
      req.on('error', reject);
    });
  const err = (await get(policy().lookup).catch((e: unknown) => e)) as NodeJS.ErrnoException;
  assert.equal(err.code, OUTBOUND_DENIED_CODE);
  assert.match(err.message, new RegExp(`${name} resolves only to denied addresses: 127\\.`));
  assert.equal(classifyNetworkError(err).errorClass, 'outbound-denied');
  assert.equal(connections, 0, 'no socket was opened to the denied address');
  // Allowed: the same name now connects (the listener closes it at once: a reset, but it connected).
  await get(policy({ allowLoopback: true }).lookup).catch(() => undefined);
  assert.equal(connections, 1);
});

test('lookup honours {all: true} (Node asks for every address when autoSelectFamily is on) and filters denied ones', async () => {
  const p = policy({ allowLoopback: true, denyCidrs: ['::1/128'] });
  const all = await new Promise<Array<{ address: string; family: number }>>((resolve, reject) =>
    p.lookup('localhost', { all: true }, (e, a) => (e ? reject(e) : resolve(a as unknown as Array<{ address: string; family: number }>))),
  );
  assert.ok(all.length >= 1);
  assert.ok(all.every((a) => a.address !== '::1'), JSON.stringify(all));
  const one = await new Promise<string>((resolve, reject) => p.lookup('localhost', {}, (e, a) => (e ? reject(e) : resolve(String(a)))));
  assert.match(one, /^127\./);
});
