"""editor.*: the officers' map editor on the demo boundary lines and markers.

- save_p95_ms: PATCH /api/v1/editing/door-plates/{id} through the whole stack (session auth,
  role, If-Match, geometry parsing, in-city check, the street's numbering rules — distance,
  side, duplicate, order with the neighbours — row lock, history trigger, GeoJSON response),
  200 saves of a demo plate in the densest district; baseline: the same requests with the
  in-city check done the naive way (the city polygon fetched into Python and tested with
  GEOS on every save). (Boundary marker edits by officers are change requests now, not
  direct saves.)
- save_placename_p95_ms: the same for a place name (PATCH /api/v1/editing/placenames/{id}):
  a demo place-name polygon (or line) of the district translated 0.33 m to and fro with a
  remark changed — category geometry type, in-city and scope checks, representative point,
  version and history triggers; same naive city check as the baseline.
- history_100_ms: the timeline with diffs of a line with 100 recorded versions (every other
  one moves a vertex), through GET …/history; baseline: the same timeline built with one
  context query per version (N+1) instead of a join.
- district_load_s: what the editor loads on opening, over HTTP on loopback from a threaded
  server: county outlines, every boundary line and marker (city-wide, a superset of the
  district), the layer forms, and the place names, streets, street signs, door plates and
  facilities of the densest district (the county with the most demo door plates).
  Baseline: the same requests, but streets, signs, door plates and facilities built the
  usual DRF way (ORM rows → rest_framework_gis GeoFeatureModelSerializer → JSON, per row in
  Python, timed in-process without HTTP) instead of one PostGIS-built FeatureCollection.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from types import ModuleType
from unittest import mock
from wsgiref.simple_server import WSGIRequestHandler

import pghistory
import shapely
import shapely.affinity
import shapely.geometry
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB
from django.contrib.gis.geos import GEOSGeometry
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings
from pghistory.models import Context
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from bench.harness import Result, best_of, latency_p95, median, sized
from boundaries.models import AdministrativeArea, AreaLevel, BoundaryLine
from facilities.models import Facility
from gis_portal.accounts import roles_sync, user_create_with_role
from gis_portal.demo import demo_load
from gis_portal.editing import history
from gis_portal.editing import writes as feature_writes
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.layers import LAYERS
from placenames.addresses.models import DoorPlate, PlateStatus, Street, StreetSign
from placenames.addresses.services import plates as plate_services
from placenames.models import PlaceName
from placenames.services import edit as placename_edit

N_SAVES = sized(200, 6)
N_VERSIONS = sized(100, 6)
HISTORY_LINE_CODE = "BENCH-HIST-100"


def _client(county: AdministrativeArea) -> Client:
    """A place-name officer whose edit scope is the district (scope check included)."""
    roles_sync()
    user = user_create_with_role(
        username="bench_editor",
        password="bench-editor-pass-1",  # noqa: S106 - bench database only
        role="placename_officer",
        area_codes=[county.code],
    )
    client = Client()
    client.force_login(user)
    return client


def _naive_city_check(geom) -> None:
    city = AdministrativeArea.objects.get(code=settings.HEGANG_CITY_CODE, valid_to__isnull=True)
    if not city.geom_4490.covers(geom):
        raise InvalidEdit("geometry", "几何超出鹤岗市范围")


def densest_county() -> AdministrativeArea:
    # Demo plates only: the addresses benchmark's million generated plates (no demo plate
    # among them in 东山区) would otherwise pick a district without a demo plate to edit.
    row = (
        DoorPlate.objects.filter(is_demo=True)
        .values("street__county_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return AdministrativeArea.objects.get(pk=row["street__county_id"])


SHIFT_DEG = 3e-6  # ~0.33 m north: each save really moves the plate, to and fro


def _shifted(plate: DoorPlate):
    moved = plate.point_4490.clone()
    moved.y += SHIFT_DEG
    return moved


def _bench_plate(county: AdministrativeArea) -> DoorPlate:
    """A demo plate of the county that satisfies its street's rules at both positions."""
    plates = DoorPlate.objects.filter(
        street__county=county, is_demo=True, status=PlateStatus.INSTALLED
    ).order_by("pk")
    for plate in plates[:200]:
        try:
            for geom in (plate.point_4490, _shifted(plate)):
                plate_services._plate_rules_check(
                    street=plate.street,
                    geom=geom,
                    number=plate.number,
                    sub_number=plate.sub_number,
                    plate_id=plate.pk,
                )
        except InvalidEdit:
            continue
        return plate
    raise RuntimeError("no demo door plate passes its street's rules")


def _saves(client: Client, plate: DoorPlate, n: int = N_SAVES) -> list[float]:
    url = f"/api/v1/editing/door-plates/{plate.pk}"
    etag = client.get(url)["ETag"]
    points = [json.loads(plate.point_4490.geojson), json.loads(_shifted(plate).geojson)]
    times = []
    for i in range(n):
        body = json.dumps(
            {"building": f"{i % 2 + 1}号楼", "geometry": points[(i + 1) % 2], "comment": "基准测试"}
        )
        t0 = time.perf_counter()
        r = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
        times.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"save failed: {r.status_code} {r.content[:200]!r}")
        etag = r["ETag"]
    return times


def _save_p95(
    figure_id: str,
    saves: Callable[[int], list[float]],
    checks: ModuleType,
    subject: str,
    county: AdministrativeArea,
) -> Result:
    """Time ``saves`` as they are and with the naive city check patched into ``checks``."""
    saves(sized(10, 2))  # warm-up (connections, caches), an even number: back in place
    ours = saves(N_SAVES)
    with mock.patch.object(checks, "city_check", _naive_city_check):
        naive = saves(N_SAVES)
    return latency_p95(
        figure_id,
        ours,
        naive,
        note=f"{subject} in {county.name}, moved 0.33 m to and fro; median {median(ours):.1f} ms; "
        "baseline: city polygon fetched and tested in Python per save",
    )


def _bench_save(client: Client, county: AdministrativeArea) -> Result:
    plate = _bench_plate(county)
    # The write skeleton of every layer (gis_portal/editing/writes.py) runs the city check.
    return _save_p95(
        "editor.save_p95_ms",
        lambda n: _saves(client, plate, n),
        feature_writes,
        f"door plate {plate}",
        county,
    )


def _bench_place(county: AdministrativeArea) -> PlaceName:
    """A demo place name of the county with an area (else a line) geometry inside it."""
    inside = PlaceName.objects.filter(
        is_demo=True, geom_4490__isnull=False, geom_4490__within=county.geom_4490
    ).order_by("pk")
    by_kind = {}
    for place in inside[:2000]:
        by_kind.setdefault(place.geom_4490.geom_type, place)
    for kind in ("MultiPolygon", "Polygon", "LineString", "MultiLineString"):
        if kind in by_kind:
            return by_kind[kind]
    raise RuntimeError(f"no demo place name with an area or line inside {county.name}")


def _place_saves(client: Client, place: PlaceName, n: int = N_SAVES) -> list[float]:
    url = f"/api/v1/editing/placenames/{place.pk}"
    etag = client.get(url)["ETag"]
    here = shapely.from_wkb(bytes(place.geom_4490.wkb))
    there = shapely.affinity.translate(here, yoff=SHIFT_DEG)
    shapes = [shapely.geometry.mapping(here), shapely.geometry.mapping(there)]
    times = []
    for i in range(n):
        body = json.dumps(
            {"geometry": shapes[(i + 1) % 2], "remarks": f"基准测试 {i % 2}", "comment": "基准测试"}
        )
        t0 = time.perf_counter()
        r = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
        times.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"place-name save failed: {r.status_code} {r.content[:200]!r}")
        etag = r["ETag"]
    return times


def _bench_save_placename(client: Client, county: AdministrativeArea) -> Result:
    place = _bench_place(county)
    geom = place.geom_4490
    return _save_p95(
        "editor.save_placename_p95_ms",
        lambda n: _place_saves(client, place, n),
        placename_edit,
        f"{place.standard_name} ({geom.geom_type}, {geom.num_coords} vertices)",
        county,
    )


def _history_line() -> BoundaryLine:
    """A line with exactly 100 recorded versions (created once, kept in the bench database)."""
    # A county line (tens of vertices), whatever else the bench database holds: the first
    # line by code became a 1,277-vertex city line once the township bench ran first, and
    # the figure measured the vertex diffs instead of the timeline.
    source = BoundaryLine.objects.filter(
        is_demo=True, geom_4490__isnull=False, level=AreaLevel.COUNTY
    ).order_by("code")[0]
    line = BoundaryLine.objects.filter(code=HISTORY_LINE_CODE).first()
    events = BoundaryLine.pgh_event_model.objects
    if (
        line is not None
        and line.level == source.level
        and events.filter(pgh_obj_id=line.pk).count() >= N_VERSIONS
    ):
        return line
    if line is not None:
        events.filter(pgh_obj_id=line.pk).delete()
        line.delete()
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
    times = [best_of(lambda: client.get(url), 1) * 1000 for _ in range(sized(10, 2))]
    naive = [best_of(lambda: _timeline_n_plus_one(line), 1) * 1000 for _ in range(sized(10, 2))]
    vertices = line.geom_4490.num_coords
    return Result(
        "editor.history_100_ms",
        round(median(times), 2),
        "ms",
        round(median(naive), 2),
        count,
        note=f"median of {sized(10, 2)} over HTTP-less client; {vertices} vertices per version; "
        "baseline N+1 context queries (no HTTP)",
    )


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _PlateSerializer(GeoFeatureModelSerializer):
    class Meta:
        model = DoorPlate
        geo_field = "point_4490"
        fields = ("id", "version", "street", "number", "sub_number", "building", "unit",
                  "status", "installed_on", "retired_on", "is_demo")  # fmt: skip


class _SignSerializer(GeoFeatureModelSerializer):
    class Meta:
        model = StreetSign
        geo_field = "point_4490"
        fields = ("id", "version", "street", "text_zh", "kind", "condition", "status",
                  "installed_on", "is_demo")  # fmt: skip


class _StreetSerializer(GeoFeatureModelSerializer):
    class Meta:
        model = Street
        geo_field = "geom_4490"
        fields = ("id", "version", "name", "start_description", "end_description", "base_end",
                  "odd_side", "numbering_mode", "metres_per_number", "is_demo")  # fmt: skip


class _FacilitySerializer(GeoFeatureModelSerializer):
    class Meta:
        model = Facility
        geo_field = "position_4490"
        fields = ("id", "version", "name", "programme", "facility_type", "address", "status",
                  "operator", "capacity", "opened_on", "closed_on", "is_demo")  # fmt: skip


def _drf_layers(county: AdministrativeArea) -> int:
    """The baseline's four county layers: ORM rows serialized one by one in Python."""
    n = 0
    for serializer, qs in (
        (_StreetSerializer, Street.objects.filter(county=county)),
        (_SignSerializer, StreetSign.objects.filter(street__county=county)),
        (_PlateSerializer, DoorPlate.objects.filter(street__county=county)),
        (_FacilitySerializer, Facility.objects.filter(county=county)),
    ):
        body = json.dumps(serializer(qs.order_by("pk"), many=True).data)
        n += body.count('"Feature"')
    return n


COUNTY_LAYERS = ("streets", "street-signs", "door-plates", "facilities")


def _bench_district_load(client: Client, county: AdministrativeArea) -> Result:
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

    def common() -> int:
        get("areas?level=county&has_geometry=true")
        for key in LAYERS:
            get(f"editing/{key}/form")
        lines = json.loads(get("boundaries/lines"))
        markers = json.loads(get("boundaries/markers"))
        names = json.loads(get(f"editing/placenames?county={county.code}"))
        return sum(len(x["features"]) for x in (lines, markers, names))

    def editor_load() -> int:
        n = common()
        for key in COUNTY_LAYERS:
            n += len(json.loads(get(f"editing/{key}?county={county.code}"))["features"])
        return n

    def drf_load() -> int:
        return common() + _drf_layers(county)

    try:
        features = editor_load()
        seconds = best_of(editor_load, sized(3, 1))
        baseline = best_of(drf_load, 1)
    finally:
        server.shutdown()
        server.server_close()
    plates = DoorPlate.objects.filter(street__county=county).count()
    return Result(
        "editor.district_load_s",
        round(seconds, 3),
        "s",
        round(baseline, 3),
        features,
        note=f"best of {sized(3, 1)} on loopback; {county.name}: {plates} door plates + streets, signs, "
        "facilities, place names; all boundary lines/markers; baseline: the four county layers "
        "serialized by DRF-gis per row (in-process)",
    )


def run() -> list[Result]:
    demo_load(  # each step cached by checksum in the bench database
        only=[
            "areas",
            "geonames",
            "placenames",
            "addresses",
            "boundary_versions",
            "boundary_lines",
            "facilities",
        ]
    )
    county = densest_county()
    # The in-process client and the loopback server use host names dev settings don't list.
    with override_settings(ALLOWED_HOSTS=["*"]):
        client = _client(county)
        return [
            _bench_save(client, county),
            _bench_save_placename(client, county),
            _bench_history(client),
            _bench_district_load(client, county),
        ]
