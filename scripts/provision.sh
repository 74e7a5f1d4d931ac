#!/usr/bin/env bash
# Install what is missing for this project, idempotently: system packages (Debian 12),
# the Python virtualenv, the front-end packages, and (unless DATABASE_URL is set) the
# project-local PostGIS cluster with the named databases.
#   scripts/provision.sh [--browser] [db…]
# --browser adds what the browser tests need (Debian chromium, CJK fonts).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
STATE=$ROOT/.state
mkdir -p "$STATE"

want_browser=0
if [ "${1:-}" = "--browser" ]; then want_browser=1; shift; fi
databases=("$@")

# --- 1. system packages -------------------------------------------------------------
# Each entry is "debian-package:probe"; the probe is a file whose presence means "have it"
# (so a Node.js installed from elsewhere, with npm bundled, is accepted as it is).
needs=(
  postgresql-15:/usr/lib/postgresql/15/bin/initdb
  postgresql-15-postgis-3:/usr/share/postgresql/15/extension/postgis.control
  postgresql-contrib:/usr/share/postgresql/15/extension/pg_trgm.control
  libgdal32:/usr/lib/x86_64-linux-gnu/libgdal.so.32
  libgeos-c1v5:/usr/lib/x86_64-linux-gnu/libgeos_c.so.1
  proj-data:/usr/share/proj/proj.db
  python3-venv:/usr/lib/python3.11/ensurepip/__init__.py
  nodejs:/usr/bin/node
  npm:/usr/bin/npm
  make:/usr/bin/make
  gcc:/usr/bin/gcc
  # GDAL's command-line readers: the export tests open every exported file with ogrinfo.
  gdal-bin:/usr/bin/ogrinfo
  # The printed maps embed the CJK font (gis_portal/printing/render.py).
  fonts-noto-cjk:/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
  # GDAL's command-line tools: the OGC API tests read /ogc/ with ogrinfo's OAPIF driver.
  gdal-bin:/usr/bin/ogrinfo
  # bench/bench_siting.py measures pgRouting against scipy for the road costs of siting.
  postgresql-15-pgrouting:/usr/share/postgresql/15/extension/pgrouting.control
)
# The tests also drive chromium and read the printed PDFs with poppler (pdffonts, pdftoppm).
[ "$want_browser" = 1 ] && needs+=(chromium:/usr/bin/chromium poppler-utils:/usr/bin/pdffonts)
arch_lib=/usr/lib/$(uname -m)-linux-gnu
missing=()
for entry in "${needs[@]}"; do
  pkg=${entry%%:*}; probe=${entry#*:}
  probe=${probe/\/usr\/lib\/x86_64-linux-gnu/$arch_lib}
  # python3-venv: a Python that already has ensurepip (e.g. a pyenv build) needs nothing.
  if [ "$pkg" = python3-venv ] && "${PYTHON:-python3}" -c "import ensurepip" 2>/dev/null; then continue; fi
  [ -e "$probe" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "provision: installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts a system cluster on 5432 when it installs PostgreSQL; the project uses its own.
  else
    echo "provision: these Debian packages are missing:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    echo "Run that (or run this command as root), then try again." >&2
    exit 1
  fi
fi

# --- 2. Python virtualenv ------------------------------------------------------------
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "provision: creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
lock_sum=$(sha1sum requirements.lock pyproject.toml | sha1sum | cut -c1-40)
if [ "$(cat "$STATE/pip.sum" 2>/dev/null)" != "$lock_sum" ]; then
  echo "provision: installing Python packages from requirements.lock"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
  echo "$lock_sum" > "$STATE/pip.sum"
fi

# --- 3. front-end packages from npm, copied where Django serves them ------------------
npm_sum=$(sha1sum package.json package-lock.json scripts/vendor_assets.sh | sha1sum | cut -c1-40)
if [ "$(cat "$STATE/npm.sum" 2>/dev/null)" != "$npm_sum" ] || [ ! -f gis_portal/static/vendor/ol/ol.js ]; then
  echo "provision: installing front-end packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  scripts/vendor_assets.sh
  echo "$npm_sum" > "$STATE/npm.sum"
fi

# --- 4. database ---------------------------------------------------------------------
if [ -z "${DATABASE_URL:-}" ] && [ ${#databases[@]} -gt 0 ]; then
  scripts/pg.sh ensure "${databases[@]}"
fi
