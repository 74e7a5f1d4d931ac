# Helpers for the backup scripts: DATABASE_URL (postgis://user:pass@host:port/db?opts, the
# settings' form) as libpq connection strings. Sourced, not run.

# The libpq URI of the URL's database.
dburl_libpq() {
  local url=$1
  printf 'postgresql://%s' "${url#*://}"
}

# The database name (the path, without query options).
dburl_database() {
  local rest=${1#*://}
  rest=${rest%%\?*}
  printf '%s' "${rest##*/}"
}

# The libpq URI of another database on the same server with the same credentials.
dburl_with_database() {
  local url=$1 db=$2 rest query=""
  rest=${url#*://}
  case $rest in *\?*) query="?${rest#*\?}"; rest=${rest%%\?*} ;; esac
  printf 'postgresql://%s/%s%s' "${rest%/*}" "$db" "$query"
}
