"""Real OGC clients against the running portal (pytest-django's live_server): GDAL's OAPIF
driver (Debian's ogrinfo/ogr2ogr) and OWSLib's ogcapi.features client."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
from owslib.ogcapi.features import Features

from boundaries.models import BoundaryMarker
from gis_portal.catalogue.registry import catalogue_visible
from gis_portal.gdal_safety import ENVIRONMENT_SKIP, NETWORK_OFF
from tests.editing.factories import demo_boundaries
from tests.ogc.factories import keyed, street_with_plates

pytestmark = pytest.mark.django_db(transaction=True)
OGRINFO = shutil.which("ogrinfo")
needs_gdal = pytest.mark.skipif(OGRINFO is None, reason="Debian gdal-bin (scripts/provision.sh)")


def _gdal(*args: str) -> str:
    # The portal locks its own GDAL off the network through the environment; the client
    # is another program and gets an environment without those locks.
    env = {k: v for k, v in os.environ.items() if k not in NETWORK_OFF and k != "GDAL_SKIP"}
    env["GDAL_HTTP_TIMEOUT"] = "60"
    result = subprocess.run(args, capture_output=True, text=True, timeout=180, env=env, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@needs_gdal
def test_ogrinfo_lists_every_public_collection_and_reads_a_layer_with_its_crs_and_count(
    live_server, tmp_path
):
    assert ENVIRONMENT_SKIP  # the locks the client is run without (see _gdal)
    plates = street_with_plates(23)
    listing = _gdal(OGRINFO, "-ro", "-q", f"OAPIF:{live_server.url}/ogc")
    public = {layer.key for layer in catalogue_visible(None)}
    listed = set(re.findall(r"^\d+: ([a-z-]+)", listing, flags=re.MULTILINE))
    assert listed == public
    summary = _gdal(OGRINFO, "-ro", "-so", f"OAPIF:{live_server.url}/ogc", "door-plates")
    assert "Feature Count: 23" in summary
    # GDAL 3.6 (Debian 12) predates its OAPIF driver's Part 2 support: it reads the default
    # CRS84 as WGS 84 in longitude, latitude order (CGCS2000 agrees with it to centimetres).
    assert re.search(r'GEOGCRS\["(China Geodetic Coordinate System 2000|WGS 84)"', summary)
    assert "Data axis to CRS axis mapping: 2,1" in summary
    out = tmp_path / "plates.geojson"
    _gdal(
        shutil.which("ogr2ogr") or "ogr2ogr",
        "-f",
        "GeoJSON",
        str(out),
        f"OAPIF:{live_server.url}/ogc",
        "door-plates",
        "-oo",
        "PAGE_SIZE=10",
    )
    features = json.loads(out.read_text())["features"]
    assert len(features) == 23
    read = sorted(tuple(f["geometry"]["coordinates"][:2]) for f in features)
    stored = sorted((p.point_4490.x, p.point_4490.y) for p in plates)
    for (lon, lat), (x, y) in zip(read, stored, strict=True):
        assert (lon, lat) == pytest.approx((x, y), abs=1e-7)
    assert {f["properties"]["street"] for f in features} == {"新华路"}


def test_owslib_pages_through_a_layer_and_applies_a_cql2_filter(live_server):
    plates = street_with_plates(12)
    api = Features(f"{live_server.url}/ogc")
    assert "door-plates" in {c["id"] for c in api.collections()["collections"]}
    seen = []
    offset = 0
    while True:
        page = api.collection_items("door-plates", limit=5, offset=offset)
        seen += [f["id"] for f in page["features"]]
        if not any(link["rel"] == "next" for link in page["links"]):
            break
        offset += 5
    assert sorted(seen) == sorted(p.pk for p in plates)
    page = api.collection_items("door-plates", filter="number > 15 AND street = '新华路'")
    assert page["numberMatched"] == len([p for p in plates if p.number > 15]) == 4
    projected = api.collection_items(
        "door-plates", limit=1, crs="http://www.opengis.net/def/crs/EPSG/0/4552"
    )
    north, east = projected["features"][0]["geometry"]["coordinates"]
    assert 5_200_000 < north < 5_300_000 and 500_000 < east < 600_000
    queryables = api.collection_queryables("door-plates")
    assert queryables["properties"]["number"]["type"] == "integer"


@needs_gdal
def test_ogrinfo_with_a_department_key_lists_the_staff_layers(live_server, hegang_areas):
    demo_boundaries()
    header = keyed("gdal-dept", "department", scopes=("ogc:read",))
    url = f"OAPIF:{live_server.url}/ogc"
    anonymous = _gdal(OGRINFO, "-ro", "-q", url)
    keyed_listing = _gdal(
        OGRINFO, "-ro", "-q", "--config", "GDAL_HTTP_HEADERS", f"Authorization: {header}", url
    )
    assert "boundary-lines" not in anonymous
    assert "boundary-lines" in keyed_listing and "boundary-markers" in keyed_listing
    summary = _gdal(
        OGRINFO,
        "-ro",
        "-so",
        "--config",
        "GDAL_HTTP_HEADERS",
        f"Authorization: {header}",
        url,
        "boundary-markers",
    )
    assert f"Feature Count: {BoundaryMarker.objects.count()}" in summary
