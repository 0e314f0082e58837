import type { Locator, Page } from '@playwright/test';

/** "Quorum itself" (/quorum): collectors, owned clusters, takeovers. */
export class QuorumPage {
  readonly summary: Locator;
  readonly collectors: Locator;
  readonly takeovers: Locator;

  constructor(readonly page: Page) {
    this.summary = page.getByTestId('quorum-summary');
    this.collectors = page.getByRole('table', { name: /Runs of the last day/ });
    this.takeovers = page.getByRole('table', { name: /Newest first/ });
  }

  async open(): Promise<void> {
    await this.page.goto('/quorum');
    await this.page.getByRole('heading', { level: 1, name: 'Quorum itself' }).waitFor();
  }

  collectorRow(name: string): Locator {
    return this.collectors.locator(`tr[data-collector="${name}"]`);
  }
}
