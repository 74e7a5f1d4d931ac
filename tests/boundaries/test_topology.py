"""Topology checks: pure functions on small shapes, and the API over the demo data."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from shapely.geometry import LineString, MultiLineString, box
from shapely.geometry import Point as SPoint

from boundaries import topology
from boundaries.demo_loader import boundary_demo_load, boundary_versions_load
from boundaries.lines import marker_spots, orient_line, shared_edges
from boundaries.models import BoundaryMarker


def test_tiling_finds_gaps_and_overlaps_wider_than_the_tolerance():
    parent = box(0, 0, 1000, 1000)
    good = {"a": box(0, 0, 500, 1000), "b": box(500, 0, 1000, 1000)}
    assert topology.check_tiling("p", parent, good, tol_m=1.0) == []
    sliver = {"a": box(0, 0, 499.9, 1000), "b": box(500, 0, 1000, 1000)}  # 10 cm gap
    assert topology.check_tiling("p", parent, sliver, tol_m=1.0) == []
    gap = {"a": box(0, 0, 480, 1000), "b": box(500, 0, 1000, 1000)}
    issues = topology.check_tiling("p", parent, gap, tol_m=1.0)
    assert [i.check for i in issues] == ["tiling"] and "空隙" in issues[0].message
    overlap = {"a": box(0, 0, 520, 1000), "b": box(500, 0, 1000, 1000)}
    assert "重叠" in topology.check_tiling("p", parent, overlap, tol_m=1.0)[0].message


def test_line_on_shared_edge_and_markers_on_line():
    a, b = box(0, 0, 500, 1000), box(500, 0, 1000, 1000)
    edge = shared_edges({"a": a, "b": b})[("a", "b")]
    assert edge.length == pytest.approx(1000, abs=2.5)  # runs on ≤ snap past the corners
    assert topology.check_line_on_edge("L", edge, a, b, tol_m=2.0) == []
    bent = MultiLineString([LineString([(500, 0), (530, 500), (500, 1000)])])
    issues = topology.check_line_on_edge("L", bent, a, b, tol_m=2.0)
    assert issues and "偏离" in issues[0].message
    half = MultiLineString([LineString([(500, 0), (500, 500)])])
    assert "没有界线" in topology.check_line_on_edge("L", half, a, b, tol_m=2.0)[0].message
    markers = [("L001Q", SPoint(500.2, 10)), ("L002Q", SPoint(505, 500))]
    issues = topology.check_markers_on_line("L", edge, markers, tol_m=1.0)
    assert [i.subject for i in issues] == ["L002Q"]


def test_numbering_gaps_duplicates_and_unpaired():
    ok = [("L001Q", 1, "Q"), ("L002A", 2, "A"), ("L002B", 2, "B"), ("L003Q", 3, "Q")]
    assert topology.check_numbering("L", ok) == []
    bad = [("L001Q", 1, "Q"), ("L001Q", 1, "Q"), ("L003A", 3, "A"), ("L04Q", 4, "Q")]
    messages = " ".join(i.message for i in topology.check_numbering("L", bad))
    assert "重复" in messages and "缺号：002" in messages and "不成对" in messages
    assert "应为 L004Q" in messages


def test_markers_are_numbered_west_to_east():
    line = orient_line(MultiLineString([LineString([(1000, 0), (0, 10)])]))
    spots = marker_spots(line, spacing_m=250, paired_every=3)
    assert [s.sequence for s in spots][:3] == [1, 2, 3]
    assert spots[0].x < spots[-1].x
    assert {s.type_code for s in spots if s.sequence == 3} == {"A", "B"}


@pytest.fixture
def signed_in(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="pw-reader-12"))
    return client


@pytest.mark.django_db
def test_boundary_api_needs_a_signed_in_user(client):
    assert client.get("/api/v1/boundaries/markers").status_code in {401, 403}


@pytest.mark.django_db
def test_topology_api_on_the_demo_and_with_faults(signed_in, hegang_areas, hegang_data_dir):
    client = signed_in
    boundary_versions_load(echarts_path=hegang_data_dir / "echarts2017_gcj02.geojson")
    boundary_demo_load()
    data = client.get("/api/v1/boundaries/topology").json()
    assert data["checked"]["lines"] == 12 and data["checked"]["parents"] == 1
    # The demo lines, markers and the Amap tiling are clean; the two versions differ everywhere.
    assert set(data["summary"]) == {"version_diff"}
    assert data["summary"]["version_diff"] == 8
    differing = {f["properties"]["subject"] for f in data["features"]}
    assert "230421" in differing  # 萝北县

    marker = BoundaryMarker.objects.order_by("pk")[5]
    marker.geom_4490 = Point(
        marker.geom_4490.x + 0.0003, marker.geom_4490.y, srid=4490
    )  # ~23 m east
    marker.save()
    gone = BoundaryMarker.objects.filter(sequence=2, type_code="Q").order_by("pk").first()
    gone.findings.all().delete()
    gone.delete()
    data = client.get("/api/v1/boundaries/topology", {"marker_tol_m": "2"}).json()
    subjects = {f["properties"]["subject"] for f in data["features"]}
    assert marker.number in subjects
    assert data["summary"]["numbering"] >= 1
    moved = next(f for f in data["features"] if f["properties"]["subject"] == marker.number)
    assert moved["geometry"]["type"] == "Point"
    assert 2 < moved["properties"]["value_m"] < 23  # moved ~23 m east, off a slanting line


@pytest.mark.django_db
def test_topology_api_names_bad_parameters(signed_in):
    client = signed_in
    r = client.get("/api/v1/boundaries/topology", {"line_tol_m": "abc"})
    assert r.status_code == 400 and r.json()["parameter"] == "line_tol_m"
    r = client.get("/api/v1/boundaries/topology", {"tolerance": "5"})
    assert r.status_code == 400 and r.json()["parameter"] == "tolerance"
    r = client.get("/api/v1/boundaries/topology", {"versions": "a,b"})
    assert r.status_code == 400 and r.json()["parameter"] == "versions"


@pytest.mark.django_db
def test_lines_and_markers_api(signed_in, hegang_areas):
    client = signed_in
    boundary_demo_load()
    lines = client.get("/api/v1/boundaries/lines").json()
    assert len(lines["features"]) == 12
    assert all(f["properties"]["is_demo"] for f in lines["features"])
    code = lines["features"][0]["properties"]["code"]
    markers = client.get("/api/v1/boundaries/markers", {"line": code}).json()["features"]
    assert markers and all(m["properties"]["number"].startswith(code) for m in markers)
    assert markers[0]["properties"]["state"] in {"intact", "damaged", "moved", "missing"}
    r = client.get("/api/v1/boundaries/markers", {"line": "nope"})
    assert r.status_code == 400 and r.json()["parameter"] == "line"
