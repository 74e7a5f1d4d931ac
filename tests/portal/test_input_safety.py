"""NUL, control characters and lone surrogates in any request input are a 400 naming the
parameter (security/robustness: a NUL reached PostgreSQL and answered 500)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from facilities.services.standards import programmes_seed
from gis_portal.accounts import token_issue
from tests.editing.factories import role_user

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")

# Raw query-string values: a NUL, a control character, DEL, and the UTF-8-style bytes of
# the lone surrogate U+D800 (Django decodes what is not UTF-8 to U+FFFD).
QUERY_VALUES = {"NUL": "a%00b", "control": "%01", "DEL": "%7F", "surrogate": "%ED%A0%80"}


def _schema() -> dict:
    return json.loads(
        json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str)
    )


def _fill(path: str, parameters: list[dict]) -> str:
    """Return ``path`` with each {name} replaced by a value its schema accepts."""
    for p in parameters:
        if p["in"] != "path":
            continue
        schema = p["schema"]
        value = schema["enum"][0] if "enum" in schema else str(schema.get("minimum", 1))
        path = path.replace("{" + p["name"] + "}", str(value))
    return path


def _query_cases() -> list[tuple[str, str, str]]:
    cases = []
    for path, operations in _schema()["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        parameters = get.get("parameters", [])
        url = _fill(path, parameters)
        cases += [(url, p["name"], "") for p in parameters if p["in"] == "query"]
    return cases


def assert_refused(response, parameter: str) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "invalid_parameter"
    assert body["parameter"] == parameter
    assert CHINESE.search(body["error"]) and parameter in body["error"]


QUERY_CASES = _query_cases()


def test_every_get_operation_with_query_parameters_is_covered():
    # Guards the parametrisation below against silently testing nothing.
    assert len({url for url, _, _ in QUERY_CASES}) >= 15
    assert len(QUERY_CASES) >= 60


@pytest.mark.parametrize(("url", "parameter", "_"), QUERY_CASES)
@pytest.mark.parametrize("bad", QUERY_VALUES.values(), ids=QUERY_VALUES.keys())
def test_a_refused_character_in_any_query_parameter_is_a_400_naming_it(url, parameter, _, bad):
    # Anonymous: the refusal comes before sign-in, so no endpoint lets a NUL through.
    response = Client().get(f"{url}?{parameter}={bad}")
    assert_refused(response, parameter)


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/placenames/230405%00", "place_code"),
        ("/api/v1/editing/door%01plates", "layer"),
        ("/tiles/doorplates/14/0/0%00.pbf", "y"),
    ],
)
def test_a_refused_character_in_a_path_parameter_is_a_400_naming_it(url, parameter):
    assert_refused(Client().get(url), parameter)


def test_bytes_that_are_not_utf8_in_a_path_stay_percent_encoded_and_find_nothing():
    # Django keeps undecodable path bytes as the literal "%ED%A0%80": a harmless 404.
    response = Client().get("/api/v1/placenames/%ED%A0%80")
    assert response.status_code == 404
    assert CHINESE.search(response.json()["error"])


def test_a_page_refuses_a_nul_with_the_chinese_page():
    response = Client().get("/placenames/?q=%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "参数 q 无效" in response.content.decode()


@pytest.fixture
def officer_key():
    user = role_user("safety-officer", "placename_officer")
    return {"HTTP_AUTHORIZATION": f"Token {token_issue(username=user.username)}"}


REVIEW = "/api/v1/placenames/review"


@pytest.mark.parametrize(
    "text",
    ["兴\\u0000安", "兴\\u0007安", "\\ud800安"],
    ids=["NUL", "control", "lone surrogate"],
)
def test_a_json_body_string_with_a_refused_character_is_a_400_naming_the_field(officer_key, text):
    raw = '{"name": "' + text + '", "category": "23512", "division": "230405"}'
    response = Client().post(REVIEW, raw, content_type="application/json", **officer_key)
    assert_refused(response, "name")


def test_a_nested_json_field_is_named_by_its_path(officer_key):
    body = {"street": 1, "plates": [{"lon": 130.28, "lat": 47.34, "building": "3\x00"}]}
    response = Client().post(
        "/api/v1/addresses/plates", body, content_type="application/json", **officer_key
    )
    assert_refused(response, "plates[0].building")


def test_a_form_body_field_with_a_nul_is_a_400_naming_it(officer_key):
    response = Client().post(
        REVIEW,
        "name=%E5%85%B4%00&category=23512",
        content_type="application/x-www-form-urlencoded",
        **officer_key,
    )
    assert_refused(response, "name")


def test_a_multipart_body_field_with_a_control_character_is_a_400_naming_it(officer_key):
    response = Client().post(REVIEW, {"name": "兴\x1b安", "category": "23512"}, **officer_key)
    assert_refused(response, "name")


def test_line_breaks_in_a_body_are_still_accepted():
    # A run's name or a remark may have several lines: only characters no text holds are refused.
    programmes_seed()
    planner = role_user("safety-planner", "planner")
    key = {"HTTP_AUTHORIZATION": f"Token {token_issue(username=planner.username)}"}
    body = {"programme": "eldercare_daycare", "model": "pmedian", "p": 1, "name": "方案一\n\t对比"}
    response = Client().post("/api/v1/siting/runs", body, content_type="application/json", **key)
    assert response.status_code == 201, response.content[:300]
    assert response.json()["name"] == "方案一\n\t对比"


def test_a_malformed_body_is_refused_in_chinese(officer_key):
    response = Client().post(REVIEW, "{not json", content_type="application/json", **officer_key)
    assert response.status_code == 400
    assert response.json()["error"].startswith("请求体不是有效的 JSON")
