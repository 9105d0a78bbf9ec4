#!/usr/bin/env bash
# Prepares a PostgreSQL database for Scar's postgres clustering and storage (SCAR_CLUSTERING=postgres,
# SCAR_STORAGE=postgres): optionally creates the database and a login role for the silos, then applies
# scripts/postgres/scar-orleans.sql (tables and the query texts the Orleans ADO.NET providers read). Idempotent: run
# it again after an upgrade; data is kept.
#
#   scripts/postgres-setup.sh --database scar [--create-database] [--role scar]
#
# The connection (as an administrator) comes from the usual libpq variables: PGHOST, PGPORT, PGUSER, PGPASSWORD
# (or ~/.pgpass). --role ROLE creates the login role ROLE when missing, with the password in SCAR_POSTGRES_ROLE_PASSWORD
# when that is set, and grants it what the silos need on Scar's tables.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sql=$here/postgres/scar-orleans.sql
database=""
create=0
role=""

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --database) database=${2:?"error: --database needs a name, for example --database scar"}; shift 2 ;;
    --create-database) create=1; shift ;;
    --role) role=${2:?"error: --role needs a role name, for example --role scar"}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument '$1'" >&2; usage; exit 2 ;;
  esac
done

if [ -z "$database" ]; then
  echo "error: give the database with --database NAME (add --create-database to create it)" >&2
  exit 2
fi
if ! command -v psql >/dev/null 2>&1; then
  echo "error: psql is not installed; install the PostgreSQL client (apt-get install postgresql-client)" >&2
  exit 1
fi
if ! [[ "$database" =~ ^[A-Za-z_][A-Za-z0-9_-]*$ ]] || { [ -n "$role" ] && ! [[ "$role" =~ ^[A-Za-z_][A-Za-z0-9_-]*$ ]]; }; then
  echo "error: --database and --role take plain names (letters, digits, _ and -)" >&2
  exit 2
fi

export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
admin=(psql -X -q -v ON_ERROR_STOP=1 --no-psqlrc)
if ! "${admin[@]}" -d postgres -c 'SELECT 1' >/dev/null; then
  echo "error: cannot connect to PostgreSQL as an administrator; set PGHOST, PGPORT, PGUSER (and PGPASSWORD)" >&2
  exit 1
fi

if [ -n "$role" ]; then
  exists=$("${admin[@]}" -d postgres -tA -v role="$role" <<<"SELECT 1 FROM pg_roles WHERE rolname = :'role';")
  if [ "$exists" != "1" ]; then
    "${admin[@]}" -d postgres -v role="$role" -v password="${SCAR_POSTGRES_ROLE_PASSWORD:-}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role') || CASE WHEN :'password' = '' THEN '' ELSE format(' PASSWORD %L', :'password') END \gexec
SQL
    echo "created role $role"
  fi
fi

if [ "$create" -eq 1 ]; then
  exists=$("${admin[@]}" -d postgres -tA -v db="$database" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")
  if [ "$exists" != "1" ]; then
    "${admin[@]}" -d postgres -v db="$database" -v owner="${role:-$("${admin[@]}" -d postgres -tA -c 'SELECT current_user')}" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner') \gexec
SQL
    echo "created database $database"
  fi
fi

"${admin[@]}" -1 -d "$database" -f "$sql"
if [ -n "$role" ]; then
  "${admin[@]}" -d "$database" -v role="$role" -v db="$database" <<'SQL'
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'db', :'role') \gexec
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'role') \gexec
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON orleansquery, scar_membership_version, scar_membership, scar_grain_state TO %I', :'role') \gexec
SQL
fi
echo "database $database is ready for SCAR_CLUSTERING=postgres and SCAR_STORAGE=postgres"
