#!/usr/bin/env bash
# The release build, the one way every script makes it (issue 11 item 5):
#   --split        one wasm chunk per lazy route (app/src/routes.rs) beside a
#                  main module holding the runtime, router and layout;
#   --precompress  a .br and a .gz beside every file of the site, which the
#                  server sends to a browser that accepts them;
#   hash-files     (Cargo.toml) content hashes in the /pkg names, so they
#                  can be cached as immutable.
# Both flags exist only on the command line (cargo-leptos 0.3.10 has no
# Cargo.toml key for them), so scripts call this rather than cargo leptos.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cargo leptos build --release --split --precompress "$@"
