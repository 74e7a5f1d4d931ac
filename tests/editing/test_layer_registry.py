"""The layer registry: apps' layers.py modules are discovered; a new layer is one registration.

The second test is docs/architecture.md's worked example: an editable layer over the
administrative areas (read only in the catalogue today), declared in one place, is served
by the catalogue's API and the editor's generic API — GET with an ETag, PATCH with If-Match,
a stale version refused, history recorded.
"""

from __future__ import annotations

import dataclasses

import pytest

from boundaries.models import AdministrativeArea, AreaLevel
from gis_portal.catalogue.registry import CATALOGUE, catalogue_register, catalogue_unregister
from gis_portal.catalogue.spec import CatalogueLayer, Field, Source
from gis_portal.editing import layers as registry
from gis_portal.editing.attributes import TextRule
from gis_portal.editing.layers import BOUNDARY_EDITORS, Layer, layers_register
from gis_portal.editing.writes import FeatureWrites
from tests.editing.helpers import LAYER_KEYS

pytestmark = pytest.mark.django_db


def test_every_apps_layers_are_discovered_in_app_order():
    assert list(registry.LAYERS) == LAYER_KEYS
    for layer in registry.LAYERS.values():
        assert registry.LAYER_OF_MODEL[layer.model] is layer


def test_a_layer_registered_twice_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="facilities"):
        layers_register(registry.LAYERS["facilities"])


# --- the worked example ---------------------------------------------------------------------

AREA_RULES = {"name": TextRule("名称", 100, required=True)}
# The one write skeleton (parse → history → lock → version → city and edit scope → write).
AREA_WRITES = FeatureWrites(model=AdministrativeArea, geometry_field="geom_4490", rules=AREA_RULES)


AREAS_EXAMPLE = CatalogueLayer(
    key="areas-example",
    label="行政区域（示例）",
    model=AdministrativeArea,
    geometry_type="MultiPolygon",
    source=Source(
        table="boundaries_administrativearea t", geometry_4490="t.geom_4490", county="t.id"
    ),
    fields=(
        Field("name", "名称", "t.name"),
        Field("code", "区划代码", "t.code"),
        Field("is_demo", "演示数据", "t.is_demo", kind="boolean"),
    ),
    read_roles=BOUNDARY_EDITORS,
    edit=Layer(
        editor_roles=BOUNDARY_EDITORS,
        change_kind=None,
        writes=AREA_WRITES,
        label_of=lambda obj: obj.name,
        # What the editor loads of a county, from the source above.
        feature_properties=(("label", "t.name"), ("name", "t.name"), ("code", "t.code")),
    ),
)


def test_own_rules_without_their_own_update_are_refused():
    """Rules of its own with the skeleton's update would check a save by other rules."""
    from django.core.exceptions import ImproperlyConfigured

    edit = dataclasses.replace(AREAS_EXAMPLE.edit, rules={"code": TextRule("区划代码", 12)})
    layer = dataclasses.replace(AREAS_EXAMPLE, key="areas-own-rules", edit=edit)
    with pytest.raises(ImproperlyConfigured, match="areas-own-rules"):
        catalogue_register(layer)
    assert "areas-own-rules" not in CATALOGUE and "areas-own-rules" not in registry.LAYERS


@pytest.fixture
def areas_example_layer():
    # The real areas layer edits the same model (division adjustments go through it), and a
    # model has one editing layer: it steps aside while the example stands in for it, and
    # the registries are put back as they were, in their order.
    registries = (CATALOGUE, registry.LAYERS, registry.LAYER_OF_MODEL)
    saved = [dict(r) for r in registries]
    catalogue_unregister("areas")
    catalogue_register(AREAS_EXAMPLE)
    try:
        yield registry.LAYERS[AREAS_EXAMPLE.key]
    finally:
        catalogue_unregister(AREAS_EXAMPLE.key)
        for current, before in zip(registries, saved, strict=True):
            current.clear()
            current.update(before)
    assert AREAS_EXAMPLE.key not in registry.LAYERS
    assert registry.LAYER_OF_MODEL[AdministrativeArea].key == "areas"


def test_one_registration_is_served_by_the_editor_api(hegang_areas, areas_example_layer, client_as):
    officer = client_as("jie", "boundary_officer")
    area = AdministrativeArea.objects.get(code="230402", level=AreaLevel.COUNTY)
    # The catalogue lists it for its readers (and not for the public) ...
    assert "areas-example" in {x["key"] for x in officer.get("/api/v1/layers").json()["layers"]}
    assert client_as("li", "planner").get("/api/v1/layers/areas-example").status_code == 404
    # ... and the editor serves it: the county's features, built from the source ...
    loaded = officer.get("/api/v1/editing/areas-example?county=230402").json()
    assert [f["properties"]["code"] for f in loaded["features"]] == ["230402"]
    url = f"/api/v1/editing/areas-example/{area.pk}"
    r = officer.get(url)
    assert r.status_code == 200 and r.json()["properties"]["name"] == "向阳区"
    etag = r["ETag"]
    body = {"name": "向阳区（测试）", "comment": "示例"}
    r = officer.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200, r.content
    assert AdministrativeArea.objects.get(pk=area.pk).name == "向阳区（测试）"
    # The old ETag is stale now: refused, nothing written.
    r = officer.patch(url, {"name": "又改"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 412
    assert AdministrativeArea.objects.get(pk=area.pk).name == "向阳区（测试）"
    history = officer.get(f"/api/v1/editing/areas-example/{area.pk}/history")
    assert history.status_code == 200
    assert "示例" in history.content.decode()
    # A planner is not among the layer's editor roles.
    planner = client_as("li", "planner")
    r = planner.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 403
