// Simulated workers at scale with kwok (sigs.k8s.io/kwok, built by lab/build.sh): `lab kwok add` creates
// Node objects of realistic size (50 images, labels, conditions, addresses, nodeInfo, zones, a pod CIDR)
// and Pods already bound to them (spec.nodeName: no scheduler round trip), several containers each
// with requests, some with init containers or a RuntimeClass overhead; kwok (supervised, started by
// the supervisor when lab.json has kwok settings) keeps the nodes' leases and status fresh and runs the
// pods. `lab kwok remove` takes everything away again (the lab's standard state has no kwok objects).
// Fault helpers: a node NotReady (kwok lets go of it and its kubelet "reports" NotReady), a drain
// (kubectl drain), and back.
import { setTimeout as sleep } from 'node:timers/promises';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { etcdStatus } from './checks';
import { prng } from './prng';
import { type KubeResponse, request } from './kube';
import { caPem, tokenFor } from './pki';
import { writeKwokConfig } from './procs';
import { pidAlive, readConfig, readState, writeConfig } from './state';
import { BIN_DIR, KWOK_DEFAULTS, KWOK_MANAGED_LABEL, KWOK_NODE_LABEL, type KwokSettings, LB_URL, PORTS, nodesFor, paths } from './topology';
import { UsageError } from './fault';

const run = promisify(execFile);
const say = (m: string): void => void process.stderr.write(`[lab kwok] ${m}\n`);
const t = () => ({ server: LB_URL, token: tokenFor('admin'), ca: caPem() });

const KWOK_NAMESPACES = 20;
const NS_PREFIX = 'kwok-team-';
const NODE_PREFIX = 'kwok-node-';
const POD_LABEL = 'qlab/kwok';
const RUNTIME_CLASS = 'kwok-sandboxed';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const enc = encodeURIComponent;

const kwokNodeName = (i: number): string => `${NODE_PREFIX}${String(i).padStart(5, '0')}`;
const nsName = (k: number): string => `${NS_PREFIX}${String(k + 1).padStart(2, '0')}`;

const hex = (r: () => number, n: number): string => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');

const INSTANCE_TYPES = [
  { type: 'm5.xlarge', cpu: 4, memGi: 16 },
  { type: 'm5.2xlarge', cpu: 8, memGi: 32 },
  { type: 'c5.4xlarge', cpu: 16, memGi: 32 },
  { type: 'r5.2xlarge', cpu: 8, memGi: 64 },
] as const;
const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;

export interface NodeShape { name: string; zone: string; allocCpuMillis: number; allocMemKi: number; gpu: boolean; instance: string }

/** The i-th kwok node (1-based): every 100th is a tainted GPU node, the rest cycle through instance types and zones. */
function nodeShape(i: number): NodeShape {
  const gpu = i % 100 === 0;
  const it = gpu ? { type: 'p3.2xlarge', cpu: 8, memGi: 61 } : INSTANCE_TYPES[i % INSTANCE_TYPES.length]!;
  const capKi = it.memGi * 1024 * 1024;
  return { name: kwokNodeName(i), zone: ZONES[i % ZONES.length]!, allocCpuMillis: it.cpu * 1000 - 80, allocMemKi: capKi - (Math.round(capKi * 0.05) + 512 * 1024), gpu, instance: it.type };
}

function nodeObject(i: number): Record<string, unknown> {
  const s = nodeShape(i);
  const r = prng(i * 7919);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cond = (type: string, status: string, reason: string, message: string): Record<string, string> => ({ type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now });
  const images = Array.from({ length: 50 }, (_, k) => {
    const repo = `registry.example.com/team-${String(k % 20).padStart(2, '0')}/service-${String((i + k * 37) % 400).padStart(3, '0')}`;
    return { names: [`${repo}@sha256:${hex(r, 64)}`, `${repo}:v1.${k % 12}.${Math.floor(r() * 30)}`], sizeBytes: 20_000_000 + Math.floor(r() * 880_000_000) };
  });
  const cap = { cpu: String(s.allocCpuMillis / 1000 + 0.08), memory: `${s.allocMemKi + Math.round(s.allocMemKi * 0.06)}Ki` };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: s.name,
      labels: {
        type: 'kwok', [KWOK_MANAGED_LABEL]: 'true',
        'kubernetes.io/hostname': s.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/worker': '', 'node.kubernetes.io/instance-type': s.instance, 'beta.kubernetes.io/instance-type': s.instance,
        'topology.kubernetes.io/region': 'qlab', 'topology.kubernetes.io/zone': s.zone, 'failure-domain.beta.kubernetes.io/zone': s.zone,
        'qlab/nodepool': s.gpu ? 'gpu' : `general-${i % 4}`, 'qlab/capacity-type': i % 5 === 0 ? 'spot' : 'on-demand',
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        'kwok.x-k8s.io/node': 'fake', 'qlab/created-by': 'lab kwok add',
      },
    },
    spec: {
      podCIDR: `10.${128 + (i >> 8)}.${i & 255}.0/24`, podCIDRs: [`10.${128 + (i >> 8)}.${i & 255}.0/24`],
      providerID: `kwok://qlab/${s.zone}/${s.name}`,
      ...(s.gpu ? { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } : {}),
    },
    status: {
      phase: 'Running',
      capacity: { ...cap, pods: '110', 'ephemeral-storage': '104845292Ki', 'hugepages-2Mi': '0', 'hugepages-1Gi': '0' },
      allocatable: { cpu: `${s.allocCpuMillis}m`, memory: `${s.allocMemKi}Ki`, pods: '110', 'ephemeral-storage': '96625420948', 'hugepages-2Mi': '0', 'hugepages-1Gi': '0' },
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [{ type: 'InternalIP', address: `10.214.${i >> 8}.${i & 255}` }, { type: 'Hostname', address: s.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: hex(r, 32), systemUUID: `ec2${hex(r, 5)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`, bootID: `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`,
        kernelVersion: '6.1.112-124.190.amzn2023.x86_64', osImage: 'Amazon Linux 2023.6.20241111', containerRuntimeVersion: 'containerd://1.7.23',
        kubeletVersion: 'v1.35.4', kubeProxyVersion: 'v1.35.4', operatingSystem: 'linux', architecture: 'amd64',
      },
      images,
    },
  };
}

export interface PodShape { namespace: string; name: string; node: string; appCpuMillis: number; appMemMi: number; initCpuMillis: number | null; initMemMi: number | null; sandboxed: boolean; gpu: boolean }

/**
 * The j-th pod of node i: together the pods of a node request about 55–60 % of its allocatable CPU
 * and memory (some headroom, as a cluster autoscaler would leave it), app + proxy + log shipper.
 */
function podShape(i: number, j: number, perNode: number): PodShape {
  const s = nodeShape(i);
  const r = prng(i * 104729 + j);
  const g = (i - 1) * perNode + j;
  const budgetCpu = (0.55 * s.allocCpuMillis) / perNode;
  const budgetMemMi = (0.5 * s.allocMemKi) / 1024 / perNode;
  const appCpuMillis = Math.max(10, Math.round((budgetCpu * (0.7 + 0.5 * r()) - 70) / 10) * 10);
  const appMemMi = Math.max(32, Math.round((budgetMemMi * (0.7 + 0.5 * r()) - 96) / 16) * 16);
  const init = g % 7 === 3;
  return {
    namespace: nsName(g % KWOK_NAMESPACES), name: `svc-${String(i).padStart(5, '0')}-${String(j).padStart(2, '0')}`, node: s.name,
    appCpuMillis, appMemMi,
    initCpuMillis: init ? Math.round((appCpuMillis * 1.5) / 10) * 10 + 70 : null,
    initMemMi: init ? appMemMi + 64 : null,
    sandboxed: g % 20 === 11, gpu: s.gpu,
  };
}

function podObject(p: PodShape): Record<string, unknown> {
  const r = prng(p.name.length * 31 + p.appCpuMillis * 7 + p.appMemMi);
  const app = `svc-${p.name.slice(4, 9)}`;
  const res = (cpu: number, memMi: number) => ({ requests: { cpu: `${cpu}m`, memory: `${memMi}Mi` }, limits: { memory: `${memMi * 2}Mi` } });
  const env = [
    { name: 'SERVICE_NAME', value: app }, { name: 'LOG_LEVEL', value: 'info' },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability.svc:4317' },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  ];
  const spec = {
    nodeName: p.node,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: 30,
    ...(p.sandboxed ? { runtimeClassName: RUNTIME_CLASS } : {}),
    ...(p.gpu ? { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] } : {}),
    ...(p.initCpuMillis !== null && p.initMemMi !== null ? { initContainers: [{ name: 'migrate', image: `registry.example.com/${p.namespace}/${app}-migrate:v1.4.${Math.floor(r() * 9)}`, command: ['/bin/migrate', '--wait'], resources: res(p.initCpuMillis, p.initMemMi) }] } : {}),
    containers: [
      {
        name: 'app', image: `registry.example.com/${p.namespace}/${app}:v2.${Math.floor(r() * 20)}.${Math.floor(r() * 9)}`, ports: [{ name: 'http', containerPort: 8080 }],
        env, resources: res(p.appCpuMillis, p.appMemMi), readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 10 },
      },
      { name: 'proxy', image: 'registry.example.com/mesh/proxy:v1.24.2', args: ['proxy', 'sidecar'], resources: res(50, 64) },
      { name: 'log-shipper', image: 'registry.example.com/observability/fluent-bit:3.2.1', resources: res(20, 32) },
    ],
  };
  const labels = { app, team: p.namespace, 'pod-template-hash': hex(r, 10), [POD_LABEL]: 'true' };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: p.name, namespace: p.namespace, labels,
      annotations: {
        // What `kubectl apply` leaves behind: the whole applied object again.
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: p.namespace, labels }, spec }),
      },
    },
    spec,
  };
}

/** Runs fn over items with at most n at once. */
async function pool<T>(items: readonly T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

const retryable = (status: number): boolean => status === 0 || status === 429 || status >= 500;

/** A request, retried with a growing pause on 429 / 5xx / a reset connection (the apiserver sheds load, a restarting LB resets). */
async function send(what: string, method: string, url: string, body?: unknown, o: { contentType?: string; ok?: (s: number) => boolean; timeoutMs?: number; accept?: string } = {}): Promise<KubeResponse> {
  const ok = o.ok ?? ((s: number) => s < 300);
  for (let attempt = 0; ; attempt++) {
    const r = await request(t(), method, url, body, { timeoutMs: o.timeoutMs ?? 30_000, ...(o.contentType ? { contentType: o.contentType } : {}), ...(o.accept ? { accept: o.accept } : {}) })
      .catch((e: unknown): KubeResponse => ({ status: 0, body: (e as Error).message, json: <T>() => ({}) as T }));
    if (ok(r.status)) return r;
    if (!retryable(r.status) || attempt >= 6) throw new Error(`${what}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
    await sleep(250 * 2 ** attempt);
  }
}

/** Rows of a Table list (the server's printed columns, no objects): cheap even for 50,000 pods. cells[0] is the name. */
async function table(url: string, select: string): Promise<Array<{ name: string; cells: unknown[] }>> {
  const out: Array<{ name: string; cells: unknown[] }> = [];
  let cont = '';
  do {
    const r = await send(`list ${url}`, 'GET', `${url}?limit=1000&includeObject=None${select ? `&${select}` : ''}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, undefined, { accept: TABLE, ok: (st) => st < 300 || st === 404 });
    if (r.status === 404) return out; // the namespace does not exist (yet / any more)
    const tb = r.json<{ metadata?: { continue?: string }; rows?: Array<{ cells: unknown[] }> }>();
    for (const row of tb.rows ?? []) out.push({ name: String(row.cells[0]), cells: row.cells });
    cont = tb.metadata?.continue ?? '';
  } while (cont);
  return out;
}

/** namespace/name of every kwok pod (one Table list per kwok namespace). */
async function kwokPods(select = ''): Promise<string[]> {
  const out: string[] = [];
  for (let k = 0; k < KWOK_NAMESPACES; k++) {
    for (const row of await table(`/api/v1/namespaces/${nsName(k)}/pods`, `labelSelector=${enc(`${POD_LABEL}=true`)}${select}`)) out.push(`${nsName(k)}/${row.name}`);
  }
  return out;
}


export interface KwokCounts { nodes: number; ready: number; pods: number; notRunning: number }

/** Counts of kwok nodes (Ready) and kwok pods (not yet Running), from metadata-only tables. */
export async function kwokCounts(): Promise<KwokCounts> {
  const nodes = await table('/api/v1/nodes', `labelSelector=${enc(KWOK_NODE_LABEL)}`);
  const ready = nodes.filter((n) => String(n.cells[1]).split(',')[0] === 'Ready').length;
  const pods = (await kwokPods()).length;
  const notRunning = (await kwokPods(`&fieldSelector=${enc('status.phase!=Running')}`)).length;
  return { nodes: nodes.length, ready, pods, notRunning };
}

function requireLab(): void {
  const cfg = readConfig();
  const st = readState();
  if (!cfg || !st || !pidAlive(st.supervisorPid)) throw new UsageError('the lab is not up (run `npm run lab -- up`)');
}

/** Sets (or clears) the kwok settings in lab.json; the supervisor starts/stops/restarts kwok accordingly. */
async function setKwok(k: KwokSettings | null): Promise<void> {
  const cfg = readConfig();
  if (!cfg) throw new UsageError('the lab is not up');
  const prev = cfg.kwok ?? null;
  const restart = !!k && !!prev && (prev.leaseSeconds !== k.leaseSeconds || prev.statusSeconds !== k.statusSeconds);
  const written = Date.now();
  if (k) writeKwokConfig(k);
  writeConfig({ ...cfg, kwok: k });
  const until = Date.now() + 20_000;
  for (;;) {
    const p = readState()?.procs.find((x) => x.component === 'kwok');
    const running = !!p && p.alive && pidAlive(p.pid) && (!restart || Date.parse(p.startedAt ?? '') >= written);
    if (k ? running : !p) return;
    if (Date.now() > until) throw new Error(`the supervisor did not ${k ? 'start' : 'stop'} kwok within 20 s (see ${paths.supervisorLog})`);
    await sleep(200);
  }
}

export interface AddResult {
  nodes: number; podsPerNode: number; pods: number; createdNodes: number; createdPods: number;
  nodesMs: number; podsMs: number; runningMs: number; totalMs: number; podsPerSecond: number; settings: KwokSettings;
}

/** Ensures kwok nodes 1..N with M bound pods each exist and are Ready / Running. Creates only what is missing. */
export async function kwokAdd(o: { nodes: number; podsPerNode: number; settings?: Partial<KwokSettings>; concurrency?: number; timeoutMs?: number }): Promise<AddResult> {
  requireLab();
  const t0 = Date.now();
  const deadline = t0 + (o.timeoutMs ?? 3_600_000);
  const settings: KwokSettings = { ...KWOK_DEFAULTS, ...(readConfig()?.kwok ?? {}), ...o.settings };
  await setKwok(settings);
  const conc = o.concurrency ?? 24;
  await send('runtimeclass', 'POST', '/apis/node.k8s.io/v1/runtimeclasses', {
    apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: RUNTIME_CLASS, labels: { type: 'kwok' } }, handler: 'kata',
    overhead: { podFixed: { cpu: '250m', memory: '160Mi' } },
  }, { ok: (s) => s < 300 || s === 409 });
  for (let k = 0; k < KWOK_NAMESPACES; k++) {
    await send(`namespace ${nsName(k)}`, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsName(k), labels: { type: 'kwok' } } }, { ok: (s) => s < 300 || s === 409 });
  }
  // Pods need their namespace's default ServiceAccount (the controller-manager creates it).
  for (let k = 0; k < KWOK_NAMESPACES; k++) {
    while ((await request(t(), 'GET', `/api/v1/namespaces/${nsName(k)}/serviceaccounts/default`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`no default ServiceAccount in ${nsName(k)}`);
      await sleep(250);
    }
  }
  const have = new Set((await table('/api/v1/nodes', `labelSelector=${enc(KWOK_NODE_LABEL)}`)).map((n) => n.name));
  const missingNodes = Array.from({ length: o.nodes }, (_, k) => k + 1).filter((i) => !have.has(kwokNodeName(i)));
  say(`creating ${missingNodes.length} nodes (${have.size} exist)`);
  let done = 0;
  await pool(missingNodes, conc, async (i) => {
    await send(`create node ${kwokNodeName(i)}`, 'POST', '/api/v1/nodes', nodeObject(i), { ok: (s) => s < 300 || s === 409 });
    if (++done % 500 === 0) say(`  ${done}/${missingNodes.length} nodes`);
  });
  const nodesMs = Date.now() - t0;
  const havePods = new Set(await kwokPods());
  const shapes: PodShape[] = [];
  for (let i = 1; i <= o.nodes; i++) for (let j = 0; j < o.podsPerNode; j++) {
    const s = podShape(i, j, o.podsPerNode);
    if (!havePods.has(`${s.namespace}/${s.name}`)) shapes.push(s);
  }
  say(`creating ${shapes.length} pods bound to their nodes (${havePods.size} exist)`);
  const p0 = Date.now();
  done = 0;
  const create = async (list: readonly PodShape[]): Promise<void> => pool(list, conc, async (s) => {
    await send(`create pod ${s.namespace}/${s.name}`, 'POST', `/api/v1/namespaces/${s.namespace}/pods`, podObject(s), { ok: (st) => st < 300 || st === 409 });
    if (++done % 5000 === 0) say(`  ${done}/${list.length} pods (${Math.round(done / ((Date.now() - p0) / 1000))}/s)`);
  });
  await create(shapes);
  const podsMs = Date.now() - p0;
  say('waiting for kwok: every node Ready, every pod Running');
  const r0 = Date.now();
  let c = await kwokCounts();
  while (c.ready < o.nodes || c.notRunning > 0 || c.pods < o.nodes * o.podsPerNode) {
    if (Date.now() > deadline) throw new Error(`kwok did not finish in time: ${JSON.stringify(c)}`);
    say(`  ${c.ready}/${c.nodes} nodes Ready, ${c.pods - c.notRunning}/${c.pods} pods Running`);
    if (c.pods < o.nodes * o.podsPerNode) {
      // Something deleted pods meanwhile (e.g. the controller-manager's eviction of an Unknown node): put them back.
      const now = new Set(await kwokPods());
      const lost: PodShape[] = [];
      for (let i = 1; i <= o.nodes; i++) for (let j = 0; j < o.podsPerNode; j++) {
        const s = podShape(i, j, o.podsPerNode);
        if (!now.has(`${s.namespace}/${s.name}`)) lost.push(s);
      }
      say(`  recreating ${lost.length} pods that disappeared`);
      await create(lost);
    }
    await sleep(c.notRunning > 1000 ? 10_000 : 2_000);
    c = await kwokCounts();
  }
  return {
    nodes: c.nodes, podsPerNode: o.podsPerNode, pods: c.pods, createdNodes: missingNodes.length, createdPods: shapes.length,
    nodesMs, podsMs, runningMs: Date.now() - r0, totalMs: Date.now() - t0,
    podsPerSecond: podsMs > 0 ? Math.round(shapes.length / (podsMs / 1000)) : 0, settings,
  };
}

export interface RemoveResult { removedNodes: number; removedPods: number; podsMs: number; nodesMs: number; ms: number; left: KwokCounts }

/** Stops kwok and deletes every kwok object (pods force-deleted, nodes, their leases, namespaces, the RuntimeClass). */
export async function kwokRemove(o: { concurrency?: number } = {}): Promise<RemoveResult> {
  requireLab();
  const t0 = Date.now();
  const conc = o.concurrency ?? 32;
  await setKwok(null);
  const pods = await kwokPods();
  say(`deleting ${pods.length} pods`);
  // Force (grace 0): no kubelet is left to confirm. One request per pod, many in flight: a deletecollection
  // walks its items one by one and measured ~25 pods/s here.
  const force = { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 };
  let done = 0;
  await pool(pods, conc, async (key) => {
    const [ns, name] = key.split('/') as [string, string];
    await send(`delete pod ${key}`, 'DELETE', `/api/v1/namespaces/${ns}/pods/${name}`, force, { ok: (st) => st < 300 || st === 404 });
    if (++done % 5000 === 0) say(`  ${done}/${pods.length} pods (${Math.round(done / ((Date.now() - t0) / 1000))}/s)`);
  });
  const podsMs = Date.now() - t0;
  const nodes = await table('/api/v1/nodes', `labelSelector=${enc(KWOK_NODE_LABEL)}`);
  say(`deleting ${nodes.length} nodes and their leases`);
  const n0 = Date.now();
  await pool(nodes, conc, async (n) => {
    await send(`delete node ${n.name}`, 'DELETE', `/api/v1/nodes/${n.name}`, undefined, { ok: (st) => st < 300 || st === 404 });
  });
  const leases = (await table('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', '')).filter((l) => l.name.startsWith(NODE_PREFIX));
  await pool(leases, conc, async (l) => {
    await send(`delete lease ${l.name}`, 'DELETE', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${l.name}`, undefined, { ok: (st) => st < 300 || st === 404 });
  });
  const nodesMs = Date.now() - n0;
  for (let k = 0; k < KWOK_NAMESPACES; k++) await send(`delete ${nsName(k)}`, 'DELETE', `/api/v1/namespaces/${nsName(k)}`, undefined, { ok: (st) => st < 300 || st === 404 });
  await send('delete runtimeclass', 'DELETE', `/apis/node.k8s.io/v1/runtimeclasses/${RUNTIME_CLASS}`, undefined, { ok: (st) => st < 300 || st === 404 });
  const until = Date.now() + 300_000;
  for (;;) {
    const ns = (await table('/api/v1/namespaces', `labelSelector=${enc(KWOK_NODE_LABEL)}`)).length;
    const left = await kwokCounts();
    if (ns === 0 && left.nodes === 0 && left.pods === 0) return { removedNodes: nodes.length, removedPods: pods.length, podsMs, nodesMs, ms: Date.now() - t0, left };
    if (Date.now() > until) throw new Error(`kwok objects left after 300 s: ${ns} namespaces, ${JSON.stringify(left)}`);
    await sleep(1000);
  }
}

function checkKwokNode(name: string | undefined): string {
  if (!name?.startsWith(NODE_PREFIX)) throw new UsageError(`expected a kwok node name (${NODE_PREFIX}NNNNN), got ${name ?? '(none)'}`);
  return name;
}

/**
 * `not-ready`: kwok lets go of the node (its management label is removed) and its "kubelet" reports
 * NotReady, as a real kubelet does when its runtime fails; the controller-manager then taints it.
 * `ready`: kwok manages it again and its node-initialize stage reports Ready.
 */
export async function kwokReadiness(action: 'not-ready' | 'ready', nameArg: string | undefined): Promise<Record<string, unknown>> {
  requireLab();
  const name = checkKwokNode(nameArg);
  const at = new Date().toISOString();
  if (action === 'not-ready') {
    await send(`unmanage ${name}`, 'PATCH', `/api/v1/nodes/${name}`, { metadata: { labels: { [KWOK_MANAGED_LABEL]: null } } }, { contentType: 'application/merge-patch+json' });
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await send(`NotReady ${name}`, 'PATCH', `/api/v1/nodes/${name}/status`, { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady (qlab fault)', lastHeartbeatTime: now, lastTransitionTime: now }] } }, { contentType: 'application/strategic-merge-patch+json' });
  } else {
    await send(`manage ${name}`, 'PATCH', `/api/v1/nodes/${name}`, { metadata: { labels: { [KWOK_MANAGED_LABEL]: 'true' } } }, { contentType: 'application/merge-patch+json' });
    const until = Date.now() + 60_000;
    for (;;) {
      const n = (await send(`get ${name}`, 'GET', `/api/v1/nodes/${name}`)).json<{ status?: { conditions?: Array<{ type: string; status: string }> } }>();
      if (n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
      if (Date.now() > until) throw new Error(`${name} not Ready again within 60 s`);
      await sleep(250);
    }
  }
  return { action, component: 'kwok-node', node: name, at };
}

/** `drain`: kubectl drain (cordon, evict every pod; kwok completes the deletions). `uncordon`: kubectl uncordon. */
export async function kwokDrain(action: 'drain' | 'uncordon', nameArg: string | undefined): Promise<Record<string, unknown>> {
  requireLab();
  const name = checkKwokNode(nameArg);
  const kubectl = path.join(BIN_DIR, 'kubectl');
  const at = new Date().toISOString();
  const args = action === 'drain'
    ? ['drain', name, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--grace-period=1', '--timeout=120s']
    : ['uncordon', name];
  const { stdout } = await run(kubectl, ['--kubeconfig', paths.adminKubeconfig, ...args], { timeout: 180_000 });
  const evicted = stdout.split('\n').filter((l) => / evicted$/.test(l.trim())).length;
  return { action, component: 'kwok-node', node: name, at, ...(action === 'drain' ? { evicted } : {}) };
}

/** RSS (MiB) of every lab process, by component, and etcd's database size per member. */
export async function labCost(): Promise<Record<string, unknown>> {
  const cfg = readConfig();
  const st = readState();
  const rss: Record<string, number> = {};
  for (const p of st?.procs ?? []) {
    if (!p.pid || !pidAlive(p.pid)) continue;
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))?.[1] ?? 0);
      rss[p.id] = Math.round(kb / 1024);
    } catch {
      /* gone */
    }
  }
  const etcd = cfg ? await etcdStatus(cfg.profile) : { members: [] };
  const dbSize: Record<string, number> = {};
  for (const n of cfg ? nodesFor(cfg.profile) : []) {
    try {
      const { stdout } = await run(path.join(BIN_DIR, 'etcdctl'), ['--endpoints', `http://${n.ip}:${PORTS.etcdClient}`, 'endpoint', 'status', '-w', 'json'], { timeout: 10_000 });
      const s = JSON.parse(stdout) as Array<{ Status: { dbSize: number; dbSizeInUse?: number } }>;
      dbSize[n.name] = Math.round((s[0]?.Status.dbSize ?? 0) / 1024 / 1024);
    } catch {
      /* unreachable */
    }
  }
  const total = Object.values(rss).reduce((a, b) => a + b, 0);
  return { rssMiB: rss, totalRssMiB: total, etcdDbMiB: dbSize, etcdLeader: (etcd as { leader?: string | null }).leader ?? null };
}
