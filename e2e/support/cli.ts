// Runs the real CLI (scripts/quorum.ts) against the e2e server's database.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

export function quorumCli(dataDir: string, args: string[], input?: string, env: Record<string, string> = {}): string {
  return execFileSync(path.resolve('node_modules/.bin/tsx'), ['scripts/quorum.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    input: input ?? '',
    // QUORUM_E2E_CLI_ENV (JSON): a config whose server is not on SQLite names its database here (playwright.ha.config.ts).
    env: { ...process.env, QUORUM_DATA_DIR: dataDir, DATABASE_URL: '', QUORUM_URL: '', QUORUM_TOKEN: '', ...(JSON.parse(process.env.QUORUM_E2E_CLI_ENV ?? '{}') as Record<string, string>), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** The CLI against the running server (`--server URL`, token in QUORUM_TOKEN): exit code, stdout, stderr. */
export function quorumRemote(server: string, token: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(path.resolve('node_modules/.bin/tsx'), ['scripts/quorum.ts', '--server', server, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    // No database settings at all: everything must go through the API.
    env: { ...process.env, QUORUM_DATA_DIR: '/nonexistent/quorum-remote-cli', DATABASE_URL: '', QUORUM_TOKEN: token },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
