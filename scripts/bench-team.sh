#!/usr/bin/env bash
# Issue 5's benchmark: one organisation with 500 members and 1,000,000
# audit events (appended through the real chain writer), then against a
# release build: the server time of the audit log's first and 1000th page,
# of the Team page, and `audit verify` throughput.
#
#   bash scripts/bench-team.sh            # BENCH_EVENTS, BENCH_MEMBERS, BENCH_PORT to change
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/postgres.sh"
port="${BENCH_PORT:-3201}"
events="${BENCH_EVENTS:-1000000}"
members="${BENCH_MEMBERS:-500}"
runs="${BENCH_RUNS:-20}"
[ -x target/release/offplan-server ] || scripts/build-release.sh
export APP_ENV=development DATABASE_URL="${PG_APP_URL%/*}/offplan_bench" \
  DATABASE_ADMIN_URL="${PG_ADMIN_URL%/*}/offplan_bench" BASE_DOMAIN=offplan.localhost \
  LISTEN_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site RUST_LOG=warn HIBP_URL=off \
  LOGIN_LIMIT_PER_IP=10000
bin=target/release/offplan-server
$bin seed >/dev/null
start=$(date +%s)
$bin seed-bench --members "$members" --events "$events"
echo "seeding took $(( $(date +%s) - start )) s"
psql "$DATABASE_ADMIN_URL" -q -c "vacuum analyze audit_events" -c "vacuum analyze audit_event_pii" -c "vacuum analyze memberships"

$bin serve >/tmp/offplan-bench-team.log 2>&1 &
server=$!
jar=$(mktemp)
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -f "$jar"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

host="bench.offplan.localhost:$port"
resolve=(--resolve "bench.offplan.localhost:$port:127.0.0.1")
curl -fs "${resolve[@]}" -c "$jar" -b "$jar" -o /dev/null \
  -H "Origin: http://$host" -H 'Accept: application/json' \
  --data-urlencode email=owner@bench.example --data-urlencode 'password=offplan demo passphrase' \
  "http://$host/api/auth/login"

# Prints p50, p95 and max of `runs` GETs of $1 (after two warm-ups).
measure() {
  local label=$1 path=$2
  for _ in 1 2; do curl -fs "${resolve[@]}" -b "$jar" -o /dev/null "http://$host$path"; done
  for _ in $(seq 1 "$runs"); do
    curl -fs "${resolve[@]}" -b "$jar" -o /dev/null -w '%{time_total}\n' "http://$host$path"
  done | sort -n | awk -v label="$label" '{ t[NR] = $1 * 1000 } END {
    printf "%-34s p50 %6.1f ms   p95 %6.1f ms   max %6.1f ms   (%d runs)\n",
      label, t[int(NR * 0.5 + 0.5)], t[int(NR * 0.95 + 0.5)], t[NR], NR }'
}

max_seq=$(psql "$DATABASE_ADMIN_URL" -Atc "select max(seq) from audit_events e join organisations o on o.id = e.org_id where o.subdomain = 'bench'")
page1000=$(( max_seq - 50 * 999 + 1 ))
echo "cores: $(nproc); bench chain: $max_seq events, $members members"
measure "audit log, page 1" "/settings/audit"
measure "audit log, page 1000 (keyset)" "/settings/audit?before=$page1000"
measure "audit log, filtered by action" "/settings/audit?action=invitation.sent"
measure "team page ($members members)" "/settings/team"
$bin audit verify --org bench
