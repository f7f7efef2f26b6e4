// Where each site of the suite's server lives.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseDomain = process.env.E2E_BASE_DOMAIN ?? 'offplan.localhost';

/** `http://<sub>.<base>:<port><path>`; `sub` null means the bare base. */
export function siteUrl(sub: string | null, path = '/'): string {
  const host = sub ? `${sub}.${baseDomain}` : baseDomain;
  return `http://${host}:${port}${path}`;
}

/** The local OpenID provider standing in for Google (playwright.config.ts). */
export const oidcUrl = `http://127.0.0.1:${Number(process.env.E2E_OIDC_PORT ?? 3190)}`;
