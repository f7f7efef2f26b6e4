// Takes screenshots of the main pages for a person to look at:
//   node scripts/screenshots.mjs   (server already running; E2E_PORT, E2E_BASE_DOMAIN)
// Writes end2end/screenshots/<name>.png at desktop and phone widths.
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';

const port = Number(process.env.E2E_PORT ?? 3100);
const base = process.env.E2E_BASE_DOMAIN ?? 'offplan.localhost';
const url = (sub, path = '/') => `http://${sub ? sub + '.' : ''}${base}:${port}${path}`;

const pages = [
  ['central', url('app')],
  ['org-acme', url('acme')],
  ['org-lumen-details', url('lumen'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Show details' }).click();
    await page.getByRole('button', { name: 'Hide details' }).focus();
  }],
  ['org-northstar', url('northstar')],
  ['unknown-404', url('nobody-here')],
  // Identity (issue 4), signed out …
  ['login-acme', url('acme', '/login')],
  ['login-central', url('app', '/login')],
  ['signup', url('app', '/signup'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.getByLabel('Address').fill('acme');
    await page.getByText('Taken — try another').waitFor();
    await page.getByLabel('Password').fill('marble kettle on the quiet harbour');
  }],
  ['signup-errors', url('app', '/signup'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('password123456789');
    await page.getByRole('button', { name: 'Create organisation' }).click();
    await page.locator('#field-password-error').waitFor();
  }],
  ['forgot', url('app', '/forgot')],
  // Issue 10: a password sign-up ends at "check your inbox"; the emailed
  // link asks for one click.
  ['signup-sent', url('app', '/signup/sent')],
  ['verify-email', url('app', '/verify-email?token=x')],
  ['verify-email-gone', url('app', '/verify-email?token=x'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Confirm my email' }).click();
    await page.getByText('expired or was already used').waitFor();
  }],
  // … then signed in as Ben (Acme's Admin).
  ['signed-in-acme', url('acme', '/login'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.getByLabel('Email').fill('ben@acme.example');
    await page.getByLabel('Password').fill('offplan demo passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(url('acme', '/'));
  }],
  ['signed-in-central', url('app')],
  ['orgs', url('app', '/orgs')],
  // Team and audit (issue 5), as Ben.
  ['team', url('acme', '/settings/team')],
  ['team-invited', url('acme', '/settings/team'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.getByLabel('Email addresses').fill(`shot${Date.now()}@new.example, ella@acme.example`);
    await page.getByRole('button', { name: 'Send invitations' }).click();
    await page.getByText('is already a member').waitFor();
  }],
  ['team-remove-confirm', url('acme', '/settings/team'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.getByRole('row', { name: /Dan Hughes/ }).getByText('Remove…').click();
  }],
  ['team-invite-error', url('acme', '/settings/team'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.getByLabel('Email addresses').fill('someone@, x');
    await page.getByRole('button', { name: 'Send invitations' }).click();
    await page.locator('#field-emails-error').waitFor();
  }],
  ['audit', url('acme', '/settings/audit')],
  // Issue 13: the presentation editor, the units, the terms Ben may
  // accept, and buyers behind the gate.
  ['presentation', url('acme', '/projects/marina-heights/settings/presentation'), async (page) => {
    // The gallery's thumbnails load lazily: scroll them into view first.
    await page.keyboard.press('End');
    await page.waitForLoadState('networkidle');
  }],
  ['units', url('acme', '/projects/marina-heights/units')],
  ['data-processing', url('acme', '/settings/data-processing')],
  ['buyers-gated', url('acme', '/buyers')],
  // Issue 12: a developer has no clients (403); the studio's pages are below.
  ['clients-developer', url('acme', '/clients')],
  // Issue 12: the workspace, the projects list, the new-project form with a
  // field error, a project's home and its settings.
  ['workspace', url('acme', '/')],
  ['projects', url('acme', '/projects')],
  ['project-new-error', url('acme', '/projects/new'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.getByLabel('Project name').fill('Marina Heights');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.locator('#field-slug-error').waitFor();
  }],
  ['project-home', url('acme', '/projects/marina-heights')],
  ['project-settings', url('acme', '/projects/marina-heights/settings')],
  ['project-activity', url('acme', '/projects/riverside-gardens/settings/activity')],
  // Issue 12 item 3: the partners page, an invite refused beside the field,
  // and the landing page of an invitation to an organisation, signed in as
  // Ben (who may not accept for Northstar: the page says so).
  ['project-partners', url('acme', '/projects/marina-heights/settings/partners')],
  ['project-partners-error', url('acme', '/projects/riverside-gardens/settings/partners'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.getByLabel('Email or organisation address').fill('nowhere-at-all');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.locator('#field-to-error').waitFor();
  }],
  ['partner-invite-landing', url('acme', '/projects/riverside-gardens/settings/partners'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    const email = `partner${Date.now()}@new.example`;
    await page.getByLabel('Email or organisation address').fill(email);
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invitation sent to ${email}`).waitFor();
    await page.goto(url('app', '/dev/outbox'));
    await page.goto(await page.locator(`.outbox__item[data-to="${email}"] .outbox__link`).first().getAttribute('href'));
  }],
  // Issue 11: the header's Menu opened on a phone (at desktop width the
  // navigation is inline and there is no Menu), and a 404 signed in.
  ['header-menu-open', url('acme', '/settings/team'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    if (page.viewportSize().width < 768) {
      await page.getByRole('banner').getByText('Menu', { exact: true }).click();
      await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
    }
  }],
  ['missing-signed-in', url('acme', '/no-such-page')],
  ['invite-invalid', url('acme', '/invite/not-a-token')],
  ['invite-wrong-account', url('acme', '/settings/team'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    const email = `look${Date.now()}@new.example`;
    await page.getByLabel('Email addresses').fill(email);
    await page.getByRole('button', { name: 'Send invitations' }).click();
    await page.getByText(`Invitation sent to ${email}`).waitFor();
    await page.goto(url('app', '/dev/outbox'));
    await page.goto(await page.locator(`.outbox__item[data-to="${email}"] .outbox__link`).first().getAttribute('href'));
  }],
  ['security-totp-setup', url('app', '/account/security'), async (page) => {
    await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    await page.getByTestId('totp-secret').waitFor();
  }],
];

mkdirSync('screenshots', { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
for (const [width, height, suffix] of [[1280, 800, ''], [390, 844, '-phone']]) {
  const page = await browser.newPage({ viewport: { width, height } });
  for (const [name, target, act] of pages) {
    await page.goto(target);
    if (act) await act(page);
    await page.screenshot({ path: `screenshots/${name}${suffix}.png`, fullPage: true });
  }
  await page.close();
}
// Other roles and a newcomer (issue 5): the Owner's transfer panel, what a
// Sales Agent sees (no management controls, R4.7), and an invitation opened
// signed out.
async function signedIn(email) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url('acme', '/login'));
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('offplan demo passphrase');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(url('acme', '/'));
  return page;
}
const owner = await signedIn('ava@acme.example');
await owner.goto(url('acme', '/settings/team'));
await owner.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
await owner.getByText('Transfer ownership…').click();
await owner.screenshot({ path: 'screenshots/team-owner-transfer.png', fullPage: true });
const invited = `new${Date.now()}@new.example`;
await owner.getByLabel('Email addresses').fill(invited);
await owner.getByRole('button', { name: 'Send invitations' }).click();
await owner.getByText(`Invitation sent to ${invited}`).waitFor();
await owner.goto(url('app', '/dev/outbox'));
const link = await owner.locator(`.outbox__item[data-to="${invited}"] .outbox__link`).first().getAttribute('href');
await owner.close();
const agent = await signedIn('ella@acme.example');
await agent.goto(url('acme', '/settings/team'));
await agent.screenshot({ path: 'screenshots/team-sales-agent.png', fullPage: true });
await agent.close();
const newcomer = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await newcomer.goto(link);
await newcomer.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
await newcomer.screenshot({ path: 'screenshots/invite-newcomer.png', fullPage: true });
await newcomer.close();
// Clients (issue 12), as Lumen Studio's Owner: the list, the add form with
// a field error, a record (the archive confirmation open), and the
// archived list; Acme (a developer) has none.
const studio = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await studio.goto(url('lumen', '/login'));
await studio.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
await studio.getByLabel('Email').fill('luis@lumen.example');
await studio.getByLabel('Password').fill('offplan demo passphrase');
await studio.getByRole('button', { name: 'Sign in' }).click();
await studio.waitForURL(url('lumen', '/'));
for (const [width, height, suffix] of [[1280, 800, ''], [390, 844, '-phone']]) {
  await studio.setViewportSize({ width, height });
  await studio.goto(url('lumen', '/clients'));
  await studio.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await studio.screenshot({ path: `screenshots/clients${suffix}.png`, fullPage: true });
  await studio.getByLabel('Company name').fill('Quayside Living');
  await studio.getByLabel('Contact email').fill('nina@nowhere');
  await studio.getByRole('button', { name: 'Add client' }).click();
  await studio.locator('#field-contact_email-error').waitFor();
  await studio.screenshot({ path: `screenshots/clients-add-error${suffix}.png`, fullPage: true });
  await studio.goto(url('lumen', '/clients'));
  await studio.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await studio.getByRole('link', { name: 'Acme Homes' }).click();
  await studio.getByRole('heading', { level: 1, name: 'Acme Homes' }).waitFor();
  await studio.getByText('Archive…').click();
  await studio.screenshot({ path: `screenshots/client-record${suffix}.png`, fullPage: true });
  await studio.goto(url('lumen', '/clients?archived=1'));
  await studio.screenshot({ path: `screenshots/clients-archived${suffix}.png`, fullPage: true });
  // R5.3: the invite card on a client not on offplan yet, refused without
  // the legal-basis tick, and the funnel.
  await studio.goto(url('lumen', '/clients'));
  await studio.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await studio.getByRole('link', { name: 'Harbourside Developments' }).click();
  await studio.getByRole('heading', { level: 1, name: 'Harbourside Developments' }).waitFor();
  await studio.getByRole('button', { name: 'Send invitation' }).click();
  await studio.locator('#field-legal_basis-error').waitFor();
  await studio.screenshot({ path: `screenshots/client-invite-error${suffix}.png`, fullPage: true });
  await studio.goto(url('lumen', '/clients/invitations'));
  await studio.screenshot({ path: `screenshots/client-invitations${suffix}.png`, fullPage: true });
}
await studio.close();
// Issue 13, as Northstar's Owner (terms accepted in the demo): buyers, a
// buyer with a link just issued to A-101, a unit, and then the buyer's
// page itself with JavaScript off, and the page an old link shows.
const agency = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await agency.goto(url('northstar', '/login'));
await agency.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
await agency.getByLabel('Email').fill('omar@northstar.example');
await agency.getByLabel('Password').fill('offplan demo passphrase');
await agency.getByRole('button', { name: 'Sign in' }).click();
await agency.waitForURL(url('northstar', '/'));
const issue = async () => {
  await agency.goto(url('northstar', '/buyers'));
  await agency.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await agency.getByRole('link', { name: 'Nadia Farouk' }).click();
  await agency.getByRole('heading', { level: 1, name: 'Nadia Farouk' }).waitFor();
  await agency.getByLabel('Project').selectOption({ label: 'Marina Heights (Acme Homes)' });
  await agency.getByRole('button', { name: 'Show its units' }).click();
  await agency.waitForURL(/project=/);
  await agency.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  const unit = agency.getByLabel(/^Unit of Marina Heights/);
  await unit.waitFor();
  await unit.selectOption(await unit.locator('option', { hasText: 'A-101' }).first().getAttribute('value'));
  await agency.getByRole('button', { name: 'Issue link' }).click();
  const field = agency.getByLabel("The buyer's link");
  await field.waitFor();
  return field.inputValue();
};
const links = [];
for (const [width, height, suffix] of [[1280, 800, ''], [390, 844, '-phone']]) {
  await agency.setViewportSize({ width, height });
  await agency.goto(url('northstar', '/buyers'));
  await agency.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await agency.screenshot({ path: `screenshots/buyers${suffix}.png`, fullPage: true });
  links.push(await issue());
  await agency.screenshot({ path: `screenshots/buyer-link-issued${suffix}.png`, fullPage: true });
  await agency.goto(url('northstar', '/with/acme/marina-heights/units'));
  await agency.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await agency.screenshot({ path: `screenshots/units-partner${suffix}.png`, fullPage: true });
  // Issue 14: the stock conflict modal, as a manager sees it (a stale
  // version stands in for someone else's change), with the override open.
  const row = agency.locator('tr[data-unit="A-104"]');
  await row.getByLabel('Buyer for A-104').selectOption({ label: 'Tom Becker' });
  await row.locator('input[name="version"]').evaluate((el) => { el.value = '999'; });
  await row.getByRole('button', { name: 'Reserve' }).click();
  const modal = agency.getByRole('dialog', { name: 'Someone else has this unit' });
  await modal.waitFor();
  await modal.getByText('Override the reservation').click();
  await agency.screenshot({ path: `screenshots/units-conflict${suffix}.png` });
  await modal.getByRole('button', { name: 'Close' }).click();
  await agency.getByRole('link', { name: 'A-101' }).first().click();
  await agency.getByRole('heading', { level: 1, name: 'Unit A-101' }).waitFor();
  await agency.screenshot({ path: `screenshots/unit-partner${suffix}.png`, fullPage: true });
}
await agency.close();
for (const [width, height, suffix] of [[1280, 800, ''], [390, 844, '-phone']]) {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height } });
  const buyer = await context.newPage();
  await buyer.goto(links[1]);
  // Its floor plan and gallery load lazily: scroll them into view first.
  await buyer.keyboard.press('End');
  await buyer.waitForLoadState('networkidle');
  await buyer.screenshot({ path: `screenshots/buyer-page${suffix}.png`, fullPage: true });
  await buyer.goto(links[0]);
  await buyer.screenshot({ path: `screenshots/buyer-page-replaced${suffix}.png`, fullPage: true });
  await context.close();
}
await browser.close();
console.log('screenshots written to end2end/screenshots/');
