// Runs `fn` with the process pointed at other environment values and a fresh database handle, then
// restores both (lib/db reads the environment when it opens its handle).
import { closeDb } from '@/lib/db';

/** Sets each variable, deleting those given as undefined (so a saved "unset" is restored as unset). */
export function setEnv(vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  await closeDb();
  setEnv(vars);
  try {
    return await fn();
  } finally {
    await closeDb();
    setEnv(saved);
  }
}
