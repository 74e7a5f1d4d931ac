"""The one configured start view of every map, checked against the real Hegang data."""

from __future__ import annotations

import csv
import json
import math

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.test import Client

from boundaries.models import AdministrativeArea
from gis_portal.map_view import map_view_config


def _geonames_seat(data_dir) -> tuple[float, float]:
    """Return lon, lat of GeoNames' 鹤岗 (the city seat, feature code PPLA2)."""
    with open(data_dir / "geonames_cities1000_bbox.tsv", encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if row[1] == "Hegang" and row[7] == "PPLA2":
                return float(row[5]), float(row[4])
    raise AssertionError("GeoNames row of Hegang missing from data/hegang")


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    # Equirectangular at 47°N: good to well under 1% over a few kilometres.
    lat = math.radians((a[1] + b[1]) / 2)
    dx = math.radians(a[0] - b[0]) * math.cos(lat) * 6_371_000
    dy = math.radians(a[1] - b[1]) * 6_371_000
    return math.hypot(dx, dy)


@pytest.mark.django_db
def test_the_map_centre_is_the_city_seat_inside_the_city(hegang_areas, hegang_data_dir):
    centre = tuple(settings.HEGANG_MAP_CENTRE_4490)
    assert _distance_m(centre, _geonames_seat(hegang_data_dir)) < 100
    city = AdministrativeArea.objects.get(code=settings.HEGANG_CITY_CODE, level="city")
    point = Point(*centre, srid=4490)
    assert city.geom_4490.contains(point)
    seat_district = AdministrativeArea.objects.get(level="county", geom_4490__contains=point)
    assert seat_district.name == "向阳区"


@pytest.mark.django_db
def test_the_city_box_holds_the_whole_city_polygon(hegang_areas):
    city = AdministrativeArea.objects.get(code=settings.HEGANG_CITY_CODE, level="city")
    x0, y0, x1, y1 = city.geom_4490.extent
    bx0, by0, bx1, by1 = settings.HEGANG_BBOX_4490
    assert bx0 <= x0 and by0 <= y0 and x1 <= bx1 and y1 <= by1


def test_a_web_map_at_the_start_zoom_shows_the_whole_city_on_a_desktop_screen():
    # Web-mercator metres per pixel at zoom z: 156543.03 / 2**z (at the equator, in map units).
    metres_per_px = 156_543.03 / 2**settings.HEGANG_MAP_ZOOM
    lon0, lat0, lon1, lat1 = settings.HEGANG_BBOX_4490
    lon, lat = settings.HEGANG_MAP_CENTRE_4490

    def merc_y(lat_deg: float) -> float:
        return 6_378_137 * math.log(math.tan(math.pi / 4 + math.radians(lat_deg) / 2))

    def merc_x(lon_deg: float) -> float:
        return 6_378_137 * math.radians(lon_deg)

    # The map area of the 1440×900 layout is about 1100×840 px beside the sidebar.
    half_w, half_h = 1100 / 2 * metres_per_px, 840 / 2 * metres_per_px
    assert merc_x(lon) - half_w <= merc_x(lon0) and merc_x(lon1) <= merc_x(lon) + half_w
    assert merc_y(lat) - half_h <= merc_y(lat0) and merc_y(lat1) <= merc_y(lat) + half_h


@pytest.mark.django_db
def test_the_base_template_hands_the_one_view_to_the_map_script():
    html = Client().get("/").content.decode()
    attr = html.split('data-map-view="', 1)[1].split('"', 1)[0].replace("&quot;", '"')
    view = json.loads(attr)
    assert view == map_view_config()
    assert view["centre"] == list(settings.HEGANG_MAP_CENTRE_4490)
    assert (
        html.index("vendor/ol/ol.js")
        < html.index("portal/map_kernel.js")
        < html.index("public_map.js")
    )
