// Quorum's command line: `npm run quorum -- cluster add|list|remove …`.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { QuorumError, describeError } from '@/lib/errors';
import { KUBECONFIG_MAX_BYTES } from '@/lib/k8s/kubeconfig';
import { parseLabels, registerCluster } from '@/lib/clusters/register';
import { listClusters, removeCluster, updateClusterSettings } from '@/lib/data/clusters';
import { closeDb } from '@/lib/db';
import { migrate } from '@/lib/db/migrate';

const USAGE = `usage:
  npm run quorum -- cluster add --name NAME --kubeconfig PATH [--context CTX] [--label k=v ...] [--no-verify]
               [--lease NAMESPACE/NAME ...] [--dns-server IP[:PORT] ...]
               [--etcd-endpoint URL ...] [--etcd-cert PATH --etcd-key PATH] [--etcd-ca PATH]
  npm run quorum -- cluster update NAME [--lease NAMESPACE/NAME ...] [--dns-server IP[:PORT] ...] [--no-leases] [--no-dns-servers]
  npm run quorum -- cluster list [--json]
  npm run quorum -- cluster remove NAME

Environment: QUORUM_DATA_DIR (SQLite folder, default ./data) or DATABASE_URL=postgres://… ; QUORUM_SECRET_KEY.`;

class UsageError extends Error {}

function readKubeconfigFile(p: string): string {
  let size: number;
  try {
    size = statSync(p).size;
  } catch (e) {
    throw new QuorumError('kubeconfig-invalid', `cannot read kubeconfig "${p}": ${(e as NodeJS.ErrnoException).code ?? describeError(e)}`);
  }
  if (size > KUBECONFIG_MAX_BYTES) {
    throw new QuorumError('kubeconfig-too-large', `kubeconfig "${p}" is ${Math.ceil(size / 1024)} KiB; the limit is ${KUBECONFIG_MAX_BYTES / 1024} KiB`);
  }
  return readFileSync(p, 'utf8');
}

const PEM_MAX_BYTES = 64 * 1024;

function readPemFile(p: string, what: string): string {
  let size: number;
  try {
    size = statSync(p).size;
  } catch (e) {
    throw new QuorumError('kubeconfig-invalid', `cannot read the ${what} "${p}": ${(e as NodeJS.ErrnoException).code ?? describeError(e)}`);
  }
  if (size > PEM_MAX_BYTES) throw new QuorumError('kubeconfig-invalid', `the ${what} "${p}" is ${Math.ceil(size / 1024)} KiB; a PEM file is a few KiB`);
  return readFileSync(p, 'utf8');
}

async function clusterAdd(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      label: { type: 'string', multiple: true },
      lease: { type: 'string', multiple: true },
      'dns-server': { type: 'string', multiple: true },
      'no-verify': { type: 'boolean', default: false },
      'etcd-endpoint': { type: 'string', multiple: true },
      'etcd-cert': { type: 'string' },
      'etcd-key': { type: 'string' },
      'etcd-ca': { type: 'string' },
    },
    strict: true,
  });
  if (!values.name || !values.kubeconfig) throw new UsageError('cluster add needs --name and --kubeconfig');
  const endpoints = values['etcd-endpoint'] ?? [];
  if (endpoints.length === 0 && (values['etcd-cert'] || values['etcd-key'] || values['etcd-ca'])) {
    throw new UsageError('--etcd-cert/--etcd-key/--etcd-ca need at least one --etcd-endpoint');
  }
  const etcd = endpoints.length
    ? {
        endpoints,
        ...(values['etcd-cert'] ? { certPem: readPemFile(values['etcd-cert'], 'etcd client certificate') } : {}),
        ...(values['etcd-key'] ? { keyPem: readPemFile(values['etcd-key'], 'etcd client key') } : {}),
        ...(values['etcd-ca'] ? { caPem: readPemFile(values['etcd-ca'], 'etcd CA') } : {}),
      }
    : undefined;
  const file = path.resolve(values.kubeconfig);
  const text = readKubeconfigFile(file);
  const c = await registerCluster({
    name: values.name,
    kubeconfigText: text,
    ...(values.context ? { context: values.context } : {}),
    labels: parseLabels(values.label),
    settings: { leases: values.lease ?? [], dnsServers: values['dns-server'] ?? [] },
    baseDir: path.dirname(file),
    skipTest: values['no-verify'],
    ...(etcd ? { etcd } : {}),
  });
  const t = c.test;
  const readyz = t?.readyz ? (t.readyz.allowed ? `readyz ${t.readyz.status} (${t.readyz.reason})` : `readyz NOT allowed for this identity: ${t.readyz.reason}`) : 'connection not tested (--no-verify)';
  console.log(`added cluster "${c.name}" (${c.id}) → ${c.server} [context ${c.context}]${t?.version ? `, Kubernetes ${t.version}` : ''}; ${readyz}${c.etcdTest ? `; etcd ${c.etcdTest.status} (${c.etcdTest.reason})` : etcd ? `; etcd: ${etcd.endpoints.join(', ')} (not tested)` : ''}`);
}

async function clusterUpdate(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      lease: { type: 'string', multiple: true },
      'dns-server': { type: 'string', multiple: true },
      'no-leases': { type: 'boolean', default: false },
      'no-dns-servers': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('cluster update takes exactly one NAME');
  const patch = {
    ...(values['no-leases'] ? { leases: [] } : values.lease ? { leases: values.lease } : {}),
    ...(values['no-dns-servers'] ? { dnsServers: [] } : values['dns-server'] ? { dnsServers: values['dns-server'] } : {}),
  };
  if (Object.keys(patch).length === 0) throw new UsageError('cluster update needs --lease, --dns-server, --no-leases or --no-dns-servers');
  const c = await updateClusterSettings(positionals[0]!, patch);
  if (!c) throw new QuorumError('invalid-input', `no cluster named "${positionals[0]!}"`);
  console.log(`updated cluster "${c.name}": leases [${c.settings.leases.join(', ')}], DNS servers [${c.settings.dnsServers.join(', ')}]`);
}

async function clusterList(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, strict: true });
  const clusters = await listClusters();
  if (values.json) {
    console.log(JSON.stringify(clusters, null, 2));
    return;
  }
  if (clusters.length === 0) {
    console.log('no clusters registered yet: npm run quorum -- cluster add --name NAME --kubeconfig PATH');
    return;
  }
  const rows = clusters.map((c) => [c.name, c.server, c.context, Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(','), c.createdAt]);
  const head = ['NAME', 'SERVER', 'CONTEXT', 'LABELS', 'CREATED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) console.log(r.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd());
}

async function clusterRemove(argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('cluster remove takes exactly one NAME');
  const name = positionals[0]!;
  if (!(await removeCluster(name))) throw new QuorumError('kubeconfig-invalid', `no cluster named "${name}"`);
  console.log(`removed cluster "${name}" and its samples`);
}

async function main(argv: string[]): Promise<number> {
  const [group, cmd, ...rest] = argv;
  if (group === undefined || group === 'help' || group === '--help' || group === '-h') {
    console.log(USAGE);
    return group === undefined ? 2 : 0;
  }
  try {
    if (group !== 'cluster') throw new UsageError(`unknown command "${group}"`);
    await migrate({ quiet: true });
    switch (cmd) {
      case 'add': await clusterAdd(rest); break;
      case 'list': await clusterList(rest); break;
      case 'update': await clusterUpdate(rest); break;
      case 'remove': await clusterRemove(rest); break;
      default: throw new UsageError(`unknown cluster command "${cmd ?? ''}"`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`error: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    console.error(e instanceof QuorumError ? `error [${e.errorClass}]: ${e.message}` : `error: ${describeError(e)}`);
    return 1;
  } finally {
    await closeDb().catch(() => undefined);
  }
}

process.exitCode = await main(process.argv.slice(2));
