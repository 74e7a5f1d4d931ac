"""The served portal's database sessions: no parallel plans (DATABASE_PARALLEL_WORKERS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from gis_portal.serve import served_environment

ROOT = Path(__file__).resolve().parents[2]

_SHOW = """
import json, os
import django
django.setup()
from django.db import connection
with connection.cursor() as cur:
    cur.execute(
        "SELECT setting, source FROM pg_settings WHERE name = 'max_parallel_workers_per_gather'"
    )
    print(json.dumps(cur.fetchone()))
"""


def _run(code: str, **env) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_PARALLEL_WORKERS"}
    environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings.dev")
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_setting_reaches_every_session_and_unset_leaves_the_servers():
    assert _run(_SHOW, DATABASE_PARALLEL_WORKERS="0") == ["0", "client"]
    assert _run(_SHOW, DATABASE_PARALLEL_WORKERS="1") == ["1", "client"]
    assert _run(_SHOW)[1] != "client"  # the cluster's own setting


def test_the_served_portal_plans_without_parallel_workers():
    environ: dict[str, str] = {}
    served_environment(environ)  # what gis_portal.serve sets before it reads the settings
    assert environ == {
        "DATABASE_PARALLEL_WORKERS": "0",
        "DJANGO_SETTINGS_MODULE": "gis_portal.settings.prod",
    }
    asked = {"DATABASE_PARALLEL_WORKERS": "2", "DJANGO_SETTINGS_MODULE": "gis_portal.settings.dev"}
    served_environment(asked)
    assert asked == {  # asked for, it is kept
        "DATABASE_PARALLEL_WORKERS": "2",
        "DJANGO_SETTINGS_MODULE": "gis_portal.settings.dev",
    }
