#!/usr/bin/env bash
# Starts the Debian PostgreSQL cluster and creates the test role (LOGIN, CREATEDB: the drift
# check builds a throw-away shadow database) and the test database. Idempotent.
# Works as root on a bare machine right after `apt-get install postgresql`.
#   QUORUM_PG_USER / QUORUM_PG_PASSWORD / QUORUM_PG_DB override quorum / quorum / quorum_test.
# Prints the URL to use as QUORUM_TEST_PG_URL.
set -euo pipefail
user="${QUORUM_PG_USER:-quorum}"
password="${QUORUM_PG_PASSWORD:-quorum}"
db="${QUORUM_PG_DB:-quorum_test}"
for v in "$user" "$db"; do
  [[ "$v" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "pg-test-setup: \"$v\" must be a lowercase identifier" >&2; exit 2; }
done
[[ "$password" != *"'"* ]] || { echo "pg-test-setup: the password must not contain a single quote" >&2; exit 2; }

command -v pg_lsclusters >/dev/null || { echo "pg-test-setup: postgresql is not installed (apt-get install postgresql)" >&2; exit 1; }
read -r ver name port status _ < <(pg_lsclusters --no-header | head -n1) || true
if [ -z "${ver:-}" ]; then
  ver="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
  name=main
  pg_createcluster "$ver" "$name" >/dev/null
  read -r ver name port status _ < <(pg_lsclusters --no-header | head -n1)
fi
if [ "$status" != "online" ]; then
  pg_ctlcluster "$ver" "$name" start
fi

as_pg() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}
psql_pg() { as_pg psql -p "$port" -v ON_ERROR_STOP=1 -qtA "$@"; }

for i in $(seq 1 50); do
  as_pg pg_isready -q -p "$port" && break
  sleep 0.2
done
as_pg pg_isready -q -p "$port" || { echo "pg-test-setup: PostgreSQL $ver/$name did not become ready on port $port" >&2; exit 1; }

if [ "$(psql_pg -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != 1 ]; then
  psql_pg -c "CREATE ROLE $user LOGIN CREATEDB PASSWORD '$password'"
else
  psql_pg -c "ALTER ROLE $user LOGIN CREATEDB PASSWORD '$password'"
fi
if [ "$(psql_pg -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
  psql_pg -c "CREATE DATABASE $db OWNER $user"
fi
psql_pg -d "$db" -c "ALTER SCHEMA public OWNER TO $user"
echo "postgres://$user:$password@127.0.0.1:$port/$db"
