import { expect, type Locator, type Page } from '@playwright/test';

export class AddClusterPage {
  readonly heading: Locator;
  readonly kubeconfig: Locator;
  readonly upload: Locator;
  readonly readContexts: Locator;
  readonly context: Locator;
  readonly testConnection: Locator;
  readonly testResult: Locator;
  readonly version: Locator;
  readonly name: Locator;
  readonly labels: Locator;
  readonly save: Locator;
  readonly alerts: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Add cluster' });
    this.kubeconfig = page.getByRole('textbox', { name: 'Kubeconfig' });
    this.upload = page.getByLabel('Or upload a kubeconfig file');
    this.readContexts = page.getByRole('button', { name: 'Read contexts' });
    this.context = page.getByRole('combobox', { name: 'Context' });
    this.testConnection = page.getByRole('button', { name: 'Test connection' });
    this.testResult = page.getByRole('region', { name: 'Connection test result' });
    this.version = page.getByTestId('apiserver-version');
    this.name = page.getByRole('textbox', { name: 'Name' });
    this.labels = page.getByRole('textbox', { name: 'Labels (optional)' });
    this.save = page.getByRole('button', { name: 'Save cluster' });
    this.alerts = page.getByRole('alert');
  }

  async goto() {
    await this.page.goto('/clusters/new');
    await expect(this.heading).toBeVisible();
  }

  async pasteKubeconfig(text: string) {
    await this.kubeconfig.fill(text);
    await this.readContexts.click();
  }

  async uploadKubeconfig(file: string) {
    await this.upload.setInputFiles(file);
  }
}
