// A local stand-in for Google's OpenID provider, for the browser tests.
//
//   cd end2end && node oidc/provider.mjs
//
// Built on `oidc-provider` with its development login pages ("devInteractions"):
// any login name is accepted with any password. The login becomes the e-mail
// address (a login without "@" gets "@example.com" appended); e-mail is verified
// unless the login starts with "unverified" (e.g. unverified-x@example.com).
// sub = "sub-" + the first 16 hex digits of sha256(lowercased e-mail).
//
// Pages a test clicks through (a fresh browser context shows both):
//   1. "Sign-in":   input[name="login"], input[name="password"], button[type="submit"] ("Sign-in")
//   2. "Authorize": button[type="submit"] ("Continue") — skipped when OIDC_AUTO_CONSENT=1
//
// Environment (defaults in brackets):
//   OIDC_PORT [3190]            listens on 127.0.0.1:OIDC_PORT
//   OIDC_ISSUER [http://127.0.0.1:${OIDC_PORT}]
//   OIDC_CLIENT_ID [offplan-e2e]
//   OIDC_CLIENT_SECRET [offplan-e2e-secret]
//   OIDC_REDIRECT_URIS [http://app.offplan.localhost:3100/auth/google/callback]  comma-separated
//   OIDC_AUTO_CONSENT [unset]   1: grant openid/email/profile without the consent page
//
// Ready when it prints "oidc-provider listening on <issuer>" and answers
// GET <issuer>/.well-known/openid-configuration.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT ?? 3190);
const issuer = (process.env.OIDC_ISSUER ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
const clientId = process.env.OIDC_CLIENT_ID ?? 'offplan-e2e';
const clientSecret = process.env.OIDC_CLIENT_SECRET ?? 'offplan-e2e-secret';
const redirectUris = (process.env.OIDC_REDIRECT_URIS
  ?? 'http://app.offplan.localhost:3100/auth/google/callback')
  .split(',').map((s) => s.trim()).filter(Boolean);
const autoConsent = ['1', 'true', 'yes'].includes((process.env.OIDC_AUTO_CONSENT ?? '').toLowerCase());
const scopes = ['openid', 'email', 'profile'];

// The dev-interactions and in-memory-adapter warnings are expected here: this
// provider exists only for tests (state is lost on restart, which is fine).
const originalWarn = console.warn;
console.warn = (...args) => {
  const first = typeof args[0] === 'string' ? args[0] : '';
  if (['devInteractions is enabled', 'in-memory adapter', 'already parsed request body']
    .some((expected) => first.includes(expected))) return;
  originalWarn(...args);
};

// A fresh RS256 signing key each start; clients read it from the JWKS endpoint.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: `e2e-${randomBytes(4).toString('hex')}`,
  alg: 'RS256',
  use: 'sig',
};

// sub -> claims, filled when someone signs in (state is in memory anyway).
const accounts = new Map();

function accountFor(login) {
  const trimmed = String(login).trim();
  const email = trimmed.includes('@') ? trimmed : `${trimmed}@example.com`;
  const lower = email.toLowerCase();
  const sub = `sub-${createHash('sha256').update(lower).digest('hex').slice(0, 16)}`;
  const local = email.split('@')[0];
  return {
    sub,
    email,
    email_verified: !lower.startsWith('unverified'),
    name: local.charAt(0).toUpperCase() + local.slice(1),
  };
}

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    scope: scopes.join(' '),
    // oidc-provider 9 accepts client_secret_post for a client registered with
    // client_secret_basic (and the other way round): both work at /token.
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [signingKey] },
  scopes,
  responseTypes: ['code'],
  // Seconds; set explicitly (the defaults print a notice each first use).
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 3600,
    Session: 24 * 3600,
    Grant: 24 * 3600,
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // Put the scope claims into the ID Token as Google does (the default keeps
  // them for the userinfo endpoint only when an access token is issued).
  conformIdTokenClaims: false,
  // PKCE (S256, the only method oidc-provider 9 supports) for every request.
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    // Nothing beyond plain authorization code + PKCE.
    introspection: { enabled: false },
    revocation: { enabled: false },
    userinfo: { enabled: true },
  },
  // Plain http on 127.0.0.1: oidc-provider marks cookies Secure only when the
  // request itself is https (ctx.secure), so these stay usable over http.
  cookies: {
    keys: [randomBytes(32).toString('hex')],
    long: { httpOnly: true, sameSite: 'lax' },
    short: { httpOnly: true, sameSite: 'lax' },
  },
  async findAccount(_ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { ...account };
      },
    };
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    const rows = Object.entries(out)
      .map(([k, v]) => `<p><strong>${k}</strong>: <span class="${k}">${String(v).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</span></p>`)
      .join('');
    ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>oops! something went wrong</title></head><body><h1>oops! something went wrong</h1>${rows}</body></html>`;
  },
};

if (autoConsent) {
  // Grant the requested scopes straight away: no consent page.
  configuration.loadExistingGrant = async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing?.accountId === ctx.oidc.account.accountId) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.account.accountId,
    });
    grant.addOIDCScope(scopes.join(' '));
    grant.addOIDCClaims(['email', 'email_verified', 'name']);
    await grant.save();
    return grant;
  };
}

const provider = new Provider(issuer, configuration);

// Browsers ask every host for a favicon; answer quietly.
provider.use(async (ctx, next) => {
  if (ctx.path === '/favicon.ico') {
    ctx.status = 204;
    return;
  }
  await next();
});

provider.use(async (ctx, next) => {
  // Google accepts prompt=select_account; oidc-provider would refuse it.
  if (ctx.path === '/auth' && typeof ctx.query.prompt === 'string') {
    const kept = ctx.query.prompt.split(' ').filter((p) => p && p !== 'select_account');
    const query = { ...ctx.query };
    if (kept.length) query.prompt = kept.join(' ');
    else delete query.prompt;
    ctx.query = query;
  }
  // devInteractions uses the typed login as the account id, and oidc-provider
  // uses the account id as `sub`: swap the login for the derived sub here.
  if (ctx.method === 'POST' && /^\/interaction\/[^/]+$/.test(ctx.path)) {
    const chunks = [];
    let size = 0;
    for await (const chunk of ctx.req) {
      size += chunk.length;
      if (size > 56 * 1024) ctx.throw(413);
      chunks.push(chunk);
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if (form.get('prompt') === 'login' && form.get('login')?.trim()) {
      const account = accountFor(form.get('login'));
      accounts.set(account.sub, account);
      form.set('login', account.sub);
    }
    // oidc-provider reads an already-consumed body from req.body.
    ctx.req.body = form.toString();
  }
  await next();
  // The dev pages import a Google web font; keep the tests off the network.
  if (typeof ctx.body === 'string' && ctx.response.is('html')) {
    ctx.body = ctx.body.replace(/@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);?/g, '');
  }
});

provider.on('server_error', (_ctx, err) => {
  console.error('oidc-provider server_error', err);
});

const server = createServer(provider.callback());
server.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});

// Nothing to flush (all state is in memory): stop at once.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
