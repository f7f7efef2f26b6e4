#!/usr/bin/env node
// The first-load budget (issue 11 item 5): the wasm + JS a browser fetches
// to show any page — the main module, its JS and snippets, the split loader,
// and the chunks of that page's lazy route — must stay within 250 KB as
// served brotli-compressed. Reads the release build's site (after
// scripts/build-release.sh); exits non-zero naming every page over budget.
//
//   node scripts/check-bundle-budget.mjs [site/pkg dir] [--budget BYTES]
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const budgetAt = args.indexOf('--budget');
const budget = budgetAt >= 0 ? Number(args.splice(budgetAt, 2)[1]) : 250_000;
const pkg = args[0] ?? 'target/site/pkg';

function fail(message) {
  console.error(`bundle budget: ${message}`);
  process.exit(1);
}

if (!existsSync(pkg)) fail(`${pkg} does not exist; run scripts/build-release.sh first`);

const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else files.push(relative(pkg, path));
  }
})(pkg);

/** The brotli size of `file` as the server sends it (its precompressed twin). */
function br(file) {
  const twin = join(pkg, `${file}.br`);
  if (!existsSync(twin)) fail(`${file} has no precompressed ${file}.br (build with --precompress)`);
  return statSync(twin).size;
}

const plain = files.filter((f) => !f.endsWith('.br') && !f.endsWith('.gz'));
const one = (what, re) => {
  const found = plain.filter((f) => re.test(f));
  if (found.length !== 1) fail(`expected one ${what} in ${pkg}, found ${found.length}: ${found.join(', ') || 'none'}`);
  return found[0];
};

const mainJs = one('main JS', /^offplan(\.[A-Za-z0-9_-]+)?\.js$/);
const mainWasm = one('main wasm', /^offplan(\.[A-Za-z0-9_-]+)?\.wasm$/);
const loader = one('split loader', /^__wasm_split\.[A-Za-z0-9_-]+\.js$/);
const manifestFile = one('split manifest', /^__wasm_split_manifest(\.[A-Za-z0-9_-]+)?\.json$/);
const snippets = plain.filter((f) => f.startsWith('snippets/') && f.endsWith('.js'));

const base = [mainJs, mainWasm, loader, ...snippets];
const baseBytes = base.reduce((sum, f) => sum + br(f), 0);

// Split name → the chunk file stems it needs (cargo-leptos writes it).
const manifest = JSON.parse(readFileSync(join(pkg, manifestFile), 'utf8'));
const routes = Object.entries(manifest).filter(([name]) => /_route_view_/.test(name));
if (routes.length === 0) fail(`the manifest names no lazy route; is the build split (--split)?`);

const wasmByStem = new Map(
  plain.filter((f) => f.endsWith('.wasm')).map((f) => [f.replace(/\.wasm$/, ''), f]),
);
const rows = routes.map(([name, stems]) => {
  const chunks = stems.map((stem) => {
    const file = wasmByStem.get(stem) ?? fail(`${name} needs ${stem}.wasm, which is not in ${pkg}`);
    return br(file);
  });
  const chunkBytes = chunks.reduce((a, b) => a + b, 0);
  const route = name.match(/^__(\w+?)_route_view_/)?.[1] ?? name;
  return { route, chunks: stems.length, chunkBytes, total: baseBytes + chunkBytes };
});
rows.sort((a, b) => b.total - a.total);

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
console.log(`first load, brotli, budget ${kb(budget)}; every page: ${kb(baseBytes)} (${base.map((f) => `${f} ${kb(br(f))}`).join(', ')})`);
for (const r of rows) {
  console.log(`  ${r.total > budget ? 'OVER' : 'ok  '} ${r.route.padEnd(12)} ${kb(r.total).padStart(9)}  (+${r.chunks} chunks, ${kb(r.chunkBytes)})`);
}
const over = rows.filter((r) => r.total > budget);
if (over.length) fail(`${over.map((r) => r.route).join(', ')} over ${kb(budget)} of wasm + JS on first load`);
console.log(`bundle budget: every page within ${kb(budget)}`);
