"""The generated OpenAPI schema states the real constraints (issue 12.4): asserted from
the schema drf-spectacular serves at /api/schema/, and against the views' declarations."""

from __future__ import annotations

import json

import pytest
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator

from facilities.models import DistanceKind
from facilities.standards import PROGRAMMES
from gis_portal.openapi import declared_params
from placenames.addresses.api.addresses import HEGANG_LAT, HEGANG_LON
from placenames.addresses.tiles import LAYERS, MAX_ZOOM


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(
        json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str)
    )


def params(schema: dict, path: str, method: str = "get") -> dict[str, dict]:
    return {p["name"]: p for p in schema["paths"][path][method].get("parameters", [])}


def test_coverage_states_the_programmes_and_distance_kinds(schema):
    p = params(schema, "/api/v1/coverage")
    assert p["programme"]["required"] is True
    assert p["programme"]["schema"]["enum"] == [row[0] for row in PROGRAMMES]
    assert p["distance_kind"]["schema"]["enum"] == list(DistanceKind.values)
    assert set(p) == {"programme", "distance_kind"}


@pytest.mark.parametrize(
    "path", ["/api/v1/reverse", "/api/v1/addresses/streets/{street_id}/propose"]
)
def test_reverse_and_propose_state_the_city_box(schema, path):
    p = params(schema, path)
    for name, (low, high) in (("lon", HEGANG_LON), ("lat", HEGANG_LAT)):
        assert p[name]["required"] is True
        assert p[name]["schema"]["type"] == "number"
        assert (p[name]["schema"]["minimum"], p[name]["schema"]["maximum"]) == (low, high)


def test_propose_states_a_positive_street_id(schema):
    street = params(schema, "/api/v1/addresses/streets/{street_id}/propose")["street_id"]
    assert street["in"] == "path" and street["schema"]["type"] == "integer"
    assert street["schema"]["minimum"] == 1


def test_tiles_state_the_layers_and_the_zoom_range(schema):
    p = params(schema, "/tiles/{layer}/{z}/{x}/{y}.pbf")
    assert p["layer"]["schema"]["enum"] == list(LAYERS)
    assert p["z"]["schema"] == {"type": "integer", "minimum": 0, "maximum": MAX_ZOOM}
    for name in ("x", "y"):
        assert p[name]["schema"]["type"] == "integer" and p[name]["schema"]["minimum"] == 0
        assert p[name]["schema"]["maximum"] == 2**MAX_ZOOM - 1


def test_free_text_parameters_state_a_length_and_exclude_control_characters(schema):
    q = params(schema, "/api/v1/placenames")["q"]["schema"]
    assert q["maxLength"] == 200
    assert "\\u0000-\\u001f" in q["pattern"]


def test_every_operation_documents_the_error_json(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            error = operation["responses"]["400"]["content"]["application/json"]["schema"]
            assert error["required"] == ["error", "code"], (method, path)
            if method != "get":
                assert {"409", "412", "413", "415", "428"} <= set(operation["responses"])


def test_a_feature_geometry_may_be_null(schema):
    geometry = schema["components"]["schemas"]["AreaFeature"]["properties"]["geometry"]
    assert geometry["nullable"] is True


def test_the_schema_lists_exactly_the_parameters_each_view_declares(schema):
    """No drift: the query parameters in the schema are the ParamSet the view parses with."""
    checked = 0
    for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints():
        view = callback.cls()
        declared = declared_params(view, method, "query_params")
        if declared is None:
            continue
        openapi_path = path.replace("{pk}", "{id}")
        in_schema = {
            name
            for name, p in params(schema, openapi_path, method.lower()).items()
            if p["in"] == "query"
        }
        assert in_schema == declared.names, (method, path)
        checked += 1
    assert checked >= 20
