// Runs the real CLI (scripts/quorum.ts) against the e2e server's database.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export function quorumCli(dataDir: string, args: string[], input?: string): string {
  return execFileSync(path.resolve('node_modules/.bin/tsx'), ['scripts/quorum.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    input: input ?? '',
    env: { ...process.env, QUORUM_DATA_DIR: dataDir, DATABASE_URL: '', QUORUM_URL: '', QUORUM_TOKEN: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
