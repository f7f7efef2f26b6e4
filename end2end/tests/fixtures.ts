import { test as base, expect, Page } from '@playwright/test';

/**
 * Every test fails on a console error or an uncaught exception: a CSP
 * violation or a hydration panic shows up there and nowhere else. The one
 * exception is Chromium's note that a *page itself* answered 4xx/5xx: tests
 * that open a 404 page on purpose assert its status directly. A failing
 * script, style or wasm request still fails the test.
 */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      const failedDocuments = new Set<string>();
      page.on('response', (response) => {
        const request = response.request();
        if (request.isNavigationRequest() && response.status() >= 400) {
          failedDocuments.add(response.url());
        }
      });
      page.on('console', (msg) => {
        if (msg.type() !== 'error') return;
        const failed = msg.text().startsWith('Failed to load resource');
        const isDocumentStatus = failed && failedDocuments.has(msg.location().url);
        // A server function that refuses (wrong password, field errors)
        // answers with an error status; the page shows the message in place
        // and the test asserts it.
        const isServerFnRefusal = failed && new URL(msg.location().url, 'http://x').pathname.startsWith('/api/');
        if (!isDocumentStatus && !isServerFnRefusal) errors.push(`${msg.text()} (${msg.location().url})`);
      });
      page.on('pageerror', (err) => errors.push(err.message));
      await use(errors);
      expect(errors, 'console errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Waits until the wasm has hydrated the page; clicks before that are lost. */
export async function hydrated(page: Page): Promise<void> {
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
}
