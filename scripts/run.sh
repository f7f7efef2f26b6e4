#!/usr/bin/env bash
# The run command (`make run`): install what is missing, build, create and
# migrate the database, seed the demo organisations, and serve.
set -euo pipefail
source "$(dirname "$0")/env.sh"

"$ROOT/scripts/setup.sh"

step "Build (release: server + size-optimised wasm)"
"$ROOT/scripts/build-release.sh"

# The demo is development by name: an unset APP_ENV means production.
export APP_ENV=development
# Serve as offplan_app; create, migrate and seed as the owner (R10.3).
export DATABASE_URL="${DATABASE_URL:-${PG_APP_URL%/*}/offplan}"
export DATABASE_ADMIN_URL="${DATABASE_ADMIN_URL:-${PG_ADMIN_URL%/*}/offplan}"
export LEPTOS_SITE_ROOT="$ROOT/target/site"
export LISTEN_ADDR="${LISTEN_ADDR:-127.0.0.1:3000}"

step "Database and demo data"
target/release/offplan-server seed

step "Serve (ctrl-c to stop)"
exec target/release/offplan-server serve
