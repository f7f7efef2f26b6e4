// Reverse invitations in a real browser (SPEC R5.3, R1.5, R8.4): Lumen (a
// studio) adds a client, runs a project for it and invites the client's
// developer; without the legal-basis tick nothing is sent; a new person
// accepts from the emailed link, lands in their own Free Guest workspace
// and sees the project; the studio's funnel counts it.
import { Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { signIn, unique } from './auth-helpers';
import { siteUrl } from './urls';

async function mailedClientLink(page: Page, email: string): Promise<string> {
  const outbox = await page.context().newPage();
  const link = outbox.locator(`.outbox__item[data-to="${email}"] .outbox__link[href*="/client-invite/"]`).first();
  await expect(async () => {
    await outbox.goto(siteUrl('app', '/dev/outbox'));
    await expect(link).toBeAttached({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  const href = (await link.getAttribute('href'))!;
  await outbox.close();
  return href;
}

test("Lumen invites its client's developer; a new person accepts and sees the project in a Free Guest workspace", async ({ page, browser }) => {
  const id = unique('').toLowerCase();
  const client = `Tidewater ${id}`;
  const email = `dev-${id}@tidewater.example`;
  await signIn(page, 'lumen', 'luis@lumen.example');
  await page.waitForURL(siteUrl('lumen', '/'));

  // The client, and a project the studio runs for it.
  await page.goto(siteUrl('lumen', '/clients'));
  await hydrated(page);
  await page.getByLabel('Company name').fill(client);
  await page.getByRole('button', { name: 'Add client' }).click();
  await page.waitForURL(/\/clients\/[0-9a-f-]{36}$/);
  const record = page.url();
  await page.goto(siteUrl('lumen', '/projects/new'));
  await hydrated(page);
  await page.getByLabel('Project name').fill(`Tidewater Quay ${id}`);
  await page.getByLabel('Client').selectOption({ label: client });
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(/\/projects\/tidewater-quay-/);

  // No tick, no invitation: said beside the box.
  await page.goto(record);
  await hydrated(page);
  await page.getByLabel('Their email').fill(email);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.locator('#field-legal_basis-error')).toBeVisible();
  await page.getByLabel(/legal basis/).check();
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status')).toBeVisible();

  // A new person follows the emailed link and signs up.
  const fresh = await browser.newContext();
  const dev = await fresh.newPage();
  await dev.goto(await mailedClientLink(dev, email));
  await hydrated(dev);
  await dev.getByLabel('Your name').fill('Tess Tidewater');
  await dev.getByLabel('Password', { exact: true }).fill('lantern orchard across the quiet bay');
  await dev.getByRole('button', { name: 'Create account and workspace' }).click();
  await dev.waitForURL(/\/projects$/);
  expect(new URL(dev.url()).hostname).not.toContain('lumen');
  const row = dev.getByRole('row').filter({ hasText: `Tidewater Quay ${id}` });
  await expect(row).toContainText('Lumen Studio');
  await expect(row).toContainText('Client (read-only)');
  await fresh.close();

  // The studio's funnel counts the acceptance.
  await page.goto(siteUrl('lumen', '/clients/invitations'));
  await expect(page.getByRole('row').filter({ hasText: email })).toContainText(/Accepted/i);
});
