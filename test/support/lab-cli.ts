// The lab's CLI as the lab tests drive it: `tsx lab/cli.ts …`, its last JSON line parsed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(import.meta.dirname, '..', '..');
const exec = promisify(execFile);

/** Runs `npm run lab -- ARGS…` (up to 15 min: `kwok add` of thousands of pods) and returns its result line. */
export async function lab(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await exec(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'lab', 'cli.ts'), ...args], { cwd: root, timeout: 900_000, maxBuffer: 16 << 20 });
  const last = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  assert.ok(last, `lab ${args.join(' ')} printed no JSON line: ${stdout}`);
  return JSON.parse(last) as Record<string, unknown>;
}
