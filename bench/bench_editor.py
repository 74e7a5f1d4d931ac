"""editor.*: the officers' map editor on the demo boundary lines and markers.

- save_p95_ms: PATCH /api/v1/boundaries/markers/{id} through the whole stack (session auth,
  role, If-Match, geometry parsing and checks, row lock, history trigger, GeoJSON response),
  200 saves; baseline: the same requests with the in-city check done the naive way (the city
  polygon fetched into Python and tested with GEOS on every save).
- history_100_ms: the timeline with diffs of a line with 100 recorded versions (every other
  one moves a vertex), through GET …/history; baseline: the same timeline built with one
  context query per version (N+1) instead of a join.
- district_load_s: what the editor loads on opening (county outlines, every boundary line
  and marker) over HTTP on loopback from a threaded server; the demo has all lines and
  markers city-wide, a superset of the densest district. Baseline: the lines list plus one
  request per marker (fetching features one by one).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler

import pghistory
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB
from django.contrib.gis.geos import GEOSGeometry
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import Client
from django.test.utils import override_settings
from pghistory.models import Context

from bench.harness import Result, best_of, median, percentile
from boundaries import edit_services
from boundaries.models import AdministrativeArea, BoundaryLine, BoundaryMarker
from gis_portal.accounts import roles_sync, user_create_with_role
from gis_portal.demo import demo_load
from gis_portal.editing import history
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.layers import LAYERS

N_SAVES = 200
N_VERSIONS = 100
HISTORY_LINE_CODE = "BENCH-HIST-100"


def _client() -> Client:
    roles_sync()
    user = user_create_with_role(
        username="bench_editor",
        password="bench-editor-pass-1",  # noqa: S106 - bench database only
        role="boundary_officer",
    )
    client = Client()
    client.force_login(user)
    return client


def _naive_city_check(geom) -> None:
    city = AdministrativeArea.objects.get(code=settings.HEGANG_CITY_CODE, valid_to__isnull=True)
    if not city.geom_4490.covers(geom):
        raise InvalidEdit("geometry", "几何超出鹤岗市范围")


def _saves(client: Client, marker: BoundaryMarker) -> list[float]:
    url = f"/api/v1/boundaries/markers/{marker.pk}"
    etag = client.get(url)["ETag"]
    point = json.loads(marker.geom_4490.geojson)
    times = []
    for i in range(N_SAVES):
        body = json.dumps({"material": f"花岗岩{i % 2}", "geometry": point, "comment": "基准测试"})
        t0 = time.perf_counter()
        r = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
        times.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"save failed: {r.status_code} {r.content[:200]!r}")
        etag = r["ETag"]
    return times


def _bench_save(client: Client) -> Result:
    marker = BoundaryMarker.objects.filter(is_demo=True, geom_4490__isnull=False).order_by("pk")[0]
    ours = _saves(client, marker)
    real = edit_services._city_check
    edit_services._city_check = _naive_city_check
    try:
        naive = _saves(client, marker)
    finally:
        edit_services._city_check = real
    return Result(
        "editor.save_p95_ms",
        round(percentile(ours, 95), 2),
        "ms",
        round(percentile(naive, 95), 2),
        N_SAVES,
        note=f"median {median(ours):.1f} ms; baseline: city polygon fetched and tested in "
        "Python per save",
    )


def _history_line() -> BoundaryLine:
    """A line with exactly 100 recorded versions (created once, kept in the bench database)."""
    line = BoundaryLine.objects.filter(code=HISTORY_LINE_CODE).first()
    events = BoundaryLine.pgh_event_model.objects
    if line is not None and events.filter(pgh_obj_id=line.pk).count() >= N_VERSIONS:
        return line
    if line is not None:
        events.filter(pgh_obj_id=line.pk).delete()
        line.delete()
    source = BoundaryLine.objects.filter(is_demo=True, geom_4490__isnull=False).order_by("code")[0]
    city = AdministrativeArea.objects.get(code=settings.HEGANG_CITY_CODE, valid_to__isnull=True)
    with pghistory.context(username="bench", comment="基准测试：100 个版本", source="bench"):
        line = BoundaryLine.objects.create(
            code=HISTORY_LINE_CODE,
            name="基准测试界线",
            area_a=city,
            area_b=city,
            level=source.level,
            geom_4490=source.geom_4490,
            is_demo=True,
        )
        shape = shapely.from_wkb(bytes(source.geom_4490.wkb))
        coords = shapely.get_coordinates(shape)
        coords[-1, 0] += 2e-5  # one end vertex ~1.5 m east
        moved = GEOSGeometry(
            memoryview(shapely.to_wkb(shapely.set_coordinates(shape, coords))), srid=4490
        )
        for i in range(1, N_VERSIONS):
            BoundaryLine.objects.filter(pk=line.pk).update(
                agreement_ref=f"基准〔{i}〕号",
                geom_4490=moved if i % 2 else source.geom_4490,
            )
    return line


def _timeline_n_plus_one(line: BoundaryLine) -> int:
    """The naive timeline: one query per version for its context, no join."""
    layer = LAYERS["boundary-lines"]
    fields = history._snapshot_fields(layer)
    previous = None
    out = []
    events = layer.model.pgh_event_model.objects.filter(pgh_obj_id=line.pk)
    for event in events.annotate(geom_wkb=AsWKB("geom_4490")).order_by("pgh_id"):
        ctx = Context.objects.filter(pk=event.pgh_context_id).first()
        snap = history._snapshot(event, fields)
        snap.pop("version")
        out.append(
            (
                ctx.metadata if ctx else {},
                history.snapshot_diff(previous, snap, geometry_field="geom_4490"),
            )
        )
        previous = snap
    return len(out)


def _bench_history(client: Client) -> Result:
    line = _history_line()
    url = f"/api/v1/editing/boundary-lines/{line.pk}/history"
    count = len(client.get(url).json()["timeline"])
    times = [best_of(lambda: client.get(url), 1) * 1000 for _ in range(10)]
    naive = [best_of(lambda: _timeline_n_plus_one(line), 1) * 1000 for _ in range(10)]
    vertices = line.geom_4490.num_coords
    return Result(
        "editor.history_100_ms",
        round(median(times), 2),
        "ms",
        round(median(naive), 2),
        count,
        note=f"median of 10 over HTTP-less client; {vertices} vertices per version; "
        "baseline N+1 context queries (no HTTP)",
    )


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _bench_district_load(client: Client) -> Result:
    session = client.cookies["sessionid"].value
    server = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}/api/v1/"

    def get(path: str) -> bytes:
        req = urllib.request.Request(  # noqa: S310 - loopback http only
            base + path, headers={"Cookie": f"sessionid={session}"}
        )
        with urllib.request.urlopen(req) as r:  # noqa: S310 - loopback only
            return r.read()

    def editor_load() -> int:
        get("areas?level=county&has_geometry=true")
        lines = json.loads(get("boundaries/lines"))
        markers = json.loads(get("boundaries/markers"))
        return len(lines["features"]) + len(markers["features"])

    def one_by_one() -> int:
        get("areas?level=county&has_geometry=true")
        lines = json.loads(get("boundaries/lines"))
        ids = BoundaryMarker.objects.values_list("pk", flat=True)
        for pk in ids:
            get(f"boundaries/markers/{pk}")
        return len(lines["features"]) + len(ids)

    try:
        features = editor_load()
        seconds = best_of(editor_load, 3)
        baseline = best_of(one_by_one, 1)
    finally:
        server.shutdown()
        server.server_close()
    return Result(
        "editor.district_load_s",
        round(seconds, 3),
        "s",
        round(baseline, 3),
        features,
        note="best of 3 on loopback; county outlines + all demo lines and markers; "
        "baseline one request per marker",
    )


def run() -> list[Result]:
    demo_load(only=["areas", "boundary_versions", "boundary_lines"])  # cached by checksum
    # The in-process client and the loopback server use host names dev settings don't list.
    with override_settings(ALLOWED_HOSTS=["*"]):
        client = _client()
        return [_bench_save(client), _bench_history(client), _bench_district_load(client)]
