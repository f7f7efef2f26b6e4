#!/usr/bin/env bash
# Issue 12's benchmark: one project with 5,000 units and 20 partner
# agencies. Measures, side by side in one run, the unit list query of
# `offplan::db::units::list` (the repository's SQL, under row-level
# security as offplan_app) for the owner's Admin and for a partner agency's
# agent, and prints EXPLAIN ANALYZE of the partner's query.
#
#   bash scripts/bench-partners.sh        # BENCH_RUNS to change (default 50)
#
# It runs the statement through psql, not through the server: no page lists
# units yet (the allocation board is issue 14), and the statement is what
# both answers cost. Keep the SELECT below the same as units.rs's.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/postgres.sh"
runs="${BENCH_RUNS:-50}"
db=offplan_bench_partners
admin_psql -q -c "drop database if exists $db with (force)" -c "create database $db"
admin="${PG_ADMIN_URL%/*}/$db"
app="${PG_APP_URL%/*}/$db"
for f in migrations/*.sql; do psql "$admin" -v ON_ERROR_STOP=1 -q -1 -f "$f"; done

psql "$admin" -v ON_ERROR_STOP=1 -q <<'SQL'
-- One transaction: an organisation's owner key is checked at commit.
begin;
insert into users (email, display_name) values ('owner@dev.bench', 'Bench Owner');
insert into organisations (name, subdomain, country, client_types, owner_user_id)
select 'Bench Developer', 'bench-dev', 'GB', '{developer}', id from users where email = 'owner@dev.bench';
insert into memberships (org_id, user_id, role)
select o.id, u.id, 'owner' from organisations o, users u
where o.subdomain = 'bench-dev' and u.email = 'owner@dev.bench';
insert into projects (org_id, slug, name, status)
select id, 'tower', 'Bench Tower', 'active' from organisations where subdomain = 'bench-dev';

-- 20 agencies, each with an Owner and five agents.
insert into users (email, display_name)
select format('owner@agency%s.bench', a), format('Agency %s Owner', a) from generate_series(1, 20) a
union all
select format('agent%s@agency%s.bench', n, a), format('Agent %s.%s', a, n)
from generate_series(1, 20) a, generate_series(1, 5) n;
insert into organisations (name, subdomain, country, client_types, owner_user_id)
select format('Agency %s', a), format('agency%s', a), 'GB', '{agency}', u.id
from generate_series(1, 20) a join users u on u.email = format('owner@agency%s.bench', a);
insert into memberships (org_id, user_id, role)
select o.id, u.id, case when (u.email collate "C") like 'owner@%' then 'owner' else 'sales_agent' end::member_role
from organisations o join users u on (u.email collate "C") like '%@' || o.subdomain || '.bench'
where o.subdomain like 'agency%';
insert into project_partners (org_id, project_id, partner_org_id, kind)
select p.org_id, p.id, o.id, 'agency' from projects p, organisations o
where p.slug = 'tower' and o.subdomain like 'agency%';

-- 5,000 units: each agency holds 150, five of its agents 10 each (200 a
-- partner), the rest (1,000) are the owner's, unassigned.
insert into units (org_id, project_id, code, floor, bedrooms, area_m2, price_minor,
                   currency, status, assigned_org_id, assigned_user_org_id, assigned_user_id,
                   assigned_at)
select p.org_id, p.id, format('U-%s', lpad(i::text, 5, '0')), i % 60, (i % 4)::smallint,
       50 + i % 90, (200000 + i * 10) * 100, 'GBP',
       (case when i % 17 = 0 then 'sold' else 'available' end)::unit_status,
       case when i <= 4000 and (i - 1) % 200 < 150 then ag.id end,
       case when i <= 4000 and (i - 1) % 200 >= 150 then ag.id end,
       case when i <= 4000 and (i - 1) % 200 >= 150 then agent.id end,
       case when i <= 4000 then now() end
from projects p
cross join generate_series(1, 5000) i
left join organisations ag on i <= 4000 and ag.subdomain = format('agency%s', (i - 1) / 200 + 1)
left join users agent on i <= 4000 and agent.email =
    format('agent%s@agency%s.bench', ((i - 1) % 200 - 150) / 10 % 5 + 1, (i - 1) / 200 + 1)
where p.slug = 'tower';
commit;
vacuum analyze units;
vacuum analyze project_partners;
SQL

ids=$(psql "$admin" -Atc "
  select p.org_id, p.id, owner.id, ag.id, agent.id
  from projects p, users owner, organisations ag, users agent
  where p.slug = 'tower' and owner.email = 'owner@dev.bench'
    and ag.subdomain = 'agency7' and agent.email = 'agent1@agency7.bench'" | tr '|' ' ')
read -r owner_org project owner agency agent <<<"$ids"

# The repository's statement (src/db/units.rs, `visible`), with the
# parameters it passes for each viewer: $3 everything, $4 the viewer's
# organisation, $5 the viewer, $6 agent-only, $7 open mode.
statement() {
  local everything=$1 org=$2 user=$3 agent_only=$4
  cat <<SQL
select id, project_id, code, floor, bedrooms, price_minor, currency,
       status, assigned_org_id, assigned_user_org_id, assigned_user_id, version
from units
where org_id = '$owner_org' and project_id = '$project' and (null::uuid is null or id = null::uuid)
  and ($everything
       or assigned_user_id = '$user'
       or (not $agent_only and (assigned_org_id = '$org' or assigned_user_org_id = '$org'))
       or ($agent_only and assigned_org_id = '$org')
       or (false and status = 'available'))
order by code
SQL
}

# Median and p95 execution time (EXPLAIN ANALYZE's, server side) of $runs
# runs, as offplan_app with the viewer's tenant set, interleaving the two
# viewers so both see the same machine.
measure() {
  local sql_owner sql_partner
  sql_owner=$(statement true "$owner_org" "$owner" false)
  sql_partner=$(statement false "$agency" "$agent" true)
  for _ in $(seq 1 "$runs"); do
    for who in owner partner; do
      if [ "$who" = owner ]; then org=$owner_org user=$owner sql=$sql_owner; else org=$agency user=$agent sql=$sql_partner; fi
      psql "$app" -Atq <<SQL | sed -n "s/^Execution Time: \([0-9.]*\) ms/$who \1/p"
begin;
select set_config('app.org_id', '$org', true), set_config('app.user_id', '$user', true) \\g /dev/null
explain (analyze, costs off, timing off) $sql;
commit;
SQL
    done
  done | awk '{ t[$1][++n[$1]] = $2; rows = 1 } END {
    for (w in t) { asort(t[w]); m[w] = t[w][int(n[w] * 0.5 + 0.5)];
      printf "%-8s median %6.2f ms   p95 %6.2f ms   (%d runs)\n", w, m[w], t[w][int(n[w] * 0.95 + 0.5)], n[w] }
    printf "partner / owner: %.2f\n", m["partner"] / m["owner"] }'
}

echo "cores: $(nproc); 5,000 units, 20 partner agencies; owner sees all, agent1@agency7 its pool"
for who in owner partner; do
  if [ "$who" = owner ]; then org=$owner_org user=$owner sql=$(statement true "$owner_org" "$owner" false)
  else org=$agency user=$agent sql=$(statement false "$agency" "$agent" true); fi
  printf '%s rows: ' "$who"
  psql "$app" -Atq <<SQL | tail -1
begin;
select set_config('app.org_id', '$org', true), set_config('app.user_id', '$user', true) \\g /dev/null
select count(*) from ($sql) q;
commit;
SQL
done
measure
echo
echo "EXPLAIN ANALYZE, the partner agent's query:"
psql "$app" -Atq <<SQL
begin;
select set_config('app.org_id', '$agency', true), set_config('app.user_id', '$agent', true) \\g /dev/null
explain (analyze, buffers) $(statement false "$agency" "$agent" true);
commit;
SQL
