import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHealthChecks } from '@/lib/k8s/health';
import { classifyHealth } from '@/lib/probes/apiserver';
import { classifyNetworkError, type RawResponse } from '@/lib/k8s/client';
import { QuorumError } from '@/lib/errors';

// Captured from the lab's kube-apiserver v1.35.4 (non-admin identity: reasons are withheld).
const readyzOk = `[+]ping ok
[+]log ok
[+]etcd ok
[+]etcd-readiness ok
[+]informer-sync ok
[+]poststarthook/start-apiserver-admission-initializer ok
[+]shutdown ok
readyz check passed
`;
const readyzEtcdDown = `[+]ping ok
[+]log ok
[-]etcd failed: reason withheld
[-]etcd-readiness failed: reason withheld
[+]informer-sync ok
[+]poststarthook/start-apiserver-admission-initializer ok
[+]shutdown ok
readyz check failed
`;
const res = (status: number, body: string, contentType = 'text/plain; charset=utf-8'): RawResponse => ({ status, body, contentType, latencyMs: 12, protocol: 'h2' });

test('parseHealthChecks reads ok, failed with message, and excluded checks', () => {
  assert.deepEqual(parseHealthChecks(readyzEtcdDown).filter((c) => !c.ok), [
    { name: 'etcd', ok: false, message: 'reason withheld' },
    { name: 'etcd-readiness', ok: false, message: 'reason withheld' },
  ]);
  assert.equal(parseHealthChecks(readyzOk).length, 7);
  assert.deepEqual(parseHealthChecks('[+]etcd excluded: ok\n[-]ping failed\n'), [
    { name: 'etcd', ok: true },
    { name: 'ping', ok: false },
  ]);
  assert.deepEqual(parseHealthChecks('<html>nope</html>'), []);
});

test('parseHealthChecks: the same text gets the same frozen array, another text its own parse', () => {
  const a = parseHealthChecks(readyzEtcdDown);
  const again = parseHealthChecks(`${readyzEtcdDown}`.slice(0)); // an equal string, not necessarily the same one
  assert.equal(again, a, 'an equal body is parsed once');
  assert.ok(Object.isFrozen(a) && a.every((c) => Object.isFrozen(c)), 'shared results are frozen, so no caller can change another\'s');
  assert.throws(() => (a as { name: string; ok: boolean }[]).push({ name: 'x', ok: true }), TypeError);
  const other = parseHealthChecks(readyzEtcdDown.replace('[-]etcd failed', '[+]etcd ok'));
  assert.notEqual(other, a);
  assert.equal(other.find((c) => c.name === 'etcd')?.ok, true);
  assert.equal(parseHealthChecks(readyzEtcdDown).find((c) => c.name === 'etcd')?.ok, false, 'the earlier text still reads as it did');
  // More distinct bodies than are kept: each still parses correctly (the oldest are parsed again).
  for (let i = 0; i < 200; i++) assert.deepEqual(parseHealthChecks(`[+]check-${i} ok\n[-]etcd failed: n${i}\n`), [{ name: `check-${i}`, ok: true }, { name: 'etcd', ok: false, message: `n${i}` }]);
  assert.deepEqual(parseHealthChecks(readyzEtcdDown).filter((c) => !c.ok).map((c) => c.name), ['etcd', 'etcd-readiness']);
});

test('classifyHealth: the status table', () => {
  const rows: Array<[RawResponse | QuorumError, string, RegExp]> = [
    [res(200, readyzOk), 'up', /^ok$/],
    [res(200, 'ok'), 'up', /^ok$/],
    [res(500, readyzEtcdDown), 'down', /^readyz failed: etcd, etcd-readiness$/],
    [res(401, '{"kind":"Status","code":401}', 'application/json'), 'unknown', /^401 unauthorized/],
    [res(403, '{"kind":"Status","code":403}', 'application/json'), 'unknown', /^403 forbidden.*rbac/],
    [res(200, '<html><body>Welcome to nginx</body></html>', 'text/html'), 'unknown', /not a Kubernetes API: readyz answered HTTP 200 text\/html/],
    [res(503, '<html>503 Service Unavailable</html>', 'text/html'), 'down', /answered HTTP 503 text\/html/],
    [new QuorumError('unreachable', 'connection refused (127.0.0.1:1)'), 'down', /^unreachable: connection refused/],
    [new QuorumError('timeout', 'no answer within 5000 ms'), 'down', /^timeout/],
    [new QuorumError('tls-ca', 'not signed by the CA'), 'unknown', /^tls-ca/],
    [new QuorumError('dns', 'host name does not resolve'), 'unknown', /^dns/],
  ];
  for (const [input, status, reason] of rows) {
    const c = classifyHealth('readyz', input);
    assert.equal(c.status, status, `${JSON.stringify(input)} → ${c.reason}`);
    assert.match(c.reason, reason);
  }
});

test('classifyNetworkError maps Node and OpenSSL codes', () => {
  const e = (code: string, message = code) => Object.assign(new Error(message), { code });
  assert.equal(classifyNetworkError(e('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1')).errorClass, 'unreachable');
  assert.equal(classifyNetworkError(e('ENOTFOUND')).errorClass, 'dns');
  assert.equal(classifyNetworkError(e('SELF_SIGNED_CERT_IN_CHAIN')).errorClass, 'tls-ca');
  assert.equal(classifyNetworkError(e('UNABLE_TO_VERIFY_LEAF_SIGNATURE')).errorClass, 'tls-ca');
  assert.equal(classifyNetworkError(e('ERR_TLS_CERT_ALTNAME_INVALID')).errorClass, 'tls-hostname');
  assert.equal(classifyNetworkError(e('CERT_HAS_EXPIRED')).errorClass, 'tls-other');
  assert.equal(classifyNetworkError(e('ERR_SSL_WRONG_VERSION_NUMBER')).errorClass, 'tls-other');
  assert.equal(classifyNetworkError(e('ECONNRESET')).errorClass, 'unreachable');
});
