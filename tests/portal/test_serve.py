"""The served portal (gis_portal.serve, granian): one start line, answers, no server environment."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from gis_portal.serve import without_process_environment

ROOT = Path(__file__).resolve().parents[2]


def test_a_request_sees_its_own_variables_not_the_servers_environment():
    process = {"DATABASE_URL": "postgis://u:secret@db/x", "HTTP_PROXY": "http://proxy:3128",
               "SERVER_NAME": "build-host", "PATH": "/usr/bin"}  # fmt: skip
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        return [b""]

    served = without_process_environment(app, process)
    # As granian builds it: a copy of the process environment, then the request over it.
    request = {"REQUEST_METHOD": "GET", "PATH_INFO": "/healthz", "HTTP_HOST": "127.0.0.1"}
    served({**process, **request, "SERVER_NAME": "build-host"}, lambda *a: None)
    assert "DATABASE_URL" not in seen and "PATH" not in seen and "HTTP_PROXY" not in seen
    assert seen["SERVER_NAME"] == "build-host"  # the request's own, though the process has one
    assert seen["PATH_INFO"] == "/healthz" and seen["HTTP_HOST"] == "127.0.0.1"

    seen.clear()
    served(
        {**process, "REQUEST_METHOD": "GET", "HTTP_PROXY": "sent by the client"}, lambda *a: None
    )
    assert seen["HTTP_PROXY"] == "sent by the client"  # a header with its own value stays


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    """Return (status, body, headers: case-insensitive, as HTTP names them)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 (127.0.0.1 only)
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


@pytest.fixture
def served(db, tmp_path):
    """Serve the portal on the test database as scripts/run.sh does; yield (url, logs)."""
    db = connection.settings_dict
    login = quote(db["USER"], safe="") + (
        ":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
    )
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gis_portal.settings.test",
        "DATABASE_URL": f"postgis://{login}@{db['HOST']}:{db['PORT']}/{quote(db['NAME'], safe='')}",
    }
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("wb") as o, err.open("wb") as e:
        server = subprocess.Popen(
            [sys.executable, "-m", "gis_portal.serve", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--threads", "2"],
            cwd=ROOT, env=env, stdout=o, stderr=e,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(url + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the portal did not start: {err.read_text()[-3000:]}")
            time.sleep(0.2)
        yield url, (out, err)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_the_served_portal_says_one_line_at_start_and_logs_each_request(served):
    url, (out, err) = served
    status, body, _ = _get(url + "/api/v1/placenames/suggest?q=" + quote("鹤岗"))
    assert status == 200 and json.loads(body)["q"] == "鹤岗"
    status, body, headers = _get(url + "/no-such-page")
    assert status == 404 and "text/html" in headers["content-type"]
    assert "页面不存在" in body.decode()  # the portal's Chinese page, DEBUG off
    status, body, _ = _get(url + "/api/v1/placenames?q=%00")
    assert status == 400 and "q" in body.decode()  # refused by the portal, not the server
    time.sleep(0.5)  # the access log lines are flushed by the workers

    lines = err.read_text().splitlines()
    started = [line for line in lines if "started at" in line]
    assert len(started) == 1, lines
    assert f"started at {url}/" in started[0] and "2 workers × 2 threads" in started[0]
    assert not [line for line in lines if "granian" in line.lower()], lines  # no chatter
    access = [json.loads(line) for line in out.read_text().splitlines() if line.startswith("{")]
    assert {(a["path"], a["status"]) for a in access} >= {
        ("/api/v1/placenames/suggest", 200),
        ("/no-such-page", 404),
        ("/api/v1/placenames", 400),
    }
