#!/usr/bin/env bash
# The test command (`make test`, called by .ci/run). Stops at the first
# failure: format, lint (ssr and hydrate separately), unit + integration +
# HTTP tests against the real PostgreSQL, then the browser suite against a
# freshly built release server, then the integrity scan of its database.
set -euo pipefail
source "$(dirname "$0")/env.sh"
started=$SECONDS

"$ROOT/scripts/setup.sh"

step "cargo fmt --check"
cargo fmt --all --check

step "layering: no SQL or pool under app/ or server/src"; "$ROOT/scripts/check-layering.sh"

step "clippy: ssr build"
cargo clippy --locked -p offplan -p offplan-app -p offplan-server --all-targets \
  --features offplan/ssr,offplan-app/ssr -- -D warnings

step "clippy: hydrate build (wasm32)"
cargo clippy --locked -p offplan -p offplan-app -p offplan-frontend \
  --target wasm32-unknown-unknown --features offplan-app/hydrate -- -D warnings

step "unit, integration and HTTP tests (fresh database per test)"
# Test databases are created and migrated as the owner; each test's runtime
# handle logs in as offplan_app on the same cluster (TEST_APP_DATABASE_URL
# gives its credentials where offplan_app has a password).
export TEST_DATABASE_URL="${DATABASE_ADMIN_URL:-$PG_ADMIN_URL}"
"$ROOT/scripts/drop-test-dbs.sh"
# Each HTTP test's server opens its own pool; a cluster already near its
# connection limit (a stray server, another run) fails tests with 503s that
# have nothing to do with the code, so say how much room there is.
read -r used limit < <(admin_psql -tAF' ' -c \
  "select count(*), current_setting('max_connections') from pg_stat_activity")
echo "postgres: $used of $limit connections in use before the tests"
if (( limit - used < 60 )); then
  echo "warning: fewer than 60 free connections; HTTP tests may fail with 503" >&2
fi
cargo test --locked -p offplan -p offplan-app -p offplan-server \
  --features offplan/ssr,offplan-app/ssr
"$ROOT/scripts/drop-test-dbs.sh"

step "release build for the browser suite"
"$ROOT/scripts/build-release.sh"

# The goal (issue 11) is 250 KB. The main module alone (the Leptos runtime,
# router and layout) is about 215 KB, leaving a page ~35 KB of its own where
# most need 40–155 KB (docs/bundle-splitting.md, "Where the bytes are"). The
# test command holds a line so no page grows unnoticed: 375 KB at issue 11,
# raised to 390 KB at issue 12 because seven new routes re-cut the shared
# code into more chunks (Team 360.6 → 383.7 KB with no change of its own;
# measured, not guessed), and to 395 KB when issue 12's next five routes
# did it again (Team 383.7 → 392.2 KB; docs/benchmarks.md), and to 420 KB
# at issue 13, whose nine routes grew the main module 234.4 → 244.7 KB and
# Team to 409.0 KB; the largest is a buyer's record at 416.1 KB (the
# buyer's own page ships no wasm), and to 465 KB at issue 14, whose board
# is the most interactive page yet (reserve, release and override as one
# server function, the two modals, live status with keyed rows) at
# 464.0 KB while every other page stayed within 420 (the largest, a
# buyer's record, 418.5 KB; docs/benchmarks.md). Lower it, and
# raise it only with a measurement.
step "bundle budget: first load of every page <= 465 KB brotli of wasm + JS (goal 250 KB)"
node "$ROOT/scripts/check-bundle-budget.mjs" "$ROOT/target/site/pkg" --budget 465000

step "Playwright in Debian's Chromium"
admin_psql -c "drop database if exists offplan_e2e with (force)"
(cd end2end && npx playwright test)

step "integrity scan of the browser suite's database (SPEC R10.5)"
APP_ENV=development \
DATABASE_ADMIN_URL="${E2E_DATABASE_URL:-${PG_ADMIN_URL%/*}/offplan_e2e}" \
DATABASE_URL="${E2E_APP_DATABASE_URL:-${PG_APP_URL%/*}/offplan_e2e}" \
  target/release/offplan-server integrity-scan

step "all checks passed in $((SECONDS - started)) s"
