#!/usr/bin/env bash
# Refreshes .sqlx/ (the query data that lets the build check SQL without a
# database) after a query or a migration changes. Needs no sqlx-cli: the
# query macros write their data when SQLX_OFFLINE_DIR is set.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/postgres.sh"

db=offplan_sqlx
admin_psql -c "drop database if exists $db with (force)" -c "create database $db"
url="${PG_ADMIN_URL%/*}/$db"
for f in migrations/*.sql; do psql "$url" -v ON_ERROR_STOP=1 -q -1 -f "$f"; done

rm -rf .sqlx && mkdir .sqlx
touch src/lib.rs
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$ROOT/.sqlx" DATABASE_URL="$url" \
  cargo check -p offplan --features ssr --tests
echo "wrote $(ls .sqlx | wc -l) query files to .sqlx/"
