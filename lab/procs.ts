// The process table: which binaries run where with which flags, plus their config files (haproxy, Corefile).
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pkiFile } from './pki';
import {
  BIN_DIR, CLUSTER_DOMAIN, KWOK_MANAGED_LABEL, kwokConfigPath, type KwokSettings, type LabConfig, LB_HOST, LB_PORT, LAB_DIR, NODE_MONITOR_GRACE_SECONDS, PORTS, type ProcSpec, SERVICE_CIDR,
  dnsNodes, nodesFor, paths, procId,
} from './topology';

const bin = (n: string): string => path.join(BIN_DIR, n);

function leFlags(cfg: LabConfig): string[] {
  const le = cfg.leaderElection;
  return ['--leader-elect=true', `--leader-elect-lease-duration=${le.leaseSeconds}s`, `--leader-elect-renew-deadline=${le.renewSeconds}s`, `--leader-elect-retry-period=${le.retrySeconds}s`];
}

export function writeConfigFiles(cfg: LabConfig): void {
  mkdirSync(paths.conf, { recursive: true });
  const nodes = nodesFor(cfg.profile);
  writeFileSync(path.join(paths.conf, 'haproxy.cfg'), [
    'global', '  maxconn 4000', '  log stdout format raw local0 notice',
    'defaults', '  mode tcp', '  log global', '  option tcplog', '  timeout connect 2s', '  timeout client 1h', '  timeout server 1h',
    // Ready apiservers first; only when none is ready (e.g. etcd lost quorum) fall back to any that answers /version (anonymous, no etcd), so
    // clients still get the apiserver's own answer ("[-]etcd failed") instead of a closed connection.
    'frontend kube-apiserver', `  bind ${LB_HOST}:${LB_PORT}`, '  use_backend apiservers if { nbsrv(apiservers) gt 0 }', '  default_backend apiservers-live',
    'backend apiservers', '  balance roundrobin', '  option httpchk GET /readyz', '  http-check expect status 200',
    '  default-server inter 1s fall 2 rise 2 check check-ssl verify none',
    ...nodes.map((n) => `  server ${n.name} ${n.ip}:${PORTS.apiserver}`),
    'backend apiservers-live', '  balance roundrobin', '  option httpchk GET /version', '  http-check expect status 200',
    '  default-server inter 1s fall 2 rise 2 check check-ssl verify none',
    ...nodes.map((n) => `  server ${n.name} ${n.ip}:${PORTS.apiserver}`), '',
  ].join('\n'));
  for (const n of dnsNodes(cfg.profile)) {
    writeFileSync(path.join(paths.conf, `Corefile-${n.index}`), `.:${PORTS.dns} {
    bind ${n.ip}
    errors
    health ${n.ip}:${PORTS.dnsHealth} {
        lameduck 2s
    }
    ready ${n.ip}:${PORTS.dnsReady}
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        kubeconfig ${path.join(paths.conf, `coredns-${n.index}.kubeconfig`)} coredns@qlab
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    prometheus ${n.ip}:${PORTS.dnsMetrics}
    cache 30
    loadbalance
}
`);
  }
  if (cfg.kwok) writeKwokConfig(cfg.kwok);
}

export function procSpecs(cfg: LabConfig): ProcSpec[] {
  const nodes = nodesFor(cfg.profile);
  const specs: ProcSpec[] = [];
  const initialCluster = nodes.map((n) => `${n.name}=http://${n.ip}:${PORTS.etcdPeer}`).join(',');
  for (const n of nodes) {
    const base = { node: n.index, netns: n.netns, hostname: n.name };
    specs.push({ ...base, id: procId('etcd', n.index), component: 'etcd', replica: 1, argv: [
      bin('etcd'), `--name=${n.name}`, `--data-dir=${path.join(paths.etcdData, n.name)}`,
      `--listen-client-urls=http://${n.ip}:${PORTS.etcdClient},http://127.0.0.1:${PORTS.etcdClient}`,
      `--advertise-client-urls=http://${n.ip}:${PORTS.etcdClient}`,
      `--listen-peer-urls=http://${n.ip}:${PORTS.etcdPeer}`, `--initial-advertise-peer-urls=http://${n.ip}:${PORTS.etcdPeer}`,
      `--listen-metrics-urls=http://${n.ip}:${PORTS.etcdMetrics}`,
      `--initial-cluster=${initialCluster}`, '--initial-cluster-state=new', '--initial-cluster-token=qlab',
      // Room for the 5,000-node / 50,000-pod runs (the default 2 GiB quota would be close); the data stays on disk.
      '--quota-backend-bytes=8589934592', '--log-level=warn',
    ] });
    // Local etcd member first, then the others (the client balances; readyz checks them all).
    const etcdServers = [n, ...nodes.filter((o) => o !== n)].map((o) => `http://${o.ip}:${PORTS.etcdClient}`).join(',');
    specs.push({ ...base, id: procId('kube-apiserver', n.index), component: 'kube-apiserver', replica: 1, argv: [
      bin('kube-apiserver'), `--advertise-address=${n.ip}`, `--bind-address=${n.ip}`, `--secure-port=${PORTS.apiserver}`,
      `--etcd-servers=${etcdServers}`, `--service-cluster-ip-range=${SERVICE_CIDR}`,
      `--tls-cert-file=${pkiFile('apiserver.crt')}`, `--tls-private-key-file=${pkiFile('apiserver.key')}`,
      `--client-ca-file=${pkiFile('ca.crt')}`, `--token-auth-file=${paths.tokens}`,
      `--service-account-key-file=${pkiFile('sa.pub')}`, `--service-account-signing-key-file=${pkiFile('sa.key')}`,
      `--service-account-issuer=https://kubernetes.default.svc.${CLUSTER_DOMAIN}`,
      '--authorization-mode=RBAC', '--allow-privileged=true', '--profiling=false', '--endpoint-reconciler-type=lease',
      `--cert-dir=${path.join(paths.state, 'apiserver', n.name)}`, '--v=1',
    ] });
    const replicas = cfg.profile === 'single' ? [1, 2] : [1];
    for (const r of replicas) {
      const host = r === 1 ? n.name : `${n.name}-${r}`;
      const kc = path.join(paths.conf, `scheduler-${n.index}.kubeconfig`);
      specs.push({ ...base, hostname: host, id: procId('kube-scheduler', n.index, r), component: 'kube-scheduler', replica: r, argv: [
        bin('kube-scheduler'), `--kubeconfig=${kc}`, `--authentication-kubeconfig=${kc}`, `--authorization-kubeconfig=${kc}`,
        `--bind-address=${n.ip}`, `--secure-port=${PORTS.scheduler + (r - 1) * 2}`, ...leFlags(cfg), '--v=1',
      ] });
      const kcm = path.join(paths.conf, `controller-manager-${n.index}.kubeconfig`);
      specs.push({ ...base, hostname: host, id: procId('kube-controller-manager', n.index, r), component: 'kube-controller-manager', replica: r, argv: [
        bin('kube-controller-manager'), `--kubeconfig=${kcm}`, `--authentication-kubeconfig=${kcm}`, `--authorization-kubeconfig=${kcm}`,
        `--bind-address=${n.ip}`, `--secure-port=${PORTS.controllerManager - (r - 1) * 2}`, ...leFlags(cfg),
        `--service-account-private-key-file=${pkiFile('sa.key')}`, `--root-ca-file=${pkiFile('ca.crt')}`,
        `--cluster-signing-cert-file=${pkiFile('ca.crt')}`, `--cluster-signing-key-file=${pkiFile('ca.key')}`,
        '--use-service-account-credentials=true', '--cluster-name=qlab', `--service-cluster-ip-range=${SERVICE_CIDR}`,
        `--node-monitor-grace-period=${NODE_MONITOR_GRACE_SECONDS}s`, '--v=1',
      ] });
    }
  }
  for (const n of dnsNodes(cfg.profile)) {
    specs.push({ id: procId('coredns', n.index), component: 'coredns', node: n.index, replica: 1, netns: n.netns, hostname: n.name,
      argv: [bin('coredns'), '-conf', path.join(paths.conf, `Corefile-${n.index}`)] });
  }
  specs.push({ id: procId('haproxy', 0), component: 'haproxy', node: 0, replica: 1, netns: null, hostname: null,
    argv: ['haproxy', '-db', '-f', path.join(paths.conf, 'haproxy.cfg')] });
  specs.push({ id: procId('workers', 0), component: 'workers', node: 0, replica: 1, netns: null, hostname: null,
    argv: [process.execPath, '--import', 'tsx', path.join(LAB_DIR, 'workers.ts')] });
  if (cfg.kwok) {
    specs.push({ id: procId('kwok', 0), component: 'kwok', node: 0, replica: 1, netns: null, hostname: null, argv: [
      bin('kwok'), `--kubeconfig=${path.join(paths.conf, 'workers.kubeconfig')}`, `--config=${kwokConfigPath(cfg.kwok)}`,
      `--manage-nodes-with-label-selector=${KWOK_MANAGED_LABEL}=true`, `--node-lease-duration-seconds=${cfg.kwok.leaseSeconds}`, '--v=WARN',
    ] });
  }
  return specs;
}

/** The command line that runs a spec: inside its node's network + UTS namespace, exec'ing down to the binary (same pid). */
export function commandLine(spec: ProcSpec): string[] {
  if (!spec.netns) return spec.argv;
  return ['ip', 'netns', 'exec', spec.netns, 'unshare', '--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', spec.hostname ?? spec.netns, ...spec.argv];
}

/** The kwok stage files lab/build.sh copied from the pinned kwok module (kustomize/stage/...). */
const KWOK_STAGES = path.join(BIN_DIR, 'kwok-stages');

/**
 * kwok's configuration: which nodes it manages and how fast it works, plus the Stages it plays (node
 * initialise + heartbeat, pod ready / complete / delete) from upstream's kustomize/stage files.
 */
export function writeKwokConfig(k: KwokSettings): void {
  if (!existsSync(KWOK_STAGES)) throw new Error(`${KWOK_STAGES} is missing: run lab/build.sh (it copies kwok's stage files)`);
  const docs: string[] = [[
    'apiVersion: config.kwok.x-k8s.io/v1alpha1', 'kind: KwokConfiguration', 'metadata:', '  name: qlab', 'options:',
    `  manageNodesWithLabelSelector: ${KWOK_MANAGED_LABEL}=true`, `  nodeLeaseDurationSeconds: ${k.leaseSeconds}`,
    '  podPlayStageParallelism: 16', '  nodePlayStageParallelism: 8', '  nodeLeaseParallelism: 8',
  ].join('\n')];
  for (const f of readdirSync(KWOK_STAGES).filter((n) => n.endsWith('.yaml')).sort()) {
    let text = readFileSync(path.join(KWOK_STAGES, f), 'utf8');
    if (f === 'node-heartbeat-with-lease.yaml') {
      if (k.statusSeconds === 0) continue;
      // Upstream re-posts status every 600–610 s; the lab uses a kubelet's report frequency (or what was asked), +0–10 % jitter.
      text = text.replace(/durationMilliseconds: \d+/, `durationMilliseconds: ${k.statusSeconds * 1000}`).replace(/jitterDurationMilliseconds: \d+/, `jitterDurationMilliseconds: ${Math.round(k.statusSeconds * 1100)}`);
    }
    docs.push(text.trim());
  }
  mkdirSync(paths.conf, { recursive: true });
  writeFileSync(kwokConfigPath(k), `${docs.join('\n---\n')}\n`);
}
