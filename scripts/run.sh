#!/usr/bin/env bash
# Migrate, load the Hegang demo data (skipped when unchanged) and serve the portal.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-gis_portal.settings.dev}
PORT=${PORT:-8000}
PY=.venv/bin/python
$PY manage.py migrate --no-input -v 0
$PY manage.py sync_roles -v 0 >/dev/null
$PY manage.py load_hegang_demo
$PY manage.py collectstatic --no-input -v 0
# The task-queue worker (procrastinate, PostgreSQL only) runs the long siting jobs beside
# the web server; both stop together.
# Runs left "running" by a worker that was killed are marked failed first (the worker's
# periodic task facilities.fail_dead_runs keeps doing so every minute).
$PY manage.py fail_dead_runs
$PY manage.py procrastinate worker --queues siting --concurrency 1 &
WORKER=$!
# DEBUG is off unless asked (DEBUG=1 make run); gis_portal.serve (granian) logs one line once
# the portal listens, and the portal's middleware writes the access log (JSON, stdout).
$PY -m gis_portal.serve --bind "127.0.0.1:$PORT" --workers "${WEB_WORKERS:-2}" \
  --threads "${WEB_THREADS:-2}" &
WEB=$!
trap 'kill $WORKER $WEB 2>/dev/null; wait' INT TERM EXIT
wait -n $WORKER $WEB
