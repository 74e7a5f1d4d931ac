#!/usr/bin/env bash
# Restore an archive of scripts/backup.sh: the database, then the uploaded files.
#   scripts/restore.sh [--force] FILE        (make restore FILE=… [FORCE=1])
# Into DATABASE_URL's database (created if missing) and MEDIA_ROOT (default: media/).
#
# Nothing is touched until the archive has been checked: every member against the SHA-256
# manifest, no member missing or unlisted, the dump's table of contents readable. A
# database that holds any table, or a MEDIA_ROOT that holds any file, is refused unless
# --force (or FORCE=1) is given: then the database is dropped and created again, and the
# old files are moved aside to MEDIA_ROOT.replaced-<time>. pg_restore runs in a single
# transaction and stops at the first error, so a restore either completes or leaves the
# database empty — and says so with a non-zero exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/dburl.sh
. "$ROOT/scripts/dburl.sh"

force=${FORCE:-0}
[ "$force" = 1 ] || force=0
args=()
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    -*) echo "restore: unknown option $arg" >&2; exit 2 ;;
    *) args+=("$arg") ;;
  esac
done
[ ${#args[@]} = 1 ] || { echo "usage: scripts/restore.sh [--force] FILE" >&2; exit 2; }
FILE=${args[0]}
DATABASE_URL=${DATABASE_URL:-postgis://hegang@127.0.0.1:${LOCAL_PG_PORT:-54329}/hegang}
MEDIA_ROOT=${MEDIA_ROOT:-$ROOT/media}
db_name=$(dburl_database "$DATABASE_URL")
target=$(dburl_libpq "$DATABASE_URL")
maintenance=$(dburl_with_database "$DATABASE_URL" postgres)

refuse() { echo "restore: refused: $*" >&2; echo "restore: nothing was changed" >&2; exit 1; }
[ -f "$FILE" ] || refuse "$FILE is not a file"

# --- 1. the archive, checked in a scratch folder ------------------------------------------
stage=$(mktemp -d "${TMPDIR:-/tmp}/hegang-restore.XXXXXX")
trap 'rm -rf "$stage"' EXIT
members=$(tar -tf "$FILE" 2>/dev/null) || refuse "$FILE is not a readable tar archive (truncated or damaged?)"
while IFS= read -r name; do
  case "/$name/" in
    //* | */../*) refuse "$FILE has a member outside the archive folder: $name" ;;
  esac
  case $name in
    MANIFEST.sha256 | INFO | db.dump | media | media/*) ;;
    *) refuse "$FILE has an unexpected member: $name" ;;
  esac
done <<< "$members"
tar -xf "$FILE" -C "$stage" 2>/dev/null || refuse "$FILE could not be extracted (truncated or damaged?)"
[ -f "$stage/MANIFEST.sha256" ] || refuse "$FILE has no MANIFEST.sha256"
(cd "$stage" && sha256sum --check --strict --quiet MANIFEST.sha256 >/dev/null 2>&1) \
  || refuse "$FILE does not match its manifest (damaged or altered)"
listed=$(sed -E 's/^[0-9a-f]{64}  //' "$stage/MANIFEST.sha256" | LC_ALL=C sort)
present=$(cd "$stage" && find INFO db.dump media -type f 2>/dev/null | LC_ALL=C sort)
[ "$listed" = "$present" ] || refuse "$FILE holds files its manifest does not list, or lacks listed ones"
grep -qx db.dump <<< "$listed" || refuse "$FILE has no db.dump"
pg_restore --list "$stage/db.dump" >/dev/null 2>&1 || refuse "db.dump in $FILE is not a readable pg_dump archive"
echo "restore: archive verified ($(grep -c . "$stage/MANIFEST.sha256") files; $(grep '^created_utc=' "$stage/INFO" || true))"

# --- 2. the target: refuse one that holds data -------------------------------------------
psql_maint() { psql --no-psqlrc -X -qAt -v ON_ERROR_STOP=1 -v db="$db_name" --dbname="$maintenance" "$@"; }
exists=$(psql_maint <<< "SELECT 1 FROM pg_database WHERE datname = :'db'")
tables=0
if [ -n "$exists" ]; then
  # Tables, views and sequences that no extension owns (PostGIS's spatial_ref_sys does not count).
  tables=$(psql --no-psqlrc -X -qAt -v ON_ERROR_STOP=1 --dbname="$target" -c "
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')")
fi
media_files=0
[ -d "$MEDIA_ROOT" ] && media_files=$(find "$MEDIA_ROOT" -mindepth 1 -type f | wc -l)
if [ "$force" != 1 ] && { [ "$tables" != 0 ] || [ "$media_files" != 0 ]; }; then
  refuse "the target is not empty (database $db_name: $tables tables; $MEDIA_ROOT: $media_files files); give --force (FORCE=1) to replace it"
fi

# --- 3. the database ------------------------------------------------------------------------
if [ -n "$exists" ] && [ "$tables" != 0 ]; then
  echo "restore: --force: dropping database $db_name"
  psql_maint <<< 'DROP DATABASE :"db" WITH (FORCE)'
  exists=
fi
[ -n "$exists" ] || psql_maint <<< 'CREATE DATABASE :"db"'
# --no-owner: everything belongs to the restoring role (the application's), whatever role
# owned it where the dump was taken.
if ! pg_restore --exit-on-error --single-transaction --no-owner --dbname="$target" "$stage/db.dump"; then
  echo "restore: FAILED: pg_restore stopped at the error above; database $db_name was left without the restored data" >&2
  exit 1
fi
psql --no-psqlrc -X -q -v ON_ERROR_STOP=1 --dbname="$target" -c "ANALYZE"

# --- 4. the uploaded files ------------------------------------------------------------------
if [ "$media_files" != 0 ]; then
  aside="${MEDIA_ROOT%/}.replaced-$(date -u +%Y%m%dT%H%M%SZ)"
  echo "restore: --force: moving the old files to $aside"
  mv "$MEDIA_ROOT" "$aside"
fi
mkdir -p "$MEDIA_ROOT"
cp -a "$stage/media/." "$MEDIA_ROOT/"
(cd "$MEDIA_ROOT" && sed -n 's#^\([0-9a-f]\{64\}\)  media/#\1  #p' "$stage/MANIFEST.sha256" \
  | sha256sum --check --strict --quiet) || { echo "restore: FAILED: the files copied to $MEDIA_ROOT do not match the manifest" >&2; exit 1; }
echo "restore: done: database $db_name, $(grep -c '  media/' "$stage/MANIFEST.sha256" || true) files in $MEDIA_ROOT"
