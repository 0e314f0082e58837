// The Helm chart deploy/helm/quorum, checked for real with helm v3 built from its Go module
// (lab/build-tools.sh helm) and the lab's API server:
//   1. `helm lint --strict` with the default values and every values file in ci/;
//   2. `helm template` for each: what an SRE expects is there (non-root, read-only root filesystem,
//      probes on /livez and /readyz, PDBs, Secrets by reference, one SQLite pod, the RBAC of
//      deploy/rbac.yaml …) and impossible settings are refused with a message;
//   3. every rendering applied to the lab's API server with `kubectl apply --dry-run=server` (admission,
//      schema and defaulting by the real kube-apiserver; the ServiceMonitor against the Prometheus
//      Operator's own CRD, taken from its Go module and removed again afterwards);
//   4. `helm install --wait` on three kwok nodes added to the lab (both modes: PostgreSQL with three web and
//      three collector replicas, SQLite in one pod), every Deployment Available and every pod on a kwok node;
//      `helm upgrade` scales, `helm uninstall` leaves nothing but the kept volume claim. kwok plays the kubelet:
//      it reports the pods Running and Ready without pulling the image or running it (README "Running in
//      production" says what that does not prove).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { lab } from '../support/lab-cli';

const root = path.resolve(import.meta.dirname, '..', '..');
const chart = path.join(root, 'deploy', 'helm', 'quorum');
const helm = path.join(root, 'lab', '.bin', 'helm');
const kubectl = path.join(root, 'lab', '.bin', 'kubectl');
const labState = path.resolve(process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state'));
const admin = path.join(labState, 'admin.kubeconfig');
const NAMESPACE = 'quorum-helm-test';
const versions: Record<string, string> = Object.fromEntries(
  readFileSync(path.join(root, 'lab', 'versions.env'), 'utf8')
    .split('\n')
    .flatMap((l) => {
      const m = /^([A-Z_]+)=(.*)$/.exec(l.trim());
      return m ? [[m[1]!, m[2]!] as const] : [];
    }),
);
const exec = promisify(execFile);

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown>; rules?: unknown[] } & Record<string, unknown>;
type Container = { name: string; image: string; args?: string[]; env?: Array<{ name: string; value?: string; valueFrom?: Record<string, Record<string, string>> }>; securityContext?: Record<string, unknown>; resources?: Record<string, unknown>; livenessProbe?: { httpGet?: { path: string } }; readinessProbe?: { httpGet?: { path: string } }; lifecycle?: { preStop?: { sleep?: { seconds: number } } }; volumeMounts?: Array<{ mountPath: string }> };

const valueSets: Record<string, string[]> = {
  default: [],
  ...Object.fromEntries(
    readdirSync(path.join(chart, 'ci'))
      .filter((f) => f.endsWith('-values.yaml'))
      .map((f) => [f.replace(/-values\.yaml$/, ''), ['-f', path.join(chart, 'ci', f)]]),
  ),
};

async function template(args: string[]): Promise<Obj[]> {
  const { stdout } = await exec(helm, ['template', 'q', chart, '--namespace', NAMESPACE, '--kube-version', versions.KUBERNETES_VERSION!, ...args], { maxBuffer: 16 << 20 });
  return parseAllDocuments(stdout).flatMap((d) => {
    if (d.errors.length) throw new Error(`invalid YAML from helm template: ${d.errors[0]!.message}`);
    const o = d.toJS() as Obj | null;
    return o ? [o] : [];
  });
}

const rendered = new Map<string, Obj[]>();
const byKind = (objs: Obj[], kind: string): Obj[] => objs.filter((o) => o.kind === kind);
const podSpec = (d: Obj): { containers: Container[]; securityContext: Record<string, unknown>; automountServiceAccountToken?: boolean; volumes: Array<Record<string, unknown>> } =>
  (d.spec as { template: { spec: ReturnType<typeof podSpec> } }).template.spec;
const env = (c: Container, name: string): Container['env'] extends Array<infer E> | undefined ? E | undefined : never => c.env?.find((e) => e.name === name);

before(async () => {
  assert.ok(existsSync(helm), `${helm} missing: bash lab/build-tools.sh helm`);
  for (const [name, args] of Object.entries(valueSets)) rendered.set(name, await template(args));
});

const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding']);

test('every namespaced object names its namespace: the release\'s, or a control-plane namespace for its RoleBindings', () => {
  for (const [name, objs] of rendered) {
    for (const o of objs) {
      const where = `${name}/${o.kind}/${o.metadata.name}`;
      if (CLUSTER_SCOPED.has(o.kind)) assert.equal(o.metadata.namespace, undefined, where);
      else if (o.kind === 'RoleBinding') assert.notEqual(o.metadata.namespace, undefined, where);
      else assert.equal(o.metadata.namespace, NAMESPACE, where);
    }
  }
});

test('helm is the pinned version, built from its Go module', async () => {
  const { stdout } = await exec(helm, ['version', '--short']);
  assert.match(stdout, new RegExp(`^${versions.HELM_VERSION!.replace(/\./g, '\\.')}`));
});

test('helm lint --strict passes for the default values and every values file in ci/', async () => {
  assert.ok(Object.keys(valueSets).length >= 4, `value sets: ${Object.keys(valueSets).join(', ')}`);
  for (const [name, args] of Object.entries(valueSets)) {
    const { stdout } = await exec(helm, ['lint', '--strict', chart, ...args]);
    assert.match(stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/, `${name}: ${stdout}`);
  }
});

test('every pod runs as non-root with a read-only root filesystem, no capabilities, resources and probes', () => {
  for (const [name, objs] of rendered) {
    const deployments = byKind(objs, 'Deployment');
    assert.ok(deployments.length > 0, name);
    for (const d of deployments) {
      const spec = podSpec(d);
      assert.equal(spec.securityContext.runAsNonRoot, true, `${name}/${d.metadata.name}`);
      assert.deepEqual(spec.securityContext.seccompProfile, { type: 'RuntimeDefault' });
      for (const c of spec.containers) {
        const where = `${name}/${d.metadata.name}/${c.name}`;
        assert.equal(c.securityContext?.readOnlyRootFilesystem, true, where);
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, where);
        assert.deepEqual((c.securityContext?.capabilities as { drop: string[] } | undefined)?.drop, ['ALL'], where);
        assert.ok(c.resources && (c.resources as { requests?: unknown }).requests, `${where}: resources`);
        assert.equal(c.livenessProbe?.httpGet?.path, '/livez', where);
        assert.equal(c.readinessProbe?.httpGet?.path, '/readyz', where);
        assert.ok(c.volumeMounts?.some((m) => m.mountPath === '/tmp') && c.volumeMounts.some((m) => m.mountPath === '/data'), `${where}: writable /tmp and /data`);
        if (c.name === 'web') assert.equal(c.lifecycle?.preStop?.sleep?.seconds, 5, `${where}: preStop sleep before SIGTERM`);
      }
    }
  }
});

test('SQLite: one pod (web + collector containers, Recreate) on a kept PersistentVolumeClaim; no PDB', () => {
  const objs = rendered.get('default')!;
  const [d, ...more] = byKind(objs, 'Deployment');
  assert.equal(more.length, 0);
  assert.equal((d!.spec as { replicas: number }).replicas, 1);
  assert.deepEqual((d!.spec as { strategy: unknown }).strategy, { type: 'Recreate' });
  assert.deepEqual(podSpec(d!).containers.map((c) => `${c.name}:${(c.args ?? [])[0]}`), ['web:web', 'collector:collector']);
  const [pvc] = byKind(objs, 'PersistentVolumeClaim');
  assert.equal(pvc?.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
  assert.equal(byKind(objs, 'PodDisruptionBudget').length, 0);
  assert.equal(podSpec(d!).automountServiceAccountToken, false, 'no ServiceAccount token unless in-cluster mode');
  const web = podSpec(d!).containers[0]!;
  assert.equal(env(web, 'DATABASE_URL'), undefined);
  assert.match(env(web, 'QUORUM_ALLOWED_HOSTS')!.value!, /^q-quorum,q-quorum\.quorum-helm-test,q-quorum\.quorum-helm-test\.svc,q-quorum\.quorum-helm-test\.svc\.cluster\.local$/);
  const ing = byKind(rendered.get('sqlite')!, 'Ingress')[0]!;
  assert.equal((ing.spec as { ingressClassName: string }).ingressClassName, 'nginx');
  assert.equal(env(podSpec(byKind(rendered.get('sqlite')!, 'Deployment')[0]!).containers[0]!, 'QUORUM_TRUST_PROXY')!.value, '1', 'behind the ingress the client address comes from X-Forwarded-For');
});

test('PostgreSQL: web and collector Deployments scale apart, Secrets by reference, PDBs, each collector named after its pod', () => {
  const objs = rendered.get('postgresql')!;
  const deps = new Map(byKind(objs, 'Deployment').map((d) => [d.metadata.name, d]));
  assert.deepEqual([...deps.keys()].sort(), ['q-quorum-collector', 'q-quorum-web']);
  assert.equal((deps.get('q-quorum-web')!.spec as { replicas: number }).replicas, 3);
  assert.equal((deps.get('q-quorum-collector')!.spec as { replicas: number }).replicas, 3);
  for (const d of deps.values()) {
    for (const c of podSpec(d).containers) {
      assert.deepEqual(env(c, 'DATABASE_URL')?.valueFrom, { secretKeyRef: { name: 'quorum-db', key: 'DATABASE_URL' } });
      assert.deepEqual(env(c, 'QUORUM_SECRET_KEY')?.valueFrom, { secretKeyRef: { name: 'quorum-secret-key', key: 'QUORUM_SECRET_KEY' } });
    }
  }
  const collector = podSpec(deps.get('q-quorum-collector')!).containers[0]!;
  assert.deepEqual(env(collector, 'QUORUM_COLLECTOR_NAME')?.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
  assert.deepEqual(byKind(objs, 'PodDisruptionBudget').map((p) => [p.metadata.name, (p.spec as Record<string, unknown>).minAvailable ?? (p.spec as Record<string, unknown>).maxUnavailable]), [['q-quorum-web', 1], ['q-quorum-collector', 1]]);
  assert.equal(byKind(objs, 'PersistentVolumeClaim').length, 0);
  const svc = byKind(objs, 'Service')[0]!;
  assert.equal((svc.spec as { selector: Record<string, string> }).selector['app.kubernetes.io/component'], 'web');
});

test('everything on: image digest, ServiceMonitor with its extra labels and a token, NetworkPolicy, TLS ingress, in-cluster mode mounts the token', () => {
  const objs = rendered.get('full')!;
  for (const d of byKind(objs, 'Deployment')) for (const c of podSpec(d).containers) assert.equal(c.image, 'registry.example.com/sre/quorum@sha256:0000000000000000000000000000000000000000000000000000000000000000');
  const sm = byKind(objs, 'ServiceMonitor')[0]!;
  assert.equal(sm.metadata.labels?.release, 'kube-prometheus-stack');
  assert.equal(sm.metadata.labels?.team, 'sre');
  assert.deepEqual((sm.spec as { endpoints: Array<Record<string, unknown>> }).endpoints[0]!.authorization, { type: 'Bearer', credentials: { name: 'quorum-prometheus-token', key: 'token' } });
  assert.equal(byKind(objs, 'NetworkPolicy').length, 1);
  assert.deepEqual((byKind(objs, 'Ingress')[0]!.spec as { tls: unknown }).tls, [{ hosts: ['quorum.example.com'], secretName: 'quorum-tls' }]);
  const collector = byKind(objs, 'Deployment').find((d) => d.metadata.name.endsWith('-collector'))!;
  assert.equal(podSpec(collector).automountServiceAccountToken, true);
  assert.equal(env(podSpec(collector).containers[0]!, 'QUORUM_SELF_REGISTER')?.value, 'true');
  assert.equal(env(podSpec(collector).containers[0]!, 'QUORUM_SELF_CLUSTER_NAME')?.value, 'home');
  const web = byKind(objs, 'Deployment').find((d) => d.metadata.name.endsWith('-web'))!;
  assert.equal(podSpec(web).automountServiceAccountToken, false, 'the web app never needs the cluster API');
  assert.match(env(podSpec(web).containers[0]!, 'QUORUM_ALLOWED_HOSTS')!.value!, /,quorum\.example\.com,quorum\.internal\.example\.com$/);
  assert.deepEqual(env(podSpec(web).containers[0]!, 'QUORUM_OIDC_CLIENT_SECRET')?.valueFrom, { secretKeyRef: { name: 'quorum-oidc', key: 'QUORUM_OIDC_CLIENT_SECRET' } });
});

test('the chart\'s RBAC is deploy/rbac.yaml\'s (same rules, bound to the ServiceAccount in the same namespaces)', () => {
  const mine = parseAllDocuments(readFileSync(path.join(root, 'deploy', 'rbac.yaml'), 'utf8')).map((d) => d.toJS() as Obj);
  const objs = rendered.get('postgresql')!;
  for (const role of ['quorum-reader', 'quorum-control-plane-reader']) {
    const a = mine.find((o) => o.kind === 'ClusterRole' && o.metadata.name === role)!;
    const b = objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === `q-${role}`)!;
    assert.deepEqual(b.rules, a.rules, role);
  }
  const nsOf = (objs2: Obj[]): string[] => objs2.filter((o) => o.kind === 'RoleBinding').map((o) => o.metadata.namespace!).sort();
  assert.deepEqual(nsOf(objs), nsOf(mine));
  for (const rb of objs.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) assert.deepEqual((rb as { subjects?: unknown }).subjects, [{ kind: 'ServiceAccount', name: 'q-quorum', namespace: NAMESPACE }]);
});

test('settings that cannot work are refused with a message saying what to do', async () => {
  const refuse = async (args: string[], re: RegExp): Promise<void> => {
    await assert.rejects(template(args), (e: Error & { stderr?: string }) => re.test(e.stderr ?? e.message));
  };
  await refuse(['--set', 'database.type=postgresql'], /needs database\.postgresql\.existingSecret/);
  await refuse(['--set', 'database.type=postgresql', '--set', 'database.postgresql.existingSecret=db'], /needs secretKey\.existingSecret: every replica must use the same credentials key/);
  await refuse(['--set', 'database.type=mysql'], /database\.type must be sqlite or postgresql/);
  await refuse(['--set', 'serviceMonitor.enabled=true'], /needs serviceMonitor\.bearerTokenSecret\.name/);
  await refuse(['--set', 'collector.sessionTimeoutMs=3000'], /sessionTimeoutMs must be at least 3/);
});

// ---- the real API server -------------------------------------------------------------------------

async function kubectlIn(args: string[], input?: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(kubectl, ['--kubeconfig', admin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(input ?? '');
  });
}

/** The ServiceMonitor CRD of the pinned Prometheus Operator, from its Go module (go mod download). */
async function serviceMonitorCrd(): Promise<string> {
  const mod = `github.com/prometheus-operator/prometheus-operator@${versions.PROMETHEUS_OPERATOR_VERSION}`;
  const { stdout } = await exec('go', ['mod', 'download', '-json', mod], { env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' }, cwd: root, maxBuffer: 1 << 20 });
  const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  assert.ok(dir, `go mod download ${mod}: ${stdout}`);
  return readFileSync(path.join(dir, 'example', 'prometheus-operator-crd', 'monitoring.coreos.com_servicemonitors.yaml'), 'utf8');
}

let crdCreated = false;
let nsCreated = false;
after(async () => {
  if (crdCreated) await kubectlIn(['delete', 'crd', 'servicemonitors.monitoring.coreos.com', '--wait=true']);
  if (nsCreated) await kubectlIn(['delete', 'namespace', NAMESPACE, '--wait=true']);
});

test('every rendering passes server-side validation by the lab\'s kube-apiserver (kubectl apply --dry-run=server)', { timeout: 300_000 }, async () => {
  assert.ok(existsSync(admin), `${admin} missing: npm run lab -- up`);
  const present = await kubectlIn(['get', 'crd', 'servicemonitors.monitoring.coreos.com', '-o', 'name']);
  if (present.code !== 0) {
    const c = await kubectlIn(['create', '-f', '-'], await serviceMonitorCrd());
    assert.equal(c.code, 0, c.out);
    crdCreated = true;
    const w = await kubectlIn(['wait', '--for=condition=Established', '--timeout=60s', 'crd/servicemonitors.monitoring.coreos.com']);
    assert.equal(w.code, 0, w.out);
  }
  const ns = await kubectlIn(['create', 'namespace', NAMESPACE]);
  assert.equal(ns.code, 0, ns.out);
  nsCreated = true;
  for (const [name, args] of Object.entries(valueSets)) {
    const { stdout } = await exec(helm, ['template', 'q', chart, '--namespace', NAMESPACE, '--kube-version', versions.KUBERNETES_VERSION!, ...args], { maxBuffer: 16 << 20 });
    // No --namespace: every object says where it goes (as `helm template | kubectl apply -f -` needs), some outside the release's.
    const r = await kubectlIn(['apply', '--dry-run=server', '-f', '-'], stdout);
    assert.equal(r.code, 0, `${name}: ${r.out}`);
    const lines = r.out.trim().split('\n');
    assert.equal(lines.length, rendered.get(name)!.length, `${name}: every object accepted: ${r.out}`);
    assert.ok(lines.every((l) => / (created|configured|unchanged) \(server dry run\)$/.test(l)), `${name}: ${r.out}`);
  }
});

// ---- installed on kwok nodes ----------------------------------------------------------------------

const INSTALL_NS = 'quorum-helm-install';
const KWOK_NODES = 3;
let kwokAdded = false;
let installNsCreated = false;
after(async () => {
  if (installNsCreated) await kubectlIn(['delete', 'namespace', INSTALL_NS, '--wait=true']);
  if (kwokAdded) {
    const r = await lab('kwok', 'remove');
    assert.deepEqual(r.left, { nodes: 0, ready: 0, pods: 0, notRunning: 0 });
  }
});

async function helmIn(args: string[]): Promise<string> {
  const { stdout } = await exec(helm, [...args, '--kubeconfig', admin, '--namespace', INSTALL_NS], { maxBuffer: 16 << 20, timeout: 300_000 });
  return stdout;
}

interface DeploymentStatus { metadata: { name: string }; spec: { replicas: number }; status: { readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number; conditions?: Array<{ type: string; status: string }> } }
interface PodFacts { metadata: { name: string; labels?: Record<string, string> }; spec: { nodeName?: string }; status: { phase?: string; conditions?: Array<{ type: string; status: string }> } }

async function getJson<T>(args: string[]): Promise<T> {
  const r = await kubectlIn([...args, '--namespace', INSTALL_NS, '-o', 'json']);
  assert.equal(r.code, 0, r.out);
  return JSON.parse(r.out) as T;
}

/** Every Deployment of the release Available with all replicas ready and updated; every pod Ready on a kwok node. */
async function assertAvailable(release: string, expected: Record<string, number>): Promise<void> {
  const deps = (await getJson<{ items: DeploymentStatus[] }>(['get', 'deployments', '-l', `app.kubernetes.io/instance=${release}`])).items;
  assert.deepEqual(Object.fromEntries(deps.map((d) => [d.metadata.name, d.spec.replicas])), expected, `${release}: its Deployments`);
  for (const d of deps) {
    const available = d.status.conditions?.find((c) => c.type === 'Available');
    assert.equal(available?.status, 'True', `${d.metadata.name}: ${JSON.stringify(d.status)}`);
    assert.equal(d.status.readyReplicas, d.spec.replicas, `${d.metadata.name}: ready replicas`);
    assert.equal(d.status.availableReplicas, d.spec.replicas, `${d.metadata.name}: available replicas`);
    assert.equal(d.status.updatedReplicas, d.spec.replicas, `${d.metadata.name}: updated replicas`);
  }
  const pods = (await getJson<{ items: PodFacts[] }>(['get', 'pods', '-l', `app.kubernetes.io/instance=${release}`])).items;
  const running = pods.filter((p) => p.status.phase === 'Running');
  assert.equal(running.length, Object.values(expected).reduce((a, b) => a + b, 0), `${release}: running pods ${pods.map((p) => `${p.metadata.name}=${p.status.phase}`).join(', ')}`);
  for (const p of running) {
    assert.match(p.spec.nodeName ?? '', /^kwok-node-\d{5}$/, `${p.metadata.name} runs on a kwok node`);
    assert.equal(p.status.conditions?.find((c) => c.type === 'Ready')?.status, 'True', `${p.metadata.name} Ready`);
  }
}

test('the chart installs on kwok nodes: every Deployment becomes Available, upgrade scales, uninstall cleans up', { timeout: 600_000 }, async (t) => {
  assert.ok(existsSync(admin), `${admin} missing: npm run lab -- up`);
  const added = await lab('kwok', 'add', '--nodes', String(KWOK_NODES), '--pods-per-node', '0');
  kwokAdded = true;
  assert.equal(added.nodes, KWOK_NODES);
  const ns = await kubectlIn(['create', 'namespace', INSTALL_NS]);
  assert.equal(ns.code, 0, ns.out);
  installNsCreated = true;
  // The Secrets an operator creates before installing the PostgreSQL mode (values ci/postgresql-values.yaml).
  for (const [name, key, value] of [['quorum-db', 'DATABASE_URL', 'postgres://quorum:quorum@db.invalid:5432/quorum'], ['quorum-secret-key', 'QUORUM_SECRET_KEY', randomKeyHex()]] as const) {
    const r = await kubectlIn(['create', 'secret', 'generic', name, `--from-literal=${key}=${value}`, '--namespace', INSTALL_NS]);
    assert.equal(r.code, 0, r.out);
  }
  // Only the kwok nodes can "run" pods (the lab's three workers are heartbeats without a kubelet).
  const onKwok = ['--set', 'web.nodeSelector.type=kwok', '--set', 'collector.nodeSelector.type=kwok'];
  const started = Date.now();
  const pg = await helmIn(['install', 'pg', chart, '-f', path.join(chart, 'ci', 'postgresql-values.yaml'), ...onKwok, '--wait', '--timeout', '4m']);
  assert.match(pg, /STATUS: deployed/, pg);
  t.diagnostic(`postgresql mode (3 web + 3 collectors) Available after ${Date.now() - started} ms`);
  await assertAvailable('pg', { 'pg-quorum-web': 3, 'pg-quorum-collector': 3 });
  const pdbs = (await getJson<{ items: Array<{ metadata: { name: string }; status: { currentHealthy: number; disruptionsAllowed: number } }> }>(['get', 'pdb', '-l', 'app.kubernetes.io/instance=pg'])).items;
  assert.deepEqual(pdbs.map((p) => [p.metadata.name, p.status.currentHealthy]).sort(), [['pg-quorum-collector', 3], ['pg-quorum-web', 3]], 'the PDBs see every replica healthy');

  const up = await helmIn(['upgrade', 'pg', chart, '-f', path.join(chart, 'ci', 'postgresql-values.yaml'), ...onKwok, '--set', 'web.replicas=2', '--set', 'collector.replicas=4', '--wait', '--timeout', '4m']);
  assert.match(up, /REVISION: 2/, up);
  await assertAvailable('pg', { 'pg-quorum-web': 2, 'pg-quorum-collector': 4 });

  // SQLite mode: one pod, web + collector containers; the lab has no volume provisioner, so persistence off.
  const lite = await helmIn(['install', 'lite', chart, ...onKwok, '--set', 'persistence.enabled=false', '--wait', '--timeout', '4m']);
  assert.match(lite, /STATUS: deployed/, lite);
  await assertAvailable('lite', { 'lite-quorum': 1 });

  for (const release of ['pg', 'lite']) {
    const out = await helmIn(['uninstall', release, '--wait', '--timeout', '2m']);
    assert.match(out, new RegExp(`release "${release}" uninstalled`), out);
  }
  const left = await kubectlIn(['get', 'deployments,pods,services,pdb,serviceaccounts', '--namespace', INSTALL_NS, '-l', 'app.kubernetes.io/name=quorum', '-o', 'name']);
  assert.equal(left.code, 0, left.out);
  assert.equal(left.out.trim(), '', `left after uninstall: ${left.out}`);
});

function randomKeyHex(): string {
  return randomBytes(32).toString('hex');
}
