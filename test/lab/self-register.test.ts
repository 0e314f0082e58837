// In-cluster mode (lib/collector/self-register.ts) against the real lab: a ServiceAccount of our own with
// the chart's read-only RBAC (deploy/rbac.yaml's rules), real bound tokens from the TokenRequest API
// (`kubectl create token … --bound-object-kind Secret`, so deleting the Secret kills the token the way
// deleting a pod kills its token), laid out as the kubelet mounts them; the API server given as the
// kubelet would (KUBERNETES_SERVICE_HOST/PORT — here the lab's load balancer, on loopback).
//   - two "replicas" at once register the cluster once, labelled; again: unchanged;
//   - the stored token dies (its Secret deleted): the next pass of another replica stores its own;
//   - a cluster of that name registered by a person is left alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(import.meta.dirname, '..', '..');
const labState = path.resolve(process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state'));
const admin = path.join(labState, 'admin.kubeconfig');
const kubectl = path.join(root, 'lab', '.bin', 'kubectl');
const NS = 'quorum-self-register-test';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'quorum-self-register-'));
process.env.QUORUM_DATA_DIR = path.join(tmp, 'data');
process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1'; // the lab's load balancer is 127.0.0.1:16443
delete process.env.DATABASE_URL;
delete process.env.QUORUM_SECRET_KEY;

const { migrate } = await import('@/lib/db/migrate');
const { closeDb } = await import('@/lib/db');
const { getCluster, listClusters, loadClusterKubeconfig, removeCluster } = await import('@/lib/data/clusters');
const { registerCluster } = await import('@/lib/clusters/register');
const { ensureSelfRegistered, IN_CLUSTER_LABEL } = await import('@/lib/collector/self-register');
const { testConnection } = await import('@/lib/k8s/connection');
const { loadEnv } = await import('@/lib/env');

const exec = promisify(execFile);
const k = async (...args: string[]): Promise<string> => (await exec(kubectl, ['--kubeconfig', admin, ...args], { timeout: 60_000 })).stdout;
const apply = (yaml: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const c = spawn(kubectl, ['--kubeconfig', admin, 'apply', '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(err))));
    c.stdin.end(yaml);
  });

/** A ServiceAccount token dir as the kubelet mounts it; the token bound to Secret `secret`. */
async function saDir(name: string, secret: string): Promise<string> {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  await k('-n', NS, 'create', 'secret', 'generic', secret);
  const token = (await k('-n', NS, 'create', 'token', 'quorum', '--bound-object-kind', 'Secret', '--bound-object-name', secret, '--duration', '1h')).trim();
  writeFileSync(path.join(dir, 'token'), token);
  writeFileSync(path.join(dir, 'ca.crt'), readFileSync(path.join(labState, 'pki', 'ca.crt')));
  writeFileSync(path.join(dir, 'namespace'), NS);
  return dir;
}

const cfgFor = (dir: string) => loadEnv({ ...process.env, QUORUM_SELF_REGISTER: 'true', QUORUM_SERVICEACCOUNT_DIR: dir, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '16443' }).selfRegister;
const logs: Array<Record<string, unknown>> = [];
const log = (l: Record<string, unknown>): void => void logs.push(l);
let dirA = '';
let dirB = '';

before(async () => {
  await migrate({ quiet: true });
  await k('create', 'namespace', NS);
  const rbac = readFileSync(path.join(root, 'deploy', 'rbac.yaml'), 'utf8')
    .replaceAll('name: quorum-reader', 'name: quorum-self-register-test-reader')
    .replaceAll('name: quorum-control-plane-reader', 'name: quorum-self-register-test-cp-reader')
    .replace(/subjects:\n {2}- apiGroup: rbac\.authorization\.k8s\.io\n {4}kind: User\n {4}name: quorum/g, `subjects:\n  - kind: ServiceAccount\n    name: quorum\n    namespace: ${NS}`);
  await apply(`apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: quorum\n  namespace: ${NS}\n---\n${rbac}`);
  dirA = await saDir('pod-a', 'pod-a');
  dirB = await saDir('pod-b', 'pod-b');
});

after(async () => {
  await closeDb();
  await k('delete', 'namespace', NS, '--wait=true').catch(() => undefined);
  for (const n of ['clusterrole/quorum-self-register-test-reader', 'clusterrolebinding/quorum-self-register-test-reader', 'clusterrole/quorum-self-register-test-cp-reader']) await k('delete', n, '--ignore-not-found').catch(() => undefined);
  for (const ns of ['kube-system', 'default', 'kube-node-lease']) await k('-n', ns, 'delete', 'rolebinding', 'quorum-self-register-test-cp-reader', '--ignore-not-found').catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
});

test('two replicas at once register the cluster they run in once, labelled, with a working token; again: unchanged', { timeout: 120_000 }, async () => {
  const [a, b] = await Promise.all([ensureSelfRegistered(cfgFor(dirA), log), ensureSelfRegistered(cfgFor(dirB), log)]);
  assert.deepEqual([a, b].sort(), ['created', 'unchanged']);
  const all = await listClusters();
  assert.equal(all.filter((c) => c.name === 'in-cluster').length, 1);
  const c = (await getCluster('in-cluster'))!;
  assert.equal(c.labels[IN_CLUSTER_LABEL], 'true');
  assert.equal(c.server, 'https://127.0.0.1:16443');
  const t = await testConnection({ kubeconfigText: await loadClusterKubeconfig(c.id) });
  assert.ok(t.ok, JSON.stringify(t.error));
  assert.equal(t.readyz?.allowed, true, 'the ServiceAccount may read /readyz (the chart\'s RBAC)');
  assert.equal(await ensureSelfRegistered(cfgFor(dirA), log), 'unchanged');
  assert.equal(await ensureSelfRegistered(cfgFor(dirB), log), 'unchanged');
  assert.equal((await getCluster('in-cluster'))!.updatedAt, c.updatedAt, 'nothing rewritten: no churn for the collectors');
});

test('the stored token dies with its pod (its bound object deleted): another replica stores its own', { timeout: 120_000 }, async () => {
  const c = (await getCluster('in-cluster'))!;
  const stored = JSON.parse(await loadClusterKubeconfig(c.id)) as { users: Array<{ user: { token: string } }> };
  const owner = stored.users[0]!.user.token === readFileSync(path.join(dirA, 'token'), 'utf8').trim() ? 'pod-a' : 'pod-b';
  const other = owner === 'pod-a' ? dirB : dirA;
  await k('-n', NS, 'delete', 'secret', owner, '--wait=true');
  // The API server refuses a token whose bound object is gone — once its token-authentication cache
  // (10 s for a success, kube-apiserver's default) forgets that the token just worked.
  const kubeconfigText = await loadClusterKubeconfig(c.id);
  const deadline = Date.now() + 60_000;
  let dead = await testConnection({ kubeconfigText });
  while (dead.ok && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    dead = await testConnection({ kubeconfigText });
  }
  assert.equal(dead.error?.errorClass, 'unauthorized', JSON.stringify(dead.error ?? 'still accepted after 60 s'));
  assert.equal(await ensureSelfRegistered(cfgFor(other), log), 'updated');
  assert.ok(logs.some((l) => l.event === 'self-registration-renewed' && /the stored token was refused/.test(String(l.why))));
  const after = (await getCluster('in-cluster'))!;
  assert.equal(after.id, c.id, 'the same cluster (its history stays)');
  assert.ok((await testConnection({ kubeconfigText: await loadClusterKubeconfig(c.id) })).ok);
});

test('a cluster of that name registered by a person is never touched', { timeout: 120_000 }, async () => {
  await removeCluster('in-cluster');
  const mine = await registerCluster({ name: 'in-cluster', kubeconfigText: readFileSync(path.join(labState, 'quorum.kubeconfig'), 'utf8') });
  assert.equal(await ensureSelfRegistered(cfgFor(dirA), log), 'name-taken');
  const still = (await getCluster('in-cluster'))!;
  assert.equal(still.updatedAt, mine.updatedAt);
  assert.equal(still.labels[IN_CLUSTER_LABEL], undefined);
});
