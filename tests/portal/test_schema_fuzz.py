"""Schema fuzzing: every operation of the OpenAPI schema, with inputs generated from it.

Schemathesis generates requests from /api/schema/ (the same schema drf-spectacular serves)
and sends them in process to the portal's WSGI application over the throwaway test
database: every GET anonymously, every write with an API key of each role. No answer may be
a 5xx, a 4xx must carry the project's error JSON with a Chinese message, and every answer
must match what the schema documents (status code, content type, body, headers). Generation
is derandomized (a fixed seed per operation), so a run is repeatable and CI is stable.
"""

from __future__ import annotations

import json
import re
import traceback

import pytest
import schemathesis
from django.contrib.gis.geos import Point
from django.core.signals import got_request_exception, request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from boundaries.services.areas import areas_load_hegang
from facilities.models import Programme
from facilities.services.standards import programmes_seed
from facilities.standards import TYPES
from gis_portal.accounts import token_issue
from gis_portal.datasets import HEGANG_DATA_DIR
from gis_portal.editing import change_services
from gis_portal.editing.concurrency import etag_format
from gis_portal.metric_crs import to_metric
from gis_portal.roles import ROLES
from placenames.addresses.numbering import rule_beijing
from placenames.addresses.services.plates import PlateRequest, plates_create
from placenames.addresses.services.signs import sign_create
from placenames.addresses.services.streets import street_create
from placenames.services.names import PlaceNameInput, categories_load, placename_register
from tests.editing.factories import demo_boundaries, role_user
from tests.facilities.factories import demand, facility

# Small on purpose: the whole file stays well under two minutes on the 2-core machine; the
# coverage phase adds the schema's boundary values (missing required, out of range, wrong
# type) to each operation on top of these.
MAX_EXAMPLES = 8

_CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
    }
)
# The schema as /api/schema/ serves it (no request: the public, unauthenticated view).
_RAW = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
SCHEMA = schemathesis.openapi.from_dict(_RAW, config=_CONFIG)
SCHEMA.app = get_wsgi_application()
READS = SCHEMA.include(method="GET")
WRITES = SCHEMA.exclude(method="GET")

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def chinese_error_body(ctx, response, case):
    """A refusal (4xx) carries the project's error JSON with a Chinese message."""
    if not 400 <= response.status_code < 500:
        return None
    assert "json" in response.headers.get("content-type", [""])[0], "错误应答不是 JSON"
    body = response.json()
    assert isinstance(body, dict) and {"error", "code"} <= set(body), body
    assert CHINESE.search(body["error"]), f"错误信息不是中文：{body['error']!r}"
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    chinese_error_body,
]


class ServerErrors:
    """Tracebacks of exceptions the portal turned into a 500, to show in the failure."""

    def __init__(self) -> None:
        self.tracebacks: list[str] = []

    def __call__(self, sender, request=None, **kwargs) -> None:
        self.tracebacks.append(
            f"{request.get_full_path() if request else ''}\n{traceback.format_exc()}"
        )


def _seed() -> dict:
    """Build what the writes need to reach their rules: one of each feature, role keys."""
    areas_load_hegang(data_dir=HEGANG_DATA_DIR)
    programmes_seed()
    categories_load()
    line, marker = demo_boundaries()
    place, _ = placename_register(
        record=PlaceNameInput(
            standard_name="兴安桥",
            category_code="23512",
            division_code="230405",
            geom_4490=Point(130.285, 47.345, srid=4490),
            aliases=[],
            attrs={},
        )
    )
    coords = ((130.280, 47.34), (130.290, 47.34))
    street = street_create(
        name="新华路", coords_4490=coords, rule=rule_beijing([to_metric(*c) for c in coords])
    )
    [plate] = plates_create(
        street_id=street.pk, requests=[PlateRequest(lon=130.284, lat=47.3401, number=None)]
    )
    sign = sign_create(street_id=street.pk, kind="single", lon=130.285, lat=47.3401)
    # One open facility of each standard programme, so coverage has something to measure.
    first_type = {}
    for type_slug, programme, _name in TYPES:
        first_type.setdefault(programme, type_slug)
    sites = [
        facility(programme, type_slug, f"测试设施 {i}", 100 * i, 0, status="open")
        for i, (programme, type_slug) in enumerate(first_type.items())
    ]
    site = sites[0]
    demand("fuzz-demand-1", 300, 200, elders=120)
    users = {role.slug: role_user(f"fuzz-{role.slug}", role.slug) for role in ROLES}
    request = change_services.change_request_submit(
        layer_key="boundary-markers",
        target_id=marker.pk,
        action="update",
        proposed={"material": "花岗岩"},
        reason="联检发现界桩材质登记有误",
        user=users["boundary_officer"],
    )
    objects = {
        "boundary-lines": line,
        "boundary-markers": marker,
        "placenames": place,
        "streets": street,
        "door-plates": plate,
        "street-signs": sign,
        "facilities": site,
    }
    return {
        "keys": {slug: token_issue(username=u.username) for slug, u in users.items()},
        "objects": {k: (o.pk, o.version) for k, o in objects.items()},
        "ids": {"street_id": street.pk, "sign_id": sign.pk, "request": request.pk},
        "programme": Programme.objects.get(slug="eldercare_daycare").slug,
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module inside a transaction that is rolled back at its end; each
    operation's test runs in a savepoint of it (the ``db`` fixture), so writes never leak."""
    media = tmp_path_factory.mktemp("fuzz-media")
    errors = ServerErrors()
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        data = _seed()
        # The WSGI handler closes "old" connections around each request, which would end
        # the test transaction; Django's own test client switches that off the same way.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        got_request_exception.connect(errors)
        try:
            yield {**data, "errors": errors}
        finally:
            got_request_exception.disconnect(errors)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            transaction.set_rollback(True)


def _call(case, seeded, headers: dict | None = None) -> None:
    errors = seeded["errors"]
    errors.tracebacks.clear()
    try:
        case.call_and_validate(headers=headers, checks=CHECKS)
    except Exception:
        # Show the server-side traceback of a 500 next to schemathesis' report.
        if errors.tracebacks:
            print("\n".join(errors.tracebacks))
        raise


@READS.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_reads_anonymously(case, seeded, db):
    _call(case, seeded)


def _aim_at_seeded(case, seeded) -> dict:
    """Point the path at a seeded object (and If-Match at its version) when the generated
    one would only find nothing, so writes get past 404/428 to the rules on the body."""
    path = case.path_parameters or {}
    headers = {}
    layer = path.get("layer") or next(
        (k for k in ("boundary-lines", "boundary-markers") if k in case.operation.path), None
    )
    if "/placenames/" in case.operation.path and "editing" in case.operation.path:
        layer = "placenames"
    if "id" in path and layer in seeded["objects"]:
        pk, version = seeded["objects"][layer]
        path["id"] = pk
        headers["If-Match"] = etag_format(kind=layer, pk=pk, version=version)
    elif "id" in path and "/requests/" in case.operation.path:
        path["id"] = seeded["ids"]["request"]
    for name in ("street_id", "sign_id"):
        if name in path:
            path[name] = seeded["ids"][name]
    return headers


@WRITES.parametrize()
@pytest.mark.parametrize("role", [r.slug for r in ROLES])
@settings(
    max_examples=MAX_EXAMPLES // 2,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_writes_with_each_roles_key(case, role, seeded, db):
    headers = _aim_at_seeded(case, seeded)
    headers["Authorization"] = f"Token {seeded['keys'][role]}"
    _call(case, seeded, headers)


# The four operations whose schema used to promise more than they took (issue 12.4): every
# value generated from their schema now must be accepted. Positive data only, and a 200.
_ACCEPTING = schemathesis.openapi.from_dict(
    _RAW,
    config=schemathesis.Config.from_dict(
        {
            "generation": {
                "mode": "positive",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": False}},
            "checks": {"positive_data_acceptance": {"expected-statuses": [200]}},
        }
    ),
)
_ACCEPTING.app = SCHEMA.app
FOUR = _ACCEPTING.include(
    path_regex=r"^/api/v1/(coverage|reverse|addresses/streets/\{street_id\}/propose)$|^/tiles/",
    method="GET",
)


@FOUR.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_the_four_operations_accept_what_their_schema_calls_valid(case, seeded, db):
    path = case.path_parameters or {}
    if "street_id" in path:
        path["street_id"] = seeded["ids"]["street_id"]  # a street that exists
    if "z" in path:
        # The one rule a schema cannot state: a tile's x and y are below 2^z.
        path["x"], path["y"] = path["x"] % 2 ** path["z"], path["y"] % 2 ** path["z"]
    errors = seeded["errors"]
    errors.tracebacks.clear()
    response = case.call()
    assert response.status_code == 200, (case.formatted_path, case.query, response.text[:300])
    case.validate_response(response, checks=[*CHECKS, positive_data_acceptance])


def test_the_fuzzed_schema_covers_every_api_operation():
    """Nothing is left out: reads and writes together are all operations of the schema."""
    operations = {(m.upper(), p) for p, ops in _RAW["paths"].items() for m in ops}
    assert len(operations) >= 50
    fuzzed = {
        (r.ok().method.upper(), r.ok().path)
        for part in (READS, WRITES)
        for r in part.get_all_operations()
    }
    assert fuzzed == operations
