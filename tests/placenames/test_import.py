"""Importing the census archive: every format, every kind of bad input, nothing half-written."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
from django.core.management import CommandError, call_command
from shapely import Point, Polygon, from_wkt

from boundaries.geodesy import wgs84_to_gcj02
from placenames.importers.service import ImportRefused, placenames_import
from placenames.models import PlaceName
from placenames.services.names import categories_load

pytestmark = pytest.mark.django_db

HEADER = [
    "代码",
    "标准名称",
    "类别",
    "所在(跨)行政区",
    "东经",
    "北纬",
    "坐标系",
    "地名含义",
    "曾用名",
]
GOOD = [
    [
        "23040500123512000101",
        "导入甲路",
        "23512",
        "230405001",
        130.23,
        47.25,
        "2000",
        "示例",
        "旧甲路（1950-1966）",
    ],
    ["", "导入乙路", "主干路", "兴安区", 130.231, 47.251, "2000", "", ""],
    ["", "导入丙社区", "21620", "230405001", 130.232, 47.252, "", "", ""],
]


@pytest.fixture
def archive_ready(hegang_areas):
    categories_load()


def _xlsx(path: Path, rows, header=HEADER) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _csv(path: Path, rows, *, encoding="utf-8", header=HEADER) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _frame(rows, geoms, crs="EPSG:4490"):
    return gpd.GeoDataFrame(
        {
            "标准名称": [r[0] for r in rows],
            "类别": [r[1] for r in rows],
            "行政区划代码": [r[2] for r in rows],
        },
        geometry=geoms,
        crs=crs,
    )


SHP_ROWS = [("松鹤路", "23512", "230405001"), ("鹤鸣小区", "22100", "230405001")]
SHP_GEOMS = [Point(130.23, 47.25), Point(130.235, 47.255)]  # a shapefile holds one type
GPKG_GEOMS = [from_wkt("LINESTRING (130.23 47.25, 130.24 47.25)"), Point(130.235, 47.255)]


def _shapefile_zip(
    tmp_path: Path,
    *,
    encoding="GBK",
    keep=(".shp", ".shx", ".dbf", ".prj", ".cpg"),
    crs="EPSG:4490",
    cpg=None,
    geoms=None,
) -> Path:
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    _frame(SHP_ROWS, geoms or SHP_GEOMS, crs).to_file(
        folder / "names.shp", encoding=encoding, engine="pyogrio"
    )
    if cpg is not None:
        (folder / "names.cpg").write_text(cpg)
    out = tmp_path / "names.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for part in folder.iterdir():
            if part.suffix in keep:
                z.write(part, part.name)
    return out


def test_xlsx_with_census_columns_imports_and_reimport_updates(archive_ready, tmp_path):
    path = _xlsx(tmp_path / "archive.xlsx", GOOD)
    report = placenames_import(path=path)
    assert (report.rows, report.valid, report.created, report.updated) == (3, 3, 3, 0)
    first = PlaceName.objects.get(standard_name="导入甲路")
    assert first.place_code == "23040500123512000101"
    assert first.pinyin == "Daorujia Lu"
    assert first.meaning == "示例"
    former = first.aliases.get()
    assert (former.name, former.kind, former.valid_from.year, former.valid_to.year) == (
        "旧甲路",
        "former",
        1950,
        1966,
    )
    second = PlaceName.objects.get(standard_name="导入乙路")
    assert second.place_code == "23040500023512000001"  # 兴安区 itself: township 000
    assert second.division.code == "230405"
    again = placenames_import(path=_xlsx(tmp_path / "again.xlsx", GOOD[:1]))
    assert (again.created, again.updated) == (0, 1)
    assert PlaceName.objects.filter(standard_name="导入甲路").count() == 1


def test_dry_run_reports_the_same_and_writes_nothing(archive_ready, tmp_path):
    path = _xlsx(tmp_path / "archive.xlsx", GOOD)
    dry = placenames_import(path=path, dry_run=True)
    assert not PlaceName.objects.filter(standard_name__startswith="导入").exists()
    real = placenames_import(path=path)
    assert {**dry.as_dict(), "dry_run": None, "written": None} == {
        **real.as_dict(),
        "dry_run": None,
        "written": None,
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encoding_is_detected(archive_ready, tmp_path, encoding):
    report = placenames_import(path=_csv(tmp_path / "a.csv", GOOD, encoding=encoding))
    assert report.valid == 3 and not report.errors
    assert PlaceName.objects.filter(standard_name="导入丙社区").exists()


def test_csv_in_another_encoding_is_refused(archive_ready, tmp_path):
    path = _csv(tmp_path / "a.csv", GOOD, encoding="utf-16")
    with pytest.raises(ImportRefused, match="编码"):
        placenames_import(path=path)


def test_bad_rows_refuse_the_file_with_every_reason_and_line(archive_ready, tmp_path):
    rows = [
        GOOD[0],
        ["", "", "23512", "230405001", 130.23, 47.25, "", "", ""],  # line 3: no name
        ["", "错类路", "99999", "230405001", 130.23, 47.25, "", "", ""],  # 4: unknown category
        ["23040200123512000001", "错码路", "23512", "230405001", 130.23, 47.25, "", "", ""],  # 5
        ["", "哈尔滨路", "23512", "230405001", 126.6, 45.75, "", "", ""],  # 6: outside
        ["23040500123512000101", "重复路", "23512", "230405001", 130.23, 47.25, "", "", ""],  # 7
        ["", "北京路", "23512", "230405001", 130.23, 47.25, "北京54", "", ""],  # 8
        ["", "乱码路", "23512", "230405001", "东经", 47.25, "", "", ""],  # 9
    ]
    path = _xlsx(tmp_path / "bad.xlsx", rows)
    report = placenames_import(path=path)
    reasons = {e.line: (e.column, e.reason) for e in report.errors}
    assert reasons[3][0] == "标准名称" and "必填" in reasons[3][1]
    assert "未知类别" in reasons[4][1]
    assert "与所在县级政区" in reasons[5][1]
    assert "不在鹤岗市范围" in reasons[6][1]
    assert "与第 2 行的地名代码重复" in reasons[7][1]
    assert "北京 1954" in reasons[8][1]
    assert "数字" in reasons[9][1]
    assert report.refused_rows == 7 and report.valid == 1
    assert not report.written
    assert not PlaceName.objects.filter(standard_name="导入甲路").exists()


def test_accept_valid_rows_imports_the_rest_but_the_command_fails(archive_ready, tmp_path, capsys):
    rows = [GOOD[0], ["", "", "23512", "230405001", 130.23, 47.25, "", "", ""]]
    path = _xlsx(tmp_path / "mixed.xlsx", rows)
    with pytest.raises(CommandError, match="1 行被拒绝"):
        call_command("import_placenames", str(path), "--accept-valid-rows")
    assert PlaceName.objects.filter(standard_name="导入甲路").exists()
    assert "第 3 行 [标准名称]" in capsys.readouterr().err


def test_command_refuses_and_writes_nothing_without_the_flag(archive_ready, tmp_path):
    rows = [GOOD[0], ["", "", "23512", "230405001", 130.23, 47.25, "", "", ""]]
    with pytest.raises(CommandError):
        call_command("import_placenames", str(_xlsx(tmp_path / "mixed.xlsx", rows)))
    assert not PlaceName.objects.filter(standard_name="导入甲路").exists()


def test_command_dry_run_prints_the_report(archive_ready, tmp_path, capsys):
    call_command("import_placenames", str(_xlsx(tmp_path / "ok.xlsx", GOOD)), "--dry-run")
    out = capsys.readouterr().out
    assert "共 3 行" in out and "将新增 3 条" in out and "试运行" in out
    assert not PlaceName.objects.filter(standard_name="导入甲路").exists()


def test_formula_cells_are_refused(archive_ready, tmp_path):
    rows = [["", "公式路", "23512", "230405001", "=130+0.23", 47.25, "", "", ""]]
    report = placenames_import(path=_xlsx(tmp_path / "f.xlsx", rows))
    assert report.errors[0].column == "东经" and "公式" in report.errors[0].reason


def test_geometry_problems_are_reported(archive_ready, tmp_path):
    header = ["标准名称", "类别", "所在(跨)行政区", "几何"]
    bowtie = "POLYGON ((130.23 47.25, 130.24 47.26, 130.24 47.25, 130.23 47.26, 130.23 47.25))"
    rows = [
        ["空几何路", "23512", "230405001", "LINESTRING EMPTY"],
        ["自交区片", "21770", "230405001", bowtie],
        [
            "面状路",
            "23512",
            "230405001",
            "POLYGON ((130.23 47.25, 130.24 47.25, 130.24 47.26, 130.23 47.25))",
        ],
        ["坏几何路", "23512", "230405001", "LINESTRING (130.23"],
    ]
    report = placenames_import(path=_csv(tmp_path / "g.csv", rows, header=header))
    reasons = {e.line: e.reason for e in report.errors}
    assert "为空" in reasons[2]
    assert "自相交" in reasons[3]
    assert "不是此类别允许的几何类型" in reasons[4]
    assert "无法解析" in reasons[5]


@pytest.mark.parametrize(("crs", "convert"), [("GCJ-02", "gcj"), ("BD-09", "bd")])
def test_gcj02_and_bd09_points_are_converted(archive_ready, tmp_path, crs, convert):
    from boundaries.geodesy import wgs84_to_bd09

    lon, lat = 130.23, 47.25
    forward = wgs84_to_gcj02 if convert == "gcj" else wgs84_to_bd09
    glon, glat = (float(v[0]) for v in forward(np.array([lon]), np.array([lat])))
    rows = [["", "偏移路", "23512", "230405001", glon, glat, crs, "", ""]]
    placenames_import(path=_xlsx(tmp_path / "g.xlsx", rows))
    point = PlaceName.objects.get(standard_name="偏移路").point_4490
    assert abs(point.x - lon) < 1e-6 and abs(point.y - lat) < 1e-6


def test_malformed_and_truncated_xlsx_are_refused(archive_ready, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"this is not a spreadsheet")
    with pytest.raises(ImportRefused, match="扩展名"):
        placenames_import(path=junk)
    good = _xlsx(tmp_path / "good.xlsx", GOOD).read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(ImportRefused, match="损坏或被截断"):
        placenames_import(path=cut)


def test_unsafe_zip_entries_are_refused(archive_ready, tmp_path):
    for name in ("../evil.shp", "/etc/evil.shp", "a/../../evil.shp"):
        path = tmp_path / "evil.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(name, b"x")
        with pytest.raises(ImportRefused, match="不安全的路径"):
            placenames_import(path=path)


def test_zip_bomb_is_refused(archive_ready, tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("names.dbf", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(ImportRefused, match="压缩炸弹"):
        placenames_import(path=path)


def test_oversize_file_is_refused(archive_ready, tmp_path, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    path = _csv(tmp_path / "big.csv", GOOD * 50)
    with pytest.raises(ImportRefused, match="超过上限"):
        placenames_import(path=path)


def test_empty_file_and_file_without_rows_are_refused(archive_ready, tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportRefused, match="文件为空"):
        placenames_import(path=empty)
    with pytest.raises(ImportRefused, match="没有数据行"):
        placenames_import(path=_csv(tmp_path / "h.csv", []))


def test_gbk_shapefile_without_cpg_imports(archive_ready, tmp_path):
    path = _shapefile_zip(tmp_path, keep=(".shp", ".shx", ".dbf", ".prj"))
    report = placenames_import(path=path)
    assert report.format == "shapefile-zip" and report.valid == 2, report.errors
    assert PlaceName.objects.get(standard_name="松鹤路").point_4490.coords == (130.23, 47.25)


def test_utf8_shapefile_with_cpg_imports(archive_ready, tmp_path):
    path = _shapefile_zip(tmp_path, encoding="UTF-8", cpg="UTF-8")
    assert placenames_import(path=path).valid == 2
    assert PlaceName.objects.filter(standard_name="鹤鸣小区").exists()


def test_shapefile_with_a_wrong_cpg_is_refused(archive_ready, tmp_path):
    path = _shapefile_zip(tmp_path, encoding="GBK", cpg="UTF-8")
    with pytest.raises(ImportRefused, match="编码"):
        placenames_import(path=path)


@pytest.mark.parametrize("missing", [".shx", ".dbf", ".prj"])
def test_shapefile_missing_a_part_is_refused(archive_ready, tmp_path, missing):
    keep = tuple(p for p in (".shp", ".shx", ".dbf", ".prj") if p != missing)
    with pytest.raises(ImportRefused, match=f"缺少 \\{missing}"):
        placenames_import(path=_shapefile_zip(tmp_path, keep=keep))


def test_projected_cgcs2000_shapefile_is_converted(archive_ready, tmp_path):
    geoms = gpd.GeoSeries(SHP_GEOMS, crs="EPSG:4490").to_crs("EPSG:4552")
    report = placenames_import(path=_shapefile_zip(tmp_path, crs="EPSG:4552", geoms=list(geoms)))
    assert report.valid == 2
    point = PlaceName.objects.get(standard_name="鹤鸣小区").point_4490
    assert abs(point.x - 130.235) < 1e-7 and abs(point.y - 47.255) < 1e-7


@pytest.mark.parametrize(
    ("crs", "reason"),
    [("EPSG:3857", "不在允许范围"), ("EPSG:4214", "没有适用于 EPSG:4214 的已批准转换参数集")],
)
def test_unknown_or_beijing_1954_prj_is_refused(archive_ready, tmp_path, crs, reason):
    geoms = list(gpd.GeoSeries(SHP_GEOMS, crs="EPSG:4490").to_crs(crs))
    with pytest.raises(ImportRefused, match=reason):
        placenames_import(path=_shapefile_zip(tmp_path, crs=crs, geoms=geoms))


def test_geopackage_imports(archive_ready, tmp_path):
    path = tmp_path / "names.gpkg"
    _frame(SHP_ROWS, GPKG_GEOMS).to_file(path, driver="GPKG", engine="pyogrio")
    report = placenames_import(path=path)
    assert report.format == "gpkg" and report.valid == 2, report.errors
    assert PlaceName.objects.get(standard_name="松鹤路").geom_4490.geom_type == "LineString"


def test_polygon_area_imports(archive_ready, tmp_path):
    header = ["标准名称", "类别", "所在(跨)行政区", "几何"]
    square = Polygon([(130.23, 47.25), (130.24, 47.25), (130.24, 47.26), (130.23, 47.26)])
    report = placenames_import(
        path=_csv(
            tmp_path / "p.csv", [["五柏片区", "21770", "230405001", square.wkt]], header=header
        )
    )
    assert report.valid == 1
    assert PlaceName.objects.get(standard_name="五柏片区").geom_4490.geom_type == "Polygon"


def test_a_name_crossing_several_divisions_records_them_all(archive_ready, tmp_path):
    rows = [["", "跨区河", "12100", "230405、230403", 130.23, 47.25, "", "", ""]]
    report = placenames_import(path=_xlsx(tmp_path / "r.xlsx", rows))
    assert report.valid == 1, report.errors
    river = PlaceName.objects.get(standard_name="跨区河")
    assert river.division.code == "230405"
    assert [a.code for a in river.other_divisions.all()] == ["230403"]


def test_every_imported_row_and_alias_has_a_history_event_naming_the_file(archive_ready, tmp_path):
    from placenames.models import PlaceNameAlias

    placenames_import(path=_csv(tmp_path / "census.csv", GOOD))
    placenames_import(path=_csv(tmp_path / "again.csv", GOOD[:1]))
    first = PlaceName.objects.get(standard_name="导入甲路")
    events = list(first.events.order_by("pgh_id").select_related("pgh_context"))
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert [e.pgh_context.metadata["file"] for e in events] == ["census.csv", "again.csv"]
    assert events[0].pgh_context.metadata["source"] == "import_placenames"
    for place in PlaceName.objects.filter(standard_name__startswith="导入"):
        assert place.events.filter(pgh_label="insert", pgh_context__isnull=False).exists()
    alias = PlaceNameAlias.objects.get(name="旧甲路")
    assert alias.events.get().pgh_context.metadata["file"] == "again.csv"


def test_names_romanisation_cannot_take_are_refused_with_their_line(archive_ready, tmp_path):
    rows = [
        GOOD[0],
        ["", "导入Shi路", "23512", "230405001", 130.23, 47.25, "", "", ""],  # line 3: Latin
        ["", "导入\ue000路", "23512", "230405001", 130.23, 47.25, "", "", ""],  # 4: private use
    ]
    report = placenames_import(path=_xlsx(tmp_path / "scripts.xlsx", rows))
    reasons = {e.line: (e.column, e.reason) for e in report.errors}
    assert reasons[3][0] == "标准名称" and "混用" in reasons[3][1]
    assert "私用区" in reasons[4][1]
    assert not report.written
    assert not PlaceName.objects.filter(standard_name="导入甲路").exists()
