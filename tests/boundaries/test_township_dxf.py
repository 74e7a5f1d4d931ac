"""Township polygons from a surveyor's DXF: closed polylines, the code in the layer name or
a label inside, a declared system (CGCS2000 GK or Beijing 1954 with the approved set),
and the refusals that leave the archive as it was."""

from __future__ import annotations

import io
from io import StringIO

import ezdxf
import numpy as np
import pytest
import shapely
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from pyproj import Transformer

from boundaries.bulk.staging import BoundaryImportRefused
from boundaries.importers.dxf_polygons import parse_dxf_townships
from boundaries.importers.surveys import SurveyFileError
from boundaries.models import AdministrativeArea
from boundaries.services.bulk import boundaries_import
from tests.editing.factories import demo_boundaries, role_user

TO_GK43 = Transformer.from_crs(4490, 4552, always_xy=True)
FROM_GK43 = Transformer.from_crs(4552, 4490, always_xy=True)


def _dxf(outlines, texts=(), *, hatch=None) -> bytes:
    """A drawing: (points, layer, closed) polylines, (x, y, text) labels, one hatch ring."""
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for points, layer, closed in outlines:
        msp.add_lwpolyline(points, close=closed, dxfattribs={"layer": layer})
    for x, y, text in texts:
        msp.add_text(text, dxfattribs={"insert": (x, y), "layer": "注记"})
    if hatch is not None:
        msp.add_hatch(dxfattribs={"layer": hatch[1]}).paths.add_polyline_path(hatch[0])
    out = io.StringIO()
    doc.write(out)
    return out.getvalue().encode("utf-8")


def _square(cx, cy, half):
    return [(cx - half, cy - half), (cx + half, cy - half), (cx + half, cy + half), (cx - half, cy + half)]  # fmt: skip


# --- the drawing (no database) ----------------------------------------------------------


def test_a_label_inside_names_the_township_and_an_enclave_is_cut_out():
    x0, y0 = 600_000, 5_200_000
    data = _dxf(
        [(_square(x0, y0, 1000), "乡镇界", True), (_square(x0, y0, 200), "乡镇界", True)],
        [(x0 + 500, y0 + 500, "230402001 光明街道"), (x0, y0, "230402002")],
    )
    drawing = parse_dxf_townships(data, declared_crs="EPSG:4552")
    areas = {t.code: t.geometry.area for t in drawing.townships}
    assert areas == pytest.approx({"230402001": 2000**2 - 400**2, "230402002": 400**2})
    assert drawing.crs.code == "EPSG:4552"


def test_a_hatch_over_its_polyline_counts_once_and_the_layer_gives_the_code():
    x0, y0 = 600_000, 5_200_000
    ring = _square(x0, y0, 500)
    data = _dxf([(ring, "230402003", True)], hatch=(ring, "230402003"))
    [township] = parse_dxf_townships(data, declared_crs="EPSG:4552").townships
    assert township.code == "230402003" and township.geometry.area == pytest.approx(1000**2)


def test_a_label_that_contradicts_the_layer_name_is_refused():
    x0, y0 = 600_000, 5_200_000
    data = _dxf([(_square(x0, y0, 500), "230402001", True)], [(x0, y0, "230402002")])
    with pytest.raises(
        SurveyFileError, match="标注为 230402002，与图层名中的区划代码 230402001 不一致"
    ):
        parse_dxf_townships(data, declared_crs="EPSG:4552")


# --- the import ---------------------------------------------------------------------------


def _townships(county: str, n: int) -> list[AdministrativeArea]:
    return list(
        AdministrativeArea.objects.filter(
            parent__code=county, level="township", valid_to__isnull=True
        ).order_by("code")[:n]
    )


def _inside_county_gk43(county: str) -> tuple[float, float]:
    area = AdministrativeArea.objects.get(code=county, valid_to__isnull=True)
    p = area.geom_4490.point_on_surface
    return TO_GK43.transform(p.x, p.y)


def _state(codes):
    return sorted(
        AdministrativeArea.objects.filter(code__in=codes, valid_to__isnull=True).values_list(
            "code", "version", "geom_is_demo"
        )
    )


@pytest.mark.django_db
def test_a_cgcs2000_gk_drawing_gives_two_townships_their_surveyed_polygons(hegang_areas, tmp_path):
    first, second = _townships("230402", 2)
    AdministrativeArea.objects.filter(pk__in=[first.pk, second.pk]).update(geom_is_demo=True)
    x, y = _inside_county_gk43("230402")
    path = tmp_path / "乡镇界.dxf"
    path.write_bytes(
        _dxf(
            [
                (_square(x - 300, y, 250), first.code, True),  # the code as the layer name
                (_square(x + 300, y, 250), "乡镇界", True),  # the code in a label inside
            ],
            [(x + 300, y, f"{second.code} {second.name}")],
        )
    )
    report = boundaries_import(layer="areas", path=path, declared_crs="EPSG:4552")
    assert report["errors"] == [] and report["updated"] == 2
    assert "2 个乡级区域面" in report["summary"]
    for area in (first, second):
        area.refresh_from_db()
        assert area.geom_is_demo is False
        area_m2 = shapely.transform(
            shapely.from_wkb(bytes(area.geom_4490.wkb)),
            lambda xy: np.column_stack(TO_GK43.transform(xy[:, 0], xy[:, 1])),
        ).area
        assert area_m2 == pytest.approx(500 * 500, rel=1e-4)
    lon, lat = FROM_GK43.transform(x - 300, y)
    assert first.geom_4490.contains(Point(lon, lat, srid=4490))


@pytest.mark.django_db
def test_a_beijing1954_drawing_is_converted_with_the_approved_parameter_set(hegang_areas, tmp_path):
    _line, marker = demo_boundaries()
    [township] = _townships("230402", 1)
    # A square in the Beijing 1954 system the approved set converts, well inside the county.
    to_bj54 = Transformer.from_crs(4490, marker.original_crs, always_xy=True)
    p = AdministrativeArea.objects.get(code="230402", valid_to__isnull=True).geom_4490
    x, y = to_bj54.transform(p.point_on_surface.x, p.point_on_surface.y)
    path = tmp_path / "bj54.dxf"
    path.write_bytes(_dxf([(_square(x, y, 200), township.code, True)]))
    report = boundaries_import(layer="areas", path=path, declared_crs=marker.original_crs)
    assert report["errors"] == [] and report["updated"] == 1
    [conversion] = report["conversions"]
    assert conversion["source_crs"] == marker.original_crs
    assert conversion["parameter_set_id"] == marker.converted_with_id
    township.refresh_from_db()
    assert township.geom_4490 is not None and township.geom_is_demo is False


@pytest.mark.django_db
def test_a_polyline_that_does_not_close_is_refused_naming_its_handle_and_layer(
    hegang_areas, tmp_path
):
    first, second = _townships("230402", 2)
    x, y = _inside_county_gk43("230402")
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    msp.add_lwpolyline(_square(x - 300, y, 250), close=True, dxfattribs={"layer": first.code})
    open_line = msp.add_lwpolyline(_square(x + 300, y, 250), dxfattribs={"layer": second.code})
    path = tmp_path / "open.dxf"
    doc.saveas(path)
    before = _state([first.code, second.code])
    with pytest.raises(BoundaryImportRefused) as refused:
        boundaries_import(layer="areas", path=path, declared_crs="EPSG:4552")
    assert "线未闭合" in refused.value.message
    assert f"图元 {open_line.dxf.handle}（图层 {second.code}）" in refused.value.message
    assert _state([first.code, second.code]) == before


@pytest.mark.django_db
def test_a_drawing_without_a_declared_system_is_refused(hegang_areas, tmp_path):
    [township] = _townships("230402", 1)
    x, y = _inside_county_gk43("230402")
    path = tmp_path / "no-crs.dxf"
    path.write_bytes(_dxf([(_square(x, y, 250), township.code, True)]))
    before = _state([township.code])
    with pytest.raises(BoundaryImportRefused, match="DXF 不含坐标系信息：请声明坐标系"):
        boundaries_import(layer="areas", path=path)
    assert _state([township.code]) == before


@pytest.mark.django_db
def test_a_polygon_reaching_outside_its_county_is_refused_naming_the_entity(hegang_areas, tmp_path):
    [township] = _townships("230402", 1)
    county = AdministrativeArea.objects.get(code="230402", valid_to__isnull=True)
    corner = county.geom_4490.boundary.coords[0][0]  # a vertex of the county outline
    x, y = TO_GK43.transform(*corner)
    path = tmp_path / "outside.dxf"
    path.write_bytes(_dxf([(_square(x, y, 800), township.code, True)]))
    before = _state([township.code])
    report = boundaries_import(layer="areas", path=path, declared_crs="EPSG:4552")
    assert report["refused"] is True and report["updated"] == 0
    [error] = report["errors"]
    assert "在上级区域 230402 之外" in error["reason"]
    assert error["reason"].startswith(f"{township.name}（{township.code}，图元 ")
    assert _state([township.code]) == before


@pytest.mark.django_db
def test_a_code_that_is_not_a_current_township_is_refused(hegang_areas, tmp_path):
    [township] = _townships("230402", 1)
    x, y = _inside_county_gk43("230402")
    path = tmp_path / "unknown.dxf"
    path.write_bytes(
        _dxf(
            [
                (_square(x - 300, y, 250), township.code, True),
                (_square(x + 300, y, 250), "0", True),
            ],
            [(x + 300, y, "230402999")],
        )
    )
    before = _state([township.code])
    with pytest.raises(BoundaryImportRefused, match="区划代码不是现行的乡级区域：230402999"):
        boundaries_import(layer="areas", path=path, declared_crs="EPSG:4552")
    assert _state([township.code]) == before
    assert not AdministrativeArea.objects.filter(code="230402999").exists()


@pytest.mark.django_db
def test_the_command_imports_a_dxf_with_its_declared_system(hegang_areas, tmp_path):
    [township] = _townships("230402", 1)
    x, y = _inside_county_gk43("230402")
    path = tmp_path / "t.dxf"
    path.write_bytes(_dxf([(_square(x, y, 250), township.code, True)]))
    out = StringIO()
    call_command("import_boundaries", "areas", str(path), "--crs", "EPSG:4552", stdout=out)
    assert "已更新 1 条" in out.getvalue() and "DXF" in out.getvalue()
    township.refresh_from_db()
    assert township.geom_4490 is not None


@pytest.mark.django_db
def test_the_upload_page_takes_a_township_dxf_as_a_dry_run(hegang_areas, client, tmp_path):
    [township] = _townships("230402", 1)
    x, y = _inside_county_gk43("230402")
    officer = role_user("bnd-dxf", "boundary_officer")
    client.force_login(officer)
    upload = SimpleUploadedFile(
        "乡镇界.dxf", _dxf([(_square(x, y, 250), township.code, True)]), "image/vnd.dxf"
    )
    page = client.post(
        "/boundaries/import/",
        {
            "kind": "townships_dxf",
            "survey_file": upload,
            "declared_crs": "EPSG:4552",
            "dry_run": "on",
        },
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "检查结果（未写入）" in text and "将更新 1 条" in text
    township.refresh_from_db()
    assert township.geom_4490 is None  # a dry run writes nothing
