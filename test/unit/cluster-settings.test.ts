import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LEASES, parseSettingsJson, validateDnsServer, validateLeaseRef, validateSettings } from '@/lib/clusters/settings';
import { QuorumError } from '@/lib/errors';

const invalid = (re: RegExp) => (e: unknown) => e instanceof QuorumError && e.errorClass === 'invalid-input' && re.test(e.message);

test('lease refs: namespace/name in Kubernetes naming', () => {
  assert.equal(validateLeaseRef(' kube-system/my-operator '), 'kube-system/my-operator');
  assert.equal(validateLeaseRef('cert-manager/cert-manager-controller'), 'cert-manager/cert-manager-controller');
  assert.equal(validateLeaseRef('ns/a.b-c'), 'ns/a.b-c');
  for (const bad of ['my-operator', '/x', 'ns/', 'NS/x', 'ns/X', 'ns/x/y', 'n_s/x', `${'a'.repeat(64)}/x`]) {
    assert.throws(() => validateLeaseRef(bad), invalid(/must be namespace\/name/), bad);
  }
});

test('DNS servers: IPs with optional port, normalised; no host names', () => {
  assert.equal(validateDnsServer('10.96.0.10'), '10.96.0.10:53');
  assert.equal(validateDnsServer('10.96.0.10:5353'), '10.96.0.10:5353');
  assert.equal(validateDnsServer('[fd00::a]'), '[fd00::a]:53');
  assert.equal(validateDnsServer('[fd00::a]:54'), '[fd00::a]:54');
  for (const bad of ['kube-dns.kube-system', '10.96.0.300', '10.96.0.10:0', '10.96.0.10:70000', 'fd00::a', '', '[x]:53']) {
    assert.throws(() => validateDnsServer(bad), invalid(/must be an IP address/), bad);
  }
});

test('validateSettings: lists or comma text, duplicates removed, bounded; parse is tolerant', () => {
  assert.deepEqual(validateSettings({ leases: 'a/b, a/b ,c/d', dnsServers: ['10.0.0.1', '10.0.0.1:53'] }), { leases: ['a/b', 'c/d'], dnsServers: ['10.0.0.1:53'] });
  assert.deepEqual(validateSettings({}), { leases: [], dnsServers: [] });
  assert.throws(() => validateSettings({ leases: [1] }), invalid(/leases must be a list of strings/));
  assert.throws(() => validateSettings({ leases: Array.from({ length: MAX_LEASES + 1 }, (_, i) => `ns/l${i}`) }), invalid(/at most 20 extra leases/));
  assert.deepEqual(parseSettingsJson('{"leases":["a/b"],"dnsServers":[]}'), { leases: ['a/b'], dnsServers: [] });
  assert.deepEqual(parseSettingsJson('not json'), { leases: [], dnsServers: [] });
  assert.deepEqual(parseSettingsJson('{"leases":["BAD"]}'), { leases: [], dnsServers: [] });
});
