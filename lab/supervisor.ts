// The detached supervisor (like a kubelet for static pods): starts every process of the lab, restarts a dead
// one RESTART_DELAY_MS after it exits unless a hold marker (fault --no-restart / node-stop) keeps it down,
// and keeps pids in state.json. SIGTERM stops all children (SIGTERM, then SIGKILL after 10 s) and exits.
// When lab.json changes (`lab kwok add|remove` sets or clears its kwok settings) the process table is
// recomputed: new processes start, removed ones are stopped, changed command lines restart.
// Run as: node --import tsx lab/supervisor.ts   (started by `lab up`, own session via detached spawn)
import { setTimeout as sleep } from 'node:timers/promises';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, statSync } from 'node:fs';
import path from 'node:path';
import { commandLine, procSpecs } from './procs';
import { isHeld, pidAlive, type ProcState, readConfig, writeState } from './state';
import { paths, type ProcSpec, RESTART_DELAY_MS, ROOT_DIR } from './topology';

let cfg = readConfig();
if (!cfg) throw new Error(`supervisor: ${paths.config} missing; start the lab with \`npm run lab -- up\``);
const specs = procSpecs(cfg);
const configStamp = (): number => {
  try {
    return statSync(paths.config).mtimeMs;
  } catch {
    return 0;
  }
};
let seenStamp = configStamp();
mkdirSync(paths.logs, { recursive: true });
const startedAt = new Date().toISOString();
const log = (m: string): void => void process.stderr.write(`${new Date().toISOString()} ${m}\n`);

interface Slot { spec: ProcSpec; child: ChildProcess | null; state: ProcState; exitedAtMs: number; removed?: boolean }
const slotFor = (spec: ProcSpec): Slot => ({
  spec, child: null, exitedAtMs: 0,
  state: { id: spec.id, component: spec.component, node: spec.node, replica: spec.replica, pid: null, alive: false, startedAt: null, restarts: 0, held: false, lastExit: null },
});
const slots: Slot[] = specs.map(slotFor);

/** lab.json changed: start what is new, stop what is gone, restart what runs with a changed command line. */
function reconcile(): void {
  const next = readConfig();
  if (!next) return;
  cfg = next;
  const want = new Map(procSpecs(next).map((sp) => [sp.id, sp]));
  for (const s of slots) {
    const sp = want.get(s.spec.id);
    if (!sp) {
      s.removed = true;
      log(`removing ${s.spec.id} (no longer in ${paths.config})`);
      if (s.state.pid && s.child) try { process.kill(s.state.pid, 'SIGTERM'); } catch { /* gone */ }
      continue;
    }
    s.removed = false;
    if (JSON.stringify(sp.argv) !== JSON.stringify(s.spec.argv)) {
      log(`restarting ${s.spec.id}: its command line changed`);
      s.spec = sp;
      if (s.state.pid && s.child) try { process.kill(s.state.pid, 'SIGTERM'); } catch { /* gone */ }
    }
    want.delete(s.spec.id);
  }
  for (const sp of want.values()) {
    log(`adding ${sp.id}`);
    slots.push(slotFor(sp));
  }
}
let stopping = false;

function save(): void {
  writeState({
    supervisorPid: process.pid, profile: cfg!.profile, startedAt, updatedAt: new Date().toISOString(), restartDelayMs: RESTART_DELAY_MS,
    procs: slots.map((s) => ({ ...s.state, alive: s.child !== null && pidAlive(s.state.pid) })),
  });
}

function start(slot: Slot): void {
  const logFile = path.join(paths.logs, `${slot.spec.id.replace(/[@#]/g, '-')}.log`);
  const fd = openSync(logFile, 'a');
  const [cmd = '', ...args] = commandLine(slot.spec);
  const child = spawn(cmd, args, { cwd: ROOT_DIR, stdio: ['ignore', fd, fd], env: { ...process.env, QUORUM_LAB_CHILD: slot.spec.id } });
  closeSync(fd);
  if (slot.state.startedAt) slot.state.restarts += 1;
  slot.child = child;
  slot.state.pid = child.pid ?? null;
  slot.state.startedAt = new Date().toISOString();
  log(`started ${slot.spec.id} pid ${child.pid}`);
  child.on('exit', (code, signal) => {
    if (slot.child !== child) return;
    slot.child = null;
    slot.exitedAtMs = Date.now();
    slot.state.lastExit = { at: new Date().toISOString(), code, signal };
    log(`exited ${slot.spec.id} pid ${child.pid} code ${code} signal ${signal}`);
    save();
  });
  child.on('error', (e) => log(`spawn error ${slot.spec.id}: ${e.message}`));
}

function tick(): void {
  if (stopping) return;
  let changed = false;
  const stamp = configStamp();
  if (stamp !== seenStamp) {
    seenStamp = stamp;
    reconcile();
    changed = true;
  }
  for (let i = slots.length - 1; i >= 0; i--) {
    const s = slots[i]!;
    if (s.removed && !s.child) {
      slots.splice(i, 1);
      changed = true;
    }
  }
  for (const s of slots) {
    if (s.removed) continue;
    const held = isHeld(s.spec.id);
    if (held !== s.state.held) { s.state.held = held; changed = true; }
    if (!s.child && !held && Date.now() - s.exitedAtMs >= RESTART_DELAY_MS) { start(s); changed = true; }
  }
  if (changed) save();
}

async function shutdown(sig: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`supervisor: ${sig}, stopping all children`);
  // Order: DNS, workers and control loops first, then apiservers, then etcd, then the LB.
  const order = ['kwok', 'workers', 'coredns', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd', 'haproxy'];
  for (const s of slots) if (s.state.pid && pidAlive(s.state.pid)) { try { process.kill(s.state.pid, 'SIGCONT'); } catch { /* gone */ } }
  for (const comp of order) {
    const group = slots.filter((s) => s.spec.component === comp && s.child && s.state.pid);
    for (const s of group) { try { process.kill(s.state.pid!, 'SIGTERM'); } catch { /* gone */ } }
    const until = Date.now() + 10_000;
    while (Date.now() < until && group.some((s) => pidAlive(s.state.pid))) await sleep(100);
    for (const s of group) if (pidAlive(s.state.pid)) { try { process.kill(s.state.pid!, 'SIGKILL'); } catch { /* gone */ } }
  }
  const until = Date.now() + 5000;
  while (Date.now() < until && slots.some((s) => pidAlive(s.state.pid))) await sleep(100);
  save();
  log('supervisor: all children stopped');
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGHUP', () => { /* detached: ignore */ });
save();
tick();
setInterval(tick, 200);
setInterval(save, 2000);
log(`supervisor ${process.pid} up: profile ${cfg.profile}, ${specs.length} processes, restart delay ${RESTART_DELAY_MS} ms`);
