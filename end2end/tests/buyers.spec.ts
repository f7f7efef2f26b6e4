// Buyers and the buyer's page in a real browser (SPEC R1.9, R7.3, R7.4;
// issue 13): Acme's Admin accepts the data-processing terms; its agent
// records a buyer and issues a link to one of her units; a fresh browser
// with JavaScript off opens it and sees that unit; a new link makes the old
// one say "ask for a new link". The studio's Content Editor uploads a hero
// image and the buyer sees it, served from the media origin.
import { Browser, Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { signIn, unique } from './auth-helpers';
import { siteUrl } from './urls';
import zlib from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';

async function signedIn(page: Page, sub: string, email: string) {
  await signIn(page, sub, email);
  await page.waitForURL(siteUrl(sub, '/'));
}

/** A real PNG of w×h pixels in one colour (no binary fixtures). */
function png(w: number, h: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Ben (Admin) accepts the terms if no one has yet; then Ella (agent)
 *  records a buyer and lands on the record. Answers the buyer's name. */
async function termsAcceptedThenBuyer(page: Page, prefix: string, withEmail: boolean): Promise<string> {
  await signedIn(page, 'acme', 'ben@acme.example');
  await page.goto(siteUrl('acme', '/settings/data-processing'));
  await hydrated(page);
  const accept = page.getByRole('button', { name: 'Accept the terms' });
  if (await accept.isVisible()) await accept.click();
  // Wait for the answer, not for the button to change (it reads
  // "Accepting…" while pending); the other test may have accepted first.
  await expect(page.getByText('Buyer features are on.')).toBeVisible();
  await page.context().clearCookies();

  await signedIn(page, 'acme', 'ella@acme.example');
  const name = `${prefix} ${unique('')}`;
  await page.goto(siteUrl('acme', '/buyers'));
  await hydrated(page);
  await page.getByLabel('Name').fill(name);
  if (withEmail) {
    await page.getByLabel('Email').fill(`${name.replace(/\W/g, '').toLowerCase()}@buyer.example`);
  }
  await page.getByRole('button', { name: 'Record buyer' }).click();
  // Recording lands on the buyer's record.
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  return name;
}

/** Issues a link for `buyerName` to the unit whose option mentions `code`; answers the URL. */
async function issueLink(page: Page, buyerName: string, code: string): Promise<string> {
  await page.goto(siteUrl('acme', '/buyers'));
  await hydrated(page);
  await page.getByRole('link', { name: buyerName }).click();
  await hydrated(page);
  await page.getByLabel('Project').selectOption({ label: 'Marina Heights' });
  await page.getByRole('button', { name: 'Show its units' }).click();
  await hydrated(page);
  const unit = page.getByLabel('Unit of Marina Heights');
  const value = await unit.locator('option', { hasText: code }).first().getAttribute('value');
  await unit.selectOption(value!);
  await page.getByRole('button', { name: 'Issue link' }).click();
  const url = page.getByLabel("The buyer's link");
  await expect(url).toHaveValue(/\?b=/);
  return (await url.inputValue())!;
}

/** axe on the buyer's page (it has no script, so a context with
 *  JavaScript on shows the same document) at phone and desktop width. */
async function axeClean(browser: Browser, url: string, what: string) {
  for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(url);
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    expect(serious, `${what} at ${viewport.width} px`).toEqual([]);
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(scrollWidth, `${what} at ${viewport.width} px: sideways overflow`).toBeLessThanOrEqual(clientWidth);
    await context.close();
  }
}

async function openWithoutScript(browser: Browser, url: string) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const res = await page.goto(url);
  return { context, page, res };
}

test('an Admin accepts the terms; an agent records a buyer and sends a link; the buyer opens it without JavaScript; a new link ends the old', async ({ page, browser }) => {
  // Two sign-ins, two links, four axe passes: more than the default 30 s
  // when the suite shares two cores.
  test.setTimeout(90_000);
  const name = await termsAcceptedThenBuyer(page, 'Buyer', true);

  const first = await issueLink(page, name, 'A-401');
  expect(first).toContain(siteUrl('acme', '/projects/marina-heights/units/').replace(/\/$/, ''));
  const opened = await openWithoutScript(browser, first);
  expect(opened.res!.status()).toBe(200);
  expect(opened.res!.headers()['x-robots-tag']).toBe('noindex, nofollow');
  await expect(opened.page.getByRole('heading', { level: 1 })).toHaveText('Unit A-401');
  await expect(opened.page.getByText('Ella Price').first()).toBeVisible();
  await expect(opened.page.getByText(name)).toHaveCount(0);
  await axeClean(browser, first, "the buyer's page");

  const second = await issueLink(page, name, 'A-401');
  expect(second).not.toBe(first);
  await opened.page.goto(first);
  await expect(opened.page.getByRole('heading', { level: 1 })).toHaveText('This link has been replaced');
  await expect(opened.page.getByText('Ask Ella Price for a new link.')).toBeVisible();
  await expect(opened.page.getByText('A-401')).toHaveCount(0);
  await axeClean(browser, first, 'a replaced link');
  await opened.context.close();
});

test("the studio's Content Editor uploads a hero image and the buyer sees it from the media origin", async ({ page, browser }) => {
  // A link to look through (Ella, Acme's agent).
  const name = await termsAcceptedThenBuyer(page, 'Viewer', false);
  const link = await issueLink(page, name, 'A-304');
  await page.context().clearCookies();

  const hero = async () => {
    const { context, page: buyer } = await openWithoutScript(browser, link);
    const src = await buyer.locator('img.buyer__hero').getAttribute('src');
    await context.close();
    return src;
  };
  const before = await hero();

  await signedIn(page, 'lumen', 'marta@lumen.example');
  await page.goto(siteUrl('lumen', '/with/acme/marina-heights/presentation'));
  await hydrated(page);
  await page.getByLabel(/hero image/).setInputFiles({
    name: 'hero.png',
    mimeType: 'image/png',
    // A colour of its own each run: the same pixels would be the same
    // content-hashed name as an earlier run's upload.
    buffer: png(640, 360, [40, Math.floor(Math.random() * 256), Math.floor(Math.random() * 256)]),
  });
  const upload = page.getByRole('button', { name: 'Upload', exact: true }).first();
  if (await upload.isVisible()) await upload.click();
  await expect(async () => {
    const after = await hero();
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
    expect(after!).toMatch(/^http:\/\/media\.offplan-usercontent\.localhost:\d+\/[0-9a-f]{64}\.(jpg|png)$/);
  }).toPass({ timeout: 15_000 });
});
