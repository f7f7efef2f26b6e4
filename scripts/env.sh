# Shared environment for the project's scripts. Sourced, not run.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
cd "$ROOT"

# Tools installed by `cargo install` live here.
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

# Query macros read the committed .sqlx/ data; no database needed to build.
# (`scripts/sqlx-prepare.sh` refreshes it after a query or migration changes.)
export SQLX_OFFLINE=true

# Where the local PostgreSQL is, as its owner (creates databases, runs
# migrations and operator commands); DATABASE_ADMIN_URL, when set, wins.
export PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
# The same cluster as the runtime role (SPEC R10.3): the server logs in as
# offplan_app, which the migrations create (no password: the local cluster
# trusts 127.0.0.1). DATABASE_URL, when set, wins.
export PG_APP_URL="${PG_APP_URL:-postgres://offplan_app@127.0.0.1:5432/postgres}"

# Versions the build is known to work with (TOOLCHAIN.md).
CARGO_LEPTOS_VERSION="0.3.10"
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' "$ROOT/Cargo.lock")"
export CARGO_LEPTOS_VERSION WASM_BINDGEN_VERSION

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs psql against the admin database.
admin_psql() { psql "$PG_ADMIN_URL" -v ON_ERROR_STOP=1 -qAt "$@"; }
