// etcd parsers and the pure summary, fed with JSON captured from the lab's etcd v3.6.16
// (test/fixtures/etcd: /health, /v3/maintenance/status of each member, /v3/cluster/member/list).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeCredentials, encodeCredentials } from '@/lib/clusters/credentials';
import { parseEtcdEndpoint, parseEtcdHealth, parseEtcdStatus, parseMemberList, validateEtcdTarget } from '@/lib/etcd/client';
import { QuorumError } from '@/lib/errors';
import { summarizeEtcd, type EndpointObservation } from '@/lib/probes/etcd';

const fx = (f: string): string => readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'etcd', f), 'utf8');
const statuses = [1, 2, 3].map((n) => parseEtcdStatus(fx(`status-member${n}.json`)));
const members = parseMemberList(fx('member-list.json'));
const healthy = parseEtcdHealth(200, fx('health.json'));
const ep = (n: number): string => `http://10.213.0.1${n}:2379`;
const obs = (n: number, over: Partial<EndpointObservation> = {}): EndpointObservation => ({ endpoint: ep(n), registered: true, health: healthy, status: statuses[n - 1]!, latencyMs: 3, ...over });
const unreachable = (): QuorumError => new QuorumError('unreachable', 'connection refused (10.213.0.13:2379)');

test('parsers read the lab etcd: status (uint64 as strings), member list, health; errors are classified', () => {
  assert.deepEqual(statuses[0], {
    memberId: '13534376592965462825', clusterId: '5669011646771547706', leader: '13534376592965462825', raftTerm: 4, raftIndex: statuses[0]!.raftIndex,
    dbSize: statuses[0]!.dbSize, dbSizeInUse: statuses[0]!.dbSizeInUse, dbSizeQuota: 2147483648, version: '3.6.16', isLearner: false, errors: [],
  });
  assert.ok(statuses[0]!.dbSize > 1_000_000 && statuses[0]!.raftIndex > 0);
  assert.deepEqual(members.map((m) => [m.name, m.clientURLs]), [['qlab-cp1', [ep(1)]], ['qlab-cp2', [ep(2)]], ['qlab-cp3', [ep(3)]]]);
  assert.deepEqual(healthy, { healthy: true, reason: 'ok' });
  // etcd's own 503 body (server/etcdserver/api/etcdhttp/health.go: http.Error with the JSON + newline).
  assert.deepEqual(parseEtcdHealth(503, '{"health":"false","reason":"RAFT NO LEADER"}\n'), { healthy: false, reason: 'RAFT NO LEADER' });
  const cls = (f: () => unknown, c: string, re: RegExp): void => assert.throws(f, (e: unknown) => e instanceof QuorumError && e.errorClass === c && re.test(e.message));
  cls(() => parseEtcdHealth(200, '<html>hi</html>'), 'http-error', /not an etcd endpoint: GET \/health did not answer JSON/);
  cls(() => parseEtcdHealth(200, '{"status":"ok"}'), 'http-error', /without a "health" field/);
  cls(() => parseEtcdHealth(401, ''), 'unauthorized', /401/);
  cls(() => parseEtcdStatus('{"header":{}}'), 'http-error', /no header.member_id/);
  cls(() => parseMemberList('{"header":{}}'), 'http-error', /no members/);
});

test('summary: 3 of 3 healthy, one leader → up, majority 2, tolerates 1', () => {
  const [s, ...per] = summarizeEtcd([obs(1), obs(2), obs(3)], members, 1000);
  assert.equal(s!.target, 'etcd');
  assert.equal(s!.status, 'up');
  assert.equal(s!.reason, '3/3 healthy; tolerates 1 failure; leader qlab-cp1');
  const f = s!.detail!.facts!;
  assert.deepEqual([f.members && (f.members as unknown[]).length, f.healthy, f.majority, f.toleranceNow, f.toleranceDesign, f.hasQuorum, f.leaderName, f.raftTerm], [3, 3, 2, 1, 1, true, 'qlab-cp1', 4]);
  assert.deepEqual(per.map((p) => [p.target, p.status]), [[ep(1), 'up'], [ep(2), 'up'], [ep(3), 'up']]);
  assert.match(per[0]!.reason, /^healthy leader; raft term 4; db \d+\.\d MiB$/);
  assert.match(per[1]!.reason, /^healthy follower;/);
});

test('summary: one member unreachable → degraded, tolerance now 0, the member named', () => {
  const [s, , , third] = summarizeEtcd([obs(1), obs(2), obs(3, { health: unreachable(), status: unreachable(), latencyMs: null })], members, 1000);
  assert.equal(s!.status, 'degraded');
  assert.match(s!.reason, /^2\/3 healthy; can lose 0 more; leader qlab-cp1; not healthy: qlab-cp3 \(unreachable: connection refused/);
  assert.equal(s!.detail!.facts!.toleranceNow, 0);
  assert.equal(third!.status, 'down');
  assert.equal(third!.detail!.errorClass, 'unreachable');
});

test('summary: two unreachable, the last one leaderless (503) → down, quorum lost', () => {
  const noLeader = parseEtcdHealth(503, '{"health":"false","reason":"RAFT NO LEADER"}');
  const lone = { ...statuses[0]!, leader: '0' };
  const [s, first] = summarizeEtcd([obs(1, { health: noLeader, status: lone }), obs(2, { health: unreachable(), status: unreachable() }), obs(3, { health: unreachable(), status: unreachable() })], members, 1000);
  assert.equal(s!.status, 'down');
  assert.match(s!.reason, /^quorum lost: 0\/3 healthy, 2 needed/);
  assert.equal(first!.status, 'down');
  assert.equal(first!.reason, 'unhealthy: RAFT NO LEADER');
});

test('summary: nobody readable — collector-side (wrong CA) is unknown, a network failure is down', () => {
  const ca = new QuorumError('tls-ca', "the server's certificate is not signed by the registered etcd CA (SELF_SIGNED_CERT_IN_CHAIN)");
  const [u] = summarizeEtcd([obs(1, { health: ca, status: ca, latencyMs: null })], ca, 1000);
  assert.equal(u!.status, 'unknown');
  assert.equal(u!.detail!.errorClass, 'tls-ca');
  const [d] = summarizeEtcd([obs(1, { health: unreachable(), status: unreachable(), latencyMs: null })], unreachable(), 1000);
  assert.equal(d!.status, 'down');
  assert.match(d!.reason, /^no etcd endpoint answers \(1 registered\)/);
});

test('summary: an alarm (errors) degrades an otherwise full cluster; learners do not count for quorum', () => {
  const alarm = { ...statuses[1]!, errors: ['memberID:15084710152894054328 alarm:NOSPACE '] };
  const [s] = summarizeEtcd([obs(1), obs(2, { status: alarm }), obs(3)], members, 1000);
  assert.equal(s!.status, 'degraded');
  assert.match(s!.reason, /errors: memberID:\d+ alarm:NOSPACE/);
  const withLearner = [...members, { id: '42', name: 'learner', clientURLs: ['http://10.213.0.14:2379'], peerURLs: [], isLearner: true }];
  const [l] = summarizeEtcd([obs(1), obs(2), obs(3)], withLearner, 1000);
  assert.equal(l!.detail!.facts!.members && (l!.detail!.facts!.members as unknown[]).length, 4);
  assert.equal(l!.detail!.facts!.majority, 2);
  assert.equal(l!.detail!.facts!.learners, 1);
});

test('etcd targets are validated; credentials envelope keeps plain kubeconfigs as they were', () => {
  assert.equal(parseEtcdEndpoint(' https://10.0.0.1:2379/ '), 'https://10.0.0.1:2379');
  const bad = (f: () => unknown, re: RegExp): void => assert.throws(f, (e: unknown) => e instanceof QuorumError && e.errorClass === 'kubeconfig-invalid' && re.test(e.message));
  bad(() => parseEtcdEndpoint('10.0.0.1:2379'), /not a URL|http:\/\/ or https:\/\//);
  bad(() => parseEtcdEndpoint('ftp://x:1'), /http:\/\/ or https:\/\//);
  bad(() => parseEtcdEndpoint('https://u:p@x:1'), /credentials/);
  bad(() => parseEtcdEndpoint('https://x:1/v3'), /scheme:\/\/host:port only/);
  bad(() => validateEtcdTarget({ endpoints: [] }), /at least one/);
  bad(() => validateEtcdTarget({ endpoints: ['https://x:1'], certPem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' }), /together/);
  bad(() => validateEtcdTarget({ endpoints: ['http://x:1'], caPem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' }), /every endpoint is http/);
  assert.deepEqual(validateEtcdTarget({ endpoints: ['http://a:1', 'http://a:1/', 'http://b:1'] }), { endpoints: ['http://a:1', 'http://b:1'] });
  const kc = 'apiVersion: v1\nkind: Config\n';
  assert.equal(encodeCredentials({ kubeconfig: kc }), kc);
  assert.deepEqual(decodeCredentials(kc), { kubeconfig: kc });
  const json = '{"apiVersion":"v1","kind":"Config"}';
  assert.deepEqual(decodeCredentials(json), { kubeconfig: json });
  const withEtcd = { kubeconfig: kc, etcd: { endpoints: ['https://a:2379'], certPem: 'C', keyPem: 'K', caPem: 'A' } };
  assert.deepEqual(decodeCredentials(encodeCredentials(withEtcd)), withEtcd);
});
