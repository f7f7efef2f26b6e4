#!/usr/bin/env bash
# Drops the per-test databases (`offplan_t_*`) left by earlier test runs.
set -euo pipefail
source "$(dirname "$0")/env.sh"
for db in $(admin_psql -c "select datname from pg_database where datname like 'offplan\_t\_%'"); do
  admin_psql -c "drop database if exists \"$db\" with (force)"
done
