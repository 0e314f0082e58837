// state.json (written only by the supervisor, atomically), hold markers and the fault event log.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Component, type LabConfig, paths } from './topology';

export interface ProcState {
  id: string; component: Component; node: number; replica: number;
  pid: number | null; alive: boolean; startedAt: string | null; restarts: number;
  held: boolean; lastExit: { at: string; code: number | null; signal: string | null } | null;
}
export interface LabState { supervisorPid: number; profile: LabConfig['profile']; startedAt: string; updatedAt: string; restartDelayMs: number; procs: ProcState[] }

export function readState(): LabState | null {
  if (!existsSync(paths.stateJson)) return null;
  try {
    return JSON.parse(readFileSync(paths.stateJson, 'utf8')) as LabState;
  } catch {
    return null;
  }
}

export function writeState(s: LabState): void {
  const tmp = `${paths.stateJson}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(s, null, 2));
  renameSync(tmp, paths.stateJson);
}

export function readConfig(): LabConfig | null {
  if (!existsSync(paths.config)) return null;
  return JSON.parse(readFileSync(paths.config, 'utf8')) as LabConfig;
}
export function writeConfig(c: LabConfig): void {
  mkdirSync(paths.state, { recursive: true });
  writeFileSync(paths.config, JSON.stringify(c, null, 2));
}

const holdFile = (id: string): string => path.join(paths.holds, id);
export function hold(id: string): void {
  mkdirSync(paths.holds, { recursive: true });
  writeFileSync(holdFile(id), new Date().toISOString());
}
export function release(id: string): void {
  rmSync(holdFile(id), { force: true });
}
export function isHeld(id: string): boolean {
  return existsSync(holdFile(id));
}

export function pidAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); treat it as dead.
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export function appendEvent(e: Record<string, unknown>): void {
  mkdirSync(paths.state, { recursive: true });
  appendFileSync(paths.events, `${JSON.stringify(e)}\n`);
}
