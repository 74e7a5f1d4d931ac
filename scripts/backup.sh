#!/usr/bin/env bash
# Back up the database and the uploaded files into one archive with a SHA-256 manifest.
#   scripts/backup.sh [OUT]        (make backup [OUT=…])
# OUT is a file name (…/x.tar) or a folder (default: backups/), where the archive is named
# hegang-<database>-<UTC time>.tar. Reads DATABASE_URL (default: the local cluster's
# hegang database) and MEDIA_ROOT (default: media/).
#
# The archive holds, in this order: MANIFEST.sha256 (a sha256sum line for every other
# member), INFO (when, what, which tools), db.dump (pg_dump custom format) and media/…
# (the files under MEDIA_ROOT). The database is dumped first: a file uploaded during the
# backup is at worst an unreferenced extra, never a row whose file is missing.
# scripts/restore.sh checks the manifest before it touches anything.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/dburl.sh
. "$ROOT/scripts/dburl.sh"

DATABASE_URL=${DATABASE_URL:-postgis://hegang@127.0.0.1:${LOCAL_PG_PORT:-54329}/hegang}
MEDIA_ROOT=${MEDIA_ROOT:-$ROOT/media}
OUT=${1:-$ROOT/backups}
db_name=$(dburl_database "$DATABASE_URL")
if [ -d "$OUT" ] || [ "${OUT%/}" != "$OUT" ]; then
  mkdir -p "$OUT"
  OUT=${OUT%/}/hegang-$db_name-$(date -u +%Y%m%dT%H%M%SZ).tar
fi
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
[ -e "$OUT" ] && { echo "backup: $OUT already exists" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/hegang-backup.XXXXXX")
trap 'rm -rf "$stage"' EXIT

pg_dump --format=custom --file="$stage/db.dump" --dbname="$(dburl_libpq "$DATABASE_URL")"
mkdir "$stage/media"
if [ -d "$MEDIA_ROOT" ]; then
  cp -a "$MEDIA_ROOT/." "$stage/media/"
fi
{
  echo "created_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "database=$db_name"
  echo "media_root=$MEDIA_ROOT"
  echo "media_files=$(find "$stage/media" -type f | wc -l)"
  echo "pg_dump=$(pg_dump --version)"
  echo "commit=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
} > "$stage/INFO"
(cd "$stage" && find INFO db.dump media -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) \
  > "$stage/MANIFEST.sha256"

# Written under a temporary name and renamed: a backup cut short leaves no archive that
# looks complete.
tar -C "$stage" -cf "$OUT.partial" MANIFEST.sha256 INFO db.dump media
mv "$OUT.partial" "$OUT"
echo "backup: $OUT ($(du -h "$OUT" | cut -f1); $(grep -c . "$stage/MANIFEST.sha256") files checksummed)"
