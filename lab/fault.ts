// Faults: signals to one supervised process, whole-node stop/start, network partition/heal.
// Each returns one event (also appended to events.jsonl) with the wall-clock `at` of the action.
import { setTimeout as sleep } from 'node:timers/promises';
import { etcdStatus, lease } from './checks';
import { isPartitioned, setPartition } from './netns';
import { procSpecs } from './procs';
import { appendEvent, hold, isHeld, pidAlive, type LabState, readConfig, readState, release } from './state';
import { type Component, FAULT_COMPONENTS, type LabConfig, type ProcSpec, nodesFor } from './topology';

export class UsageError extends Error {}
const SIGNALS = { kill: 'SIGKILL', stop: 'SIGTERM', pause: 'SIGSTOP', resume: 'SIGCONT' } as const;
export type SignalAction = keyof typeof SIGNALS;
export type FaultEvent = Record<string, unknown> & { action: string; component: string; node: number | null; pid: number | number[] | null; at: string };

function running(): { cfg: LabConfig; state: LabState } {
  const cfg = readConfig();
  const state = readState();
  if (!cfg || !state || !pidAlive(state.supervisorPid)) throw new UsageError('the lab is not up (run `npm run lab -- up`)');
  return { cfg, state };
}

function record(e: FaultEvent): FaultEvent {
  appendEvent(e);
  return e;
}

function checkComponent(c: string): Component {
  if (!(FAULT_COMPONENTS as readonly string[]).includes(c)) throw new UsageError(`unknown component "${c}"; one of ${FAULT_COMPONENTS.join(', ')}`);
  return c as Component;
}

function checkNode(cfg: LabConfig, n: string | undefined): number {
  const max = nodesFor(cfg.profile).length;
  const v = Number(n);
  if (!Number.isInteger(v) || v < 1 || v > max) throw new UsageError(`node must be 1..${max} for profile ${cfg.profile}, got ${n ?? '(none)'}`);
  return v;
}

/** The current leader's spec: Lease holder (hostname_uuid → hostname) or the etcd leader. */
async function leaderSpec(cfg: LabConfig, component: Component): Promise<ProcSpec> {
  const specs = procSpecs(cfg).filter((s) => s.component === component);
  if (component === 'etcd') {
    const st = await etcdStatus(cfg.profile);
    if (!st.leader) throw new UsageError('etcd has no leader right now');
    return specs.find((s) => s.hostname === st.leader)!;
  }
  if (component === 'kube-scheduler' || component === 'kube-controller-manager') {
    const l = await lease('kube-system', component);
    if (!l.holder) throw new UsageError(`Lease kube-system/${component} has no holder right now`);
    if (!l.held) throw new UsageError(`Lease kube-system/${component} holder ${l.holder} stopped renewing (last ${l.renewTime}); no live leader right now`);
    const host = l.holder.split('_')[0];
    const s = specs.find((x) => x.hostname === host);
    if (!s) throw new UsageError(`Lease holder ${l.holder} is not a lab process`);
    return s;
  }
  throw new UsageError(`--leader applies to etcd, kube-scheduler and kube-controller-manager, not ${component}`);
}

export interface Target { component: string; node?: string; replica?: string; leader: boolean }

async function resolve(cfg: LabConfig, t: Target): Promise<ProcSpec> {
  const component = checkComponent(t.component);
  if (t.leader) return leaderSpec(cfg, component);
  const specs = procSpecs(cfg).filter((s) => s.component === component);
  const node = component === 'haproxy' ? 0 : checkNode(cfg, t.node);
  const replica = Number(t.replica ?? 1);
  const s = specs.find((x) => x.node === node && x.replica === replica);
  if (!s) throw new UsageError(`no ${component} on node ${node}${replica > 1 ? ` replica ${replica}` : ''} in profile ${cfg.profile}`);
  return s;
}

function pidOf(state: LabState, id: string): number | null {
  const p = state.procs.find((x) => x.id === id);
  return p?.alive && pidAlive(p.pid) ? p.pid : null;
}

export async function signalFault(action: SignalAction, t: Target, noRestart: boolean): Promise<FaultEvent> {
  const { cfg, state } = running();
  const spec = await resolve(cfg, t);
  const pid = pidOf(state, spec.id);
  if (!pid) throw new UsageError(`${spec.id} is not running (held: ${isHeld(spec.id)})`);
  if (noRestart) hold(spec.id);
  const at = new Date().toISOString();
  process.kill(pid, SIGNALS[action]);
  return record({ action, component: spec.component, node: spec.node, replica: spec.replica, pid, at, signal: SIGNALS[action], restart: !noRestart, leader: t.leader });
}

/** Lifts a hold and waits until the supervisor has started the process again. */
export async function startFault(t: Target): Promise<FaultEvent> {
  const { cfg } = running();
  const spec = await resolve(cfg, { ...t, leader: false });
  const at = new Date().toISOString();
  release(spec.id);
  const pid = await waitPid(spec.id, 10_000);
  return record({ action: 'start', component: spec.component, node: spec.node, replica: spec.replica, pid, at });
}

async function waitPid(id: string, ms: number): Promise<number> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const s = readState();
    const pid = s ? pidOf(s, id) : null;
    if (pid) return pid;
    await sleep(100);
  }
  throw new Error(`${id} did not start within ${ms} ms (see lab/.state/logs)`);
}

export async function nodeFault(action: 'node-stop' | 'node-start', n: string | undefined): Promise<FaultEvent> {
  const { cfg, state } = running();
  const node = checkNode(cfg, n);
  const specs = procSpecs(cfg).filter((s) => s.node === node);
  if (action === 'node-stop') {
    for (const s of specs) hold(s.id);
    const pids = specs.map((s) => pidOf(state, s.id)).filter((p): p is number => p !== null);
    const at = new Date().toISOString();
    for (const p of pids) { try { process.kill(p, 'SIGCONT'); process.kill(p, 'SIGTERM'); } catch { /* gone */ } }
    const until = Date.now() + 15_000;
    while (Date.now() < until && pids.some((p) => pidAlive(p))) await sleep(100);
    for (const p of pids) if (pidAlive(p)) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
    return record({ action, component: 'node', node, pid: pids, at, processes: specs.map((s) => s.id) });
  }
  const at = new Date().toISOString();
  for (const s of specs) release(s.id);
  const pids = await Promise.all(specs.map((s) => waitPid(s.id, 10_000)));
  return record({ action, component: 'node', node, pid: pids, at, processes: specs.map((s) => s.id) });
}

export function netFault(action: 'partition' | 'heal', n: string | undefined): FaultEvent {
  const { cfg } = running();
  const node = nodesFor(cfg.profile)[checkNode(cfg, n) - 1];
  if (!node) throw new UsageError(`no node ${n}`);
  const at = new Date().toISOString();
  setPartition(node, action === 'partition');
  return record({ action, component: 'network', node: node.index, pid: null, at, interface: node.vethHost, partitioned: isPartitioned(node) });
}
