// Clients of a Studio in a real browser (SPEC R1.3, R1.5; issue 12): Lumen
// Studio's Owner adds, edits, archives and restores a client; the forms
// work with JavaScript off too; a developer organisation has no Clients at
// all, and a Content Editor reads them without the forms.
import { Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { signIn, unique } from './auth-helpers';
import { siteUrl } from './urls';

async function studioOwner(page: Page) {
  await signIn(page, 'lumen', 'luis@lumen.example');
  await page.waitForURL(siteUrl('lumen', '/'));
  await hydrated(page);
}

test('the Owner adds, edits, archives and restores a client, and the audit log tells it', async ({ page }) => {
  const name = `Quayside ${unique('')}`;
  await studioOwner(page);
  await page.getByRole('banner').getByRole('link', { name: 'Clients' }).click();
  await page.waitForURL(siteUrl('lumen', '/clients'));
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Clients');
  // The seed: one client without an account, one that joined as Acme Homes.
  await expect(page.getByRole('row', { name: /Harbourside Developments/ })).toContainText('Not yet');
  await expect(page.getByRole('row', { name: /Acme Homes/ })).toContainText('Joined as Acme Homes');

  // A bad address is refused beside its field, and what was typed stays.
  await page.getByLabel('Company name').fill(name);
  await page.getByLabel('Contact name').fill('Nina Brandt');
  await page.getByLabel('Contact email').fill('nina@nowhere');
  await page.getByLabel('Notes').fill('Met at MIPIM.\nPrefers email.');
  await page.getByRole('button', { name: 'Add client' }).click();
  await expect(page.locator('#field-contact_email-error')).toHaveText('Enter an email address like name@example.com.');
  await expect(page.getByLabel('Contact email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Company name')).toHaveValue(name);

  // Added: the browser goes to the new record.
  await page.getByLabel('Contact email').fill('nina@quayside.example');
  await page.getByRole('button', { name: 'Add client' }).click();
  await page.waitForURL(/\/clients\/[0-9a-f-]{36}$/);
  await hydrated(page);
  const record = page.url();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await expect(page.getByText('Not on offplan yet.')).toBeVisible();
  await expect(page.getByText('No projects for this client yet.')).toBeVisible();
  await expect(page.getByLabel('Notes')).toHaveValue('Met at MIPIM.\nPrefers email.');

  // Edited.
  await page.getByLabel('Notes').fill('Met at MIPIM. Call on Mondays.');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel('Notes')).toHaveValue('Met at MIPIM. Call on Mondays.');

  // Archived, behind a confirmation the keyboard opens.
  const archive = page.getByText('Archive…');
  await archive.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Archive client' }).click();
  await expect(page.getByText(/^Archived on /)).toBeVisible();
  await page.goto(siteUrl('lumen', '/clients'));
  await hydrated(page);
  await expect(page.getByRole('row', { name: new RegExp(name) })).toHaveCount(0);
  await page.getByRole('link', { name: /^Archived/ }).click();
  await page.waitForURL(siteUrl('lumen', '/clients?archived=1'));
  await expect(page.getByRole('row', { name: new RegExp(name) })).toBeVisible();

  // Restored.
  await page.goto(record);
  await hydrated(page);
  await page.getByRole('button', { name: 'Restore client' }).click();
  await expect(page.getByText(/^Client since /)).toBeVisible();

  // R8.1: each change is one sentence in the log; the notes are not in it.
  await page.goto(siteUrl('lumen', '/settings/audit'));
  const log = page.locator('.audit-list');
  await expect(log).toContainText(`Luís Costa added the client ${name}`);
  await expect(log).toContainText(`Luís Costa changed the notes of the client ${name}`);
  await expect(log).toContainText(`Luís Costa archived the client ${name}`);
  await expect(log).toContainText(`Luís Costa restored the client ${name}`);
  await expect(log).not.toContainText('Mondays');
});

test('with JavaScript off the forms still work, errors beside their fields', async ({ page, browser }) => {
  await studioOwner(page);
  const bare = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  const plain = await bare.newPage();
  const name = `Plain ${unique('')}`;

  await plain.goto(siteUrl('lumen', '/clients'));
  await plain.getByLabel('Company name').fill(name);
  await plain.getByLabel('Contact email').fill('nina@nowhere');
  await plain.getByRole('button', { name: 'Add client' }).click();
  await expect(plain.locator('#field-contact_email-error')).toHaveText('Enter an email address like name@example.com.');

  await plain.getByLabel('Company name').fill(name);
  await plain.getByLabel('Contact email').fill('');
  await plain.getByRole('button', { name: 'Add client' }).click();
  await plain.waitForURL(/\/clients\/[0-9a-f-]{36}$/);
  await expect(plain.getByRole('heading', { level: 1 })).toHaveText(name);

  await plain.getByLabel('Contact name').fill('Pat Plain');
  await plain.getByRole('button', { name: 'Save changes' }).click();
  await expect(plain.getByLabel('Contact name')).toHaveValue('Pat Plain');
  // The confirmation is a plain <details>.
  await plain.getByText('Archive…').click();
  await plain.getByRole('button', { name: 'Archive client' }).click();
  await expect(plain.getByText(/^Archived on /)).toBeVisible();
  await bare.close();
});

test('a developer has no Clients; a Content Editor of the studio reads them without the forms (R1.3, R2.2)', async ({ page, browser }) => {
  await signIn(page, 'acme', 'ben@acme.example');
  await page.waitForURL(siteUrl('acme', '/'));
  await hydrated(page);
  await expect(page.getByRole('banner').getByRole('link', { name: 'Clients' })).toHaveCount(0);
  const response = await page.goto(siteUrl('acme', '/clients'));
  expect(response?.status()).toBe(403);
  await expect(page.getByText("you don't have permission to do that")).toBeVisible();

  const editor = await (await browser.newContext()).newPage();
  await signIn(editor, 'lumen', 'marta@lumen.example');
  await editor.waitForURL(siteUrl('lumen', '/'));
  await editor.goto(siteUrl('lumen', '/clients'));
  await hydrated(editor);
  await expect(editor.getByRole('row', { name: /Harbourside Developments/ })).toBeVisible();
  await expect(editor.getByRole('heading', { name: 'Add a client' })).toHaveCount(0);
  await editor.getByRole('link', { name: 'Harbourside Developments' }).click();
  await hydrated(editor);
  await expect(editor.getByRole('heading', { level: 1 })).toHaveText('Harbourside Developments');
  await expect(editor.getByText('info@harbourside.example')).toBeVisible();
  await expect(editor.getByRole('button', { name: 'Save changes' })).toHaveCount(0);
  await expect(editor.getByText('Archive…')).toHaveCount(0);
});
