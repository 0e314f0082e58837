import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseKubeconfig, resolveContext, toMinimalKubeconfig, KUBECONFIG_MAX_BYTES } from '@/lib/k8s/kubeconfig';
import { QuorumError } from '@/lib/errors';
import type { ErrorClass } from '@/lib/types';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures');
const caPem = readFileSync(path.join(fixtures, 'ca.crt'), 'utf8');
const b64 = (s: string) => Buffer.from(s).toString('base64');

const good = `
apiVersion: v1
kind: Config
current-context: lab
clusters:
- name: lab-cluster
  cluster:
    server: https://127.0.0.1:16443/
    certificate-authority-data: ${b64(caPem)}
- name: other
  cluster:
    server: https://10.0.0.1:6443
users:
- name: quorum
  user:
    token: s3cr3t-token
- name: certuser
  user:
    client-certificate: client.crt
    client-key: client.key
contexts:
- name: lab
  context: {cluster: lab-cluster, user: quorum}
- name: staging
  context: {cluster: other, user: certuser, namespace: kube-system}
`;

function expectClass(fn: () => unknown, cls: ErrorClass, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof QuorumError, `expected QuorumError, got ${String(e)}`);
    assert.equal(e.errorClass, cls, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
}

test('parseKubeconfig lists contexts with their servers and the current context', () => {
  const p = parseKubeconfig(good);
  assert.equal(p.currentContext, 'lab');
  assert.deepEqual(p.contexts, [
    { name: 'lab', cluster: 'lab-cluster', user: 'quorum', server: 'https://127.0.0.1:16443/' },
    { name: 'staging', cluster: 'other', user: 'certuser', server: 'https://10.0.0.1:6443', namespace: 'kube-system' },
  ]);
});

test('resolveContext picks current-context, strips the trailing slash, decodes the CA', () => {
  const r = resolveContext(good);
  assert.equal(r.context, 'lab');
  assert.equal(r.server, 'https://127.0.0.1:16443');
  assert.equal(r.caData, caPem);
  assert.deepEqual(r.auth, { kind: 'token', token: 's3cr3t-token' });
  assert.equal(r.insecureSkipTlsVerify, false);
});

test('file references are inlined only when a base folder is given (CLI), refused when pasted', () => {
  expectClass(() => resolveContext(good, 'staging'), 'kubeconfig-invalid', /refers to the file "client.crt".*--flatten/);
  const r = resolveContext(good, 'staging', { baseDir: fixtures });
  assert.equal(r.auth.kind, 'client-certificate');
  expectClass(() => resolveContext(good, 'staging', { baseDir: '/nonexistent' }), 'kubeconfig-invalid', /cannot be read: ENOENT/);
});

test('minimal kubeconfig round-trips through resolveContext and keeps one context only', () => {
  const r = resolveContext(good);
  const minimal = toMinimalKubeconfig(r);
  const again = resolveContext(minimal);
  assert.deepEqual(again, r);
  assert.equal(parseKubeconfig(minimal).contexts.length, 1);
  assert.doesNotMatch(minimal, /other|certuser/);
});

const bad: Array<[string, string, ErrorClass, RegExp]> = [
  ['not YAML', 'clusters: [\n  - name: x\n   bad: indent', 'kubeconfig-not-yaml', /not valid YAML at line \d+/],
  ['a scalar', 'just a string', 'kubeconfig-not-yaml', /YAML mapping/],
  ['empty', '   \n', 'kubeconfig-not-yaml', /empty/],
  ['wrong kind', 'kind: Pod\napiVersion: v1', 'kubeconfig-invalid', /kind "Config"/],
  ['no contexts', 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []', 'kubeconfig-no-context', /no contexts/],
  ['contexts not a list', 'contexts: {a: 1}', 'kubeconfig-invalid', /"contexts" must be a list/],
  ['missing cluster', 'contexts: [{name: a, context: {cluster: nope, user: u}}]\nusers: [{name: u, user: {token: t}}]', 'kubeconfig-no-cluster', /cluster "nope", which is not in the kubeconfig/],
  ['no server', 'clusters: [{name: c, cluster: {}}]\ncontexts: [{name: a, context: {cluster: c}}]', 'kubeconfig-no-server', /has no server URL/],
  ['server not a URL', 'clusters: [{name: c, cluster: {server: "not a url"}}]\ncontexts: [{name: a, context: {cluster: c}}]', 'kubeconfig-invalid', /is not a URL/],
  ['missing user', 'clusters: [{name: c, cluster: {server: "https://x"}}]\ncontexts: [{name: a, context: {cluster: c, user: ghost}}]', 'kubeconfig-no-user', /user "ghost"/],
  ['exec plugin', 'clusters: [{name: c, cluster: {server: "https://x"}}]\nusers: [{name: u, user: {exec: {command: aws}}}]\ncontexts: [{name: a, context: {cluster: c, user: u}}]', 'kubeconfig-unsupported-auth', /exec plugin/],
  ['cert without key', `clusters: [{name: c, cluster: {server: "https://x"}}]\nusers: [{name: u, user: {client-certificate-data: ${b64(caPem)}}}]\ncontexts: [{name: a, context: {cluster: c, user: u}}]`, 'kubeconfig-invalid', /without its key/],
  ['CA not PEM', `clusters: [{name: c, cluster: {server: "https://x", certificate-authority-data: ${b64('hello')}}}]\ncontexts: [{name: a, context: {cluster: c}}]`, 'kubeconfig-invalid', /not a PEM certificate/],
];
for (const [what, text, cls, re] of bad) {
  test(`bad kubeconfig: ${what} → ${cls}`, () => expectClass(() => resolveContext(text), cls, re));
}

test('an unknown context names the available ones; several contexts without current-context must be chosen', () => {
  expectClass(() => resolveContext(good, 'prod'), 'kubeconfig-no-context', /no context named "prod"; available: lab, staging/);
  const noCurrent = good.replace('current-context: lab\n', '');
  expectClass(() => resolveContext(noCurrent), 'kubeconfig-no-context', /pick one of: lab, staging/);
});

test('kubeconfig over the size limit is refused before parsing', () => {
  const huge = `a: "${'x'.repeat(KUBECONFIG_MAX_BYTES)}"`;
  expectClass(() => parseKubeconfig(huge), 'kubeconfig-too-large', /limit is 256 KiB/);
});
