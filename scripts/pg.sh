#!/usr/bin/env bash
# Project-local PostGIS cluster: init, start, stop, status, ensure (init+start+create databases).
# Used only when DATABASE_URL is not set. Listens on 127.0.0.1:${LOCAL_PG_PORT:-54329}, trust
# authentication on loopback only: it is a developer's cluster, never a production database.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${LOCAL_PG_PORT:-54329}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DB_USER=hegang

# Postgres refuses to run as root: as root the cluster belongs to the 'postgres' system user,
# which must be able to reach the folder. If it cannot (a checkout under a private home), the
# cluster lives under /var/lib/hegang-gis instead, one per checkout.
if [ "$(id -u)" = 0 ]; then
  RUN=(runuser -u postgres --)
  DATA=${LOCAL_PG_DIR:-$ROOT/.pgdata}
  if ! runuser -u postgres -- test -x "$(dirname "$DATA")" 2>/dev/null; then
    DATA=/var/lib/hegang-gis/$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)/pgdata
  fi
else
  RUN=()
  DATA=${LOCAL_PG_DIR:-$ROOT/.pgdata}
fi
LOG=$DATA.log

psql_local() { PGOPTIONS="-c client_min_messages=warning" "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

is_up() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" >/dev/null 2>&1; }

do_init() {
  [ -f "$DATA/PG_VERSION" ] && return 0
  echo "pg: initialising a local cluster in $DATA"
  mkdir -p "$DATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA"
  "${RUN[@]}" "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = ''
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 256MB
synchronous_commit = off
max_connections = 100
CONF
}

do_start() {
  is_up && return 0
  touch "$LOG"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$LOG"
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null || {
    echo "pg: the local cluster did not start; its log ($LOG) ends with:" >&2; tail -20 "$LOG" >&2; exit 1; }
}

do_databases() {
  psql_local -d postgres -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='$DB_USER') THEN CREATE ROLE $DB_USER LOGIN SUPERUSER; END IF; END\$\$;"
  for db in "$@"; do
    if [ -z "$(psql_local -d postgres -c "SELECT 1 FROM pg_database WHERE datname='$db'")" ]; then
      psql_local -d postgres -c "CREATE DATABASE $db OWNER $DB_USER"
    fi
    psql_local -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm;"
  done
}

case "${1:-}" in
  init) do_init ;;
  start) do_init; do_start ;;
  ensure) shift; do_init; do_start; do_databases "${@:-hegang}" ;;
  stop) is_up && "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; true ;;
  status) is_up && echo "up on 127.0.0.1:$PORT ($DATA)" || { echo "down ($DATA)"; exit 1; } ;;
  datadir) echo "$DATA" ;;
  *) echo "usage: scripts/pg.sh init|start|ensure [db…]|stop|status|datadir" >&2; exit 2 ;;
esac
