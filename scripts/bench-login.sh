#!/usr/bin/env bash
# Issue 4's benchmark: 50 simultaneous sign-ins against a release build
# while /healthz is polled. Builds the release server if needed, serves it
# on BENCH_PORT with a seeded database of its own, runs bench/login-burst.mjs
# and stops the server.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/postgres.sh"
port="${BENCH_PORT:-3200}"
[ -x target/release/offplan-server ] || scripts/build-release.sh
export APP_ENV=development DATABASE_URL="${PG_APP_URL%/*}/offplan_bench" \
  DATABASE_ADMIN_URL="${PG_ADMIN_URL%/*}/offplan_bench" BASE_DOMAIN=offplan.localhost \
  LISTEN_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site RUST_LOG=warn \
  TRUSTED_PROXIES=127.0.0.1 HIBP_URL=off
target/release/offplan-server seed >/dev/null
target/release/offplan-server serve >/tmp/offplan-bench.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "cores: $(nproc)"
node bench/login-burst.mjs --port "$port" --count "${BENCH_COUNT:-50}"
