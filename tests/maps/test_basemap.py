"""The base map as a reader, an officer and a GIS client get it: tiles, style, metadata."""

from __future__ import annotations

import gzip
import re
import subprocess
import threading
import time

import mapbox_vector_tile
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections, transaction

from gis_portal.catalogue.registry import CATALOGUE
from gis_portal.maps.tilegrid import Tile, lonlat_to_tile
from gis_portal.maps.tiles import basemap_tile_fetch
from gis_portal.maps.watch import watched_tables
from gis_portal.metric_crs import to_metric
from placenames.addresses.models import Street
from placenames.addresses.numbering import rule_beijing
from placenames.addresses.services.plates import PlateRequest, plates_create
from placenames.addresses.services.streets import street_create
from tests.editing.factories import demo_boundaries, role_user

# An east–west street in 向阳区 and a door plate 11 m north of it.
WEST, EAST, LAT = 130.280, 130.290, 47.3400
MID = (WEST + EAST) / 2
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# A spot in 萝北县, 60 km from the street: its tiles have nothing to do with the street.
FAR = (130.83, 47.58)


def _street(name="新华路"):
    coords = ((WEST, LAT), (EAST, LAT))
    street = street_create(
        name=name, coords_4490=coords, rule=rule_beijing([to_metric(*c) for c in coords])
    )
    plates_create(street_id=street.pk, requests=[PlateRequest(MID, LAT + 0.0001)])
    return street


def _tile(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    data = response.content
    if response.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return mapbox_vector_tile.decode(data)


def _url(lon, lat, z, prefix="/maps/tiles"):
    x, y = lonlat_to_tile(lon, lat, z)
    return f"{prefix}/{z}/{x}/{y}.pbf"


def _names(tile, layer, field):
    return {f["properties"].get(field) for f in tile.get(layer, {}).get("features", [])}


@pytest.mark.django_db
def test_the_installed_triggers_watch_every_table_the_tiles_are_drawn_from():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname, t.tgname, encode(t.tgargs, 'escape') FROM pg_trigger t"
            " JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'gis_portal_basemap_%%'"
            " AND c.relname <> 'gis_portal_basemapdirty'"
        )
        rows = cur.fetchall()
    installed: dict[str, set] = {}
    for table, name, args in rows:
        columns = tuple(a for a in args.split("\\000") if a)
        if name != "gis_portal_basemap_trunc":
            installed.setdefault(table, set()).add(columns)
    expected = watched_tables(CATALOGUE.values())
    assert set(installed) == set(expected), "a tiled layer's table has no basemap trigger"
    for table, columns in expected.items():
        assert installed[table] == {columns}, table


@pytest.mark.django_db
def test_a_street_zoom_tile_carries_street_names_plates_and_areas(client, hegang_areas):
    _street()
    tile = _tile(client, _url(MID, LAT, 17))
    assert "新华路" in _names(tile, "streets", "name")
    assert "1号" in _names(tile, "door-plates", "plate")
    assert "向阳区" in _names(tile, "areas", "name")
    # Gzip for clients that take it, the same tile.
    again = _tile(client, _url(MID, LAT, 17), HTTP_ACCEPT_ENCODING="gzip")
    assert again == tile
    # Below street zoom the plates are not sent at all.
    assert "door-plates" not in _tile(client, _url(MID, LAT, 12))


@pytest.mark.django_db
def test_staff_layers_travel_only_in_tiles_served_to_staff(client, hegang_areas):
    _line, marker = demo_boundaries()
    lon, lat = marker.geom_4490.x, marker.geom_4490.y
    url = _url(lon, lat, 14)
    public = _tile(client, url)
    assert "boundary-lines" not in public and "boundary-markers" not in public
    style = client.get("/maps/style.json").json()
    assert not any(layer["id"].startswith("boundary") for layer in style["layers"])
    assert "boundary" not in client.get("/maps/tiles.json").content.decode()
    assert client.get("/ogc/collections/boundary-lines/tiles").status_code == 404

    client.force_login(role_user("bo", "boundary_officer"))
    staff = _tile(client, url)
    assert marker.number in _names(staff, "boundary-markers", "number")
    legend = client.get("/maps/style.json").json()["metadata"]["hegang:legend"]
    assert {"boundary-lines", "boundary-markers"} <= {e["layer"] for e in legend}
    assert client.get("/ogc/collections/boundary-lines/tiles").status_code == 200
    # The public tile was not replaced by the staff one in the cache.
    client.logout()
    assert "boundary-markers" not in _tile(client, url)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        ("/maps/tiles/a/0/0.pbf", 400, "z"),
        ("/maps/tiles/21/0/0.pbf", 400, "z"),
        ("/maps/tiles/14/16384/0.pbf", 400, "x"),
        ("/maps/tiles/14/0/99999999.pbf", 400, "y"),
        ("/maps/layers/houses/tiles/14/0/0.pbf", 404, None),
        ("/maps/layers/houses/tiles.json", 404, None),
        ("/maps/layers/door-plates/tiles/10/0/0.pbf", 404, None),  # below the plates' levels
        ("/ogc/collections/houses/tiles", 404, None),
        ("/ogc/collections/areas/tiles/WorldCRS84Quad", 400, "tms"),
        ("/ogc/collections/areas/tiles/WebMercatorQuad/12/x/0", 400, "tileRow"),
        ("/ogc/collections/areas/tiles/WebMercatorQuad/3/0/8", 400, "tileCol"),
        ("/ogc/tileMatrixSets/Mercator", 400, "tms"),
        ("/maps/style.json?theme=dark", 400, "theme"),
        ("/maps/style.json?layout=tv", 400, "layout"),
    ],
)
def test_bad_tile_requests_get_a_chinese_answer_naming_the_problem(client, url, status, parameter):
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert CHINESE.search(body["error"]), body
    if parameter:
        assert body["parameter"] == parameter


@pytest.mark.django_db
def test_tilejson_and_the_ogc_tileset_describe_the_same_tiles(client, hegang_areas):
    _street()
    tj = client.get("/maps/layers/streets/tiles.json").json()
    assert tj["tilejson"] == "3.0.0" and tj["scheme"] == "xyz"
    assert tj["tiles"] == ["http://testserver/maps/layers/streets/tiles/{z}/{x}/{y}.pbf"]
    assert [v["id"] for v in tj["vector_layers"]] == ["streets"]
    assert tj["vector_layers"][0]["fields"]["name"] == "标准名称"
    base = client.get("/maps/tiles.json").json()
    public_tiled = [k for k, layer in CATALOGUE.items() if layer.tiles and layer.is_public]
    assert [v["id"] for v in base["vector_layers"] if not v["id"].endswith("-labels")] == (
        public_tiled
    )

    tilesets = client.get("/ogc/collections/streets/tiles").json()["tilesets"]
    assert tilesets[0]["dataType"] == "vector"
    tileset = client.get("/ogc/collections/streets/tiles/WebMercatorQuad").json()
    template = next(link["href"] for link in tileset["links"] if link["rel"] == "item")
    z = 16
    x, y = lonlat_to_tile(MID, LAT, z)
    url = template.replace("http://testserver", "").format(tileMatrix=z, tileRow=y, tileCol=x)
    assert "新华路" in _names(_tile(client, url), "streets", "name")
    tms = client.get("/ogc/tileMatrixSets/WebMercatorQuad").json()
    assert tms["tileMatrices"][z]["matrixWidth"] == 2**z


@pytest.mark.django_db
def test_the_style_draws_every_mappable_layer_and_its_legend_says_so(client, hegang_areas):
    style = client.get("/maps/style.json").json()
    legend = {e["layer"]: e for e in style["metadata"]["hegang:legend"]}
    public_tiled = {k for k, layer in CATALOGUE.items() if layer.tiles and layer.is_public}
    assert set(legend) == public_tiled
    drawn = {layer.get("source-layer", "").removesuffix("-labels") for layer in style["layers"]}
    assert public_tiled <= drawn
    assert legend["areas"]["classes"][0]["label"] == "地级市"  # choice labels, not codes
    # Labels: streets along the line, areas from their label points.
    by_id = {layer["id"]: layer for layer in style["layers"]}
    assert by_id["streets-label"]["layout"]["symbol-placement"] == "line"
    assert by_id["areas-label"]["source-layer"] == "areas-labels"
    # Fonts and symbols are this server's.
    assert style["metadata"]["ol:webfonts"].startswith("/static/vendor/noto-sans-sc/")
    index = client.get("/maps/sprite.json").json()
    assert client.get("/maps/sprite@2x.png")["Content-Type"] == "image/png"
    icons = {i for layer in style["layers"] for i in _icon_names(layer)}
    assert icons and icons <= set(index)


def _icon_names(layer):
    """The sprite names an icon-image names: a string, or a ``match`` expression's outputs."""
    image = layer.get("layout", {}).get("icon-image")
    if image is None:
        return []
    if isinstance(image, str):
        return [image]
    return [*image[3::2], image[-1]]


@pytest.mark.django_db
def test_the_intranet_raster_base_is_off_by_default_and_widens_the_csp_only_for_its_host(
    client, settings
):
    page = client.get("/")
    assert page["Content-Security-Policy"] == "default-src 'self'"
    assert "intranet-raster" not in client.get("/maps/style.json").json()["sources"]

    settings.HEGANG_BASEMAP_RASTER = {
        "tiles": [
            "http://tdt.gov.intranet:8090/wmts?layer=vec&TileMatrix={z}&TileRow={y}&TileCol={x}"
        ],
        "attribution": "天地图（政务版）",
        "max_zoom": 18,
    }
    policy = client.get("/")["Content-Security-Policy"]
    assert "img-src 'self' http://tdt.gov.intranet:8090" in policy
    assert "default-src 'self'" in policy and policy.count("http") == 1
    style = client.get("/maps/style.json").json()
    assert style["sources"]["intranet-raster"]["tiles"][0].startswith("http://tdt.gov.intranet")
    assert style["layers"][1]["id"] == "intranet-raster"  # under everything but the paper


# ---- committed edits (the cache is invalidated when the writing transaction commits) -----


def _cached_tiles():
    with connection.cursor() as cur:
        cur.execute("SELECT z, x, y FROM gis_portal_basemaptile")
        return set(cur.fetchall())


@pytest.mark.django_db(transaction=True)
def test_a_committed_edit_makes_stale_only_the_tiles_it_touches(client, hegang_areas):
    street = _street()
    near, far = _url(MID, LAT, 16), _url(*FAR, 16)
    assert "新华路" in _names(_tile(client, near), "streets", "name")
    _tile(client, far)
    z = 16
    near_key = (z, *lonlat_to_tile(MID, LAT, z))
    far_key = (z, *lonlat_to_tile(*FAR, z))
    assert {near_key, far_key} <= _cached_tiles()

    # A rename by any path (here a plain UPDATE): the street's tiles go, the far one stays.
    Street.objects.filter(pk=street.pk).update(name="新华大街")
    cached = _cached_tiles()
    assert near_key not in cached and far_key in cached
    assert "新华大街" in _names(_tile(client, near), "streets", "name")

    # A rolled-back edit changes nothing.
    with pytest.raises(RuntimeError), transaction.atomic():
        Street.objects.filter(pk=street.pk).update(name="错误路")
        raise RuntimeError
    assert near_key in _cached_tiles()

    # A category is carried by every place-name feature: its edit makes every tile stale.
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE placenames_placecategory SET name = name WHERE id = (SELECT min(id) FROM placenames_placecategory)"
        )
    assert _cached_tiles() == set()


def _waiting_on_a_lock(pid_other_than: int) -> bool:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> %s",
            [pid_other_than],
        )
        return cur.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_a_render_waiting_for_a_table_held_exclusively_does_not_deadlock_its_writer(hegang_areas):
    """A writer holding a tiled table exclusively (TRUNCATE, ALTER, the suite's flush) takes
    the tile cache's advisory lock when it commits; a tile render started meanwhile must
    wait for the table before it holds that lock, or PostgreSQL kills one of the two."""
    _street()
    z = 17
    tile = Tile(z, *lonlat_to_tile(MID, LAT, z))
    writer = connections.create_connection("default")
    outcome: dict[str, object] = {}
    try:
        writer.set_autocommit(False)
        with writer.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            (writer_pid,) = cur.fetchone()
            cur.execute("LOCK TABLE addresses_street IN ACCESS EXCLUSIVE MODE")
            cur.execute("UPDATE addresses_street SET name = '新华大街'")

        def render() -> None:
            try:
                outcome["tile"] = basemap_tile_fetch(AnonymousUser(), tile)
            except Exception as error:  # the deadlock victim, reported below
                outcome["error"] = error
            finally:
                connection.close()

        renderer = threading.Thread(target=render)
        renderer.start()
        for _ in range(200):
            if _waiting_on_a_lock(writer_pid) or not renderer.is_alive():
                break
            time.sleep(0.02)
        assert renderer.is_alive(), outcome
        writer.commit()  # takes the advisory lock: a deadlock here without the lock order
        renderer.join(timeout=30)
    finally:
        writer.close()
    assert "error" not in outcome, outcome["error"]
    drawn = mapbox_vector_tile.decode(gzip.decompress(outcome["tile"]))
    assert "新华大街" in _names(drawn, "streets", "name")


@pytest.mark.django_db(transaction=True)
def test_gdal_reads_a_tile_as_qgis_does(live_server, hegang_areas):
    _street()
    z = 16
    x, y = lonlat_to_tile(MID, LAT, z)
    url = f"{live_server.url}/maps/layers/streets/tiles/{z}/{x}/{y}.pbf"
    out = subprocess.run(
        ["/usr/bin/ogrinfo", "-ro", "-al", f"/vsicurl/{url}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"GDAL_HTTP_TIMEOUT": "20", "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".pbf"},
    ).stdout
    assert "Layer name: streets" in out
    assert "Pseudo-Mercator" in out
    assert "name (String) = 新华路" in out
