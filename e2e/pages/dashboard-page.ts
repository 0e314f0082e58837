import type { Locator, Page } from '@playwright/test';

/** The overview and cluster drill-down of issue 6. */
export class DashboardPage {
  readonly clusterList: Locator;
  readonly componentGrid: Locator;

  constructor(readonly page: Page) {
    this.clusterList = page.getByRole('list', { name: 'Clusters' });
    this.componentGrid = page.getByRole('list', { name: 'Control-plane components' });
  }

  card(name: string): Locator {
    return this.clusterList.getByRole('listitem', { name, exact: true });
  }

  windowLink(label: '7 days' | '28 days' | '30 days' | '90 days'): Locator {
    return this.page.getByRole('navigation', { name: 'SLO window' }).getByRole('link', { name: `rolling ${label}` });
  }
}
