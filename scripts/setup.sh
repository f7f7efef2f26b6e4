#!/usr/bin/env bash
# Installs what the project needs, idempotently: each step checks first and
# costs well under a second when its tool is already there. A fresh machine
# pays once for cargo-leptos (~15 min) and wasm-bindgen-cli (~3 min).
set -euo pipefail
source "$(dirname "$0")/env.sh"

step "Rust wasm target"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

step "cargo-leptos $CARGO_LEPTOS_VERSION"
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  # 0.3.11's lock needs rustc 1.96; 0.3.10 builds with --locked on 1.95.
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

step "wasm-bindgen-cli $WASM_BINDGEN_VERSION (must equal the crate in Cargo.lock)"
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  # Not --locked: its lock names a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

step "Chromium (Debian's)"
if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium || apt-get install -y -qq -f chromium
fi

step "end2end npm packages (Playwright, binaryen's wasm-opt; no browser download)"
if [ ! -f end2end/node_modules/.installed ] || [ end2end/package-lock.json -nt end2end/node_modules/.installed ]; then
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  touch end2end/node_modules/.installed
fi
# Never Debian's binaryen (wasm-opt 108 breaks hydration): ours comes first on PATH.
command -v wasm-opt | grep -q end2end/node_modules || die "wasm-opt is not the npm binaryen"

"$ROOT/scripts/postgres.sh"
