"""Start the project-local PostGIS cluster on demand (development and test settings only)."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_LOCAL_SETTINGS = ("gis_portal.settings.dev", "gis_portal.settings.test")


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def ensure_local_database() -> None:
    """Start the local cluster if it is the configured database and it is down.

    Does nothing when DATABASE_URL points elsewhere, under production settings, or before
    `make run` has created the cluster (then Django's own connection error explains).
    """
    if os.environ.get("DATABASE_URL"):
        return
    if os.environ.get("DJANGO_SETTINGS_MODULE") not in _LOCAL_SETTINGS:
        return
    port = int(os.environ.get("LOCAL_PG_PORT", "54329"))
    if _port_open(port):
        return
    script = ROOT / "scripts" / "pg.sh"
    datadir = subprocess.run(
        [script, "datadir"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if (Path(datadir) / "PG_VERSION").exists():
        subprocess.run([script, "start"], check=True)
