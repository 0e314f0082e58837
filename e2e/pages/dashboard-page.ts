import type { Locator, Page } from '@playwright/test';

/** The overview (table, heatmap, cards) and a cluster's tabs. */
export class DashboardPage {
  /** The fleet table (default view). */
  readonly clusterList: Locator;
  /** The cards (?view=cards). */
  readonly cardList: Locator;
  readonly componentGrid: Locator;

  constructor(readonly page: Page) {
    this.clusterList = page.getByRole('table', { name: 'Clusters' });
    this.cardList = page.getByRole('list', { name: 'Clusters' });
    this.componentGrid = page.getByRole('list', { name: 'Control-plane components' });
  }

  /** A cluster's row in the table. */
  card(name: string): Locator {
    return this.clusterList.locator(`tr[data-cluster="${name}"]`);
  }

  /** A cluster's card (?view=cards). */
  cardView(name: string): Locator {
    return this.cardList.getByRole('listitem', { name, exact: true });
  }

  windowLink(label: '7 days' | '28 days' | '30 days' | '90 days'): Locator {
    return this.page.getByRole('navigation', { name: 'SLO window' }).getByRole('link', { name: `rolling ${label}` });
  }

  tab(name: 'Overview' | 'SLO & budget' | 'Outages' | 'Failovers' | 'Checks' | 'History' | 'Settings'): Locator {
    return this.page.getByRole('navigation', { name: 'Cluster sections' }).getByRole('link', { name, exact: true });
  }

  /** The composite's row of the state timeline. */
  timelineRow(component = 'control-plane'): Locator {
    return this.page.getByTestId('state-timeline-card').locator(`li[data-component="${component}"]`);
  }
}
