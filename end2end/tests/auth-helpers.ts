// Shared steps of the identity tests.
import { createHmac } from 'node:crypto';
import { Page } from '@playwright/test';
import { expect, hydrated } from './fixtures';
import { siteUrl } from './urls';

/** Every demo person's password (seeded; development and tests only). */
export const DEMO_PASSWORD = 'offplan demo passphrase';

/** A name no earlier run used, for subdomains and emails. */
export function unique(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}

/** Signs up through the form (R3.1); resolves once on the new subdomain. */
export async function signUp(page: Page, who: { name: string; email: string; org: string; sub: string }) {
  await page.goto(siteUrl('app', '/signup'));
  await hydrated(page);
  await page.getByLabel('Your name').fill(who.name);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill('lantern orchard across the quiet bay');
  await page.getByLabel('Organisation name').fill(who.org);
  await page.getByLabel('Address').fill(who.sub);
  await expect(page.getByText('✓ Available')).toBeVisible();
  await page.getByLabel('Country').selectOption('GB');
  await page.getByLabel(/Developer/).check();
  await page.getByRole('button', { name: 'Create organisation' }).click();
  // The address is proven before anyone is signed in (issue 10): the page
  // says to check the inbox, and the emailed link finishes the sign-up.
  await page.waitForURL(siteUrl('app', '/signup/sent'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your inbox');
  await page.goto(siteUrl('app', '/dev/outbox'));
  const href = await page
    .locator(`.outbox__item[data-to="${who.email}"] .outbox__link`)
    .first()
    .getAttribute('href');
  await page.goto(href!);
  await hydrated(page);
  await page.getByRole('button', { name: 'Confirm my email' }).click();
  await page.waitForURL(siteUrl(who.sub, '/?welcome=1'));
}

/** Signs in with email and password on `sub`'s login page. */
export async function signIn(page: Page, sub: string, email: string, password = DEMO_PASSWORD) {
  await page.goto(siteUrl(sub, '/login'));
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

function base32Decode(input: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of input.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) at time `at` (ms). */
export function totp(secretBase32: string, at = Date.now()): string {
  const counter = Math.floor(at / 1000 / 30);
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(buf).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, '0');
}

/** The local provider's own sign-in and consent pages (playwright.config.ts). */
export async function throughProvider(page: Page, login: string) {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}
