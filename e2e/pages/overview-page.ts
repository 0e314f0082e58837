import { expect, type Locator, type Page } from '@playwright/test';

/** The overview: the fleet table by default (?view=heatmap, ?view=cards for the others). */
export class OverviewPage {
  readonly heading: Locator;
  readonly emptyState: Locator;
  /** The fleet table (the default view). */
  readonly clusterList: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Overview' });
    this.emptyState = page.getByRole('region', { name: 'No clusters yet' });
    this.clusterList = page.getByRole('table', { name: 'Clusters' });
  }

  async goto(query = '') {
    await this.page.goto(`/${query}`);
    await expect(this.heading).toBeVisible();
  }

  /** The table row of one cluster. */
  card(name: string): Locator {
    return this.clusterList.locator(`tr[data-cluster="${name}"]`);
  }

  status(name: string): Locator {
    return this.card(name).getByTestId('cluster-status');
  }

  async openCluster(name: string) {
    await this.card(name).getByRole('link', { name, exact: true }).click();
  }
}
