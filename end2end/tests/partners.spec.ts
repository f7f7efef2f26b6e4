// Project partners in a real browser on real subdomains (SPEC R1.7, R2.5,
// R5.2, R8.4): Acme's Admin creates a project and invites Northstar by its
// address; Northstar's Owner accepts from the emailed link; Northstar's
// agent then works on it in Northstar's workspace while the owner's address
// answers 404; a new person invited by email signs up and lands in the
// agency they create; the activity log shows it all.
import { Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { signIn, throughProvider, unique } from './auth-helpers';
import { siteUrl } from './urls';

async function signedIn(page: Page, sub: string, email: string) {
  await signIn(page, sub, email);
  await page.waitForURL(siteUrl(sub, '/'));
}

/** The newest forward-invitation link mailed to `email` (development outbox). */
async function mailedPartnerLink(page: Page, email: string): Promise<string> {
  const outbox = await page.context().newPage();
  const link = outbox.locator(`.outbox__item[data-to="${email}"] .outbox__link[href*="/partner-invite/"]`).first();
  await expect(async () => {
    await outbox.goto(siteUrl('app', '/dev/outbox'));
    await expect(link).toBeAttached({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  const href = (await link.getAttribute('href'))!;
  await outbox.close();
  return href;
}

/** Ben (Acme's Admin) creates a project; answers its slug and name. */
async function newProject(page: Page): Promise<{ slug: string; name: string }> {
  const id = unique('');
  const name = `Quayside ${id}`;
  const slug = `quayside-${id}`.toLowerCase();
  await page.goto(siteUrl('acme', '/projects/new'));
  await hydrated(page);
  await page.getByLabel('Project name').fill(name);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(siteUrl('acme', `/projects/${slug}`));
  return { slug, name };
}

async function invite(page: Page, slug: string, to: string, kind: 'Agency' | 'Studio') {
  await page.goto(siteUrl('acme', `/projects/${slug}/settings`));
  await hydrated(page);
  await page.getByRole('link', { name: 'Partners' }).click();
  await page.waitForURL(siteUrl('acme', `/projects/${slug}/settings/partners`));
  await hydrated(page);
  await expect(page.getByText('No partners yet.')).toBeVisible();
  await page.getByLabel('Email or organisation address').fill(to);
  await page.getByLabel(new RegExp(`^${kind}`)).check();
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status')).toContainText('Invitation sent');
}

test('Acme invites Northstar by its address; its Owner accepts; its agent works on the project at home and gets 404 on Acme', async ({ page, browser }) => {
  await signedIn(page, 'acme', 'ben@acme.example');
  const { slug, name } = await newProject(page);
  // A mistyped address is explained beside the field; nothing is sent.
  await page.goto(siteUrl('acme', `/projects/${slug}/settings/partners`));
  await hydrated(page);
  await page.getByLabel('Email or organisation address').fill('northstarr');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.locator('#field-to-error')).toHaveText(/No organisation on offplan has that address/);
  await invite(page, slug, 'northstar', 'Agency');
  await expect(page.getByRole('cell', { name: 'Northstar Realty' })).toBeVisible();

  // Northstar's Owner follows the emailed link (sent to its Owner and Admins).
  const owner = await browser.newContext();
  const omar = await owner.newPage();
  await signedIn(omar, 'northstar', 'omar@northstar.example');
  await omar.goto(await mailedPartnerLink(omar, 'omar@northstar.example'));
  await hydrated(omar);
  await expect(omar.getByRole('heading', { level: 1 })).toHaveText(`Work on ${name}`);
  await expect(omar.getByLabel(/Northstar Realty/)).toBeChecked();
  await omar.getByRole('button', { name: 'Accept invitation' }).click();
  await omar.waitForURL(siteUrl('northstar', `/with/acme/${slug}`));
  await expect(omar.getByRole('heading', { level: 1 })).toHaveText(name);
  await owner.close();

  // Northstar's agent: the project is in Northstar's workspace, labelled
  // with its owner; on Acme's address it is the neutral 404.
  const agent = await browser.newContext();
  const rami = await agent.newPage();
  await signedIn(rami, 'northstar', 'rami@northstar.example');
  await rami.goto(siteUrl('northstar', '/projects'));
  await hydrated(rami);
  const row = rami.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('Acme Homes');
  await row.getByRole('link', { name }).click();
  await rami.waitForURL(siteUrl('northstar', `/with/acme/${slug}`));
  const across = await rami.goto(siteUrl('acme', `/projects/${slug}`));
  expect(across?.status()).toBe(404);
  await agent.close();

  // The owner sees the partner, who invited it, and the activity log.
  await page.goto(siteUrl('acme', `/projects/${slug}/settings/partners`));
  await hydrated(page);
  const partner = page.getByRole('row').filter({ hasText: 'Northstar Realty' });
  await expect(partner).toContainText('Ben Carter');
  await expect(page.getByText('No pending invitations.')).toBeVisible();
  await page.getByRole('link', { name: 'Activity log' }).click();
  await page.waitForURL(siteUrl('acme', `/projects/${slug}/settings/activity`));
  await expect(page.getByText(/brought Northstar Realty into/)).toBeVisible();
  await expect(page.getByText(/invited Northstar Realty to/)).toBeVisible();
  await expect(page.getByText(/created the project/)).toBeVisible();
});

test('a new person invited by email signs up, creates the agency and lands on the project in its workspace', async ({ page, browser }) => {
  await signedIn(page, 'acme', 'ben@acme.example');
  const { slug, name } = await newProject(page);
  const id = unique('');
  const email = `nina-${id}@new-agency.example`.toLowerCase();
  const sub = `nina-${id}`.toLowerCase();
  await invite(page, slug, email, 'Agency');
  await expect(page.getByRole('cell', { name: email })).toBeVisible();

  const fresh = await browser.newContext();
  const nina = await fresh.newPage();
  await nina.goto(await mailedPartnerLink(nina, email));
  await hydrated(nina);
  await expect(nina.getByRole('heading', { level: 1 })).toHaveText(`Work on ${name}`);
  await nina.getByLabel('Your name').fill('Nina New');
  await nina.getByLabel('Password', { exact: true }).fill('lantern orchard across the quiet bay');
  await nina.getByLabel('Organisation name').fill(`Nina Agency ${id}`);
  await nina.getByLabel('Its offplan address').fill(sub);
  await nina.getByRole('button', { name: 'Create account and join' }).click();
  await nina.waitForURL(siteUrl(sub, `/with/acme/${slug}`));
  await expect(nina.getByRole('heading', { level: 1 })).toHaveText(name);
  await fresh.close();

  await page.goto(siteUrl('acme', `/projects/${slug}/settings/partners`));
  await expect(page.getByRole('row').filter({ hasText: `Nina Agency ${id}` })).toContainText('Agency');
});

test('a new person invited by email signs up with Google and creates the studio (R5.2, R5.6)', async ({ page, browser }) => {
  await signedIn(page, 'acme', 'ben@acme.example');
  const { slug, name } = await newProject(page);
  const id = unique('').toLowerCase();
  const email = `gus-${id}@example.com`;
  const sub = `gus-${id}`;
  await invite(page, slug, email, 'Studio');
  const href = await mailedPartnerLink(page, email);

  const fresh = await browser.newContext();
  const gus = await fresh.newPage();
  await gus.goto(href);
  await hydrated(gus);
  await gus.getByRole('link', { name: 'Continue with Google' }).click();
  await throughProvider(gus, email);
  await gus.waitForURL(href);
  await hydrated(gus);
  await expect(gus.getByText("You'll sign in with your Google account.")).toBeVisible();
  await expect(gus.getByLabel('Password', { exact: true })).toHaveCount(0);
  await gus.getByLabel('Your name').fill('Gus Google');
  await gus.getByLabel('Organisation name').fill(`Gus Visuals ${id}`);
  await gus.getByLabel('Its offplan address').fill(sub);
  await gus.getByRole('button', { name: 'Create account and join' }).click();
  await gus.waitForURL(siteUrl(sub, `/with/acme/${slug}`));
  await expect(gus.getByRole('heading', { level: 1 })).toHaveText(name);
  await fresh.close();
});
