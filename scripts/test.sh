#!/usr/bin/env bash
# The whole suite: lint, checks, the bench smoke run, then unit, API and browser tests on
# the local PostGIS cluster.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== import contracts (pyproject.toml [tool.importlinter])"
.venv/bin/lint-imports --no-cache
echo "== types (pyproject.toml [tool.mypy])"
.venv/bin/mypy
echo "== django checks"
.venv/bin/python manage.py check --settings=gis_portal.settings.test
.venv/bin/python manage.py makemigrations --check --dry-run --settings=gis_portal.settings.test >/dev/null || {
  echo "models changed without a migration: run manage.py makemigrations" >&2; exit 1; }
DJANGO_SECRET_KEY=$(.venv/bin/python -c "import secrets; print(secrets.token_urlsafe(50))") DJANGO_ALLOWED_HOSTS=gis.example.gov.cn \
  DATABASE_URL=${DATABASE_URL:-postgis://hegang@127.0.0.1:${LOCAL_PG_PORT:-54329}/hegang} MEDIA_ROOT=/var/lib/hegang/media \
  .venv/bin/python manage.py check --deploy --fail-level WARNING --settings=gis_portal.settings.prod
echo "== bench smoke (every benchmark on tiny data sets, in a throwaway database)"
DATABASE_URL=${DATABASE_URL:-postgis://hegang@127.0.0.1:${LOCAL_PG_PORT:-54329}/hegang} \
  .venv/bin/python -m bench.run --smoke
echo "== pytest (pytest-xdist: PYTEST_WORKERS processes, default 2, each file on one worker)"
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"
