// utime + stime of a process or thread from its /proc stat file, for the benchmarks that measure
// CPU the same way for Quorum and its peers (bench:peers, bench:collector).
import { readFileSync } from 'node:fs';

/** Clock ticks (USER_HZ) on Linux: 100 per second. */
const TICK_MS = 10;

/**
 * utime + stime in ms of `/proc/<pid>/stat` or `/proc/<pid>/task/<tid>/stat` (fields 14 and 15, counted
 * after the command name, which may itself hold spaces and parentheses). Throws when the file is gone.
 */
export function statCpuMs(statFile: string): number {
  const f = readFileSync(statFile, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * TICK_MS;
}
