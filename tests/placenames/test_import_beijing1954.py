"""Beijing 1954 coordinates on import: converted with an approved parameter set, or refused."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from pyproj import Geod, Transformer
from shapely import Point

from boundaries.conversion import ParameterSpec, convert_coordinates
from boundaries.crs import crs_get
from boundaries.models import TransformationParameterSet
from boundaries.services.conversion import parameter_set_approve
from boundaries.transform_fit import pipeline_for
from placenames.importers.service import ImportRefused, placenames_import
from placenames.models import PlaceName
from placenames.services.names import categories_load
from tests.editing.factories import role_user

pytestmark = pytest.mark.django_db
GEOD = Geod(ellps="GRS80")
HEADER = ["标准名称", "类别", "所在(跨)行政区", "东经", "北纬", "坐标系"]
# Beijing 1954 (Krassowsky) lon/lat of two points in 兴安区.
BJ54_LONLAT = [(130.2300, 47.2500), (130.2350, 47.2550)]
# Of the size a real Beijing 1954 → CGCS2000 shift has in Heilongjiang (tens of metres).
SEVEN = {
    "tx_m": -18.2,
    "ty_m": 97.4,
    "tz_m": 42.6,
    "rx_arcsec": 0.42,
    "ry_arcsec": -1.15,
    "rz_arcsec": 2.08,
    "scale_ppm": 3.1,
}


@pytest.fixture
def archive_ready(hegang_areas):
    categories_load()


def _parameter_set(*, name: str, model="7p", parameters=None, source="EPSG:2440", approve=True):
    ps = TransformationParameterSet.objects.create(
        name=name,
        model=model,
        parameters=parameters or SEVEN,
        source_crs=source,
        target_crs="EPSG:4552",
        pipeline=pipeline_for(model, parameters or SEVEN, crs_get(source), crs_get("EPSG:4552")),
        rms_m=0.02,
    )
    if approve:
        parameter_set_approve(parameter_set=ps, approved_by="张科长")
    return ps


def _expected_4490(ps, lon, lat) -> tuple[float, float]:
    spec = ParameterSpec(ps.model, ps.parameters, ps.source_crs, ps.target_crs, ps.pipeline)
    got = convert_coordinates(spec, crs_get("EPSG:4214"), [lon], [lat])
    return float(got.lon[0]), float(got.lat[0])


def _csv(path: Path, crs_text: str) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerow(["北京甲路", "23512", "230405001", *BJ54_LONLAT[0], crs_text])
    writer.writerow(["北京乙路", "23512", "230405001", *BJ54_LONLAT[1], crs_text])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _shapefile_zip(tmp_path: Path, epsg: int) -> Path:
    """Return a zipped shapefile of the two points in a Beijing 1954 system (EPSG:4214/2440)."""
    to_grid = Transformer.from_crs(4214, epsg, always_xy=True)  # same datum: a projection only
    points = [Point(*to_grid.transform(lon, lat)) for lon, lat in BJ54_LONLAT]
    frame = gpd.GeoDataFrame(
        {
            "标准名称": ["北京甲路", "北京乙路"],
            "类别": ["23512"] * 2,
            "行政区划代码": ["230405001"] * 2,
        },
        geometry=points,
        crs=f"EPSG:{epsg}",
    )
    folder = tmp_path / "shp"
    folder.mkdir()
    frame.to_file(folder / "names.shp", encoding="UTF-8", engine="pyogrio")
    (folder / "names.cpg").write_text("UTF-8")
    out = tmp_path / "names.zip"
    with zipfile.ZipFile(out, "w") as z:
        for part in folder.iterdir():
            z.write(part, part.name)
    return out


def _moved_m(place, lon, lat) -> float:
    return abs(GEOD.inv(place.point_4490.x, place.point_4490.y, lon, lat)[2])


def test_declared_beijing_1954_rows_are_converted_with_the_approved_set(archive_ready, tmp_path):
    _parameter_set(name="旧参数（未审批）", approve=False)
    ps = _parameter_set(name="鹤岗北京54→2000 七参数")
    report = placenames_import(path=_csv(tmp_path / "bj54.csv", "北京54"))
    assert report.valid == 2 and not report.errors and report.written
    assert report.as_dict()["conversions"] == [
        {
            "source_crs": "EPSG:4214",
            "parameter_set_id": ps.pk,
            "parameter_set": "鹤岗北京54→2000 七参数",
            "rows": 2,
        }
    ]
    place = PlaceName.objects.get(standard_name="北京甲路")
    lon, lat = _expected_4490(ps, *BJ54_LONLAT[0])
    assert abs(place.point_4490.x - lon) < 1e-9 and abs(place.point_4490.y - lat) < 1e-9
    assert _moved_m(place, *BJ54_LONLAT[0]) > 10  # the datum shift was applied, not ignored


def test_beijing_1954_shapefile_in_gauss_kruger_is_converted(archive_ready, tmp_path):
    ps = _parameter_set(name="七参数")
    report = placenames_import(path=_shapefile_zip(tmp_path, 2440))
    assert report.valid == 2, report.errors
    assert report.conversions["EPSG:2440"]["parameter_set_id"] == ps.pk
    place = PlaceName.objects.get(standard_name="北京乙路")
    lon, lat = _expected_4490(ps, *BJ54_LONLAT[1])
    assert GEOD.inv(place.point_4490.x, place.point_4490.y, lon, lat)[2] < 0.01


def test_without_an_approved_set_nothing_is_written_and_the_command_fails(
    archive_ready, tmp_path, capsys
):
    _parameter_set(name="未审批的七参数", approve=False)
    path = _csv(tmp_path / "bj54.csv", "北京1954")
    report = placenames_import(path=path)
    assert not report.written and report.refused_rows == 2
    assert "没有适用于 EPSG:4214 的已批准转换参数集" in report.errors[0].reason
    with pytest.raises(CommandError):
        call_command("import_placenames", str(path))
    assert "已批准转换参数集" in capsys.readouterr().err
    with pytest.raises(ImportRefused, match="没有适用于 EPSG:2440 的已批准转换参数集"):
        placenames_import(path=_shapefile_zip(tmp_path, 2440))
    assert not PlaceName.objects.filter(standard_name__startswith="北京").exists()


def test_a_four_parameter_set_converts_only_its_own_grid(archive_ready, tmp_path):
    four = {"tx_m": 12.5, "ty_m": -80.2, "scale": 1.0000031, "rotation_arcsec": 1.2}
    ps = _parameter_set(name="2440 平面四参数", model="4p", parameters=four)
    refused = placenames_import(path=_csv(tmp_path / "bj54.csv", "北京54"))  # EPSG:4214
    assert refused.errors and not refused.written
    report = placenames_import(path=_shapefile_zip(tmp_path, 2440))
    assert report.valid == 2 and report.conversions["EPSG:2440"]["parameter_set_id"] == ps.pk
    np.testing.assert_array_less(0, [p.point_4490.x for p in PlaceName.objects.all()])


def test_officer_page_names_the_parameter_set_used(client, archive_ready, tmp_path):
    client.force_login(role_user("officer54", "placename_officer"))
    ps = _parameter_set(name="鹤岗七参数 2026")
    upload = SimpleUploadedFile("北京54.csv", _csv(tmp_path / "bj54.csv", "北京54").read_bytes())
    page = client.post(
        "/placenames/officer/", {"action": "import", "file": upload, "dry_run": "on"}
    ).content.decode()
    assert "共 2 行，正确 2 行" in page
    assert f"转换参数集「鹤岗七参数 2026」（编号 {ps.pk}）" in page
