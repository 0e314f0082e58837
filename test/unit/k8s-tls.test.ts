// lib/k8s/client.ts builds ONE TLS context per connection (the CA, client certificate and key parsed once)
// and shares it with every socket of that connection: the probes' pool, a replica reached through baseUrl,
// and each watch. Against local HTTPS servers (certificates made here with openssl) that demand a client
// certificate: every socket presents the kubeconfig's certificate and verifies the server against the
// kubeconfig's CA; a server signed by another CA is still refused (tls-ca). And lib/deadline.ts
// requestDeadline: the deadline, the caller's abort, and done() releasing both.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { requestDeadline } from '@/lib/deadline';
import { QuorumError } from '@/lib/errors';
import { connect } from '@/lib/k8s/client';
import { createTestPki } from '../support/test-pki';

process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
const pki = createTestPki('quorum-k8s-tls-');
const { file, ca, signed } = pki;
const servers: https.Server[] = [];
const seen: Array<{ server: number; subject: string; authorized: boolean; url: string }> = [];

async function listen(i: number, certName: string): Promise<number> {
  const s = https.createServer({ cert: readFileSync(file(`${certName}.crt`)), key: readFileSync(file(`${certName}.key`)), ca: readFileSync(file('cluster-ca.crt')), requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const sock = req.socket as TLSSocket;
    seen.push({ server: i, subject: String(sock.getPeerCertificate().subject?.CN ?? ''), authorized: sock.authorized, url: req.url ?? '' });
    if (req.url?.includes('watch=1')) {
      res.write('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}}\n');
      res.end();
      return;
    }
    res.setHeader('Content-Type', 'text/plain');
    res.end('ok');
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}
const kubeconfig = (port: number, caName: string): string => [
  'apiVersion: v1', 'kind: Config',
  `clusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", certificate-authority-data: ${readFileSync(file(`${caName}.crt`)).toString('base64')}}}]`,
  `users: [{name: u, user: {client-certificate-data: ${readFileSync(file('quorum.crt')).toString('base64')}, client-key-data: ${readFileSync(file('quorum.key')).toString('base64')}}}]`,
  'contexts: [{name: c, context: {cluster: c, user: u}}]', 'current-context: c', '',
].join('\n');

let lb = 0;
let replica = 0;
before(async () => {
  ca('cluster-ca');
  ca('other-ca');
  signed('apiserver', 'cluster-ca', 'subjectAltName=IP:127.0.0.1');
  signed('quorum', 'cluster-ca', 'extendedKeyUsage=clientAuth');
  lb = await listen(0, 'apiserver');
  replica = await listen(1, 'apiserver');
});
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  pki.remove();
});

test('one connection, one TLS context: the probes, a replica through baseUrl and a watch all present the client certificate and verify the server', async () => {
  const conn = await connect(kubeconfig(lb, 'cluster-ca'));
  const a = await conn.get('/readyz?verbose', { timeoutMs: 5000 });
  const b = await conn.get('/livez?verbose', { timeoutMs: 5000, baseUrl: `https://127.0.0.1:${replica}` });
  const lines: string[] = [];
  await conn.stream('/api/v1/nodes?watch=1', { signal: new AbortController().signal, timeoutMs: 5000, idleTimeoutMs: 5000 }, (l) => lines.push(l));
  assert.deepEqual([a.status, a.body, b.status, b.body], [200, 'ok', 200, 'ok']);
  assert.equal(lines.length, 1);
  assert.deepEqual(seen.map((s) => [s.server, s.subject, s.authorized, s.url.split('?')[0]]), [
    [0, 'quorum', true, '/readyz'],
    [1, 'quorum', true, '/livez'],
    [0, 'quorum', true, '/api/v1/nodes'],
  ]);
});

test('a server whose certificate another CA signed is refused as tls-ca (the shared context still verifies)', async () => {
  const conn = await connect(kubeconfig(lb, 'other-ca'));
  await assert.rejects(conn.get('/readyz', { timeoutMs: 5000 }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'tls-ca');
});

test('requestDeadline: aborts at the deadline (timedOut), follows the caller\'s abort (not timedOut), and done() releases both', async () => {
  const d1 = requestDeadline(20);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual([d1.signal.aborted, d1.timedOut], [true, true]);

  const outer = new AbortController();
  const d2 = requestDeadline(10_000, outer.signal);
  outer.abort(new Error('stop'));
  assert.deepEqual([d2.signal.aborted, d2.timedOut], [true, false]);
  d2.done();

  const outer3 = new AbortController();
  const d3 = requestDeadline(20, outer3.signal);
  d3.done();
  outer3.abort();
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual([d3.signal.aborted, d3.timedOut], [false, false], 'after done() neither the timer nor the caller aborts it');

  const pre = new AbortController();
  pre.abort();
  const d4 = requestDeadline(10_000, pre.signal);
  assert.equal(d4.signal.aborted, true);
  d4.done();
});
