"""OGC API – Features at /ogc/: what a GIS analyst of another department sees and is refused."""

from __future__ import annotations

import json
import re
from datetime import date

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from boundaries.models import BoundaryMarker
from gis_portal.models import ApiKeyScope, SharedUsage
from gis_portal.ogc.query import ITEMS_PARAMS
from placenames.addresses.models import DoorPlate
from tests.editing.factories import demo_boundaries, role_user
from tests.ogc.factories import EAST, LAT, WEST, keyed, street_with_plates

pytestmark = pytest.mark.django_db
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


def get_json(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, response.content[:500]
    return response, json.loads(response.content)


def test_landing_page_links_the_api_definition_conformance_and_collections(client):
    _, doc = get_json(client, "/ogc/")
    rels = {link["rel"] for link in doc["links"]}
    assert {"service-desc", "conformance", "data", "self"} <= rels
    _, conf = get_json(client, "/ogc/conformance")
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf["conformsTo"]
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text" in conf["conformsTo"]


def test_the_openapi_document_describes_the_items_parameters(client):
    response = client.get("/ogc/api")
    assert response.status_code == 200
    doc = json.loads(response.content)
    items = doc["paths"]["/ogc/collections/{collection_id}/items"]["get"]
    names = {p["name"] for p in items["parameters"]}
    assert {
        "bbox",
        "bbox-crs",
        "crs",
        "limit",
        "offset",
        "datetime",
        "filter",
        "filter-lang",
    } <= names
    assert all(path.startswith("/ogc/") for path in doc["paths"])


def test_collections_list_public_layers_and_hide_staff_layers_from_the_public(client, hegang_areas):
    demo_boundaries()
    _, doc = get_json(client, "/ogc/collections")
    ids = {c["id"] for c in doc["collections"]}
    assert {"door-plates", "streets", "placenames", "areas", "facilities"} <= ids
    assert "boundary-lines" not in ids and "boundary-markers" not in ids
    unknown = client.get("/ogc/collections/no-such-layer/items")
    staff = client.get("/ogc/collections/boundary-lines/items")
    assert staff.status_code == unknown.status_code == 404
    assert json.loads(staff.content)["description"].replace("boundary-lines", "X") == json.loads(
        unknown.content
    )["description"].replace("no-such-layer", "X")


def test_a_department_key_with_the_read_scope_reads_staff_layers_and_its_use_is_logged(
    client, hegang_areas
):
    _line, marker = demo_boundaries()
    header = keyed("natural-resources", "department", scopes=("ogc:read",))
    _, doc = get_json(client, "/ogc/collections", HTTP_AUTHORIZATION=header)
    assert {"boundary-lines", "boundary-markers"} <= {c["id"] for c in doc["collections"]}
    _, items = get_json(
        client, "/ogc/collections/boundary-markers/items", HTTP_AUTHORIZATION=header
    )
    markers = BoundaryMarker.objects.count()
    assert items["numberMatched"] == markers and markers > 0
    assert marker.pk in {f["id"] for f in items["features"]}
    usage = SharedUsage.objects.get(username="natural-resources")
    assert (usage.collection, usage.features, usage.request_kind) == (
        "boundary-markers",
        items["numberReturned"],
        "items",
    )


def test_a_key_without_the_read_scope_or_of_an_unknown_role_sees_no_staff_layer(
    client, hegang_areas
):
    demo_boundaries()
    no_scope = keyed("dept-noscope", "department")
    for header in (no_scope, "Token " + "0" * 64):
        response = client.get("/ogc/collections/boundary-lines", HTTP_AUTHORIZATION=header)
        assert response.status_code in (401, 404)
        assert json.loads(response.content)["description"]
    response = client.get("/ogc/collections/boundary-lines", HTTP_AUTHORIZATION=no_scope)
    assert response.status_code == 404


def test_items_page_with_counts_and_next_and_prev_links(client):
    street_with_plates(25)
    _, page = get_json(client, "/ogc/collections/door-plates/items?limit=10&offset=10")
    assert page["numberMatched"] == 25 and page["numberReturned"] == 10
    links = {link["rel"]: link["href"] for link in page["links"]}
    assert "offset=20" in links["next"] and "offset=0" in links["prev"]
    # The next link starts after the page's last id (no OFFSET rescan); not counted again.
    assert f"after={page['features'][-1]['id']}" in links["next"]
    _, last = get_json(client, links["next"].split("testserver")[1])
    assert last["numberReturned"] == 5 and "numberMatched" not in last
    assert "next" not in {link["rel"] for link in last["links"]}
    assert page["features"][0]["properties"]["street"] == "新华路"


def test_crs_is_applied_with_its_axis_order_and_named_in_content_crs(client):
    [plate] = street_with_plates(1)
    lon, lat = plate.point_4490.x, plate.point_4490.y
    response, doc = get_json(client, "/ogc/collections/door-plates/items")
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    assert doc["features"][0]["geometry"]["coordinates"] == pytest.approx([lon, lat])
    response, doc = get_json(client, f"/ogc/collections/door-plates/items?crs={EPSG}4490")
    assert response["Content-Crs"] == f"<{EPSG}4490>"
    assert doc["features"][0]["geometry"]["coordinates"] == pytest.approx([lat, lon])
    response, doc = get_json(client, f"/ogc/collections/door-plates/items?crs={EPSG}4552")
    north, east = doc["features"][0]["geometry"]["coordinates"]
    assert 5_200_000 < north < 5_300_000 and 500_000 < east < 600_000
    response, one = get_json(client, f"/ogc/collections/door-plates/items/{plate.pk}?crs=EPSG:4553")
    assert response["Content-Crs"] == f"<{EPSG}4553>"
    assert one["id"] == plate.pk and one["geometry"]["coordinates"][1] < 500_000


def test_bbox_in_each_crs_selects_the_same_plates(client):
    plates = street_with_plates(10)
    west_half = [p.pk for p in plates if p.point_4490.x < (WEST + EAST) / 2]
    box = f"{WEST - 0.001},{LAT - 0.01},{(WEST + EAST) / 2},{LAT + 0.01}"
    _, doc = get_json(client, f"/ogc/collections/door-plates/items?bbox={box}")
    assert sorted(f["id"] for f in doc["features"]) == sorted(west_half)
    lat_first = f"{LAT - 0.01},{WEST - 0.001},{LAT + 0.01},{(WEST + EAST) / 2}"
    _, doc = get_json(
        client, f"/ogc/collections/door-plates/items?bbox={lat_first}&bbox-crs={EPSG}4490"
    )
    assert sorted(f["id"] for f in doc["features"]) == sorted(west_half)


def test_properties_selection_and_datetime_on_a_dated_layer(client):
    plates = street_with_plates(3)
    DoorPlate.objects.filter(pk=plates[0].pk).update(installed_on=date(2019, 5, 1))
    DoorPlate.objects.filter(pk=plates[1].pk).update(installed_on=date(2022, 5, 1))
    _, doc = get_json(client, "/ogc/collections/door-plates/items?properties=plate,street")
    assert set(doc["features"][0]["properties"]) == {"plate", "street"}
    _, doc = get_json(client, "/ogc/collections/door-plates/items?datetime=2020-01-01")
    # In force on that day: installed before it (plate 0) or of unknown date (plate 2).
    assert sorted(f["id"] for f in doc["features"]) == sorted([plates[0].pk, plates[2].pk])
    _, doc = get_json(client, "/ogc/collections/door-plates/items?datetime=2021-01-01/..")
    assert len(doc["features"]) == 3


def test_cql2_temporal_functions_select_plates_by_installation_and_service_period(client):
    plates = street_with_plates(3)
    DoorPlate.objects.filter(pk=plates[0].pk).update(installed_on=date(2019, 5, 1))
    DoorPlate.objects.filter(pk=plates[1].pk).update(
        installed_on=date(2021, 5, 1), retired_on=date(2023, 1, 1)
    )
    url = "/ogc/collections/door-plates/items"

    def ids(text, **headers):
        _, doc = get_json(client, url, data={"filter": text}, **headers)
        return sorted(f["id"] for f in doc["features"])

    assert ids("T_BEFORE(installed_on, DATE('2020-01-01'))") == [plates[0].pk]
    assert ids("T_AFTER(installed_on, DATE('2020-01-01'))") == [plates[1].pk]
    assert ids("T_DURING(installed_on, INTERVAL('2019-01-01', '2019-12-31'))") == [plates[0].pk]
    assert ids("T_INTERSECTS(installed_on, INTERVAL('2021-05-01', '..'))") == [plates[1].pk]
    assert ids("T_EQUALS(installed_on, DATE('2019-05-01'))") == [plates[0].pk]
    # The service period (staff see the retirement date): in service during 2022, an open
    # end (not retired) running on, a plate of unknown installation date from the start.
    header = keyed("officer-temporal", "placename_officer", scopes=("ogc:read",))
    period = "INTERVAL(installed_on, retired_on)"
    in_2022 = f"T_INTERSECTS({period}, INTERVAL('2022-01-01', '2022-12-31'))"
    assert ids(in_2022, HTTP_AUTHORIZATION=header) == sorted(p.pk for p in plates)
    in_2024 = f"T_INTERSECTS({period}, DATE('2024-01-01'))"
    assert ids(in_2024, HTTP_AUTHORIZATION=header) == sorted([plates[0].pk, plates[2].pk])
    # The public does not see the retirement date: it cannot be filtered on either.
    _, doc = get_json(client, url, status=400, data={"filter": in_2024})
    assert doc["parameter"] == "filter" and "未知属性" in doc["description"]
    _, doc = get_json(
        client, url, status=400, data={"filter": "T_AFTER(street, DATE('2020-01-01'))"}
    )
    assert "只能用于日期属性" in doc["description"]
    _, conformance = get_json(client, "/ogc/conformance")
    assert any(c.endswith("/cql2/1.0/conf/temporal-functions") for c in conformance["conformsTo"])


def test_cql2_text_and_json_filters_select_by_queryables(client):
    plates = street_with_plates(6)
    street_with_plates(2, name="红旗路")
    numbers = sorted(p.number for p in plates)
    url = "/ogc/collections/door-plates/items"
    _, doc = get_json(client, url, data={"filter": f"street = '新华路' AND number > {numbers[2]}"})
    assert doc["numberMatched"] == 3
    tree = {"op": "like", "args": [{"property": "street"}, "红%"]}
    _, doc = get_json(client, url, data={"filter": json.dumps(tree), "filter-lang": "cql2-json"})
    assert doc["numberMatched"] == 2
    box = f"S_INTERSECTS(geometry, BBOX({WEST},{LAT},{(WEST + EAST) / 2},{LAT + 0.01}))"
    _, doc = get_json(client, url, data={"filter": box + " AND street = '新华路'"})
    assert 0 < doc["numberMatched"] < 6
    _, doc = get_json(client, url, data={"filter": "status = '待制作'"})
    label_count = doc["numberMatched"]
    _, doc = get_json(client, url, data={"filter": "status = 'planned'"})
    assert doc["numberMatched"] == label_count == 8


def test_queryables_name_fields_by_their_labels(client):
    _, doc = get_json(client, "/ogc/collections/door-plates/queryables")
    assert doc["properties"]["street"]["title"] == "所在街路巷"
    assert doc["properties"]["geometry"]["format"] == "geometry-point"
    assert "side" not in doc["properties"]  # a staff-only field, not shown to the public


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("limit=10001", "limit", "不能大于"),
        ("offset=-1", "offset", "不能小于"),
        ("bbox=130.3,47.3,130.2,47.4", "bbox", "颠倒"),
        ("bbox=1,2,3", "bbox", "4 个数"),
        ("bbox=10,10,11,11&bbox-crs=EPSG:4552", "bbox", "适用区域"),
        ("crs=EPSG:3857", "crs", "不支持的坐标参照系"),
        ("bbox-crs=urn:x", "bbox-crs", "不支持"),
        ("properties=nope", "properties", "未知属性"),
        ("properties=side", "properties", "未知属性"),
        ("filter=nope = 1", "filter", "未知属性"),
        ("filter=side = 'left'", "filter", "未知属性"),
        ("filter=number = 'x'", "filter", "类型"),
        ("filter=street = ", "filter", "语法错误"),
        ("filter=abs(number) = 1", "filter", "不允许的函数"),
        ("filter=status > 'x'", "filter", "只能用"),
        ("filter={&filter-lang=cql2-json", "filter", "JSON"),
        ("filter-lang=cql2-json", "filter-lang", "只在给出 filter 时"),
        ("datetime=yesterday", "datetime", "应为日期"),
        ("datetime=2020-01-01/2019-01-01", "datetime", "开始晚于结束"),
        ("f=xml", "f", "取值应为"),
        ("page_size=5", "page_size", "不支持的参数"),
        ("filter=street = '''; DROP TABLE addresses_doorplate; --'", None, None),
        ("filter=street LIKE '%(.*)+[a-z]\\\\'", None, None),
    ],
)
def test_bad_input_is_refused_in_chinese_naming_the_parameter(client, query, parameter, words):
    street_with_plates(2)
    response = client.get(f"/ogc/collections/door-plates/items?{query}")
    if parameter is None:  # metacharacters are values: answered, nothing executed
        assert response.status_code == 200
        assert DoorPlate.objects.count() == 2
        return
    assert response.status_code == 400, response.content
    body = json.loads(response.content)
    assert body["code"] == "InvalidParameterValue"
    assert body["parameter"] == parameter
    assert words in body["description"], body["description"]


def test_datetime_on_a_layer_without_dates_is_refused(client, hegang_areas):
    demo_boundaries()
    header = keyed("dept-dt", "department", scopes=("ogc:read",))
    response = client.get(
        "/ogc/collections/boundary-markers/items?datetime=2020-01-01", HTTP_AUTHORIZATION=header
    )
    assert response.status_code == 400
    assert "没有有效期" in json.loads(response.content)["description"]


def test_a_query_cut_by_the_statement_timeout_is_refused_with_a_clear_message(client, settings):
    """A statement waiting on a lock counts against the timeout as a slow scan does: another
    session holds the facilities table, so the items query cannot finish in time."""
    settings.OGC_STATEMENT_TIMEOUT_MS = 300
    other = psycopg.connect(_plain_url(), autocommit=False)
    try:
        other.execute("LOCK TABLE facilities_facility IN ACCESS EXCLUSIVE MODE")
        response = client.get(
            "/ogc/collections/facilities/items", data={"filter": "name LIKE '%养老%'"}
        )
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 400
    body = json.loads(response.content)
    assert "已中止" in body["description"] and "0.3 秒" in body["description"]


def _plain_url() -> str:
    params = connection.get_connection_params()
    return psycopg.conninfo.make_conninfo(
        host=params.get("host", ""),
        port=params.get("port", ""),
        dbname=params["dbname"],
        user=params.get("user", ""),
    )


def test_single_item_and_unknown_item(client):
    [plate] = street_with_plates(1)
    _, doc = get_json(client, f"/ogc/collections/door-plates/items/{plate.pk}")
    assert doc["id"] == plate.pk and doc["properties"]["street"] == "新华路"
    for missing in ("999999999", "abc"):
        response = client.get(f"/ogc/collections/door-plates/items/{missing}")
        assert response.status_code == 404
        assert "没有编号为" in json.loads(response.content)["description"]


def test_html_pages_are_chinese_and_show_labels(client):
    street_with_plates(3)
    for url in (
        "/ogc/",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/door-plates",
        "/ogc/collections/door-plates/queryables",
        "/ogc/collections/door-plates/items",
    ):
        response = client.get(url, HTTP_ACCEPT="text/html,application/xhtml+xml")
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")
        text = response.content.decode()
        assert "数据共享服务" in text
    text = client.get("/ogc/collections/door-plates/items?f=html").content.decode()
    assert "所在街路巷" in text and "新华路" in text
    assert "name_on_plate" not in text
    refused = client.get(
        "/ogc/collections/door-plates/items?f=html&limit=0", HTTP_ACCEPT="text/html"
    )
    assert refused.status_code == 400 and "limit" in refused.content.decode()
    assert refused["Content-Type"].startswith("text/html")
    # A script asking for HTML still gets its refusal as JSON.
    refused = client.get("/ogc/collections/door-plates/items?f=html&limit=0")
    assert json.loads(refused.content)["parameter"] == "limit"


def test_issue_token_grants_the_read_scope_and_refuses_an_unknown_one(capsys):
    role_user("dept-cli", "department")
    call_command("issue_token", "dept-cli", "--scope", "ogc:read")
    assert len(capsys.readouterr().out.strip()) > 40
    assert ApiKeyScope.objects.get(token__user__username="dept-cli").scopes == "ogc:read"
    with pytest.raises(CommandError, match="未知的令牌范围"):
        call_command("issue_token", "dept-cli", "--scope", "ogc:write")


@pytest.mark.parametrize("name", sorted(ITEMS_PARAMS.names))
def test_sql_and_regex_metacharacters_in_any_parameter_are_refused_or_inert(client, name):
    street_with_plates(2)
    hostile = "1'); DROP TABLE addresses_doorplate; --.*[(\\d+)$"
    response = client.get("/ogc/collections/door-plates/items", data={name: hostile})
    assert response.status_code == 400, (name, response.content[:300])
    body = json.loads(response.content)
    assert body["parameter"] == name and re.search(r"[\u4e00-\u9fff]", body["description"])
    assert DoorPlate.objects.count() == 2
    response = client.get(f"/ogc/collections/{hostile}/items")
    assert response.status_code in (400, 404)
