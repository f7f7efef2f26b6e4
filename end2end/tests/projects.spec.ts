// Projects in a real browser on real subdomains (SPEC R1.6, R2.2, R2.5,
// R6.1, R7.1): creating one, its settings, a renamed address that keeps
// answering, the stock-mode toggle, and who gets 403 or the neutral 404.
import { test, expect, hydrated } from './fixtures';
import { signIn, unique } from './auth-helpers';
import { siteUrl } from './urls';

async function signedIn(page: import('@playwright/test').Page, sub: string, email: string) {
  await signIn(page, sub, email);
  await page.waitForURL(siteUrl(sub, '/'));
}

test('an Admin creates a project, renames its address (the old one forwards) and opens its stock', async ({ page }) => {
  const id = unique('');
  const name = `Harbour View ${id}`;
  const slug = `harbour-view-${id}`.toLowerCase();
  await signedIn(page, 'acme', 'ben@acme.example');
  // The workspace offers the first step or the list; either links to the form.
  await page.goto(siteUrl('acme', '/projects'));
  await hydrated(page);
  await page.getByRole('link', { name: 'New project' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New project');
  await hydrated(page);
  await page.getByLabel('Project name').fill(name);
  // The address follows the name until edited.
  await expect(page.getByLabel('Web address')).toHaveValue(slug);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(siteUrl('acme', `/projects/${slug}`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await expect(page.getByText('Closed pool —')).toBeVisible();

  await page.getByRole('link', { name: 'Project settings' }).click();
  await page.waitForURL(siteUrl('acme', `/projects/${slug}/settings`));
  await hydrated(page);
  await page.getByLabel('Web address').fill(`${slug}-b`);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL(siteUrl('acme', `/projects/${slug}-b/settings`));

  // The old address answers with a permanent redirect to the new one.
  const moved = await page.goto(siteUrl('acme', `/projects/${slug}`));
  expect(page.url()).toBe(siteUrl('acme', `/projects/${slug}-b`));
  const first = await moved!.request().redirectedFrom()!.response();
  expect(first!.status()).toBe(301);

  await page.goto(siteUrl('acme', `/projects/${slug}-b/settings`));
  await hydrated(page);
  await page.getByLabel(/^Open/).check();
  await page.getByRole('button', { name: 'Save stock mode' }).click();
  await expect(page.getByRole('status')).toContainText('Stock mode is now “Open”');
  await expect(page.getByLabel(/^Open/)).toBeChecked();
});

test('a taken address is refused beside the field, without losing what was typed', async ({ page }) => {
  const id = unique('');
  await signedIn(page, 'acme', 'ben@acme.example');
  for (const attempt of [1, 2]) {
    await page.goto(siteUrl('acme', '/projects/new'));
    await hydrated(page);
    await page.getByLabel('Project name').fill(`Twin ${id} ${attempt}`);
    await page.getByLabel('Web address').fill(`twin-${id}`.toLowerCase());
    await page.getByRole('button', { name: 'Create project' }).click();
    if (attempt === 1) await page.waitForURL(/\/projects\/twin-/);
  }
  await expect(page.locator('#field-slug-error')).toHaveText(/already used by another project/);
  await expect(page.getByLabel('Project name')).toHaveValue(`Twin ${id} 2`);
});

test('a Sales Agent sees the projects but not their settings; another organisation gets the neutral 404', async ({ page, browser }) => {
  await signedIn(page, 'acme', 'ella@acme.example');
  await page.goto(siteUrl('acme', '/projects'));
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Projects');
  await expect(page.getByRole('link', { name: 'New project' })).toHaveCount(0);
  const first = page.locator('table a').first();
  const href = await first.getAttribute('href');
  expect(href).toBeTruthy();
  const settings = await page.goto(`${href}/settings`);
  expect(settings?.status()).toBe(403);

  const other = await browser.newContext();
  const omar = await other.newPage();
  await signedIn(omar, 'northstar', 'omar@northstar.example');
  const stranger = await omar.goto(href!);
  expect(stranger?.status()).toBe(404);
  await other.close();
});

test('the new-project form works as a plain form post, without JavaScript', async ({ page, browser }) => {
  const id = unique('');
  const slug = `plain-${id}`.toLowerCase();
  await signedIn(page, 'acme', 'ben@acme.example');
  const noScript = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  const bare = await noScript.newPage();
  await bare.goto(siteUrl('acme', '/projects/new'));
  await bare.getByLabel('Project name').fill(`Plain ${id}`);
  await bare.getByLabel('Web address').fill(slug);
  await bare.getByRole('button', { name: 'Create project' }).click();
  await bare.waitForURL(siteUrl('acme', `/projects/${slug}`));
  await expect(bare.getByRole('heading', { level: 1 })).toHaveText(`Plain ${id}`);
  await noScript.close();
});
