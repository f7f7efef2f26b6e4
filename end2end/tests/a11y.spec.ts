// Every page is accessible at desktop width and on a phone (issue 11 item 6;
// SPEC R7.2): axe finds no serious or critical violation, there is exactly
// one banner and one <main> (a 404 inside the site frame used to nest them),
// and at 390 px nothing scrolls sideways and the header stays within about
// two lines, its navigation folded into a "Menu" that opens from the
// keyboard and without JavaScript.
import AxeBuilder from '@axe-core/playwright';
import { Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { signIn } from './auth-helpers';
import { siteUrl } from './urls';

const widths = [
  { label: 'desktop', viewport: { width: 1280, height: 800 } },
  { label: 'phone', viewport: { width: 390, height: 844 } },
] as const;

/** A page to check; `notFound` pages answer 404 and are not waited on. */
type Visit = { name: string; url: string; notFound?: boolean };

const signedOut: Visit[] = [
  { name: 'central home', url: siteUrl('app') },
  { name: 'organisation home', url: siteUrl('acme') },
  { name: 'central sign-in', url: siteUrl('app', '/login') },
  { name: 'organisation sign-in', url: siteUrl('acme', '/login') },
  { name: 'sign-up', url: siteUrl('app', '/signup') },
  { name: 'sign-up sent', url: siteUrl('app', '/signup/sent') },
  { name: 'forgotten password', url: siteUrl('app', '/forgot') },
  { name: 'reset password', url: siteUrl('app', '/reset?token=x') },
  { name: 'verify email', url: siteUrl('app', '/verify-email?token=x') },
  { name: 'unknown host 404', url: siteUrl('nobody-here'), notFound: true },
  { name: 'missing page in an organisation', url: siteUrl('acme', '/no-such-page'), notFound: true },
];

const signedIn: Visit[] = [
  { name: 'organisation picker', url: siteUrl('app', '/orgs') },
  { name: 'account security', url: siteUrl('app', '/account/security') },
  { name: 'Team', url: siteUrl('acme', '/settings/team') },
  { name: 'Audit log', url: siteUrl('acme', '/settings/audit') },
  { name: 'workspace home', url: siteUrl('acme') },
  { name: 'Projects', url: siteUrl('acme', '/projects') },
  { name: 'new project', url: siteUrl('acme', '/projects/new') },
  { name: 'project home', url: siteUrl('acme', '/projects/marina-heights') },
  { name: 'project settings', url: siteUrl('acme', '/projects/marina-heights/settings') },
  { name: 'project activity log', url: siteUrl('acme', '/projects/marina-heights/settings/activity') },
  { name: 'project partners', url: siteUrl('acme', '/projects/marina-heights/settings/partners') },
  // Issue 13: the presentation editor, the units, the terms and buyers
  // behind the gate (Acme has not accepted them in the demo).
  { name: 'project presentation', url: siteUrl('acme', '/projects/marina-heights/settings/presentation') },
  { name: 'project units', url: siteUrl('acme', '/projects/marina-heights/units') },
  { name: 'data-processing terms', url: siteUrl('acme', '/settings/data-processing') },
  { name: 'buyers', url: siteUrl('acme', '/buyers') },
  { name: 'invalid partner invitation', url: siteUrl('acme', '/partner-invite/not-a-token'), notFound: true },
  { name: 'missing project', url: siteUrl('acme', '/projects/no-such-project'), notFound: true },
  { name: 'invalid invitation', url: siteUrl('acme', '/invite/not-a-token'), notFound: true },
  { name: 'missing page, signed in', url: siteUrl('acme', '/no-such-page'), notFound: true },
  { name: 'missing central page, signed in', url: siteUrl('app', '/no-such-page'), notFound: true },
];

/** Issue 13, as Northstar's Owner (terms accepted, buyers recorded) and as
 *  Lumen, the studio partner editing Acme's presentation. */
const agency: Visit[] = [
  { name: 'buyers (terms accepted)', url: siteUrl('northstar', '/buyers') },
  { name: "a partner's units", url: siteUrl('northstar', '/with/acme/marina-heights/units') },
  { name: 'missing buyer', url: siteUrl('northstar', '/buyers/00000000-0000-4000-8000-000000000000'), notFound: true },
];

/** A Studio's own pages (R1.3), signed in as Lumen Studio's Owner. */
const studio: Visit[] = [
  { name: 'Clients', url: siteUrl('lumen', '/clients') },
  { name: 'archived clients', url: siteUrl('lumen', '/clients?archived=1') },
  { name: 'missing client', url: siteUrl('lumen', '/clients/00000000-0000-4000-8000-000000000000'), notFound: true },
  { name: 'client invitations', url: siteUrl('lumen', '/clients/invitations') },
  { name: 'invalid client invitation', url: siteUrl('lumen', '/client-invite/not-a-token'), notFound: true },
];

async function check(page: Page, visit: Visit, phone: boolean) {
  const where = `${visit.name} (${visit.url}) at ${phone ? 390 : 1280} px`;
  const response = await page.goto(visit.url);
  if (visit.notFound) {
    expect(response?.status(), where).toBe(404);
  } else {
    expect(response?.status(), where).toBe(200);
    await hydrated(page);
  }

  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(serious, where).toEqual([]);

  // One banner and one main landmark, whether the page is the whole
  // document (unknown host) or sits inside the site frame.
  await expect(page.getByRole('main'), where).toHaveCount(1);
  await expect(page.getByRole('banner'), where).toHaveCount(1);

  if (phone) {
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(scrollWidth, `${where}: sideways overflow`).toBeLessThanOrEqual(clientWidth);
    const header = await page.getByRole('banner').boundingBox();
    expect(header, where).not.toBeNull();
    expect(header!.height, `${where}: header height`).toBeLessThanOrEqual(120);
  }
}

for (const { label, viewport } of widths) {
  const phone = viewport.width < 768;

  test.describe(`at ${label} width (${viewport.width} px)`, () => {
    test.use({ viewport });

    for (const visit of signedOut) {
      test(`${visit.name} has no serious accessibility violations`, async ({ page }) => {
        await check(page, visit, phone);
      });
    }

    test('signed-in pages have no serious accessibility violations', async ({ page }) => {
      test.setTimeout(120_000);
      await signIn(page, 'acme', 'ben@acme.example');
      await page.waitForURL(siteUrl('acme', '/'));
      for (const visit of signedIn) {
        await check(page, visit, phone);
      }
    });

    test('buyers, a unit and sending it have no serious accessibility violations', async ({ page }) => {
      test.setTimeout(90_000);
      await signIn(page, 'northstar', 'omar@northstar.example');
      await page.waitForURL(siteUrl('northstar', '/'));
      for (const visit of agency) {
        await check(page, visit, phone);
      }
      await page.goto(siteUrl('northstar', '/buyers'));
      const buyer = await page.getByRole('link', { name: 'Nadia Farouk' }).getAttribute('href');
      await check(page, { name: 'a buyer', url: siteUrl('northstar', buyer!) }, phone);
      await page.goto(siteUrl('northstar', '/with/acme/marina-heights/units'));
      const unit = await page.getByRole('link', { name: 'A-101' }).first().getAttribute('href');
      await check(page, { name: 'a unit', url: siteUrl('northstar', unit!) }, phone);
      const send = await page.getByRole('link', { name: 'Send to a buyer' }).getAttribute('href');
      await check(page, { name: 'send a unit', url: siteUrl('northstar', send!) }, phone);
    });

    test("the studio's presentation editor has no serious accessibility violations", async ({ page }) => {
      await signIn(page, 'lumen', 'marta@lumen.example');
      await page.waitForURL(siteUrl('lumen', '/'));
      await check(page, { name: "a partner's presentation", url: siteUrl('lumen', '/with/acme/marina-heights/presentation') }, phone);
    });

    test('a studio\'s client pages have no serious accessibility violations', async ({ page }) => {
      test.setTimeout(60_000);
      await signIn(page, 'lumen', 'luis@lumen.example');
      await page.waitForURL(siteUrl('lumen', '/'));
      for (const visit of studio) {
        await check(page, visit, phone);
      }
      // A client record, with its edit form and the archive confirmation open.
      await page.goto(siteUrl('lumen', '/clients'));
      const href = await page.getByRole('link', { name: 'Harbourside Developments' }).getAttribute('href');
      await check(page, { name: 'client record', url: siteUrl('lumen', href!) }, phone);
      await page.getByText('Archive…').click();
      const results = await new AxeBuilder({ page }).analyze();
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
      expect(serious, 'client record, archive confirmation open').toEqual([]);
    });
  });
}

test.describe('the header on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('folds its navigation into a Menu that opens from the keyboard and without JavaScript', async ({ page, browser }) => {
    await signIn(page, 'acme', 'ben@acme.example');
    await page.waitForURL(siteUrl('acme', '/'));
    await hydrated(page);
    const banner = page.getByRole('banner');
    const account = banner.getByRole('navigation', { name: 'Account' });
    // Closed: only the button shows.
    await expect(account).toBeHidden();
    const menu = banner.getByText('Menu', { exact: true });
    await expect(menu).toBeVisible();
    await menu.focus();
    await page.keyboard.press('Enter');
    await expect(account).toBeVisible();
    await expect(account).toContainText('Ben Carter');
    await expect(banner.getByRole('link', { name: 'Team' })).toBeVisible();
    // Following a link closes the menu (the router keeps the header).
    await banner.getByRole('link', { name: 'Team' }).click();
    await page.waitForURL(siteUrl('acme', '/settings/team'));
    await expect(account).toBeHidden();

    // The same, with JavaScript off: the disclosure is plain HTML.
    const noScript = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 390, height: 844 },
      storageState: await page.context().storageState(),
    });
    const bare = await noScript.newPage();
    await bare.goto(siteUrl('acme', '/settings/team'));
    const bareBanner = bare.getByRole('banner');
    await expect(bareBanner.getByRole('navigation', { name: 'Account' })).toBeHidden();
    await bareBanner.getByText('Menu', { exact: true }).click();
    await expect(bareBanner.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
    // The Team table is stacked rows: each cell says which column it is.
    await expect(bare.getByRole('row', { name: /Ben Carter/ }).locator('td[data-label="Joined"]')).toBeVisible();
    await noScript.close();
  });

  test('shows the navigation inline at desktop width, with no Menu button', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await signIn(page, 'acme', 'ben@acme.example');
    await page.waitForURL(siteUrl('acme', '/'));
    const banner = page.getByRole('banner');
    await expect(banner.getByText('Menu', { exact: true })).toBeHidden();
    await expect(banner.getByRole('navigation', { name: 'Account' })).toBeVisible();
    await expect(banner.getByRole('link', { name: 'Team' })).toBeVisible();
  });
});
