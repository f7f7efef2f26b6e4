// Issue 11 item 5: every page is a lazy route (app/src/routes.rs) whose
// wasm chunk the browser fetches on first use. After hydration, moving
// between routes must load those chunks under the nonce CSP with no console
// error (the fixture fails the test on any console error or uncaught
// exception, which is how a chunk that fails to load shows: a panic) and
// with the controls inside each lazily loaded view still working (R7.4).
import { Page, Response } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { signIn } from './auth-helpers';
import { siteUrl } from './urls';

/** The /pkg wasm files the page fetched, with how each was encoded. */
function wasmResponses(page: Page): { path: string; encoding: string }[] {
  const seen: { path: string; encoding: string }[] = [];
  page.on('response', (r: Response) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/pkg/') && path.endsWith('.wasm')) {
      seen.push({ path, encoding: r.headers()['content-encoding'] ?? 'identity' });
    }
  });
  return seen;
}

/** Marks this document; the mark survives client-side navigation only. */
async function markDocument(page: Page) {
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
}

async function stillSameDocument(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
}

test('three routes after hydration load their chunks under the CSP and work', async ({ page }) => {
  const wasm = wasmResponses(page);
  await signIn(page, 'acme', 'ben@acme.example');
  await page.waitForURL(siteUrl('acme', '/'));
  await hydrated(page);
  await markDocument(page);

  // Route 1 → 2: home → Team, by the header link (client-side).
  const beforeTeam = wasm.length;
  await page.getByRole('link', { name: 'Team', exact: true }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Team' })).toBeVisible();
  await stillSameDocument(page);
  expect(wasm.slice(beforeTeam).some((w) => /split_|chunk_/.test(w.path)), 'the Team chunk was fetched').toBe(true);
  // A control inside the lazily loaded view answers (its closure lives in the chunk).
  await page.getByLabel('Email addresses').fill('not an address');
  await page.getByRole('button', { name: 'Send invitations' }).click();
  await expect(page.locator('#field-emails-error')).toBeVisible();
  await stillSameDocument(page);

  // Route 2 → 3: Team → Audit log, by the settings tab.
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await stillSameDocument(page);
  await expect(page.locator('.audit-list__item').first()).toBeVisible();

  // Route 3 → 4: the person's own Security page, by the account link.
  await page.locator('.account-nav__who').click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();

  // And back to the Audit log (a new document on the organisation's host).
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();

  // Every wasm file came compressed: brotli (Chromium offers br on localhost).
  expect(wasm.length).toBeGreaterThan(1);
  for (const w of wasm) expect(w, w.path).toMatchObject({ encoding: 'br' });
});
