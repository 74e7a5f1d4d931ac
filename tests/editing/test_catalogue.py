"""The layer catalogue: every layer declared once, read the same way by every consumer.

What a department or a citizen checks: the layer list shows only what they may read; a
staff layer is, for the public, indistinguishable from a layer that does not exist; every
declared layer's features come back as GeoJSON with the declared fields (labels in place of
codes), staff-only fields hidden from the public; a bbox limits the features; bad paging is
refused naming the parameter.
"""

from __future__ import annotations

import json

import pytest

from gis_portal.catalogue.registry import CATALOGUE
from gis_portal.catalogue.spec import CatalogueLayer, CatalogueSpecError, Field, Source, TileSpec
from gis_portal.editing.layers import LAYERS
from tests.editing.helpers import LAYER_KEYS
from tests.editing.scope_builders import district_centre, place
from tests.editing.test_layers_addresses_builders import (
    EAST,
    LAT,
    WEST,
    facility,
    plate,
    sign,
    street,
)

pytestmark = pytest.mark.django_db

STAFF_LAYERS = {"boundary-lines", "boundary-markers"}


@pytest.fixture
def every_layer(boundary_demo):
    """At least one feature on every layer of the catalogue."""
    s = street()
    plate(s, (WEST + EAST) / 2, LAT + 0.0001)
    sign(s, WEST + 0.001, LAT)
    facility()
    place("测试小区", division="230402", point_only=district_centre("230402"))


def test_every_layer_is_declared_once_and_editable_layers_are_its_facets():
    assert list(CATALOGUE) == LAYER_KEYS
    for key, edit in LAYERS.items():
        entry = CATALOGUE[key]
        assert entry.edit is edit
        assert (edit.label, edit.model) == (entry.label, entry.model)
    # Areas change only by a division adjustment, filed on its own pages, never in the editor.
    assert CATALOGUE["areas"].edit.in_editor is False
    assert [e.key for e in LAYERS.values() if not e.in_editor] == ["areas"]


def test_public_list_hides_staff_layers_and_staff_only_fields(client, client_as):
    public = client.get("/api/v1/layers").json()["layers"]
    keys = {layer["key"] for layer in public}
    assert keys == set(CATALOGUE) - STAFF_LAYERS
    plates = next(layer for layer in public if layer["key"] == "door-plates")
    labels = {f["name"]: f["label"] for f in plates["fields"]}
    assert labels["address"] == "门牌地址" and "side" not in labels
    assert plates["editable"] is False
    assert plates["style"]["legend"] == "门牌"

    officer = client_as("jie", "boundary_officer")
    staff = officer.get("/api/v1/layers").json()["layers"]
    assert {layer["key"] for layer in staff} == set(CATALOGUE)
    plates = next(layer for layer in staff if layer["key"] == "door-plates")
    assert "side" in {f["name"] for f in plates["fields"]}


@pytest.mark.parametrize("path", ["", "/features"])
def test_a_staff_layer_reads_as_unknown_to_the_public(client, path):
    hidden = client.get(f"/api/v1/layers/boundary-lines{path}")
    unknown = client.get(f"/api/v1/layers/no-such-layer{path}")
    assert hidden.status_code == unknown.status_code == 404
    assert "boundary-lines" in hidden.json()["error"]
    assert hidden.json()["error"].replace("boundary-lines", "X") == unknown.json()["error"].replace(
        "no-such-layer", "X"
    )


def test_every_layers_features_come_back_with_their_declared_fields(every_layer, client_as):
    officer = client_as("jie", "administrator")
    for key, entry in CATALOGUE.items():
        r = officer.get(f"/api/v1/layers/{key}/features?limit=5")
        assert r.status_code == 200, (key, r.content[:300])
        assert r["Content-Type"] == "application/geo+json"
        collection = json.loads(r.content)
        assert collection["features"], key
        assert int(r["X-Total-Count"]) >= len(collection["features"])
        feature = collection["features"][0]
        assert set(feature["properties"]) == {f.name for f in entry.fields}, key
        assert feature["geometry"]["type"] in (
            entry.geometry_type,
            "Point",
            "Polygon",
            "MultiPolygon",
            "LineString",
        ), key


def test_public_features_show_labels_not_codes_and_no_staff_fields(every_layer, client):
    r = client.get("/api/v1/layers/door-plates/features")
    props = r.json()["features"][0]["properties"]
    assert props["status"] == "在用"  # the code is "installed"
    assert props["plate"].endswith("号") and "side" not in props and "retired_on" not in props
    areas = client.get("/api/v1/layers/areas/features?limit=100").json()["features"]
    assert {"地级市", "县级"} <= {f["properties"]["level"] for f in areas}


def test_bbox_limits_the_features(every_layer, client):
    around = f"{WEST - 0.001},{LAT - 0.001},{EAST + 0.001},{LAT + 0.001}"
    far = "125.0,45.0,125.1,45.1"
    near = client.get(f"/api/v1/layers/door-plates/features?bbox={around}").json()
    assert len(near["features"]) == 1
    assert client.get(f"/api/v1/layers/door-plates/features?bbox={far}").json()["features"] == []
    # A place name with only its representative point is found by the bbox too.
    lon, lat = district_centre("230402")
    box = f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"
    names = client.get(f"/api/v1/layers/placenames/features?bbox={box}").json()["features"]
    assert "测试小区" in {f["properties"]["standard_name"] for f in names}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("limit=0", "limit"), ("limit=10001", "limit"), ("offset=-1", "offset"),
     ("bbox=1,2,3", "bbox")],
)  # fmt: skip
def test_bad_paging_is_refused_naming_the_parameter(client, query, parameter):
    r = client.get(f"/api/v1/layers/streets/features?{query}")
    assert r.status_code == 400
    assert parameter in json.dumps(r.json(), ensure_ascii=False)


def test_a_declaration_that_contradicts_itself_is_refused_at_start_up():
    source = Source(table="addresses_street t", geometry_4490="t.geom_4490")
    with pytest.raises(CatalogueSpecError, match="瓦片属性"):
        CatalogueLayer(
            key="x",
            label="x",
            model=None,
            geometry_type="LineString",
            source=source,
            fields=(Field("name", "名称", "t.name"),),
            demo_field=None,
            tiles=TileSpec(min_zoom=10, properties=("missing",)),
        )
    with pytest.raises(CatalogueSpecError, match="几何类型"):
        CatalogueLayer(
            key="x", label="x", model=None, geometry_type="Blob", source=source, fields=()
        )
