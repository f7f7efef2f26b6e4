// Bytes of wasm + JS a browser moves on the first load of a page, as served
// (issue 11 benchmark, docs/benchmarks.md):
//   node scripts/first-load.mjs   (server already running; E2E_PORT, E2E_BASE_DOMAIN)
// Each page opens in a fresh browser context (empty cache); Team and Audit
// log are opened signed in as Ben (Acme's Admin). The figure per page is the
// sum of the encoded body sizes of every /pkg .js and .wasm response until the
// page has hydrated, with the encoding each came in.
import { chromium } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3100);
const base = process.env.E2E_BASE_DOMAIN ?? 'offplan.localhost';
const url = (sub, path = '/') => `http://${sub ? sub + '.' : ''}${base}:${port}${path}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic'],
});

async function signedInState() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url('acme', '/login'));
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.getByLabel('Email').fill('ben@acme.example');
  await page.getByLabel('Password').fill('offplan demo passphrase');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(url('acme', '/'));
  const state = await context.storageState();
  await context.close();
  return state;
}

async function firstLoad(name, target, storageState) {
  const context = await browser.newContext(storageState ? { storageState } : {});
  const page = await context.newPage();
  const pending = [];
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (!path.startsWith('/pkg/') || !/\.(js|wasm)$/.test(path)) return;
    pending.push(
      response.request().sizes().then((sizes) => ({
        path,
        bytes: sizes.responseBodySize,
        encoding: response.headers()['content-encoding'] ?? 'identity',
      })),
    );
  });
  await page.goto(target);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  const files = await Promise.all(pending);
  await context.close();
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  const encodings = [...new Set(files.map((f) => f.encoding))].join('+');
  console.log(`${name.padEnd(10)} ${String(total).padStart(10)} B  ${files.length} files (${encodings})`);
  for (const f of files) console.log(`    ${f.path} ${f.bytes} B ${f.encoding}`);
  return total;
}

const state = await signedInState();
await firstLoad('sign-in', url('acme', '/login'));
await firstLoad('team', url('acme', '/settings/team'), state);
await firstLoad('audit', url('acme', '/settings/audit'), state);
await browser.close();
