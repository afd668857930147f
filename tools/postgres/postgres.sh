#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the end-to-end run against a
# real server and for the benchmark: `postgres.sh start|stop|url`.
# Installs Debian's postgresql when missing; data under .data/postgres.
#   POSTGRES_PORT (default 55432)  port to listen on, 127.0.0.1 only
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${POSTGRES_PORT:-55432}"
DATA_DIR="$PWD/.data/postgres"
DATABASES=(users products orders)

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [[ -z "$bin" ]]; then
    echo "postgres.sh: installing postgresql from Debian" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  echo "$bin"
}

# initdb and postgres refuse to run as root: run them as the postgres user then.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bin; bin=$(pg_bin)
  mkdir -p "$DATA_DIR"
  [[ $(id -u) -eq 0 ]] && chown -R postgres "$DATA_DIR"
  if [[ ! -f "$DATA_DIR/PG_VERSION" ]]; then
    as_owner "$bin/initdb" -D "$DATA_DIR" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  if ! as_owner "$bin/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$DATA_DIR" -l "$DATA_DIR/server.log" -w \
      -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DATA_DIR -c max_connections=200" start >/dev/null
  fi
  for db in "${DATABASES[@]}"; do
    "$bin/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1 ||
      "$bin/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$db"
  done
  echo "postgres listening on 127.0.0.1:$PORT (databases: ${DATABASES[*]})"
}

stop() {
  local bin; bin=$(pg_bin)
  [[ -f "$DATA_DIR/PG_VERSION" ]] && as_owner "$bin/pg_ctl" -D "$DATA_DIR" -m fast stop >/dev/null 2>&1 || true
  echo "postgres stopped"
}

# Drops and recreates the databases, for a run that must start empty.
reset() {
  local bin; bin=$(pg_bin)
  for db in "${DATABASES[@]}"; do
    "$bin/dropdb" -h 127.0.0.1 -p "$PORT" -U postgres --if-exists "$db"
    "$bin/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$db"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  reset) reset ;;
  url) echo "postgres://postgres@127.0.0.1:$PORT/${2:-postgres}" ;;
  *) echo "usage: postgres.sh start|stop|reset|url [database]" >&2; exit 2 ;;
esac
