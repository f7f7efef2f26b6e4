// Fires N simultaneous password sign-ins at a running server while polling
// /healthz, and prints latency percentiles for both (issue 4's benchmark:
// the argon2 hashing must not starve the runtime).
//
//   node bench/login-burst.mjs --port 3200 [--count 50] [--base offplan.localhost]
//
// Each sign-in comes "from" its own client address (X-Forwarded-For behind a
// trusted proxy), as a real burst from many people would; run the server
// with TRUSTED_PROXIES=127.0.0.1 (scripts/bench-login.sh does).
import http from 'node:http';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, cur, i, all) => (cur.startsWith('--') ? [...acc, [cur.slice(2), all[i + 1]]] : acc), []),
);
const port = Number(args.port ?? 3200);
const count = Number(args.count ?? 50);
const base = args.base ?? 'offplan.localhost';
const password = args.password ?? 'offplan demo passphrase';
const emails = [
  'ava@acme.example', 'ben@acme.example', 'chloe@acme.example', 'dan@acme.example', 'ella@acme.example',
  'luis@lumen.example', 'marta@lumen.example', 'omar@northstar.example', 'priya@northstar.example',
  'rami@northstar.example', 'sara@northstar.example',
];
const agent = new http.Agent({ keepAlive: true, maxSockets: count + 4 });

function request(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

function login(i) {
  const body = new URLSearchParams({ email: emails[i % emails.length], password }).toString();
  const host = `app.${base}:${port}`;
  return request('POST', '/api/auth/login', {
    host,
    origin: `http://${host}`,
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': Buffer.byteLength(body),
    'x-forwarded-for': `198.51.100.${(i % 250) + 1}`,
  }, body);
}

function pct(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const fmt = (v) => `${v.toFixed(1)} ms`;

// Warm up: one sign-in and a few probes (connections, caches).
await login(0);
for (let i = 0; i < 5; i++) await request('GET', '/healthz', { host: `127.0.0.1:${port}` });

let bursting = true;
const health = [];
const poller = (async () => {
  while (bursting) {
    const r = await request('GET', '/healthz', { host: `127.0.0.1:${port}` });
    if (r.status !== 200) console.error(`healthz answered ${r.status}`);
    health.push(r.ms);
    await new Promise((res) => setTimeout(res, 5));
  }
})();

const t0 = process.hrtime.bigint();
const results = await Promise.all(Array.from({ length: count }, (_, i) => login(i)));
const wall = Number(process.hrtime.bigint() - t0) / 1e6;
bursting = false;
await poller;

const ok = results.filter((r) => r.status === 200).length;
const logins = results.map((r) => r.ms);
console.log(`${count} simultaneous sign-ins: ${ok} succeeded, burst took ${fmt(wall)}`);
console.log(`sign-in latency  p50 ${fmt(pct(logins, 50))}  p99 ${fmt(pct(logins, 99))}  max ${fmt(Math.max(...logins))}`);
console.log(`/healthz during the burst (${health.length} probes)  p50 ${fmt(pct(health, 50))}  p99 ${fmt(pct(health, 99))}  max ${fmt(Math.max(...health))}`);
agent.destroy();
if (ok !== count) process.exit(1);
