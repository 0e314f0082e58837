// `test` for every e2e spec: the page is signed in as the admin (storageState from global setup), and
// the `request` fixture sends the admin's API token (no Origin header needed: bearer requests carry no
// ambient credentials, see lib/auth/request.ts).
import { test as base } from '@playwright/test';
import { apiToken } from './auth';

export const test = base.extend({
  request: async ({ playwright, baseURL }, use) => {
    const ctx = await playwright.request.newContext({ ...(baseURL ? { baseURL } : {}), storageState: { cookies: [], origins: [] }, extraHTTPHeaders: { authorization: `Bearer ${apiToken('admin')}` } });
    await use(ctx);
    await ctx.dispose();
  },
});

export { expect } from '@playwright/test';
export type { Page, TestInfo } from '@playwright/test';
