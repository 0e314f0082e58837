// npm run lab -- <command>
//   up [--profile ha|single] [--timeout SECONDS]
//   status --json
//   fault kill|stop|pause|resume <component> (--node N [--replica R] | --leader) [--no-restart]
//   fault start <component> --node N [--replica R]
//   fault node-stop|node-start N
//   fault partition|heal N
//   down
// Machine-readable output is exactly one JSON line on stdout; progress goes to stderr.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dnsStatus, etcdStatus, lease, readyz } from './checks';
import { type SignalAction, UsageError, netFault, nodeFault, signalFault, startFault } from './fault';
import { down, supervisorAlive, up } from './lifecycle';
import { isPartitioned } from './netns';
import { pidAlive, readConfig, readState } from './state';
import { LB_URL, PORTS, type Profile, nodesFor } from './topology';

const USAGE = `usage: npm run lab -- up [--profile ha|single] | status --json | fault <action> ... | down`;

function out(v: unknown): void {
  process.stdout.write(JSON.stringify(v) + '\n');
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
      const { values } = parseArgs({ args: rest, options: { profile: { type: 'string', default: 'ha' }, timeout: { type: 'string', default: '180' } } });
      if (values.profile !== 'ha' && values.profile !== 'single') throw new UsageError(`--profile must be ha or single, got ${values.profile}`);
      const timeout = Number(values.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got ${values.timeout}`);
      out(await up(values.profile as Profile, timeout * 1000));
      return 0;
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

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  const err = e as Error;
  process.stderr.write(`[lab] error: ${err.message}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
