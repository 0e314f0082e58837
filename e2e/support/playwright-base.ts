// What the extra Playwright configs (reports, OIDC, "Quorum itself") share: Debian Chromium, the
// signed-in admin's storage state, and the web app started without its collector on its own port.
import path from 'node:path';
import type { PlaywrightTestConfig } from '@playwright/test';

/** Debian's Chromium (never `npx playwright install`), headless, nothing phoning home. */
export const CHROMIUM_LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/** `use` for a config on `port`, signed in as the admin global-setup made (QUORUM_E2E_AUTH_DIR). */
export function signedInUse(port: number, authDir: string, extra: PlaywrightTestConfig['use'] = {}): PlaywrightTestConfig['use'] {
  return { baseURL: `http://127.0.0.1:${port}`, storageState: path.join(authDir, 'admin.json'), screenshot: 'only-on-failure', launchOptions: CHROMIUM_LAUNCH, ...extra };
}

/** The web app alone (`scripts/start.ts --no-collector --no-build`: build first) on 127.0.0.1:`port`. */
export function webAppServer(port: number, env: Record<string, string>, shutdownMs: number): NonNullable<PlaywrightTestConfig['webServer']> {
  return {
    command: 'npx tsx scripts/start.ts --no-collector --no-build',
    url: `http://127.0.0.1:${port}/api/healthz`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: shutdownMs },
    env: { PORT: String(port), HOST: '127.0.0.1', NEXT_TELEMETRY_DISABLED: '1', ...env },
  };
}
