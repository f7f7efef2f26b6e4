// Settings → Team, personal invitations and the audit log in a real
// browser on real subdomains (SPEC R4, R5.4–R5.6, R8.4).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { signIn, signUp, throughProvider, unique } from './auth-helpers';
import { siteUrl } from './urls';

const databaseUrl = process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/offplan_e2e';

async function adminOnTeamPage(page: Page) {
  await signIn(page, 'acme', 'ben@acme.example');
  await page.waitForURL(siteUrl('acme', '/'));
  await page.goto(siteUrl('acme', '/settings/team'));
  await hydrated(page);
}

async function invite(page: Page, email: string, role = 'sales_agent') {
  await page.getByLabel('Email addresses').fill(email);
  await page.locator('#field-invite-role').selectOption(role);
  await page.getByRole('button', { name: 'Send invitations' }).click();
  await expect(page.getByText(`Invitation sent to ${email}`)).toBeVisible();
}

/** Script errors of a page outside the fixture's (a hydration panic shows here). */
function scriptErrors(p: Page): string[] {
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  return errors;
}

/** The newest link mailed to `email`, read from the development outbox. */
async function mailedLink(page: Page, email: string): Promise<string> {
  const outbox = await page.context().newPage();
  await outbox.goto(siteUrl('app', '/dev/outbox'));
  const href = await outbox.locator(`.outbox__item[data-to="${email}"] .outbox__link`).first().getAttribute('href');
  await outbox.close();
  expect(href).toContain('/invite/');
  return href!;
}

test('an invited person signs up from the emailed link, gains a role, loses it on removal, and the audit log shows it all', async ({ page, browser }) => {
  const id = unique('');
  const email = `ivan${id}@new.example`;
  const name = `Ivan ${id}`;
  await adminOnTeamPage(page);
  await invite(page, email);
  await expect(page.getByRole('row', { name: new RegExp(email) })).toContainText('Sales Agent');

  // R5.6: a fresh browser opens the link and signs up with a password.
  const href = await mailedLink(page, email);
  const invitee = await (await browser.newContext()).newPage();
  const inviteeErrors = scriptErrors(invitee);
  await invitee.goto(href);
  await hydrated(invitee);
  await expect(invitee.getByRole('heading', { name: 'Join Acme Homes' })).toBeVisible();
  await expect(invitee.getByText('Ben Carter invited')).toContainText('Sales Agent');
  await invitee.getByLabel('Your name').fill(name);
  await invitee.getByLabel('Password', { exact: true }).fill('lantern orchard across the quiet bay');
  await invitee.getByRole('button', { name: 'Create account and join' }).click();
  await invitee.waitForURL(siteUrl('acme', '/settings/team'));
  await expect(invitee.getByRole('row', { name: new RegExp(name) })).toContainText('Sales Agent');
  // A Sales Agent manages nobody: no invite form, and the audit log is refused.
  await expect(invitee.getByLabel('Email addresses')).toHaveCount(0);
  await invitee.goto(siteUrl('acme', '/settings/audit'));
  await expect(invitee.getByText("you don't have permission to do that")).toBeVisible();

  // The link worked once.
  const again = await (await browser.newContext()).newPage();
  await again.goto(href);
  await expect(again.getByRole('heading', { name: 'This invitation has already been used' })).toBeVisible();

  // R4.3: the Admin promotes Ivan; Ivan's next request sees the new role.
  await page.reload();
  await hydrated(page);
  const row = page.getByRole('row', { name: new RegExp(name) });
  await row.getByLabel(`Role of ${name}`).selectOption('admin');
  // The menu shows the chosen value at once; wait for the server to commit.
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/team/role') && r.ok()),
    row.getByRole('button', { name: 'Save' }).click(),
  ]);
  await expect(page.getByRole('row', { name: new RegExp(name) }).getByLabel(`Role of ${name}`)).toHaveValue('admin');
  await invitee.reload();
  await expect(invitee.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await expect(invitee.locator('.audit-list__item').first()).toBeVisible();

  // R4.4, R3.8: removal signs Ivan out on every subdomain.
  await page.getByRole('row', { name: new RegExp(name) }).getByText('Remove…').click();
  await page.getByRole('row', { name: new RegExp(name) }).getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('row', { name: new RegExp(name) })).toHaveCount(0);
  await expect(page.locator('li', { hasText: email })).toContainText('was Admin');
  for (const sub of ['acme', 'app']) {
    await invitee.goto(siteUrl(sub, '/'));
    await expect(invitee.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign in' })).toBeVisible();
  }

  // R8.4: the log tells the story in sentences, filters, and exports.
  await page.goto(siteUrl('acme', '/settings/audit'));
  await hydrated(page);
  const log = page.locator('.audit-list');
  await expect(log).toContainText(`Ben Carter invited ${email} as Sales Agent`);
  await expect(log).toContainText('Ben Carter signed in');
  await expect(log).toContainText(`${name} accepted the invitation and joined as Sales Agent`);
  await expect(log).toContainText(`Ben Carter changed ${name}'s role from Sales Agent to Admin`);
  await expect(log).toContainText(`Ben Carter removed ${name} (Admin)`);

  await page.getByLabel('What').selectOption('member.role_changed');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/action=member\.role_changed/);
  await expect(page.locator('.audit-list__item').first()).toContainText('changed');
  for (const item of await page.locator('.audit-list__item').all()) {
    await expect(item).toHaveAttribute('data-action', 'member.role_changed');
  }

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export CSV' }).click(),
  ]);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv.split('\n')[0]).toBe('seq,time_utc,actor,action,target,description,ip');
  expect(csv).toContain(`Ben Carter changed ${name}'s role from Sales Agent to Admin`);
  expect(csv).not.toContain('member.removed');
  await page.goto(siteUrl('acme', '/settings/audit?action=audit.exported'));
  await expect(page.locator('.audit-list__item').first()).toContainText('Ben Carter exported');
  expect(inviteeErrors).toEqual([]);
});

test('expired, revoked, declined, unknown and wrong-account invitation pages are distinct and calm (R5.4, R5.6)', async ({ page, browser }) => {
  await adminOnTeamPage(page);
  const [revoked, expired, declined, other] = ['rev', 'exp', 'dec', 'oth'].map((p) => `${unique(p)}@new.example`);
  for (const email of [revoked, expired, declined, other]) await invite(page, email);
  const links = {
    revoked: await mailedLink(page, revoked),
    expired: await mailedLink(page, expired),
    declined: await mailedLink(page, declined),
    other: await mailedLink(page, other),
  };

  await page.reload();
  await hydrated(page);
  await page.getByRole('button', { name: `Revoke the invitation to ${revoked}` }).click();
  await expect(page.getByRole('row', { name: new RegExp(revoked) })).toHaveCount(0);

  execFileSync('psql', [databaseUrl, '-qc',
    `update invitations set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where email = '${expired}'`]);

  const visitor = await (await browser.newContext()).newPage();
  const visitorErrors = scriptErrors(visitor);
  await visitor.goto(links.revoked);
  await expect(visitor.getByRole('heading', { name: 'This invitation was withdrawn' })).toBeVisible();
  await visitor.goto(links.expired);
  await expect(visitor.getByRole('heading', { name: 'This invitation has expired' })).toBeVisible();

  await visitor.goto(links.declined);
  await hydrated(visitor);
  await visitor.getByRole('button', { name: 'Decline invitation' }).click();
  await expect(visitor.getByRole('heading', { name: /declined/ })).toBeVisible();
  await visitor.goto(links.declined);
  await expect(visitor.getByRole('heading', { name: 'This invitation was declined' })).toBeVisible();

  const response = await visitor.goto(siteUrl('acme', '/invite/not-a-real-token'));
  expect(response?.status()).toBe(404);
  await expect(visitor.getByRole('heading', { name: "This invitation link isn't valid" })).toBeVisible();

  // Signed in as Ben, opening someone else's invitation: both addresses,
  // and a way to come straight back as the right person.
  await page.goto(links.other);
  await hydrated(page);
  await expect(page.getByRole('alert')).toContainText('ben@acme.example');
  await expect(page.getByRole('alert')).toContainText(other);
  await page.getByRole('button', { name: 'Sign out and continue' }).click();
  await expect(page.getByRole('heading', { name: 'New to offplan? Create your account' })).toBeVisible();
  expect(page.url()).toBe(links.other);
  expect(visitorErrors).toEqual([]);
});

test('the Team and Audit log pages have no serious or critical accessibility violations', async ({ page }) => {
  await adminOnTeamPage(page);
  for (const path of ['/settings/team', '/settings/audit']) {
    await page.goto(siteUrl('acme', path));
    await hydrated(page);
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    expect(serious, path).toEqual([]);
  }
});

test('the Owner transfers ownership to an Admin who joined by invitation, and becomes an Admin (R4.6)', async ({ page, browser }) => {
  const id = unique('');
  const sub = `own${id}`.slice(0, 20);
  await signUp(page, { name: 'Olga Owner', email: `olga${id}@new.example`, org: `Own ${id}`, sub });
  await page.goto(siteUrl(sub, '/settings/team'));
  await hydrated(page);
  // No Admin yet: nobody can receive ownership.
  await expect(page.getByText('No Admin can receive ownership yet.')).toBeVisible();

  const adminEmail = `adam${id}@new.example`;
  await invite(page, adminEmail, 'admin');
  const href = await mailedLink(page, adminEmail);
  const admin = await (await browser.newContext()).newPage();
  await admin.goto(href);
  await hydrated(admin);
  await admin.getByLabel('Your name').fill(`Adam ${id}`);
  await admin.getByLabel('Password', { exact: true }).fill('lantern orchard across the quiet bay');
  await admin.getByRole('button', { name: 'Create account and join' }).click();
  await admin.waitForURL(siteUrl(sub, '/settings/team'));

  await page.reload();
  await hydrated(page);
  await page.getByText('Transfer ownership…').click();
  await page.getByLabel('New Owner').selectOption({ label: `Adam ${id} (${adminEmail})` });
  await page.getByRole('button', { name: 'Transfer ownership' }).click();
  await expect(page.getByRole('row', { name: new RegExp(`Adam ${id}`) })).toContainText('Owner');
  // Olga is an Admin now: no transfer panel, and she may leave.
  await expect(page.getByRole('heading', { name: 'Transfer ownership' })).toHaveCount(0);
  await expect(page.getByText('Leave…')).toBeVisible();

  await page.goto(siteUrl(sub, '/settings/audit'));
  await expect(page.locator('.audit-list')).toContainText(`Olga Owner transferred ownership to Adam ${id}`);
});

test('a new person accepts an invitation by signing up with Google (R5.6)', async ({ page, browser }) => {
  const email = `${unique('gina')}@example.com`;
  await adminOnTeamPage(page);
  await invite(page, email, 'content_editor');
  const href = await mailedLink(page, email);

  const invitee = await (await browser.newContext()).newPage();
  const errors = scriptErrors(invitee);
  await invitee.goto(href);
  await hydrated(invitee);
  await invitee.getByRole('link', { name: 'Continue with Google' }).click();
  await throughProvider(invitee, email);
  // Back on the invitation with the Google identity in hand, no password asked.
  await invitee.waitForURL(href);
  await hydrated(invitee);
  await expect(invitee.getByText("You'll sign in with your Google account.")).toBeVisible();
  await expect(invitee.getByLabel('Password', { exact: true })).toHaveCount(0);
  await invitee.getByLabel('Your name').fill('Gina Google');
  await invitee.getByRole('button', { name: 'Create account and join' }).click();
  await invitee.waitForURL(siteUrl('acme', '/settings/team'));
  await expect(invitee.getByRole('row', { name: new RegExp(email) })).toContainText('Content Editor');
  expect(errors).toEqual([]);
});
