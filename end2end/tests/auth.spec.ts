// Identity in the browser (SPEC §3): sign-up lands on the new subdomain
// (R3.1), one session across subdomains (R3.4, R3.5), Google through a real
// OpenID provider with PKCE (R3.3), TOTP (R3.6) and sign-out everywhere
// (R3.8).
import { Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { oidcUrl, siteUrl } from './urls';
import { DEMO_PASSWORD, signIn, signUp, throughProvider, totp, unique } from './auth-helpers';

test('sign-up creates the organisation and lands signed in on its subdomain (R3.1)', async ({ page }) => {
  const sub = unique('e2e');
  await signUp(page, { name: 'Nadia Rahman', email: `${sub}@example.com`, org: 'Harbour Homes', sub });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Harbour Homes');
  await expect(page.getByRole('navigation', { name: 'Account' })).toContainText('Nadia Rahman');
  // The subdomain is now taken for everyone else.
  await page.goto(siteUrl('app', '/signup'));
  await hydrated(page);
  await page.getByLabel('Address').fill(sub);
  await expect(page.getByText('Taken — try another')).toBeVisible();
  await page.getByLabel('Address').fill('admin');
  await expect(page.locator('.availability')).toContainText('reserved');
});

test('sign-up shows each problem next to its field and keeps what was typed', async ({ page }) => {
  await page.goto(siteUrl('app', '/signup'));
  await hydrated(page);
  await page.getByLabel('Your name').fill('Nadia');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill('password123456789');
  await page.getByLabel('Organisation name').fill('Harbour');
  await page.getByRole('button', { name: 'Create organisation' }).click();
  await expect(page.locator('#field-email-error')).toContainText('email address');
  await expect(page.locator('#field-password-error')).toContainText('too common');
  await expect(page.getByText('Choose at least one')).toBeVisible();
  await expect(page.getByLabel('Your name')).toHaveValue('Nadia');
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
});

test('a branded sign-in on an organisation is a session on the central app too (R3.4, R3.5)', async ({ page }) => {
  await page.goto(siteUrl('acme', '/login'));
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to Acme Homes');
  await expect(page.locator('header.site-header')).toHaveCSS('background-color', 'rgb(31, 95, 139)');
  // A wrong password: one calm, generic message, and the email is kept.
  await page.getByLabel('Email').fill('chloe@acme.example');
  await page.getByLabel('Password').fill('not the right passphrase');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText("don't match");
  await expect(page.getByLabel('Email')).toHaveValue('chloe@acme.example');

  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(siteUrl('acme', '/'));
  await expect(page.getByRole('navigation', { name: 'Account' })).toContainText('Chloe Evans');

  await page.goto(siteUrl('app', '/'));
  await expect(page.getByText('Signed in as')).toContainText('Chloe Evans');
  await page.goto(siteUrl('app', '/orgs'));
  await expect(page.getByRole('link', { name: /Acme Homes/ })).toBeVisible();
});

/**
 * Pauses the browser's request to the app's Google callback (a redirect
 * from the provider, which Playwright's `page.route` does not see; the
 * Chrome DevTools Fetch domain does) and hands its URL to `inspect`, which
 * may return a replacement URL.
 */
async function holdCallback(page: Page, inspect: (url: string) => Promise<string | void>) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*/auth/google/callback*', requestStage: 'Request' }] });
  cdp.on('Fetch.requestPaused', async (event: { requestId: string; request: { url: string } }) => {
    const replacement = await inspect(event.request.url);
    await cdp.send('Fetch.continueRequest', replacement ? { requestId: event.requestId, url: replacement } : { requestId: event.requestId });
  });
}

test('Google sign-in goes through the provider and PKCE is enforced (R3.3)', async ({ page, request }) => {
  await page.goto(siteUrl('lumen', '/login'));
  await hydrated(page);
  // Before the app redeems the code, try it with a wrong verifier.
  let refusal = '';
  await holdCallback(page, async (url) => {
    const code = new URL(url).searchParams.get('code')!;
    const wrong = await request.post(`${oidcUrl}/token`, {
      form: {
        grant_type: 'authorization_code',
        code,
        redirect_uri: siteUrl('app', '/auth/google/callback'),
        code_verifier: 'x'.repeat(43) + '-not-the-verifier',
      },
      headers: { authorization: 'Basic ' + Buffer.from('offplan-e2e:offplan-e2e-secret').toString('base64') },
    });
    refusal = `${wrong.status()} ${(await wrong.json()).error}`;
  });
  await page.getByRole('link', { name: 'Continue with Google' }).click();
  // The provider's own pages: a person types and clicks through.
  await throughProvider(page, 'luis@lumen.example');
  // Luis has one organisation: straight to it, signed in (verified email → linked).
  await page.waitForURL(siteUrl('lumen', '/'));
  expect(refusal).toBe('400 invalid_grant');
  await expect(page.getByRole('navigation', { name: 'Account' })).toContainText('Luís Costa');
});

test('a tampered Google state is refused before any code exchange (R3.3)', async ({ page }) => {
  await page.goto(siteUrl('app', '/login'));
  await hydrated(page);
  await holdCallback(page, async (url) => {
    const u = new URL(url);
    const state = u.searchParams.get('state')!;
    u.searchParams.set('state', (state[0] === 'A' ? 'B' : 'A') + state.slice(1));
    return u.toString();
  });
  await page.getByRole('link', { name: 'Continue with Google' }).click();
  await throughProvider(page, `${unique('g')}@example.com`);
  await expect(page.getByRole('heading', { name: "We couldn't sign you in" })).toBeVisible();
  await expect(page.getByText('invalid or has expired')).toBeVisible();
});

test('TOTP enrolment, then sign-in asks for a code (R3.6)', async ({ page }) => {
  const sub = unique('totp');
  const email = `${sub}@example.com`;
  await signUp(page, { name: 'Tomas Otp', email, org: 'Otp Homes', sub });
  await page.goto(siteUrl('app', '/account/security'));
  await hydrated(page);
  await page.getByRole('button', { name: 'Set up two-step verification' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  await expect(page.locator('.qr svg')).toBeVisible();
  await page.getByLabel('6-digit code from the app').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByTestId('recovery-codes').locator('li')).toHaveCount(10);

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(/\/login\?signed_out=1/);
  await signIn(page, sub, email, 'lantern orchard across the quiet bay');
  await page.waitForURL(siteUrl(sub, '/login/verify'));
  await hydrated(page);
  // A wrong code is refused in place.
  await page.getByLabel('Code').fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.locator('#field-code-error')).toContainText("didn't work");
  // The next step's code (the enrolment used the current one; each step works once).
  await page.getByLabel('Code').fill(totp(secret, Date.now() + 30_000));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(siteUrl(sub, '/'));
  await expect(page.getByRole('navigation', { name: 'Account' })).toContainText('Tomas Otp');
});

test('"sign out everywhere" signs a second browser out on every subdomain (R3.8)', async ({ browser }) => {
  const sub = unique('out');
  const email = `${sub}@example.com`;
  const first = await browser.newContext();
  const second = await browser.newContext();
  const a = await first.newPage();
  const b = await second.newPage();
  await signUp(a, { name: 'Olga Out', email, org: 'Out Homes', sub });
  await signIn(b, sub, email, 'lantern orchard across the quiet bay');
  await b.waitForURL(siteUrl(sub, '/'));
  await expect(b.getByRole('navigation', { name: 'Account' })).toContainText('Olga Out');

  await a.goto(siteUrl('app', '/account/security'));
  await hydrated(a);
  await expect(a.locator('.session-list__item')).toHaveCount(2);
  await a.getByRole('button', { name: 'Sign out everywhere' }).click();
  await a.waitForURL(/\/login\?signed_out=everywhere/);
  await expect(a.getByText("You're signed out on every device.")).toBeVisible();

  for (const url of [siteUrl(sub, '/'), siteUrl('app', '/')]) {
    await b.goto(url);
    await expect(b.getByRole('navigation', { name: 'Account' })).toContainText('Sign in');
    await expect(b.getByRole('navigation', { name: 'Account' })).not.toContainText('Olga Out');
  }
  const page = await b.goto(siteUrl('app', '/account/security'));
  expect(page?.status()).toBe(401);
  await first.close();
  await second.close();
});

test('a forgotten password is reset through the emailed link (R3.9)', async ({ page }) => {
  const sub = unique('reset');
  const email = `${sub}@example.com`;
  await signUp(page, { name: 'Rita Reset', email, org: 'Reset Homes', sub });
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(/signed_out=1/);
  await page.goto(siteUrl('app', '/forgot'));
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByText('a reset link is on its way')).toBeVisible();

  // The reset is looked up and mailed after the answer (R3.7: the same
  // time whether or not the account exists), so the mail may take a moment.
  // The sign-up's confirmation mail went to the same address: pick the reset link.
  const link = page
    .locator(`.outbox__item[data-to="${email}"] .outbox__link[href*="/reset?token="]`)
    .first();
  await expect(async () => {
    await page.goto(siteUrl('app', '/dev/outbox'));
    await expect(link).toBeAttached({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  const href = (await link.getAttribute('href'))!;
  await page.goto(href);
  await hydrated(page);
  await page.getByLabel('Password', { exact: true }).fill('copper kettle singing at dawn');
  await page.getByRole('button', { name: 'Save and sign in' }).click();
  await page.waitForURL(siteUrl(sub, '/'));
  // The link worked once.
  await page.goto(href);
  await expect(page.getByText('expired or was already used')).toBeVisible();
});
