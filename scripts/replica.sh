#!/usr/bin/env bash
# A streaming replica of the project-local cluster (scripts/pg.sh): start, stop, status, destroy.
# The first start clones the running primary with pg_basebackup -R (a hot standby that follows
# it over the replication protocol); the portal reads public pages from it when
# DATABASE_REPLICA_URL points at it (gis_portal/db_routers.py).
#
# Environment (defaults in brackets): LOCAL_PG_PORT, LOCAL_PG_DIR — the primary, as for pg.sh
# [54329, its data folder]; REPLICA_PG_PORT [54330]; REPLICA_PG_DIR [the primary's folder
# + "-replica"]. Like pg.sh: loopback only, trust authentication, a developer's replica.
# No replication slot: a primary never keeps WAL for a replica that was left stopped; one that
# fell too far behind says so in its log and is cloned anew with `destroy` then `start`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PRIMARY_PORT=${LOCAL_PG_PORT:-54329}
PORT=${REPLICA_PG_PORT:-54330}
# The primary's folder by pg.sh's own rules (as root it may live under /var/lib/hegang-gis).
PRIMARY_DATA=$("$ROOT/scripts/pg.sh" datadir)
DATA=${REPLICA_PG_DIR:-$PRIMARY_DATA-replica}
LOG=$DATA.log

# Postgres refuses to run as root: as root the replica belongs to the 'postgres' user too.
if [ "$(id -u)" = 0 ]; then RUN=(runuser -u postgres --); else RUN=(); fi

psql_at() {
  local port=$1; shift
  PGOPTIONS="-c client_min_messages=warning" "$PGBIN/psql" -h 127.0.0.1 -p "$port" -U postgres \
    -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

is_up() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$1" >/dev/null 2>&1; }

do_clone() {
  [ -f "$DATA/PG_VERSION" ] && return 0
  is_up "$PRIMARY_PORT" || {
    echo "replica: the primary on 127.0.0.1:$PRIMARY_PORT is down (scripts/pg.sh start)" >&2; exit 1; }
  local wal_level
  wal_level=$(psql_at "$PRIMARY_PORT" -c "SHOW wal_level")
  if [ "$wal_level" = minimal ]; then
    echo "replica: the primary has wal_level = minimal; set it to replica and restart it" >&2; exit 1
  fi
  echo "replica: cloning 127.0.0.1:$PRIMARY_PORT into $DATA"
  mkdir -p "$DATA"
  chmod 700 "$DATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA"
  # -R: standby.signal + primary_conninfo; -X stream: the WAL written during the copy too.
  "${RUN[@]}" "$PGBIN/pg_basebackup" -d "host=127.0.0.1 port=$PRIMARY_PORT user=postgres application_name=hegang_replica" \
    -D "$DATA" -R -X stream -c fast --no-password || {
    echo "replica: pg_basebackup failed; the primary's pg_hba.conf needs a 'host replication' line for 127.0.0.1" >&2
    rm -rf "$DATA"; exit 1; }
  # Appended last, so these win over the settings copied from the primary.
  cat >> "$DATA/postgresql.conf" <<CONF

# Streaming replica of 127.0.0.1:$PRIMARY_PORT (scripts/replica.sh)
port = $PORT
hot_standby = on
# The primary keeps the rows a running replica query still reads, instead of the replica
# cancelling that query when the primary's vacuum removes them.
hot_standby_feedback = on
CONF
}

do_start() {
  is_up "$PORT" && return 0
  touch "$LOG"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$LOG"
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null || {
    echo "replica: did not start; its log ($LOG) ends with:" >&2; tail -20 "$LOG" >&2; exit 1; }
}

do_status() {
  if ! is_up "$PORT"; then echo "down ($DATA)"; exit 1; fi
  local state
  state=$(psql_at "$PORT" -F '|' -c "SELECT CASE WHEN pg_is_in_recovery() THEN 'replica' ELSE 'PROMOTED, no longer a replica' END,
      coalesce((SELECT status FROM pg_stat_wal_receiver), 'not streaming'),
      coalesce(pg_last_wal_replay_lsn()::text, '-'),
      coalesce(to_char(pg_last_xact_replay_timestamp(), 'YYYY-MM-DD HH24:MI:SS TZ'), '-')")
  IFS='|' read -r role receiver lsn replayed <<<"$state"
  echo "up on 127.0.0.1:$PORT ($DATA): $role of 127.0.0.1:$PRIMARY_PORT, $receiver, replayed to $lsn (last transaction $replayed)"
}

case "${1:-}" in
  start) do_clone; do_start ;;
  stop) is_up "$PORT" && "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; true ;;
  status) do_status ;;
  destroy)
    is_up "$PORT" && "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    [ -f "$DATA/standby.signal" ] || [ ! -e "$DATA" ] || {
      echo "replica: $DATA is not a replica (no standby.signal): not deleting it" >&2; exit 1; }
    rm -rf "$DATA" "$LOG" ;;
  *) echo "usage: scripts/replica.sh start|stop|status|destroy" >&2; exit 2 ;;
esac
