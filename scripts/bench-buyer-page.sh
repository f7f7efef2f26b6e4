#!/usr/bin/env bash
# Issue 13's benchmark: the buyer's page against a bare axum + sqlx handler
# that reads the same rows and formats the same HTML
# (server/examples/bare_buyer_page.rs), side by side in one run, both
# release builds on the same seeded database and one buyer link:
#
#   bash scripts/bench-buyer-page.sh      # BENCH_SECONDS (10), BENCH_CONNECTIONS (16)
#
# Builds what is missing (the release server, the example), seeds
# offplan_bench_buyer, issues one link to A-101 for Northstar's buyer
# (the token is made here; only its SHA-256 is stored, as the app does),
# then loads each server with bench/buyer-page-load.mjs: the anchor first,
# then ours, then the anchor again (the figure kept is the anchor's better
# run). Our server runs with TRUSTED_PROXIES=127.0.0.1 and each client
# comes from its own address (R3.7 counts per address), and with the
# per-address token limit raised for the run.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/postgres.sh"
seconds="${BENCH_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-16}"
db=offplan_bench_buyer
admin="${PG_ADMIN_URL%/*}/$db"
app="${PG_APP_URL%/*}/$db"

[ -x target/release/offplan-server ] || bash "$ROOT/scripts/build-release.sh"
cargo build --release --locked -p offplan-server --example bare_buyer_page

admin_psql -q -c "drop database if exists $db with (force)" -c "create database $db"
env APP_ENV=development DATABASE_URL="$app" DATABASE_ADMIN_URL="$admin" \
  LEPTOS_SITE_ROOT=target/site MEDIA_STORE=target/media-bench HIBP_URL=off \
  target/release/offplan-server seed >/dev/null

token="$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' | cut -c1-43)"
unit="$(psql "$admin" -qAt -v ON_ERROR_STOP=1 <<SQL
insert into buyer_links (org_id, buyer_id, unit_org_id, project_id, unit_id, token_hash,
                         created_by_user_id, expires_at)
select b.org_id, b.id, u.org_id, u.project_id, u.id, sha256(convert_to('$token', 'UTF8')),
       b.created_by_user_id, now() + interval '30 days'
from buyers b join units u on u.code = 'A-101'
where b.name = 'Nadia Farouk'
returning unit_id;
SQL
)"
path="/projects/marina-heights/units/$unit?b=$token"
host=northstar.offplan.localhost

load() { node bench/buyer-page-load.mjs --port "$1" --host "$host" --path "$path" \
  --connections "$connections" --seconds "$seconds"; }

target/release/examples/bare_buyer_page "$admin" 3311 & bare=$!
env APP_ENV=development DATABASE_URL="$app" DATABASE_ADMIN_URL="$admin" \
  LISTEN_ADDR=127.0.0.1:3310 LEPTOS_SITE_ROOT=target/site MEDIA_STORE=target/media-bench \
  HIBP_URL=off TRUSTED_PROXIES=127.0.0.1 TOKEN_LIMIT_PER_IP=100000 LOG_LEVEL=warn RUST_LOG=warn \
  target/release/offplan-server serve >/dev/null 2>&1 & ours=$!
trap 'kill $bare $ours 2>/dev/null || true' EXIT
for port in 3310 3311; do
  for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$port/projects/x/units/$unit?b=x" -H "host: $host" && break; [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/projects/x/units/$unit?b=x" -H "host: $host")" != 000 ] && break; sleep 0.2; done
done
echo "check: ours $(curl -s -o /dev/null -w '%{http_code}' -H "host: $host" "http://127.0.0.1:3310$path"), anchor $(curl -s -o /dev/null -w '%{http_code}' -H "host: $host" "http://127.0.0.1:3311$path")"
echo "anchor (bare axum + sqlx): $(load 3311)"
echo "offplan buyer page:        $(load 3310)"
echo "anchor again:              $(load 3311)"
