// npm run lab -- <command>
//   up [--profile ha|single] [--timeout SECONDS]
//   status --json
//   fault kill|stop|pause|resume <component> (--node N [--replica R] | --leader) [--no-restart]
//   fault start <component> --node N [--replica R]
//   fault node-stop|node-start N
//   fault partition|heal N
//   down
//   kwok add --nodes N --pods-per-node M [--lease-seconds S] [--status-seconds S] | kwok remove | kwok status
//   kwok not-ready|ready|drain|uncordon NODE | kwok cost
// Machine-readable output is exactly one JSON line on stdout; progress goes to stderr.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dnsStatus, etcdStatus, lease, readyz } from './checks';
import { type SignalAction, UsageError, netFault, nodeFault, signalFault, startFault } from './fault';
import { kwokAdd, kwokCounts, kwokDrain, kwokReadiness, kwokRemove, labCost } from './kwok';
import { down, supervisorAlive, up } from './lifecycle';
import { isPartitioned } from './netns';
import { pidAlive, readConfig, readState } from './state';
import { type KwokSettings, LB_URL, PORTS, type Profile, nodesFor } from './topology';

const USAGE = `usage: npm run lab -- up [--profile ha|single] [--kwok-nodes N --kwok-pods-per-node M] | status --json | fault <action> ... | kwok <action> ... | down`;

function count(name: string, v: string | undefined, def: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`--${name} must be a whole number from 0 to ${max}, got ${v}`);
  return n;
}

function out(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v)}\n`);
}

function paused(pid: number | null): boolean {
  if (!pid) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return / T /.test(stat.slice(stat.lastIndexOf(')')));
  } catch {
    return false;
  }
}

async function status(): Promise<Record<string, unknown>> {
  const cfg = readConfig();
  const state = readState();
  if (!cfg || !state) return { up: false, supervisor: null, processes: [] };
  const nodes = nodesFor(cfg.profile);
  const [etcd, sched, kcm, ccm, apis, lb, dns] = await Promise.all([
    etcdStatus(cfg.profile), lease('kube-system', 'kube-scheduler'), lease('kube-system', 'kube-controller-manager'),
    lease('kube-system', 'cloud-controller-manager'),
    Promise.all(nodes.map(async (n) => ({ node: n.index, name: n.name, url: `https://${n.ip}:${PORTS.apiserver}`, readyz: await readyz(`https://${n.ip}:${PORTS.apiserver}`) }))),
    readyz(LB_URL), dnsStatus(cfg.profile),
  ]);
  return {
    up: supervisorAlive(), profile: cfg.profile, leaderElection: cfg.leaderElection,
    supervisor: { pid: state.supervisorPid, alive: pidAlive(state.supervisorPid), restartDelayMs: state.restartDelayMs },
    processes: state.procs.map((p) => ({ id: p.id, component: p.component, node: p.node, replica: p.replica, pid: p.pid, alive: p.alive && pidAlive(p.pid), paused: p.alive && paused(p.pid), held: p.held, restarts: p.restarts, lastExit: p.lastExit })),
    nodes: nodes.map((n) => ({ node: n.index, name: n.name, netns: n.netns, ip: n.ip, partitioned: isPartitioned(n) })),
    etcd,
    leases: { 'kube-scheduler': sched, 'kube-controller-manager': kcm, 'cloud-controller-manager': ccm },
    apiservers: apis.map((a) => ({ node: a.node, name: a.name, url: a.url, ready: a.readyz.ok, detail: a.readyz.detail })),
    lb: { url: LB_URL, ready: lb.ok, detail: lb.detail },
    coredns: dns,
  };
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'up': {
      const { values } = parseArgs({ args: rest, options: {
        profile: { type: 'string', default: 'ha' }, timeout: { type: 'string', default: '180' },
        'kwok-nodes': { type: 'string' }, 'kwok-pods-per-node': { type: 'string' }, 'kwok-lease-seconds': { type: 'string' }, 'kwok-status-seconds': { type: 'string' },
      } });
      if (values.profile !== 'ha' && values.profile !== 'single') throw new UsageError(`--profile must be ha or single, got ${values.profile}`);
      const timeout = Number(values.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got ${values.timeout}`);
      const kwokNodes = count('kwok-nodes', values['kwok-nodes'], 0, 10_000);
      const kwokPods = count('kwok-pods-per-node', values['kwok-pods-per-node'], 0, 110);
      const settings = kwokSettings(values['kwok-lease-seconds'], values['kwok-status-seconds']);
      const r = await up(values.profile as Profile, timeout * 1000);
      out(kwokNodes > 0 ? { ...r, kwok: await kwokAdd({ nodes: kwokNodes, podsPerNode: kwokPods, settings }) } : r);
      return 0;
    }
    case 'kwok': {
      const [action, ...args] = rest;
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: {
        nodes: { type: 'string' }, 'pods-per-node': { type: 'string' }, 'lease-seconds': { type: 'string' }, 'status-seconds': { type: 'string' }, concurrency: { type: 'string' },
      } });
      switch (action) {
        case 'add': {
          const nodes = count('nodes', values.nodes, -1, 10_000);
          if (nodes < 1) throw new UsageError('kwok add needs --nodes N (1..10000)');
          out(await kwokAdd({ nodes, podsPerNode: count('pods-per-node', values['pods-per-node'], 0, 110), settings: kwokSettings(values['lease-seconds'], values['status-seconds']), concurrency: count('concurrency', values.concurrency, 24, 256) || 24 }));
          return 0;
        }
        case 'remove':
          out(await kwokRemove());
          return 0;
        case 'status':
          out({ kwok: readConfig()?.kwok ?? null, ...(await kwokCounts()) });
          return 0;
        case 'cost':
          out(await labCost());
          return 0;
        case 'not-ready': case 'ready':
          out(await kwokReadiness(action, positionals[0]));
          return 0;
        case 'drain': case 'uncordon':
          out(await kwokDrain(action, positionals[0]));
          return 0;
        default:
          throw new UsageError(`unknown kwok action "${action ?? ''}"; one of add, remove, status, cost, not-ready, ready, drain, uncordon`);
      }
    }
    case 'status': {
      parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
      out(await status());
      return 0;
    }
    case 'down': {
      const r = await down();
      out(r);
      if (!r.down) process.stderr.write(`[lab] down: something is left: ${JSON.stringify(r.left)}\n`);
      return r.down ? 0 : 1;
    }
    case 'fault': {
      const [action, ...args] = rest;
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: {
        node: { type: 'string' }, replica: { type: 'string' }, leader: { type: 'boolean', default: false }, 'no-restart': { type: 'boolean', default: false },
      } });
      switch (action) {
        case 'kill': case 'stop': case 'pause': case 'resume': {
          const component = positionals[0];
          if (!component) throw new UsageError(`fault ${action} needs a component`);
          if (!values.leader && !values.node && component !== 'haproxy') throw new UsageError(`fault ${action} ${component} needs --node N or --leader`);
          out(await signalFault(action as SignalAction, { component, node: values.node, replica: values.replica, leader: values.leader }, values['no-restart']));
          return 0;
        }
        case 'start': {
          const component = positionals[0];
          if (!component) throw new UsageError('fault start needs a component');
          out(await startFault({ component, node: values.node, replica: values.replica, leader: false }));
          return 0;
        }
        case 'node-stop': case 'node-start':
          out(await nodeFault(action, positionals[0] ?? values.node));
          return 0;
        case 'partition': case 'heal':
          out(netFault(action, positionals[0] ?? values.node));
          return 0;
        default:
          throw new UsageError(`unknown fault action "${action ?? ''}"; one of kill, stop, pause, resume, start, node-stop, node-start, partition, heal`);
      }
    }
    default:
      throw new UsageError(`unknown command "${cmd ?? ''}"\n${USAGE}`);
  }
}

function kwokSettings(lease: string | undefined, status: string | undefined): Partial<KwokSettings> {
  return {
    ...(lease !== undefined ? { leaseSeconds: count('lease-seconds', lease, 0, 1000) || 40 } : {}),
    ...(status !== undefined ? { statusSeconds: count('status-seconds', status, 0, 3600) } : {}),
  };
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  const err = e as Error;
  process.stderr.write(`[lab] error: ${err.message}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
