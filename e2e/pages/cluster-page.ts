import type { Locator, Page } from '@playwright/test';

export class ClusterPage {
  readonly status: Locator;
  readonly readyzChecks: Locator;
  readonly livezChecks: Locator;
  readonly history: Locator;
  readonly removeButton: Locator;

  constructor(
    readonly page: Page,
    readonly name: string,
  ) {
    this.status = page.getByTestId('cluster-status');
    this.readyzChecks = page.getByRole('table', { name: /readyz checks/i });
    this.livezChecks = page.getByRole('table', { name: /livez checks/i });
    this.history = page.getByRole('table', { name: /runs of \/readyz and \/livez/i });
    this.removeButton = page.getByRole('button', { name: 'Remove cluster' });
  }

  heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: this.name });
  }

  /** One of the cluster's tabs (the range travels along). */
  async openTab(name: 'Overview' | 'SLO & budget' | 'Outages' | 'Failovers' | 'Checks' | 'History' | 'Settings') {
    await this.page.getByRole('navigation', { name: 'Cluster sections' }).getByRole('link', { name, exact: true }).click();
    await this.page.waitForURL((u) => (name === 'Overview' ? /\/clusters\/[^/]+$/.test(u.pathname) : u.pathname.endsWith(`/${name === 'SLO & budget' ? 'slo' : name.toLowerCase()}`)));
  }

  /** The row of one named check (e.g. "etcd") in the readyz table (Checks tab). */
  readyzCheck(check: string): Locator {
    return this.readyzChecks.getByRole('row').filter({ has: this.page.getByRole('cell', { name: check, exact: true }) });
  }

  async remove() {
    await this.removeButton.click();
    await this.page.getByRole('button', { name: `Yes, remove ${this.name}` }).click();
  }
}
