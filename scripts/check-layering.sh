#!/usr/bin/env bash
# The layering guard (issue 11, STYLE.md conventions 1, 2 and 5): SQL and the
# pool live in the `offplan` crate's `db` module only. `app/` and
# `server/src` reach the database through `offplan::db` (a `Scope` for
# tenant data, the named unscoped operations for the rest), so no file there
# may name sqlx, the pool, a connection, a query macro or the test pool; and
# no file under app/ may name the server's `Db` (it gets a `Gate`).
#
# Exceptions go in scripts/layering-allow.txt, one file a line with the
# reason after it; an entry that no longer matches anything is an error too,
# so the list cannot go stale.
set -euo pipefail
cd "$(dirname "$0")/.."

allow_file=scripts/layering-allow.txt
# What a file outside the repository must not name.
pattern='sqlx::|PgPool|PgConnection|\b(query|query_as|query_scalar)(_unchecked)?!|\bquery_file(_as|_scalar)?(_unchecked)?!|pool_for_tests'
dirs=(app server/src)

declare -A allowed=()
if [[ -f $allow_file ]]; then
  while IFS= read -r line || [[ -n $line ]]; do
    line="${line%%#*}"
    [[ -z "${line//[[:space:]]/}" ]] && continue
    read -r path reason <<<"$line"
    if [[ -z ${reason:-} ]]; then
      echo "error: $allow_file: '$path' has no reason; write one after the path" >&2
      exit 1
    fi
    allowed[$path]=1
  done <"$allow_file"
fi

status=0
hits="$(grep -rnE "$pattern" "${dirs[@]}" --exclude-dir=target || true)"
declare -A seen=()
while IFS= read -r hit; do
  [[ -z $hit ]] && continue
  path="${hit%%:*}"
  if [[ -n ${allowed[$path]:-} ]]; then
    seen[$path]=1
    continue
  fi
  echo "error: $hit" >&2
  status=1
done <<<"$hits"

for path in "${!allowed[@]}"; do
  if [[ -z ${seen[$path]:-} ]]; then
    echo "error: $allow_file lists $path, which no longer names the database; remove the entry" >&2
    status=1
  fi
done

# Rule 2 (docs/architecture.md): the app gets the request's offplan::db::Gate
# (a Scope, or a named unscoped operation), never the server's Db, which
# connects, migrates and closes the pool. Whole-word `Db` in code (not in a
# `//` comment), so DbError, DbSettings and AdminDb do not count.
db_hits="$(grep -rnE --include='*.rs' '(^|[^A-Za-z0-9_])Db([^A-Za-z0-9_]|$)' app --exclude-dir=target |
  grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' || true)"
while IFS= read -r hit; do
  [[ -z $hit ]] && continue
  echo "error: $hit" >&2
  echo "  app/ may not name offplan::db::Db: take the request's offplan::db::Gate (crate::ssr::gate())" >&2
  status=1
done <<<"$db_hits"

if ((status)); then
  cat >&2 <<MSG

The layering guard failed: files under ${dirs[*]} may not name sqlx, the
pool (PgPool, pool_for_tests), a connection (PgConnection) or a query macro.
The database is reached only through offplan::db (src/db/): tenant data
through a Scope, the few unscoped operations by their names (STYLE.md
conventions 1, 2, 5). Move the SQL into src/db/, or, if it truly cannot live
there, list the file in $allow_file with the reason.
MSG
  exit 1
fi
echo "layering: ${dirs[*]} name no SQL or pool; app/ names no Db"
