// `up` and `down`: build, PKI, namespaces, the detached supervisor, bootstrap objects, readiness; and the
// verified teardown.
import { setTimeout as sleep } from 'node:timers/promises';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { notReady } from './checks';
import { labManifests } from './manifests';
import { ensurePki, writeKubeconfigs } from './pki';
import { writeConfigFiles } from './procs';
import { leftoverAddresses, leftoverLinks, listLabNetns, netnsPids, setupNetwork, teardownNetwork } from './netns';
import { pidAlive, readConfig, readState, writeConfig } from './state';
import { BIN_DIR, LAB_DIR, type LabConfig, type Profile, ROOT_DIR, leaderElectionFromEnv, nodesFor, paths } from './topology';

const say = (m: string): void => void process.stderr.write(`[lab] ${m}\n`);

export interface UpResult { ready: true; profile: Profile; kubeconfig: { admin: string; quorum: string }; startupMs: number }

export function supervisorAlive(): boolean {
  const s = readState();
  return !!s && pidAlive(s.supervisorPid) && isOurs(s.supervisorPid, 'supervisor.ts');
}

/** Guards against pid reuse: the pid's command line must mention what we started. */
function isOurs(pid: number, needle: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((a) => a.includes(needle));
  } catch {
    return false;
  }
}

async function waitReady(profile: Profile, deadline: number, bootstrap: boolean): Promise<string[]> {
  let applied = !bootstrap;
  let last: string[] = ['nothing checked yet'];
  let lastSaid = '';
  while (Date.now() < deadline) {
    last = await notReady(profile);
    if (!applied && !last.some((l) => l.startsWith('haproxy'))) {
      applied = applyManifests(profile);
      continue;
    }
    if (applied && last.length === 0) return [];
    const msg = last.join(' | ');
    if (msg !== lastSaid) { say(`waiting: ${msg}`); lastSaid = msg; }
    await sleep(1000);
  }
  return applied ? last : ['bootstrap objects (deploy/rbac.yaml, kube-dns, CoreDNS RBAC) could not be applied', ...last];
}

function applyManifests(profile: Profile): boolean {
  const kubectl = path.join(BIN_DIR, 'kubectl');
  const args = ['--kubeconfig', paths.adminKubeconfig, 'apply', '-f'];
  const a = spawnSync(kubectl, [...args, path.join(ROOT_DIR, 'deploy', 'rbac.yaml')], { encoding: 'utf8' });
  const b = spawnSync(kubectl, [...args, '-'], { encoding: 'utf8', input: JSON.stringify(labManifests(profile)) });
  if (a.status !== 0 || b.status !== 0) {
    // A kubectl that cannot start at all (lab/.bin not built) has no stderr, only an error.
    const why = (r: typeof a): string => (r.error ? `${kubectl}: ${r.error.message}` : (r.stderr ?? ''));
    say(`apply not yet possible: ${(why(a) + why(b)).trim().split('\n').slice(-2).join(' ')}`);
    return false;
  }
  say('applied deploy/rbac.yaml, CoreDNS RBAC, kube-dns Service/Endpoints/EndpointSlice, headroom-load Deployment');
  return true;
}

function result(profile: Profile, t0: number): UpResult {
  return { ready: true, profile, kubeconfig: { admin: paths.adminKubeconfig, quorum: paths.quorumKubeconfig }, startupMs: Date.now() - t0 };
}

export async function up(profile: Profile, timeoutMs: number): Promise<UpResult> {
  const t0 = Date.now();
  const deadline = t0 + timeoutMs;
  if (supervisorAlive()) {
    const cfg = readConfig();
    if (cfg && cfg.profile !== profile) throw new Error(`the lab is already up with profile ${cfg.profile}; run \`npm run lab -- down\` first`);
    say('already up; checking health');
    const missing = await waitReady(profile, deadline, true);
    if (missing.length) throw new Error(`lab is running but not ready after ${timeoutMs} ms: ${missing.join(' | ')}`);
    return result(profile, t0);
  }
  if (readState() || listLabNetns().length || leftoverLinks().length) {
    say('cleaning up leftovers of a previous run');
    await down();
  }
  say('building or reusing binaries (lab/build.sh)');
  execFileSync('bash', [path.join(LAB_DIR, 'build.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const cfg: LabConfig = { profile, leaderElection: leaderElectionFromEnv(), createdAt: new Date().toISOString() };
  mkdirSync(paths.logs, { recursive: true });
  writeConfig(cfg);
  ensurePki(nodesFor('ha'));
  writeKubeconfigs(nodesFor(profile));
  writeConfigFiles(cfg);
  say(`network: bridge + ${nodesFor(profile).length} namespace(s)`);
  setupNetwork(nodesFor(profile));
  const fd = openSync(paths.supervisorLog, 'a');
  const sup = spawn(process.execPath, ['--import', 'tsx', path.join(LAB_DIR, 'supervisor.ts')], { cwd: ROOT_DIR, detached: true, stdio: ['ignore', fd, fd], env: process.env });
  closeSync(fd);
  sup.unref();
  say(`supervisor pid ${sup.pid} (log ${paths.supervisorLog}); waiting for readiness (timeout ${Math.round(timeoutMs / 1000)} s)`);
  const missing = await waitReady(profile, deadline, true);
  if (missing.length) {
    const msg = `lab did not come up within ${timeoutMs} ms; not ready: ${missing.join(' | ')} (logs in ${paths.logs})`;
    say(msg);
    say('cleaning up');
    await down();
    throw new Error(msg);
  }
  return result(profile, t0);
}

export interface DownResult { down: boolean; stopped: number; left: { processes: number[]; netns: string[]; links: string[]; addresses: string[] } }

export async function down(): Promise<DownResult> {
  const s = readState();
  let stopped = 0;
  const known = new Map<number, string>(); // pid → what its command line must mention (pid-reuse guard)
  if (s) {
    known.set(s.supervisorPid, 'supervisor.ts');
    for (const p of s.procs) if (p.pid) known.set(p.pid, p.component === 'workers' ? 'workers.ts' : p.component);
    stopped = s.procs.filter((p) => p.pid && pidAlive(p.pid)).length;
    if (pidAlive(s.supervisorPid) && isOurs(s.supervisorPid, 'supervisor.ts')) {
      say(`stopping supervisor ${s.supervisorPid}`);
      process.kill(s.supervisorPid, 'SIGTERM');
      const until = Date.now() + 60_000;
      while (Date.now() < until && pidAlive(s.supervisorPid)) await sleep(200);
      if (pidAlive(s.supervisorPid)) process.kill(s.supervisorPid, 'SIGKILL');
      stopped += 1;
    }
  }
  // Anything the supervisor did not take down: by pid from state.json (checked against its binary) and by
  // pid from the lab's network namespaces.
  const spec = s?.procs ?? [];
  for (const p of spec) {
    if (p.pid && pidAlive(p.pid) && isOurs(p.pid, p.component === 'workers' ? 'workers.ts' : p.component)) {
      say(`killing leftover ${p.id} pid ${p.pid}`);
      try { process.kill(p.pid, 'SIGCONT'); process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
  for (const ns of listLabNetns()) {
    for (const pid of netnsPids(ns)) {
      say(`killing leftover pid ${pid} in netns ${ns}`);
      known.set(pid, '');
      try { process.kill(pid, 'SIGCONT'); process.kill(pid, 'SIGKILL'); stopped += 1; } catch { /* gone */ }
    }
  }
  const until = Date.now() + 5000;
  while (Date.now() < until && [...known.keys()].some((p) => pidAlive(p))) await sleep(100);
  teardownNetwork();
  for (const f of [paths.stateJson, paths.config]) rmSync(f, { force: true });
  for (const d of [paths.holds, paths.etcdData, path.join(paths.state, 'apiserver')]) rmSync(d, { recursive: true, force: true });
  const left = {
    processes: [...known].filter(([p, needle]) => pidAlive(p) && isOurs(p, needle)).map(([p]) => p),
    netns: listLabNetns(), links: leftoverLinks(), addresses: leftoverAddresses(),
  };
  const ok = left.processes.length === 0 && left.netns.length === 0 && left.links.length === 0 && left.addresses.length === 0;
  return { down: ok, stopped, left };
}
