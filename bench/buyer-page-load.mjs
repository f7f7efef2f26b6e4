// Closed-loop load on one URL (issue 13's benchmark): `--connections`
// keep-alive clients each send the next request as soon as the last one
// answered, for `--seconds`, after a one-second warm-up. Prints requests
// per second and latency percentiles as one JSON line.
//
//   node bench/buyer-page-load.mjs --port 3300 --host northstar.offplan.localhost \
//        --path '/projects/…/units/…?b=…' [--connections 16] [--seconds 10]
import http from 'node:http';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, cur, i, all) => (cur.startsWith('--') ? [...acc, [cur.slice(2), all[i + 1]]] : acc), []),
);
const port = Number(args.port);
const host = args.host;
const path = args.path;
const connections = Number(args.connections ?? 16);
const seconds = Number(args.seconds ?? 10);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });

function once(client) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port, path, headers: { host, 'x-forwarded-for': `10.0.${client >> 8}.${client & 255}` }, agent }, (res) => {
      let bytes = 0;
      res.on('data', (c) => { bytes += c.length; });
      res.on('end', () => resolve({ status: res.statusCode, bytes, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    req.on('error', reject);
    req.end();
  });
}

// Each client comes from its own address (X-Forwarded-For: run the server
// with TRUSTED_PROXIES=127.0.0.1), as buyers do: the per-address token
// limit is then one counter per client, not one hot row for all.
async function run(client, until, samples) {
  while (Date.now() < until) {
    const r = await once(client);
    if (samples) samples.push(r);
  }
}

const warm = Date.now() + 1000;
await Promise.all(Array.from({ length: connections }, (_, i) => run(i, warm, null)));
const samples = [];
const started = Date.now();
await Promise.all(Array.from({ length: connections }, (_, i) => run(i, started + seconds * 1000, samples)));
const elapsed = (Date.now() - started) / 1000;
const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
const pct = (p) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))];
const statuses = {};
for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
console.log(JSON.stringify({
  requests: samples.length,
  rps: Math.round(samples.length / elapsed),
  p50_ms: +pct(50).toFixed(2),
  p99_ms: +pct(99).toFixed(2),
  bytes: samples[0]?.bytes,
  statuses,
}));
agent.destroy();
