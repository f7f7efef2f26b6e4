// The host decides the tenant (SPEC R7.1) and the brand is in the server
// HTML (R7.2); the page hydrates under a strict CSP (R7.4).
import { test, expect, hydrated } from './fixtures';
import { siteUrl } from './urls';

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('an organisation subdomain is branded in the server HTML', async ({ page }) => {
    const response = await page.goto(siteUrl('acme'));
    expect(response?.status()).toBe(200);
    await expect(page).toHaveTitle('Acme Homes');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Acme Homes');
    await expect(page.getByText('Waterfront apartments, built to last.')).toBeVisible();
    await expect(page.getByRole('list', { name: 'What we do' })).toHaveText(/Property developer/);
    // The brand colour is applied before any script runs: no unbranded flash.
    await expect(page.locator('header.site-header')).toHaveCSS('background-color', 'rgb(31, 95, 139)');
    // A second organisation gets its own brand from the same server.
    await page.goto(siteUrl('northstar'));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Northstar Realty');
    await expect(page.locator('header.site-header')).toHaveCSS('background-color', 'rgb(194, 65, 12)');
  });
});

test('the details toggle works once the page has hydrated', async ({ page }) => {
  await page.goto(siteUrl('lumen'));
  await hydrated(page);
  const toggle = page.getByRole('button', { name: 'Show details' });
  const details = page.locator('#org-details');
  await expect(details).toBeHidden();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');

  await toggle.click();
  await expect(details).toBeVisible();
  await expect(details).toContainText('PT');
  await expect(page.getByRole('button', { name: 'Hide details' })).toHaveAttribute('aria-expanded', 'true');

  // Keyboard works too.
  await page.getByRole('button', { name: 'Hide details' }).press('Enter');
  await expect(details).toBeHidden();
});

test('an unknown subdomain is a neutral 404 page', async ({ page }) => {
  const response = await page.goto(siteUrl('nobody-here'));
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("We can't find that page");
  await expect(page.locator('header.site-header--brand')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Go to the home page' })).toHaveAttribute(
    'href',
    siteUrl('app'),
  );
});

test('the bare base domain redirects to the central app', async ({ page }) => {
  await page.goto(siteUrl(null));
  await expect(page).toHaveURL(siteUrl('app'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sell off-plan, together');
  await hydrated(page);
});
