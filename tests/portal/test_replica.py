"""Public reads from a streaming replica: the routing rules, then end to end.

End to end, a throwaway primary (scripts/pg.sh) and its replica (scripts/replica.sh) are
built in a temporary folder on spare ports, the portal is served from them (gis_portal.serve)
with DATABASE_URL and DATABASE_REPLICA_URL, and a visitor and an officer use it over HTTP.
Which database answered is observed through the data: while the replica's replay is paused,
a write on the primary is seen by the officer who made it and not yet by the public.
The shared development cluster is never touched.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import MiddlewareNotUsed
from django.db import OperationalError, connections
from django.http import HttpResponse

from gis_portal import db_routers
from gis_portal.db_routers import PRIMARY, REPLICA, PrimaryReplicaRouter, ReplicaReadsMiddleware

ROOT = Path(__file__).resolve().parents[2]
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
SERVER_BINARIES = ("initdb", "pg_ctl", "pg_basebackup", "postgres", "psql", "pg_isready")
# The portal runs on this interpreter, so in whatever environment the tests run.
PYTHON = sys.executable
OFFICER, OFFICER_PASSWORD = "replica-planner", "replica-pass-9"


def _missing_requirement() -> str | None:
    missing = [name for name in SERVER_BINARIES if not (PGBIN / name).exists()]
    if missing:
        return f"PostgreSQL server binaries not found in {PGBIN} ({', '.join(missing)}); set PGBIN"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' system user to own the clusters"
    if importlib.util.find_spec("granian") is None:
        return "granian is not installed"
    return None


needs_postgres_server = pytest.mark.skipif(
    _missing_requirement() is not None, reason=str(_missing_requirement())
)


class _User:
    def __init__(self, authenticated: bool):
        self.is_authenticated = authenticated


def _routed(request, monkeypatch, *, available: bool = True, view=None) -> list[str]:
    """Run ``request`` through the middleware; return where the view's reads went."""
    monkeypatch.setattr(db_routers, "replica_configured", lambda: True)
    monkeypatch.setattr(db_routers, "replica_available", lambda: available)
    router = PrimaryReplicaRouter()
    reads = []

    def get_response(request):
        reads.append(router.db_for_read(None))
        if view is not None:
            view(router)
            reads.append(router.db_for_read(None))
        return HttpResponse()

    ReplicaReadsMiddleware(get_response)(request)
    return reads


def test_anonymous_reads_go_to_the_replica(rf, monkeypatch):
    for method in ("get", "head", "options"):
        request = getattr(rf, method)("/api/v1/areas")
        request.user = AnonymousUser()
        assert _routed(request, monkeypatch) == [REPLICA], method
    # Outside a request everything reads from the primary.
    assert PrimaryReplicaRouter().db_for_read(None) == PRIMARY


def test_writes_signed_in_users_and_api_keys_stay_on_the_primary(rf, monkeypatch):
    post = rf.post("/api/v1/editing/requests")
    post.user = AnonymousUser()
    officer = rf.get("/api/v1/editing/facilities/1")
    officer.user = _User(authenticated=True)
    script = rf.get("/api/v1/areas", HTTP_AUTHORIZATION="Token abc")
    script.user = AnonymousUser()
    for request in (post, officer, script):
        assert _routed(request, monkeypatch) == [PRIMARY], request
    assert PrimaryReplicaRouter().db_for_write(None) == PRIMARY


def test_a_request_reads_its_own_writes_and_transactions_from_the_primary(rf, monkeypatch):
    request = rf.get("/")
    request.user = AnonymousUser()
    assert _routed(request, monkeypatch, view=lambda router: router.db_for_write(None)) == [
        REPLICA,
        PRIMARY,
    ]
    monkeypatch.setattr(connections[PRIMARY], "in_atomic_block", True)
    assert _routed(request, monkeypatch) == [PRIMARY]


def test_an_unreachable_replica_is_skipped_for_a_while(rf, monkeypatch, settings):
    class Unreachable:
        attempts = 0

        def close_if_health_check_failed(self):
            pass

        def ensure_connection(self):
            Unreachable.attempts += 1
            raise OperationalError("connection refused")

    settings.DATABASE_REPLICA_RETRY_S = 60
    monkeypatch.setattr(
        db_routers, "connections", {REPLICA: Unreachable(), PRIMARY: connections[PRIMARY]}
    )
    monkeypatch.setattr(db_routers, "_replica_down_until", 0.0)
    assert db_routers.replica_available() is False
    assert db_routers.replica_available() is False
    assert Unreachable.attempts == 1
    request = rf.get("/")
    request.user = AnonymousUser()
    assert _routed(request, monkeypatch, available=False) == [PRIMARY]


def test_migrations_run_on_the_primary_only_and_no_router_without_a_replica():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate(PRIMARY, "placenames") is True
    assert router.allow_migrate(REPLICA, "placenames") is False
    # Test settings (like any settings without DATABASE_REPLICA_URL): nothing is routed.
    assert db_routers.replica_configured() is False
    with pytest.raises(MiddlewareNotUsed):
        ReplicaReadsMiddleware(lambda request: HttpResponse())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Portal:
    url: str
    env: dict = field(repr=False)
    facility_id: int

    def script(self, *args: str) -> str:
        done = subprocess.run(
            args, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=90
        )
        assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
        return done.stdout

    def sql(self, port_var: str, sql: str) -> str:
        return self.script(
            str(PGBIN / "psql"), "-h", "127.0.0.1", "-p", self.env[port_var],
            "-U", "postgres", "-d", "hegang", "-qAtc", sql,
        ).strip()  # fmt: skip

    def replica_sql(self, sql: str) -> str:
        return self.sql("REPLICA_PG_PORT", sql)

    def primary_sql(self, sql: str) -> str:
        return self.sql("LOCAL_PG_PORT", sql)


def _wait_http(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the portal exited: {log.read_text()[-3000:]}")
        try:
            _browser().get(url, timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.3)
    pytest.fail(f"the portal did not answer: {log.read_text()[-3000:]}")


SETUP = f"""
import json
from boundaries.services.areas import areas_load_hegang
from facilities.models import Facility, FacilityType, Programme
from gis_portal.accounts import roles_sync, user_create_with_role
from gis_portal.datasets import HEGANG_DATA_DIR
from django.contrib.gis.geos import Point
from boundaries.models import AdministrativeArea
areas_load_hegang(data_dir=HEGANG_DATA_DIR)
roles_sync()
user_create_with_role(username={OFFICER!r}, password={OFFICER_PASSWORD!r}, role="planner")
point = Point(130.285, 47.345, srid=4490)
facility = Facility.objects.create(
    programme=Programme.objects.get(slug="eldercare_daycare"),
    facility_type=FacilityType.objects.get(slug="daycare_centre"),
    name="副本测试养老服务中心",
    position_4490=point,
    county=AdministrativeArea.objects.get(level="county", geom_4490__contains=point),
)
print(json.dumps({{"facility_id": facility.pk}}))
"""


@pytest.fixture(scope="module")
def portal() -> Iterator[Portal]:
    # /tmp is reachable by the 'postgres' user; pytest's own tmp_path (mode 700) is not.
    folder = Path(tempfile.mkdtemp(prefix="hegang-replica-test-"))
    folder.chmod(0o755)
    primary_port, replica_port, web_port = _free_port(), _free_port(), _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "TEST_DATABASE", "DJANGO_", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="gis_portal.settings.dev",
        # Pages find their static files without a collectstatic manifest only with DEBUG on.
        DEBUG="1",
        PGBIN=str(PGBIN),
        LOCAL_PG_PORT=str(primary_port),
        LOCAL_PG_DIR=str(folder / "primary"),
        REPLICA_PG_PORT=str(replica_port),
        REPLICA_PG_DIR=str(folder / "replica"),
        DATABASE_URL=f"postgis://hegang@127.0.0.1:{primary_port}/hegang",
    )
    server = None
    log = folder / "portal.log"
    portal = Portal(url=f"http://127.0.0.1:{web_port}", env=env, facility_id=0)
    try:
        portal.script("scripts/pg.sh", "ensure", "hegang")
        portal.script(PYTHON, "manage.py", "migrate", "--no-input", "-v", "0")
        out = portal.script(PYTHON, "manage.py", "shell", "-c", SETUP)
        portal.facility_id = json.loads(out.strip().splitlines()[-1])["facility_id"]
        portal.script("scripts/replica.sh", "start")
        env["DATABASE_REPLICA_URL"] = f"postgis://hegang@127.0.0.1:{replica_port}/hegang"
        with log.open("wb") as sink:
            server = subprocess.Popen(
                [PYTHON, "-m", "gis_portal.serve", "--bind", f"127.0.0.1:{web_port}",
                 "--workers", "1", "--threads", "2"],
                cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
            )  # fmt: skip
        _wait_http(portal.url + "/healthz", server, log)
        yield portal
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        for script in (["scripts/replica.sh", "stop"], ["scripts/pg.sh", "stop"]):
            subprocess.run(script, cwd=ROOT, env=env, capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _browser() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # never through a proxy from the environment
    return session


def _signed_in(portal: Portal) -> requests.Session:
    officer = _browser()
    officer.get(portal.url + "/accounts/login/", timeout=10).raise_for_status()
    r = officer.post(
        portal.url + "/accounts/login/",
        data={
            "username": OFFICER,
            "password": OFFICER_PASSWORD,
            "csrfmiddlewaretoken": officer.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 302, r.text[:2000]
    return officer


def _public_capacity(portal: Portal) -> int | None:
    return _capacity(portal, _browser())


def _capacity(portal: Portal, client: requests.Session) -> int | None:
    r = client.get(portal.url + "/api/v1/facilities", timeout=10)
    assert r.status_code == 200, r.text[:2000]
    (mine,) = [f for f in r.json()["features"] if f["id"] == portal.facility_id]
    return mine["properties"]["capacity"]


@needs_postgres_server
def test_public_reads_come_from_the_replica_and_outlive_the_primary(portal):
    r = _browser().get(portal.url + "/api/v1/areas", params={"level": "city"}, timeout=10)
    assert r.status_code == 200 and r.json()["features"][0]["properties"]["name"] == "鹤岗市"
    assert portal.replica_sql("SELECT pg_is_in_recovery()") == "t"

    # The replica stops applying the primary's changes: what the public sees is frozen.
    portal.replica_sql("SELECT pg_wal_replay_pause()")
    officer = _signed_in(portal)
    feature_url = f"{portal.url}/api/v1/editing/facilities/{portal.facility_id}"
    r = officer.get(feature_url, timeout=10)
    assert r.status_code == 200, r.text[:2000]
    r = officer.patch(
        feature_url,
        json={"capacity": "40", "comment": "核定床位"},
        headers={"If-Match": r.headers["ETag"], "X-CSRFToken": officer.cookies["csrftoken"]},
        timeout=10,
    )
    assert r.status_code == 200, r.text[:2000]
    # The officer reads his own write (the primary)…
    r = officer.get(feature_url, timeout=10)
    assert r.json()["properties"]["capacity"] == 40
    assert _capacity(portal, officer) == 40
    # …while the public is served by the paused replica, which has not seen it.
    assert _public_capacity(portal) is None
    # A heavy public read (an export) counts against its client's rate: the counter is
    # written on the primary (a write on the replica would fail), the export read on the replica.
    r = _browser().get(portal.url + "/api/v1/placenames/export", params={"format": "csv"})
    assert r.status_code == 200, r.text[:2000]
    counted = "SELECT count(*) FROM gis_portal_throttlecounter WHERE key LIKE 'export:%'"
    assert (portal.primary_sql(counted), portal.replica_sql(counted)) == ("1", "0")

    # Replay resumes: the change reaches the public through replication.
    portal.replica_sql("SELECT pg_wal_replay_resume()")
    deadline = time.monotonic() + 20
    while _public_capacity(portal) != 40:
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.2)

    # The primary goes away: public reads go on from the replica; signed-in work cannot.
    portal.script("scripts/pg.sh", "stop")
    r = _browser().get(portal.url + "/api/v1/areas", params={"level": "city"}, timeout=10)
    assert r.status_code == 200 and r.json()["features"][0]["properties"]["name"] == "鹤岗市"
    assert _public_capacity(portal) == 40
    # Place-name search is raw SQL (placenames/selectors/names.py), read from the replica too.
    r = _browser().get(portal.url + "/api/v1/placenames", params={"q": "鹤岗"}, timeout=10)
    assert r.status_code == 200, r.text[:2000]
    assert officer.get(feature_url, timeout=10).status_code >= 500
