"""The public answer cache: edits visible at once, answers never mixed, memory bounded.

These tests commit (transaction=True): the data generation is bumped when a writing
transaction commits, and inside an open transaction the cache stands aside.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
import shapely
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from knox.models import AuthToken
from pghistory.models import Event
from shapely.geometry import mapping

from gis_portal.answer_cache import Answer, AnswerCache
from gis_portal.public_cache import (
    CACHED_PATHS,
    CACHED_PREFIXES,
    answer_of,
    data_generation,
)
from placenames.addresses.services.streets import street_rename
from placenames.addresses.tiles import lonlat_to_tile
from tests.editing.factories import role_user
from tests.editing.placename_builders import district_centre, place_create, square_around
from tests.editing.test_layers_addresses_builders import (
    NORTH_LAT,
    XIANGYANG,
    patch,
    plate,
    street,
)

PLATE_LON = 130.2850


def _get(client: Client, url: str, **headers):
    """Return (response, number of SQL statements it took)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    return response, len(queries)


def _kept(client: Client, url: str, **headers) -> bool:
    """Return whether ``url`` was answered from memory: only the generation was read."""
    _, statements = _get(client, url, **headers)
    return statements == 1


def _officer(username: str = "zhang", area: str = XIANGYANG) -> Client:
    client = Client()
    client.force_login(role_user(username, "placename_officer", [area]))
    return client


# ---- a repeated lookup is answered from memory, exactly as before -------------------------


@pytest.mark.django_db(transaction=True)
def test_a_repeated_lookup_gets_the_same_answer_and_headers_from_memory(hegang_areas):
    place_create("松鹤小区")
    public = Client()
    url = "/api/v1/placenames?q=松鹤&page_size=5"
    first, statements = _get(public, url)
    assert statements > 1  # made by the view
    second, statements = _get(public, url)
    assert statements == 1  # the data generation only
    assert second.content == first.content
    assert second.json()["features"][0]["properties"]["standard_name"] == "松鹤小区"
    assert dict(second.items()) == dict(first.items())
    assert "Cookie" in second["Vary"] and "Accept-Language" in second["Vary"]


# ---- an edit saved through the API is visible to the very next request --------------------


@pytest.mark.django_db(transaction=True)
def test_a_door_plate_edit_is_visible_in_reverse_geocoding_and_tiles_at_once(hegang_areas):
    s = street()
    p = plate(s, PLATE_LON, NORTH_LAT, number=1)
    public = Client()
    reverse_url = f"/api/v1/reverse?lon={PLATE_LON}&lat={NORTH_LAT}"
    x, y = lonlat_to_tile(PLATE_LON, NORTH_LAT, 16)
    tile_url = f"/tiles/doorplates/16/{x}/{y}.pbf"
    for url in (reverse_url, tile_url):
        public.get(url)
        assert _kept(public, url)
    assert public.get(reverse_url).json()["properties"]["building"] == ""
    assert "1号".encode() in public.get(tile_url).content

    officer = _officer()
    edit_url = f"/api/v1/editing/door-plates/{p.pk}"
    etag = officer.get(edit_url)["ETag"]
    r = patch(officer, edit_url, {"building": "3号楼", "comment": "补登楼号"}, etag)
    assert r.status_code == 200, r.content
    assert public.get(reverse_url).json()["properties"]["building"] == "3号楼"

    etag = r["ETag"]
    r = patch(officer, edit_url, {"number": 3, "comment": "改号"}, etag)
    assert r.status_code == 200, r.content
    tile = public.get(tile_url).content
    assert "3号".encode() in tile and "1号".encode() not in tile
    assert public.get(reverse_url).json()["properties"]["number"] == "3号"


@pytest.mark.django_db(transaction=True)
def test_a_renamed_street_is_found_by_its_new_name_on_the_next_geocode(hegang_areas):
    s = street("新华路")
    plate(s, PLATE_LON, NORTH_LAT, number=1)
    public = Client()
    url = "/api/v1/geocode?q=" + "光明街1号"
    before = public.get(url).json()["features"]
    assert _kept(public, url)
    assert not any(f["properties"]["address"].endswith("光明街1号") for f in before)
    street_rename(street_id=s.pk, new_name="光明街", on=dt.date(2026, 12, 1))
    after = public.get(url).json()["features"]
    assert after and after[0]["properties"]["address"].endswith("光明街1号")


@pytest.mark.django_db(transaction=True)
def test_a_place_name_moved_through_the_api_is_found_at_its_new_point(hegang_areas):
    place = place_create("松鹤小区")
    public = Client()
    url = "/api/v1/placenames?q=松鹤小区"
    old = public.get(url).json()["features"][0]["geometry"]["coordinates"]
    assert _kept(public, url)
    lon, lat = district_centre()
    officer = Client()
    officer.force_login(role_user("pn", "placename_officer"))
    edit_url = f"/api/v1/editing/placenames/{place.pk}"
    etag = officer.get(edit_url)["ETag"]
    moved = mapping(shapely.from_wkt(square_around(lon + 0.003, lat).wkt))
    r = officer.patch(
        edit_url,
        json.dumps({"geometry": moved, "comment": "外业复核"}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert r.status_code == 200, r.content
    new = public.get(url).json()["features"][0]["geometry"]["coordinates"]
    assert new[0] == pytest.approx(old[0] + 0.003, abs=1e-6)


@pytest.mark.django_db(transaction=True)
def test_the_generation_moves_once_per_committed_write_and_not_on_a_rollback(hegang_areas):
    s = street()
    before = data_generation(connection)
    with transaction.atomic():  # a raw-SQL write of two statements: one bump at commit
        with connection.cursor() as cur:
            cur.execute("UPDATE addresses_street SET approved_by = 'x' WHERE id = %s", [s.pk])
            cur.execute("UPDATE addresses_street SET approved_by = 'y' WHERE id = %s", [s.pk])
        assert data_generation(connection) == before  # not before the commit
    after = data_generation(connection)
    assert after[0] == before[0] + 1 and after[1] > before[1]
    with pytest.raises(RuntimeError), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("UPDATE addresses_street SET approved_by = 'z' WHERE id = %s", [s.pk])
        raise RuntimeError("rolled back")
    assert data_generation(connection) == after


# ---- answers never mix ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_signed_in_staff_and_api_keys_neither_read_nor_fill_the_cache(hegang_areas):
    place_create("松鹤小区")
    officer = _officer()
    _, token = AuthToken.objects.create(user=role_user("script", "placename_officer"))
    public = Client()
    url = "/api/v1/placenames?q=松鹤"
    public.get(url)
    assert _kept(public, url)
    # Staff are answered by the view, even where the public answer is kept …
    assert not _kept(officer, url)
    assert not _kept(public, url, HTTP_AUTHORIZATION=f"Token {token}")
    # … and what staff asked is not kept for the public (nor for themselves).
    other = "/api/v1/placenames?q=小区"
    officer.get(other)
    public.get(other, HTTP_AUTHORIZATION=f"Token {token}")
    assert not _kept(officer, other)
    assert not _kept(public, other)  # first anonymous request: made by the view
    assert _kept(public, other)


@pytest.mark.django_db(transaction=True)
def test_other_parameters_and_headers_get_their_own_answers(hegang_areas):
    place_create("松鹤小区")
    place_create("青年广场", serial=2)
    public = Client()
    a, b = "/api/v1/placenames?q=松鹤", "/api/v1/placenames?q=青年"
    assert public.get(a).json()["features"][0]["properties"]["standard_name"] == "松鹤小区"
    assert public.get(b).json()["features"][0]["properties"]["standard_name"] == "青年广场"
    assert public.get(a).json()["features"][0]["properties"]["standard_name"] == "松鹤小区"
    indented = public.get(a, HTTP_ACCEPT="application/json; indent=4")
    assert indented.content.startswith(b"{\n    ") and public.get(a).content.startswith(b'{"')

    s = street()
    plate(s, PLATE_LON, NORTH_LAT, number=1)
    x, y = lonlat_to_tile(PLATE_LON, NORTH_LAT, 16)
    tile = f"/tiles/doorplates/16/{x}/{y}.pbf"
    raw = public.get(tile)
    packed = public.get(tile, HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip" and not raw.has_header("Content-Encoding")
    assert gzip.decompress(packed.content) == raw.content
    assert not public.get(tile).has_header("Content-Encoding")  # kept separately


def test_only_plain_successful_public_answers_are_kept():
    from django.http import HttpResponse

    ok = HttpResponse(b"{}", content_type="application/json")
    assert answer_of(ok) is not None
    assert answer_of(HttpResponse(b"{}", status=400)) is None
    with_cookie = HttpResponse(b"{}")
    with_cookie.set_cookie("csrftoken", "x")
    assert answer_of(with_cookie) is None
    private = HttpResponse(b"{}", headers={"Cache-Control": "private"})
    assert answer_of(private) is None
    by_agent = HttpResponse(b"{}", headers={"Vary": "Accept, User-Agent"})
    assert answer_of(by_agent) is None


# ---- memory is bounded ---------------------------------------------------------------------


def _answer(n_bytes: int) -> Answer:
    return Answer(200, (("Content-Type", "application/json"),), b"x" * n_bytes)


def test_the_cache_never_holds_more_than_its_budget_and_drops_the_least_used_first():
    cache = AnswerCache(max_bytes=100_000, max_entry_bytes=20_000)
    for i in range(50):
        assert cache.put(f"/q{i}", _answer(9_000), generation=1)
        assert cache.size_bytes <= 100_000
    assert len(cache) < 50
    assert cache.get("/q0", generation=1) is None  # the oldest went first
    assert cache.get("/q49", generation=1) is not None
    cache.get("/q40", generation=1)  # used: survives the next additions
    for i in range(50, 55):
        cache.put(f"/q{i}", _answer(9_000), generation=1)
    assert cache.get("/q40", generation=1) is not None
    assert cache.get("/q41", generation=1) is None


def test_an_oversized_answer_is_refused_and_an_old_generation_never_served():
    cache = AnswerCache(max_bytes=100_000, max_entry_bytes=20_000)
    assert not cache.put("/big", _answer(30_000), generation=1)
    assert cache.get("/big", generation=1) is None and cache.size_bytes == 0
    cache.put("/q", _answer(10), generation=(7, "t"))
    assert cache.get("/q", generation=(8, "u")) is None
    assert cache.get("/q", generation=(7, "t")) is not None


# ---- the wiring ------------------------------------------------------------------------------


def test_the_cached_paths_are_the_public_lookups():
    for path, name in CACHED_PATHS.items():
        assert resolve(path).url_name == name
    for prefix, name in CACHED_PREFIXES.items():
        assert resolve(prefix + "doorplates/14/0/0.pbf").url_name == name


# History tables are written with the rows they record; the tile cache is written by reads.
NOT_WATCHED = {"addresses_addresstile"}


@pytest.mark.django_db
def test_every_reference_table_bumps_the_generation():
    tables = {
        m._meta.db_table
        for label in ("placenames", "addresses", "boundaries")
        for m in apps.get_app_config(label).get_models(include_auto_created=True)
        if not issubclass(m, Event) and not m._meta.proxy
    } - NOT_WATCHED
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger"
            " WHERE tgname = 'gis_portal_data_changed' AND NOT tgisinternal"
        )
        watched = {row[0] for row in cur.fetchall()}
    assert tables - watched == set(), "tables whose writes would not reach the public cache"
