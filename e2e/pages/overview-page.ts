import { expect, type Locator, type Page } from '@playwright/test';

export class OverviewPage {
  readonly heading: Locator;
  readonly emptyState: Locator;
  readonly clusterList: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Overview' });
    this.emptyState = page.getByRole('region', { name: 'No clusters yet' });
    this.clusterList = page.getByRole('list', { name: 'Clusters' });
  }

  async goto() {
    await this.page.goto('/');
    await expect(this.heading).toBeVisible();
  }

  /** The card of one cluster (a listitem labelled by its name). */
  card(name: string): Locator {
    return this.clusterList.getByRole('listitem', { name, exact: true });
  }

  status(name: string): Locator {
    return this.card(name).getByTestId('cluster-status');
  }

  async openCluster(name: string) {
    await this.card(name).getByRole('link', { name, exact: true }).click();
  }
}
