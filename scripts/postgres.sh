#!/usr/bin/env bash
# Makes sure PostgreSQL answers. Starts the local cluster when it is down;
# a DATABASE_URL pointing elsewhere is left alone (we only check it).
set -euo pipefail
source "$(dirname "$0")/env.sh"

step "PostgreSQL"
url="${DATABASE_ADMIN_URL:-${DATABASE_URL:-$PG_ADMIN_URL}}"
if pg_isready -q -d "$url"; then
  echo "PostgreSQL is up"
  exit 0
fi
case "$url" in
  *@127.0.0.1*|*@localhost*|*@/*)
    version="$(ls /etc/postgresql | sort -V | tail -n1)"
    [ -n "$version" ] || die "no local PostgreSQL cluster in /etc/postgresql"
    echo "starting the local cluster ($version/main)"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do pg_isready -q -d "$url" && exit 0; sleep 0.5; done
    die "PostgreSQL did not come up"
    ;;
  *) die "PostgreSQL at DATABASE_URL does not answer" ;;
esac
