#!/usr/bin/env bash
# A private, throw-away PostgreSQL server for the tests: its own data folder under /tmp, loopback only, trust
# authentication, port 5433 by default, run as the "postgres" OS user when started by root. Prints nothing on success.
#   scripts/postgres/test-server.sh start [PORT]   (idempotent: does nothing when the port already answers)
#   scripts/postgres/test-server.sh stop  [PORT]
set -euo pipefail
action=${1:-start}
port=${2:-5433}
data=/tmp/scar-postgres-$port
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "error: PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; install the postgresql package (apt-get install postgresql)" >&2
  exit 1
fi
as_owner() {
  # From / : the postgres user may not be allowed into the caller's folder (psql and pg_ctl would warn).
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
case "$action" in
  start)
    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then exit 0; fi
    if [ ! -f "$data/PG_VERSION" ]; then
      mkdir -p "$data"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
      as_owner "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --no-instructions >/dev/null
    fi
    as_owner "$bindir/pg_ctl" -D "$data" -l "$data.log" -w -o "-h 127.0.0.1 -p $port -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
    ;;
  stop)
    as_owner "$bindir/pg_ctl" -D "$data" -m fast stop >/dev/null
    ;;
  *)
    echo "error: unknown action '$action'; use start or stop" >&2
    exit 2
    ;;
esac
