import { defineConfig } from '@playwright/test';

// The suite runs against a release build of the server on real subdomains
// of a base under `.localhost`, which Chromium resolves to loopback and
// treats as a secure context (TOOLCHAIN.md).
const port = Number(process.env.E2E_PORT ?? 3100);
const baseDomain = process.env.E2E_BASE_DOMAIN ?? 'offplan.localhost';
// The owner's URL (creates, migrates and seeds; the tests read it too) and
// the runtime role's, which the server serves as (SPEC R10.3).
const databaseUrl =
  process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/offplan_e2e';
const appDatabaseUrl =
  process.env.E2E_APP_DATABASE_URL ?? 'postgres://offplan_app@127.0.0.1:5432/offplan_e2e';
// The local stand-in for Google (oidc-provider, PKCE required; TOOLCHAIN.md).
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? 3190);
const oidc = `http://127.0.0.1:${oidcPort}`;

export const oidcUrl = oidc;

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    // Failed tests keep a screenshot and a trace (open with `npx playwright show-trace`).
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
  {
    command: 'node oidc/provider.mjs',
    url: `${oidc}/.well-known/openid-configuration`,
    reuseExistingServer: !process.env.CI,
    timeout: 30_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      OIDC_PORT: String(oidcPort),
      OIDC_REDIRECT_URIS: `http://app.${baseDomain}:${port}/auth/google/callback`,
    },
  },
  {
    // Seed (creates + migrates the database), then serve.
    command: '../target/release/offplan-server seed && exec ../target/release/offplan-server serve',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      // Development by name: an unset APP_ENV means production.
      APP_ENV: 'development',
      DATABASE_URL: appDatabaseUrl,
      DATABASE_ADMIN_URL: databaseUrl,
      BASE_DOMAIN: baseDomain,
      LISTEN_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: '../target/site',
      // R3.4: uploads (and the seeded demo images) under the ignored target/.
      MEDIA_STORE: '../target/media-e2e',
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
      // Google sign-in against the local provider (R3.3).
      GOOGLE_CLIENT_ID: 'offplan-e2e',
      GOOGLE_CLIENT_SECRET: 'offplan-e2e-secret',
      GOOGLE_AUTH_URL: `${oidc}/auth`,
      GOOGLE_TOKEN_URL: `${oidc}/token`,
      GOOGLE_USERINFO_URL: `${oidc}/me`,
      // No network in the suite: the bundled list is the breach check.
      HIBP_URL: 'off',
      // Every test signs in from 127.0.0.1; the limits have their own HTTP test.
      LOGIN_LIMIT_PER_IP: '10000',
      SIGNUP_LIMIT_PER_IP: '10000',
      TOKEN_LIMIT_PER_IP: '10000',
    },
  },
  ],
});
