"""Bulk import and export of door plates, streets and signs: what an officer checks.

An export imports back unchanged; a dry run reports what a real run would and writes
nothing; every bad row is named by line and column in Chinese and refuses the file; an
import that fails halfway writes nothing; an officer imports only inside their scope;
the history of every written row names the file.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gis_portal.importing.export import export_file
from gis_portal.importing.history import import_history, write_with_history
from gis_portal.importing.pipeline import ImportRefused, layer_import
from placenames.addresses.bulk_io import PLATES, SIGNS, STREETS
from placenames.addresses.models import DoorPlate, Street, StreetSign
from tests.editing.factories import role_user
from tests.editing.scope_builders import district_centre
from tests.placenames.test_import_beijing1954 import BJ54_LONLAT, _expected_4490, _parameter_set

from .conftest import EAST, LAT, NORTH_LAT, SOUTH_LAT, WEST

pytestmark = pytest.mark.django_db

PLATE_HEADER = ["街路巷", "门牌号", "副号", "楼栋", "状态", "东经", "北纬"]
GONGNONG = "230403"
XIANGYANG = "230402"


@pytest.fixture
def street(hegang_areas, make_street):
    return make_street()


def write_csv(path, header, rows, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def plate_rows():
    # Beijing rule on an E–W street: numbers grow from the east end, odd on the north side.
    return [
        ["新华路", 1, "", "1栋", "在用", EAST - 0.001, NORTH_LAT],
        ["新华路", 3, "", "", "在用", EAST - 0.002, NORTH_LAT],
        ["新华路", 2, "", "", "待制作", EAST - 0.001, SOUTH_LAT],
        ["新华路", 3, 1, "", "在用", EAST - 0.0025, NORTH_LAT],
    ]


def plates_now():
    return sorted(
        (p.street.name, p.number, p.sub_number, p.building, p.status, p.side,
         round(p.point_4490.x, 9), round(p.point_4490.y, 9))
        for p in DoorPlate.objects.select_related("street")
    )  # fmt: skip


def test_plates_import_and_an_export_imports_back_unchanged(street, tmp_path):
    source = write_csv(tmp_path / "门牌.csv", PLATE_HEADER, plate_rows())
    report = layer_import(spec=PLATES, path=source)
    assert (report.created, report.updated, report.errors) == (4, 0, [])
    before = plates_now()
    assert [p[:3] + p[5:6] for p in before] == [
        ("新华路", 1, 0, "right"), ("新华路", 2, 0, "left"),
        ("新华路", 3, 0, "right"), ("新华路", 3, 1, "right"),
    ]  # fmt: skip
    # GeoJSON is for other systems (the upload safety admits only Shapefile and GeoPackage).
    assert export_file(PLATES.export_query(), fmt="geojson", path=tmp_path / "x.geojson") == 4
    for fmt in ("csv", "gpkg"):
        exported = tmp_path / f"export.{fmt}"
        assert export_file(PLATES.export_query(), fmt=fmt, path=exported) == 4
        again = layer_import(spec=PLATES, path=exported)
        assert (again.created, again.updated, again.errors) == (0, 0, []), fmt
        DoorPlate.objects.all().delete()
        restored = layer_import(spec=PLATES, path=exported)
        assert restored.created == 4 and plates_now() == before, fmt


def test_the_csv_export_is_cell_safe(street, tmp_path):
    rows = [["新华路", 1, "", "=HYPERLINK(1)", "在用", EAST - 0.001, NORTH_LAT]]
    report = layer_import(spec=PLATES, path=write_csv(tmp_path / "a.csv", PLATE_HEADER, rows))
    assert report.refused and report.errors[0].column == "楼栋"
    DoorPlate.objects.create(
        street=street, number=1, building="=HYPERLINK(1)", name_on_plate="新华路",
        point_4490=f"SRID=4490;POINT({EAST - 0.001} {NORTH_LAT})", side="right",
    )  # fmt: skip
    out = tmp_path / "out.csv"
    export_file(PLATES.export_query(), fmt="csv", path=out)
    assert "'=HYPERLINK(1)" in out.read_text(encoding="utf-8-sig")


def test_a_dry_run_reports_the_same_and_writes_nothing(street, tmp_path):
    source = write_csv(tmp_path / "门牌.csv", PLATE_HEADER, plate_rows())
    dry = layer_import(spec=PLATES, path=source, dry_run=True)
    assert not DoorPlate.objects.exists()
    real = layer_import(spec=PLATES, path=source)
    assert {**dry.as_dict(), "dry_run": None, "written": None} == {
        **real.as_dict(), "dry_run": None, "written": None
    }  # fmt: skip
    assert dry.created == 4 and not dry.written and real.written


def test_bad_rows_are_named_by_line_and_column_and_nothing_is_written(street, tmp_path):
    rows = [
        ["新华路", 1, "", "", "在用", EAST - 0.001, NORTH_LAT],  # line 2: fine
        ["解放路", 5, "", "", "在用", EAST - 0.001, NORTH_LAT],  # line 3: unknown street
        ["新华路", 4, "", "", "在用", EAST - 0.003, NORTH_LAT],  # line 4: even on the odd side
        ["新华路", 1, "", "", "在用", EAST - 0.0015, NORTH_LAT],  # line 5: duplicate of line 2
        ["新华路", "十二", "", "", "在用", EAST - 0.001, SOUTH_LAT],  # line 6: not a number
        ["新华路", 7, "", "", "在用", EAST - 0.004, 47.36],  # line 7: 2 km off the street
        ["新华路", 9, "", "", "丢了", EAST - 0.005, NORTH_LAT],  # line 8: no such status
    ]
    report = layer_import(spec=PLATES, path=write_csv(tmp_path / "bad.csv", PLATE_HEADER, rows))
    found = {(e.line, e.column): e.reason for e in report.errors}
    assert set(found) == {
        (3, "街路巷"), (4, "门牌号"), (5, "门牌号"), (6, "门牌号"), (7, "东经/北纬"), (8, "状态")
    }  # fmt: skip
    assert "未知街路巷「解放路」" in found[3, "街路巷"]
    assert "双号" in found[4, "门牌号"] and "右侧" in found[4, "门牌号"]
    assert "与第 2 行重复" in found[5, "门牌号"]
    assert "应为整数" in found[6, "门牌号"]
    assert "超过 50 米" in found[7, "东经/北纬"]
    assert str(report.errors[0]).startswith("第 3 行 [街路巷]：")
    assert report.refused and report.created == 0 and not report.written
    assert not DoorPlate.objects.exists()
    with pytest.raises(CommandError, match="6 行被拒绝"):
        call_command("import_addresses", "plates", str(tmp_path / "bad.csv"), stdout=io.StringIO())
    assert not DoorPlate.objects.exists()


def test_an_import_failing_halfway_writes_nothing(street, tmp_path, monkeypatch):
    source = write_csv(tmp_path / "门牌.csv", PLATE_HEADER, plate_rows())
    real_write = type(PLATES).write

    def write_then_die(self, cursor, table, ctx):
        real_write(self, cursor, table, ctx)  # every plate inserted, history written …
        raise RuntimeError("killed")  # … then the process dies before the commit

    monkeypatch.setattr(type(PLATES), "write", write_then_die)
    with pytest.raises(RuntimeError):
        layer_import(spec=PLATES, path=source)
    assert not DoorPlate.objects.exists()
    assert not DoorPlate.pgh_event_model.objects.exists()


def test_an_officer_imports_only_inside_their_scope(hegang_areas, make_street, tmp_path):
    officer = role_user("officer_xy", "placename_officer", [XIANGYANG])
    make_street()  # 新华路, in 向阳区
    lon, lat = district_centre(GONGNONG)
    make_street(name="工农路", coords=((lon - 0.004, lat), (lon + 0.004, lat)))
    rows = [
        ["新华路", 1, "", "", "在用", EAST - 0.001, NORTH_LAT],
        ["工农路", 1, "", "", "在用", lon + 0.001, lat + 0.0001],
    ]
    source = write_csv(tmp_path / "门牌.csv", PLATE_HEADER, rows)
    report = layer_import(spec=PLATES, path=source, user=officer)
    assert report.scope == "向阳区"
    assert [(e.line, e.column) for e in report.errors] == [(3, "东经/北纬")]
    assert "编辑范围（向阳区）" in report.errors[0].reason
    assert not DoorPlate.objects.exists()
    inside = write_csv(tmp_path / "向阳.csv", PLATE_HEADER, rows[:1])
    assert layer_import(spec=PLATES, path=inside, user=officer).created == 1
    planner = role_user("planner1", "planner")
    with pytest.raises(ImportRefused, match="地名管理员"):
        layer_import(spec=PLATES, path=inside, user=planner)


def test_the_history_of_every_row_names_the_file(street, tmp_path):
    officer = role_user("officer_all", "placename_officer")
    source = write_csv(tmp_path / "tmp123.csv", PLATE_HEADER, plate_rows())
    layer_import(spec=PLATES, path=source, user=officer, file_name="向阳区门牌2026.csv")
    events = DoorPlate.pgh_event_model.objects.select_related("pgh_context")
    assert events.count() == 4
    for event in events:
        meta = event.pgh_context.metadata
        assert event.pgh_label == "insert"
        assert meta["file"] == "向阳区门牌2026.csv" and meta["source"] == "import_addresses"
        assert meta["username"] == "officer_all" and meta["user"] == officer.pk
    moved = [[*r[:5], r[5] - 0.0001, r[6]] if r[1] == 1 else r for r in plate_rows()]
    second = write_csv(tmp_path / "moved.csv", PLATE_HEADER, moved)
    assert layer_import(spec=PLATES, path=second, file_name="改.csv").updated == 1
    update = DoorPlate.pgh_event_model.objects.get(pgh_label="update")
    assert update.pgh_context.metadata["file"] == "改.csv" and update.number == 1


def test_streets_import_with_their_rule_and_refuse_beijing1954_without_a_set(
    hegang_areas, tmp_path
):
    header = ["标准名称", "起点", "编号方式", "每号米数", "几何", "坐标系"]
    line = f"LINESTRING({WEST} {LAT}, {EAST} {LAT})"
    rows = [
        ["新华路", "红旗路", "按米放号", 2, line, ""],
        ["胜利路", "", "", "", f"LINESTRING({WEST} {LAT + 0.003}, {EAST} {LAT + 0.003})", "WGS84"],
        ["新华路", "", "", "", line, ""],  # line 4: the name twice
        ["光明路", "", "", "", "LINESTRING(130.28 47.34, 130.28 47.34)", ""],  # line 5: zero length
        ["东风路", "", "", "", line, "北京54"],  # line 6: no approved set
    ]
    source = write_csv(tmp_path / "街路巷.csv", header, rows)
    report = layer_import(spec=STREETS, path=source)
    found = {(e.line, e.column): e.reason for e in report.errors}
    assert set(found) == {(4, "标准名称"), (5, "几何"), (6, "坐标系")}
    assert "重名" in found[4, "标准名称"] and "不足 5 米" in found[5, "几何"]
    assert "没有适用于 EPSG:4214 的已批准转换参数集" in found[6, "坐标系"]
    assert not Street.objects.exists()
    ok = write_csv(tmp_path / "ok.csv", header, rows[:2])
    assert layer_import(spec=STREETS, path=ok).created == 2
    xinhua = Street.objects.get(name="新华路")
    assert (xinhua.numbering_mode, xinhua.metres_per_number, xinhua.start_description) == (
        "per_metre", 2.0, "红旗路"
    )  # fmt: skip
    assert xinhua.county.code == XIANGYANG and xinhua.name_pinyin
    for fmt in ("csv", "gpkg"):
        exported = tmp_path / f"streets.{fmt}"
        export_file(STREETS.export_query(), fmt=fmt, path=exported)
        again = layer_import(spec=STREETS, path=exported)
        assert (again.created, again.updated, again.errors) == (0, 0, []), fmt


def test_signs_import_and_update_by_their_number(street, tmp_path):
    header = ["街路巷", "类型", "东经", "北纬"]
    rows = [["新华路", "灯箱路牌", EAST - 0.001, NORTH_LAT], ["新华路", "单立柱路牌", WEST + 0.001, SOUTH_LAT]]  # fmt: skip
    report = layer_import(spec=SIGNS, path=write_csv(tmp_path / "路牌.csv", header, rows))
    assert report.created == 2
    sign = StreetSign.objects.get(kind="lightbox")
    assert sign.text_zh == "新华路" and sign.text_pinyin
    exported = tmp_path / "signs.csv"
    export_file(SIGNS.export_query(), fmt="csv", path=exported)
    text = exported.read_text(encoding="utf-8-sig").replace("完好", "损坏", 1)
    exported.write_text(text, encoding="utf-8")
    again = layer_import(spec=SIGNS, path=exported)
    assert (again.created, again.updated) == (0, 1)
    assert StreetSign.objects.filter(condition="damaged").count() == 1


def test_the_command_prints_a_chinese_report_and_exports(street, tmp_path):
    source = write_csv(tmp_path / "门牌.csv", PLATE_HEADER, plate_rows(), encoding="gbk")
    out = io.StringIO()
    call_command("import_addresses", "plates", str(source), "--dry-run", stdout=out)
    assert "共 4 行，正确 4 行，错误 0 行；将新增 4 条" in out.getvalue()
    assert "试运行" in out.getvalue() and not DoorPlate.objects.exists()
    call_command("import_addresses", "plates", str(source), stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_addresses", "plates", str(tmp_path / "x.geojson"), stdout=out)
    assert "已导出门牌 4 条" in out.getvalue()


def upload(client, path, **fields):
    with path.open("rb") as f:
        return client.post("/api/v1/addresses/import", {"file": f, **fields})


def test_an_officer_uploads_plates_and_the_public_cannot(client, street, tmp_path):
    source = write_csv(tmp_path / "门牌.csv", PLATE_HEADER, plate_rows())
    assert upload(client, source, layer="plates").status_code in (401, 403)
    client.force_login(role_user("officer_up", "placename_officer"))
    dry = upload(client, source, layer="plates", dry_run="true")
    assert dry.status_code == 200 and dry.json()["created"] == 4 and not dry.json()["written"]
    assert "试运行" in dry.json()["summary"] and not DoorPlate.objects.exists()
    real = upload(client, source, layer="plates")
    assert real.status_code == 200 and real.json()["written"]
    assert DoorPlate.objects.count() == 4
    event = DoorPlate.pgh_event_model.objects.select_related("pgh_context").first()
    assert event.pgh_context.metadata["file"] == "门牌.csv"  # the client's name, not the temp file


def test_an_upload_with_bad_rows_gets_422_and_a_chinese_report(client, street, tmp_path):
    client.force_login(role_user("officer_up", "placename_officer"))
    rows = [["新华路", 1, "", "", "在用", EAST - 0.001, SOUTH_LAT]]  # odd number, south side
    response = upload(client, write_csv(tmp_path / "a.csv", PLATE_HEADER, rows), layer="plates")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["line"], error["column"]) == (2, "门牌号") and "单号" in error["reason"]
    assert "未写入任何记录" in response.json()["summary"]
    bad = tmp_path / "a.exe"
    bad.write_bytes(b"MZ")
    refused = upload(client, bad, layer="plates")
    assert refused.status_code == 400 and refused.json()["parameter"] == "file"
    assert upload(client, bad, layer="roads").json()["parameter"] == "layer"


def test_the_export_endpoint_streams_a_file_that_imports_back(client, street, tmp_path):
    layer_import(spec=PLATES, path=write_csv(tmp_path / "门牌.csv", PLATE_HEADER, plate_rows()))
    response = client.get("/api/v1/addresses/export", {"layer": "plates", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="plates.csv"'
    exported = tmp_path / "back.csv"
    exported.write_bytes(b"".join(response.streaming_content))
    assert exported.read_text(encoding="utf-8-sig").splitlines()[0].startswith("街路巷,门牌号,副号")
    again = layer_import(spec=PLATES, path=exported)
    assert (again.created, again.updated, again.errors) == (0, 0, [])
    gpkg = client.get("/api/v1/addresses/export", {"layer": "streets", "format": "gpkg"})
    assert gpkg.status_code == 200 and b"".join(gpkg.streaming_content)[:15] == b"SQLite format 3"
    assert client.get("/api/v1/addresses/export", {"layer": "plates"}).status_code == 400


def test_the_officer_page_imports_plates_and_shows_the_report(client, street, tmp_path):
    client.force_login(role_user("officer_page", "placename_officer"))
    page = client.get("/placenames/officer/")
    assert "导入门牌、街路巷、路牌" in page.content.decode()
    rows = [*plate_rows(), ["新华路", 8, "", "", "在用", EAST - 0.001, NORTH_LAT]]
    source = write_csv(tmp_path / "门牌.csv", PLATE_HEADER, rows)
    with source.open("rb") as f:
        response = client.post(
            "/placenames/officer/",
            {"action": "import_addresses", "layer": "plates", "file": f, "dry_run": ""},
        )
    html = response.content.decode()
    assert "导入报告：门牌.csv（门牌）" in html and "未写入任何记录" in html
    assert "<td>6</td><td>门牌号</td>" in html  # line 6: an even number on the odd side
    assert not DoorPlate.objects.exists()


def test_beijing1954_plates_are_converted_by_the_approved_set_or_refused(
    hegang_areas, make_street, tmp_path
):
    bj_lon, bj_lat = BJ54_LONLAT[0]
    header = [*PLATE_HEADER, "坐标系"]
    rows = [["兴安甲路", 1, "", "", "在用", bj_lon, bj_lat, "北京54"]]
    source = write_csv(tmp_path / "北京54门牌.csv", header, rows)
    # Without an approved set, the street is not even needed: the row is refused by its CRS.
    refused = layer_import(spec=PLATES, path=source)
    assert [(e.line, e.column) for e in refused.errors][:1] == [(2, "坐标系")]
    assert "没有适用于 EPSG:4214 的已批准转换参数集" in refused.errors[0].reason
    ps = _parameter_set(name="兴安区重合点 7 参数")
    lon, lat = _expected_4490(ps, bj_lon, bj_lat)
    make_street(name="兴安甲路", coords=((lon - 0.004, lat - 0.0001), (lon + 0.004, lat - 0.0001)))
    report = layer_import(spec=PLATES, path=source)
    assert report.created == 1, report.errors
    assert report.conversions["EPSG:4214"]["parameter_set"] == "兴安区重合点 7 参数"
    plate = DoorPlate.objects.get()
    assert plate.point_4490.x == pytest.approx(lon, abs=1e-9)
    assert plate.point_4490.y == pytest.approx(lat, abs=1e-9)


def test_numbers_must_grow_along_the_street_with_the_plates_already_there(street, tmp_path):
    # From the east (base) end: 1 at 75 m, 5 at 150 m; a 3 at 225 m comes after the 5.
    first = [["新华路", 1, "", "", "在用", EAST - 0.001, NORTH_LAT], ["新华路", 5, "", "", "在用", EAST - 0.002, NORTH_LAT]]  # fmt: skip
    assert (
        layer_import(spec=PLATES, path=write_csv(tmp_path / "a.csv", PLATE_HEADER, first)).created
        == 2
    )
    late = [["新华路", 3, "", "", "在用", EAST - 0.003, NORTH_LAT], ["新华路", 7, "", "", "在用", EAST - 0.004, NORTH_LAT]]  # fmt: skip
    report = layer_import(spec=PLATES, path=write_csv(tmp_path / "b.csv", PLATE_HEADER, late))
    assert [(e.line, e.column) for e in report.errors] == [(2, "门牌号")]
    assert "新华路3号位于5号之后（沿编号方向），编号不能更小" in report.errors[0].reason
    assert DoorPlate.objects.count() == 2


def test_dates_and_blanks_survive_a_geopackage_and_excel_round_trip(street, tmp_path):
    header = [*PLATE_HEADER, "安装时间", "注销时间"]
    rows = [
        ["新华路", 1, "", "", "在用", EAST - 0.001, NORTH_LAT, "2024-05-01", ""],
        ["新华路", 3, "", "", "已注销", EAST - 0.002, NORTH_LAT, "2020", "2025-01-31"],
    ]
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "门牌.xlsx")
    assert layer_import(spec=PLATES, path=tmp_path / "门牌.xlsx").created == 2
    before = sorted(DoorPlate.objects.values_list("number", "status", "installed_on", "retired_on"))
    assert [str(b[3]) for b in before] == ["None", "2025-01-31"]
    exported = tmp_path / "back.gpkg"
    export_file(PLATES.export_query(), fmt="gpkg", path=exported)
    DoorPlate.objects.all().delete()
    report = layer_import(spec=PLATES, path=exported)
    assert report.created == 2, report.errors
    after = sorted(DoorPlate.objects.values_list("number", "status", "installed_on", "retired_on"))
    assert after == before


def test_an_export_with_retired_plates_imports_back_unchanged(street, tmp_path):
    rows = [
        ["新华路", 1, "", "", "已注销", EAST - 0.001, NORTH_LAT],
        ["新华路", 1, "", "", "在用", EAST - 0.0012, NORTH_LAT],  # the number, given again
    ]
    assert (
        layer_import(spec=PLATES, path=write_csv(tmp_path / "a.csv", PLATE_HEADER, rows)).created
        == 2
    )
    exported = tmp_path / "back.csv"
    export_file(PLATES.export_query(), fmt="csv", path=exported)
    again = layer_import(spec=PLATES, path=exported)
    assert (again.created, again.updated, again.errors) == (0, 0, [])
    retire = [["新华路", 1, "", "", "已注销", EAST - 0.0012, NORTH_LAT]]
    report = layer_import(spec=PLATES, path=write_csv(tmp_path / "c.csv", PLATE_HEADER, retire))
    assert (report.created, report.updated) == (0, 1)
    assert DoorPlate.objects.filter(status="retired").count() == 2


def test_the_first_kernel_form_of_a_bulk_write_still_records_history(street):
    # write_with_history(sql="… RETURNING id") without ``alias``, as the first kernel had it.
    sql = f"""INSERT INTO addresses_streetsign (street_id, kind, text_zh, text_pinyin,
        point_4490, condition, status, is_demo, version)
        VALUES ({street.pk}, 'single', '新华路', '', ST_SetSRID(ST_MakePoint(130.28, 47.3401), 4490),
                'good', 'installed', false, 1) RETURNING id"""
    with (
        connection.cursor() as cursor,
        import_history(source="test", file_name="旧.csv", layer="signs", user=None, username="x"),
    ):
        assert write_with_history(cursor, StreetSign, label="insert", sql=sql) == 1
    event = StreetSign.pgh_event_model.objects.select_related("pgh_context").get()
    assert event.pgh_context.metadata["file"] == "旧.csv" and event.text_zh == "新华路"


def test_a_street_name_that_cannot_be_romanised_is_refused_with_the_reason(hegang_areas):
    from placenames.addresses.errors import InvalidStreetLine
    from placenames.addresses.models import Street
    from tests.editing.test_layers_addresses_builders import street

    with pytest.raises(InvalidStreetLine, match="街路巷名称无法拼写"):
        street("Main Street路")
    assert not Street.objects.filter(name="Main Street路").exists()
