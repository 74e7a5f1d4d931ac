"""OGC API Features over the catalogue: 100 items by bbox + CQL2 filter, and paging through
every door plate, against the ORM serializer path in the same run.

The plates are bench_addresses' generated city (1,000,000 plates on 3,240 streets; a few
thousand in the smoke run). Both paths go through a whole request: the project's through
the portal's view (``django.test.Client``: middleware, key check, parameter parsing, SQL
built from the catalogue, GeoJSON written by PostgreSQL); the baseline is what the issue
names as the alternative — pygeofilter's CQL2 parser to a Django ``Q``, a queryset with
``select_related``, djangorestframework-gis' ``GeoFeatureModelSerializer`` and ``json.dumps``.
Paging the baseline through the whole million would take most of an hour: it is timed over
its first pages and extrapolated per page (said so in the note).
"""

from __future__ import annotations

import json
import random
import time
from urllib.parse import parse_qsl, urlsplit

from django.contrib.gis.geos import Polygon
from django.test import Client
from pygeofilter.backends.django import to_filter
from pygeofilter.parsers.cql2_text import parse as cql2_parse
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from bench.bench_addresses import CENTRE_LONLAT, COLS, N_PLATES, ROWS, _ensure_plates, _PeakRss
from bench.harness import Result, latency_p95, percentile, sized
from gis_portal.demo import demo_load
from gis_portal.metric_crs import to_lonlat, to_metric
from placenames.addresses.models import DoorPlate

SEED = 15
FILTER = "number > 50 AND status = '在用'"
BOX_M = 400  # side of each query's bbox (metres): a few hundred plates before the filter
PAGE = sized(10_000, 500)
BASELINE_PAGES = sized(5, 2)


class _PlateSerializer(GeoFeatureModelSerializer):
    street = serializers.CharField(source="street.name")

    class Meta:
        model = DoorPlate
        geo_field = "point_4490"
        fields = (
            "id",
            "name_on_plate",
            "number",
            "sub_number",
            "building",
            "unit",
            "street",
            "status",
            "installed_on",
            "is_demo",
        )


_ORM_FIELDS = {"number": "number", "status": "status", "street": "street__name"}
_STATUS_CODE = {"在用": "installed"}


def _orm_items(box: tuple[float, float, float, float] | None, limit: int, offset: int) -> bytes:
    """The baseline: CQL2 → Q (pygeofilter), queryset, DRF-gis serializer, json.dumps."""
    qs = DoorPlate.objects.select_related("street").order_by("id")
    if box is not None:
        # The ORM path knows no labels: the filter is given the stored code.
        text = FILTER.replace("'在用'", f"'{_STATUS_CODE['在用']}'")
        qs = qs.filter(point_4490__bboverlaps=Polygon.from_bbox(box)).filter(
            to_filter(cql2_parse(text), _ORM_FIELDS)
        )
    matched = qs.count()
    page = list(qs[offset : offset + limit])
    data = _PlateSerializer(page, many=True).data
    return json.dumps({**data, "numberMatched": matched}, ensure_ascii=False).encode()


def _boxes(n: int) -> list[tuple[float, float, float, float]]:
    """Random BOX_M squares inside the generated city (lon/lat degrees)."""
    rng = random.Random(SEED)
    x0, y0 = (float(v) for v in to_metric(*CENTRE_LONLAT))
    half_w, half_h = COLS * 1000 / 2, ROWS * 100 / 2
    boxes = []
    for _ in range(n):
        x = rng.uniform(x0 - half_w, x0 + half_w - BOX_M)
        y = rng.uniform(y0 - half_h, y0 + half_h - BOX_M)
        w, s = to_lonlat(x, y)
        e, n_ = to_lonlat(x + BOX_M, y + BOX_M)
        boxes.append((float(w), float(s), float(e), float(n_)))
    return boxes


def _get(client: Client, url: str, params: dict | None = None) -> dict:
    response = client.get(url, params or {})
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code} {response.content[:300]!r}")
    return json.loads(response.content)


def bench_items() -> Result:
    client = Client(SERVER_NAME="127.0.0.1")
    boxes = _boxes(sized(300, 20))
    url = "/ogc/collections/door-plates/items"
    _get(client, url, {"limit": 100, "bbox": ",".join(map(str, boxes[0])), "filter": FILTER})
    times, returned = [], 0
    for box in boxes:
        t0 = time.perf_counter()
        doc = _get(client, url, {"limit": 100, "bbox": ",".join(map(str, box)), "filter": FILTER})
        times.append((time.perf_counter() - t0) * 1000)
        returned += doc["numberReturned"]
    base_times = []
    for box in boxes[: sized(60, 10)]:
        t0 = time.perf_counter()
        _orm_items(box, 100, 0)
        base_times.append((time.perf_counter() - t0) * 1000)
    return latency_p95(
        "ogc.items_p95_ms",
        times,
        base_times,
        note=f"{N_PLATES:,} plates; limit=100, {BOX_M} m bbox + CQL2 {FILTER!r}, "
        f"{returned / len(times):.0f} features a page on average; whole request through the "
        f"view (p50 {percentile(times, 50):.1f} ms); baseline: pygeofilter Q + queryset + "
        f"DRF-gis serializer, {len(base_times)} of the same boxes",
    )


def bench_page_all() -> Result:
    client = Client(SERVER_NAME="127.0.0.1")
    url = "/ogc/collections/door-plates/items"
    params: dict | None = {"limit": PAGE}
    seen = pages = 0
    with _PeakRss() as peak:
        t0 = time.perf_counter()
        first_mb = None
        while params is not None:
            doc = _get(client, url, params)
            seen += doc["numberReturned"]
            pages += 1
            if first_mb is None:
                first_mb = peak.peak_mb
            nxt = next((link["href"] for link in doc["links"] if link["rel"] == "next"), None)
            params = None
            if nxt is not None:
                params = dict(parse_qsl(urlsplit(nxt).query))
            del doc
        seconds = time.perf_counter() - t0
    expected = DoorPlate.objects.count()  # the generated plates and the demo's
    if seen != expected:
        raise RuntimeError(f"paged {seen} plates, expected {expected}")
    t0 = time.perf_counter()
    for i in range(BASELINE_PAGES):  # spread over the range: a late OFFSET costs more
        _orm_items(None, PAGE, i * (expected // BASELINE_PAGES))
    per_page = (time.perf_counter() - t0) / BASELINE_PAGES
    return Result(
        "ogc.items_page_1m_s",
        round(seconds, 2),
        "s",
        round(per_page * pages, 1),
        seen,
        f"{seen:,} plates ({N_PLATES:,} generated + the demo's) in {pages} pages of {PAGE:,} following next links; peak RSS growth {peak.peak_mb:.0f} MB "
        f"(after the first page {first_mb:.0f} MB: flat); baseline: ORM serializer path, "
        f"{BASELINE_PAGES} pages spread over the offsets timed ({per_page:.2f} s a page) × {pages} pages",
    )


def run() -> list[Result]:
    demo_load(only=["areas", "addresses"])
    _ensure_plates()
    return [bench_items(), bench_page_all()]
