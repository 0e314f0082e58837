// Worker "kubelets" without containers: keeps Nodes qlab-w1..w3 Ready (Node status + kube-node-lease Leases
// every 10 s), marks pods the real scheduler bound to them Running, and holds the optional
// kube-system/cloud-controller-manager Lease with a tiny elector. Supervised like every other lab process.
import { setTimeout as sleep } from 'node:timers/promises';
import { caPem, tokenFor } from './pki';
import { type KubeTarget, type Lease, request } from './kube';
import { BRIDGE_IP, LB_URL, WORKERS } from './topology';

const t: KubeTarget = { server: LB_URL, token: tokenFor('workers'), ca: caPem() };
const log = (m: string): void => void process.stderr.write(`${new Date().toISOString()} ${m}\n`);
const KUBELET_VERSION = 'v1.35.4';
const NODE_LEASE_SECONDS = 40;
const CCM_LEASE_SECONDS = 8;
const ccmIdentity = `qlab-ccm_${process.pid}`;

const workerIp = (i: number): string => `10.213.0.${21 + i}`;
function worker(i: number): (typeof WORKERS)[number] {
  const w = WORKERS[i];
  if (!w) throw new Error(`no worker ${i}`);
  return w;
}

function nodeObject(i: number): Record<string, unknown> {
  const w = worker(i);
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: w.name, labels: {
      'kubernetes.io/hostname': w.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
      'topology.kubernetes.io/zone': w.zone, 'topology.kubernetes.io/region': 'qlab', 'node-role.kubernetes.io/worker': '',
    } },
    spec: {},
  };
}

function nodeStatus(i: number): Record<string, unknown> {
  const w = worker(i);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cond = (type: string, status: string, reason: string): Record<string, string> => ({ type, status, reason, message: `qlab heartbeat: ${reason}`, lastHeartbeatTime: now, lastTransitionTime: startedAt });
  return {
    status: {
      capacity: { cpu: w.cpu, memory: w.memory, pods: '110', 'ephemeral-storage': '100Gi' },
      allocatable: { cpu: w.cpu, memory: w.memory, pods: '110', 'ephemeral-storage': '100Gi' },
      conditions: [
        cond('Ready', 'True', 'KubeletReady'), cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure'), cond('PIDPressure', 'False', 'KubeletHasSufficientPID'),
      ],
      addresses: [{ type: 'InternalIP', address: workerIp(i) }, { type: 'Hostname', address: w.name }],
      nodeInfo: { kubeletVersion: KUBELET_VERSION, kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'qlab://none',
        kernelVersion: '', osImage: 'qlab worker (no containers)', machineID: '', systemUUID: '', bootID: '' },
    },
  };
}
const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const micro = (): string => new Date().toISOString().replace('Z', '000Z');

async function heartbeatNode(i: number): Promise<void> {
  const w = worker(i);
  let r = await request(t, 'GET', `/api/v1/nodes/${w.name}`);
  if (r.status === 404) {
    r = await request(t, 'POST', '/api/v1/nodes', nodeObject(i));
    if (r.status >= 300 && r.status !== 409) throw new Error(`create node ${w.name}: ${r.status} ${r.body}`);
    log(`registered node ${w.name}`);
  }
  r = await request(t, 'PATCH', `/api/v1/nodes/${w.name}/status`, nodeStatus(i), { contentType: 'application/merge-patch+json' });
  if (r.status >= 300) throw new Error(`node status ${w.name}: ${r.status} ${r.body}`);
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${w.name}`;
  r = await request(t, 'PATCH', leasePath, { spec: { holderIdentity: w.name, leaseDurationSeconds: NODE_LEASE_SECONDS, renewTime: micro() } }, { contentType: 'application/merge-patch+json' });
  if (r.status === 404) {
    r = await request(t, 'POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: w.name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: w.name, leaseDurationSeconds: NODE_LEASE_SECONDS, renewTime: micro() },
    });
  }
  if (r.status >= 300 && r.status !== 409) throw new Error(`node lease ${w.name}: ${r.status} ${r.body}`);
}

interface PodList { items: Array<{ metadata: { name: string; namespace: string }; spec: { nodeName?: string; containers: Array<{ name: string; image: string }> }; status: { phase?: string } }> }

/** Marks pods bound to a worker Running/Ready, as a kubelet would after starting the containers. */
async function runBoundPods(): Promise<void> {
  // Per worker, as a kubelet asks (spec.nodeName): never a list of every pending pod of the cluster (kwok runs add thousands).
  const lists = await Promise.all(WORKERS.map((w) => request(t, 'GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(`status.phase=Pending,spec.nodeName=${w.name}`)}`)));
  for (const p of lists.flatMap((r) => (r.status === 200 ? r.json<PodList>().items : []))) {
    const i = WORKERS.findIndex((w) => w.name === p.spec.nodeName);
    if (i < 0) continue;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const c = (type: string): Record<string, string> => ({ type, status: 'True', lastTransitionTime: now });
    await request(t, 'PATCH', `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`, {
      status: { phase: 'Running', hostIP: workerIp(i), podIP: workerIp(i), startTime: now, conditions: [c('PodScheduled'), c('Initialized'), c('ContainersReady'), c('Ready')],
        containerStatuses: p.spec.containers.map((k) => ({ name: k.name, image: k.image, imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } })) },
    }, { contentType: 'application/merge-patch+json' });
  }
}

/** A one-candidate elector for kube-system/cloud-controller-manager (acquire when empty, expired or ours). */
async function ccmElector(): Promise<void> {
  const p = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/cloud-controller-manager';
  const r = await request(t, 'GET', p);
  if (r.status === 404) {
    await request(t, 'POST', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'cloud-controller-manager', namespace: 'kube-system' },
      spec: { holderIdentity: ccmIdentity, leaseDurationSeconds: CCM_LEASE_SECONDS, acquireTime: micro(), renewTime: micro(), leaseTransitions: 0 },
    });
    return;
  }
  if (r.status !== 200) return;
  const l = r.json<Lease>();
  const mine = l.spec.holderIdentity === ccmIdentity;
  const expired = !l.spec.holderIdentity || Date.parse(l.spec.renewTime ?? '0') + (l.spec.leaseDurationSeconds ?? 0) * 1000 < Date.now();
  if (!mine && !expired) return;
  const spec = mine ? { ...l.spec, renewTime: micro() }
    : { holderIdentity: ccmIdentity, leaseDurationSeconds: CCM_LEASE_SECONDS, acquireTime: micro(), renewTime: micro(), leaseTransitions: (l.spec.leaseTransitions ?? 0) + 1 };
  await request(t, 'PUT', p, { ...l, spec });
}

async function loop(name: string, everyMs: number, fn: () => Promise<void>): Promise<never> {
  for (;;) {
    try {
      await fn();
    } catch (e) {
      log(`${name}: ${(e as Error).message}`);
    }
    await sleep(everyMs);
  }
}

log(`qlab workers ${process.pid} via ${LB_URL} (bridge ${BRIDGE_IP}); nodes ${WORKERS.map((w) => w.name).join(', ')}`);
process.on('SIGTERM', () => process.exit(0));
void loop('nodes', 10_000, async () => { await Promise.all(WORKERS.map((_, i) => heartbeatNode(i))); });
void loop('pods', 3_000, runBoundPods);
void loop('ccm', 2_000, ccmElector);
