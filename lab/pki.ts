// PKI with openssl: a CA, the apiserver serving cert, the service-account key pair, a static token
// file and kubeconfigs. Everything lives in lab/.state/pki (created once, reused while the state exists).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLUSTER_DOMAIN, KUBERNETES_SVC_IP, LB_HOST, LB_URL, type LabNode, paths, BRIDGE_IP } from './topology';

export interface Identity { name: string; user: string; uid: string; groups: string[] }

/** Static-token identities. `quorum` is the least-privilege monitoring user Quorum's tests use. */
const IDENTITIES: Identity[] = [
  { name: 'admin', user: 'admin', uid: 'qlab-admin', groups: ['system:masters'] },
  { name: 'quorum', user: 'quorum', uid: 'qlab-quorum', groups: ['system:monitoring'] },
  { name: 'scheduler', user: 'system:kube-scheduler', uid: 'qlab-scheduler', groups: [] },
  { name: 'controller-manager', user: 'system:kube-controller-manager', uid: 'qlab-kcm', groups: [] },
  { name: 'coredns', user: 'system:coredns', uid: 'qlab-coredns', groups: [] },
  { name: 'workers', user: 'qlab-workers', uid: 'qlab-workers', groups: ['system:masters'] },
];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

const p = (f: string): string => path.join(paths.pki, f);

export function ensurePki(nodes: LabNode[]): void {
  mkdirSync(paths.pki, { recursive: true, mode: 0o700 });
  if (!existsSync(p('ca.crt'))) {
    openssl(['genrsa', '-out', p('ca.key'), '2048']);
    openssl(['req', '-x509', '-new', '-key', p('ca.key'), '-sha256', '-days', '3650', '-subj', '/CN=qlab-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature', '-out', p('ca.crt')]);
  }
  if (!existsSync(p('apiserver.crt'))) {
    const sans = [
      ...nodes.map((n) => `IP:${n.ip}`), `IP:${LB_HOST}`, `IP:${KUBERNETES_SVC_IP}`, `IP:${BRIDGE_IP}`,
      'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', `DNS:kubernetes.default.svc.${CLUSTER_DOMAIN}`,
      ...nodes.map((n) => `DNS:${n.name}`),
    ];
    writeFileSync(p('apiserver.ext'), [
      'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth',
      `subjectAltName=${sans.join(',')}`, '',
    ].join('\n'));
    openssl(['genrsa', '-out', p('apiserver.key'), '2048']);
    openssl(['req', '-new', '-key', p('apiserver.key'), '-subj', '/CN=kube-apiserver', '-out', p('apiserver.csr')]);
    openssl(['x509', '-req', '-in', p('apiserver.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial',
      '-days', '3650', '-sha256', '-extfile', p('apiserver.ext'), '-out', p('apiserver.crt')]);
  }
  if (!existsSync(p('sa.pub'))) {
    openssl(['genrsa', '-out', p('sa.key'), '2048']);
    openssl(['rsa', '-in', p('sa.key'), '-pubout', '-out', p('sa.pub')]);
  }
  if (!existsSync(paths.tokens)) {
    const lines = IDENTITIES.map((i) => `${randomBytes(24).toString('hex')},${i.user},${i.uid}${i.groups.length ? `,"${i.groups.join(',')}"` : ''}`);
    writeFileSync(paths.tokens, `${lines.join('\n')}\n`, { mode: 0o600 });
  }
}

export function tokenFor(name: string): string {
  const id = IDENTITIES.find((i) => i.name === name);
  if (!id) throw new Error(`no lab identity named ${name}`);
  const line = readFileSync(paths.tokens, 'utf8').split('\n').find((l) => l.split(',')[1] === id.user);
  if (!line) throw new Error(`token for ${id.user} missing in ${paths.tokens}`);
  return line.split(',')[0] ?? '';
}

export function caPem(): string {
  return readFileSync(p('ca.crt'), 'utf8');
}

function kubeconfigText(server: string, user: string, token: string): string {
  const ca = Buffer.from(caPem()).toString('base64');
  return [
    'apiVersion: v1', 'kind: Config',
    'clusters:', '- name: qlab', '  cluster:', `    server: ${server}`, `    certificate-authority-data: ${ca}`,
    'users:', `- name: ${user}`, '  user:', `    token: ${token}`,
    'contexts:', `- name: ${user}@qlab`, '  context:', '    cluster: qlab', `    user: ${user}`,
    `current-context: ${user}@qlab`, '',
  ].join('\n');
}

/** Writes admin/quorum kubeconfigs (via the LB) and per-node component kubeconfigs (node-local apiserver). */
export function writeKubeconfigs(nodes: LabNode[]): void {
  mkdirSync(paths.conf, { recursive: true });
  writeFileSync(paths.adminKubeconfig, kubeconfigText(LB_URL, 'admin', tokenFor('admin')), { mode: 0o600 });
  writeFileSync(paths.quorumKubeconfig, kubeconfigText(LB_URL, 'quorum', tokenFor('quorum')), { mode: 0o600 });
  writeFileSync(path.join(paths.conf, 'workers.kubeconfig'), kubeconfigText(LB_URL, 'qlab-workers', tokenFor('workers')), { mode: 0o600 });
  for (const n of nodes) {
    const local = `https://${n.ip}:6443`;
    for (const c of ['scheduler', 'controller-manager', 'coredns']) {
      writeFileSync(path.join(paths.conf, `${c}-${n.index}.kubeconfig`), kubeconfigText(local, c, tokenFor(c)), { mode: 0o600 });
    }
  }
}

export const pkiFile = p;
