"""Printed standard maps: each sheet renders as a vector PDF a person can read and print.

Checked as a person (and a print shop) would: the page turns into an image (pdftoppm), the
title is in the text, every font is embedded (pdffonts), the legend names the layers that
were drawn; bad orders are refused naming the field, and the public cannot print the
staff-only boundary lines.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from gis_portal.printing.services import order_from, print_sheet
from gis_portal.printing.sheets import PrintOrderError, order_check, scale_to_fit
from tests.editing.conftest import boundary_demo, client_as, make_user  # noqa: F401 (fixtures)
from tests.editing.scope_builders import district_centre, place
from tests.editing.test_layers_addresses_builders import EAST, LAT, WEST, facility, plate, street

pytestmark = pytest.mark.django_db

PDFFONTS, PDFTOTEXT, PDFTOPPM = (shutil.which(t) for t in ("pdffonts", "pdftotext", "pdftoppm"))
needs_poppler = pytest.mark.skipif(
    PDFFONTS is None, reason="poppler-utils (pdffonts, pdftoppm) not installed"
)


@pytest.fixture
def city_data(hegang_areas):
    s = street("新华路")
    plate(s, (WEST + EAST) / 2, LAT + 0.0001)
    facility()
    lon, lat = district_centre("230402")
    named = place("测试小区", division="230402", point_only=(lon, lat))
    named.named_on = date(1985, 6, 1)  # the archive's first dated record
    named.save(update_fields=["named_on"])


def _pdf_checks(pdf: bytes, tmp_path, title: str) -> None:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run([PDFFONTS, str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows, "no fonts in the PDF"
    # Columns: name type encoding emb sub uni …: every font embedded.
    assert all(" yes " in row for row in rows), fonts.stdout
    assert any("NotoSansCJK" in row for row in rows)
    text = subprocess.run([PDFTOTEXT, str(path), "-"], capture_output=True, text=True, check=True)
    words = text.stdout.replace(" ", "")
    for expected in (title, "图例", "审图号", "CGCS2000", "北", "比例尺"):
        assert expected in words, expected
    subprocess.run([PDFTOPPM, "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 20_000  # a drawn page, not a blank one


@needs_poppler
@pytest.mark.parametrize(
    ("sheet", "county", "title", "layers"),
    [
        ("city", None, "鹤岗市行政区划图", ["行政区域"]),
        ("urban", None, "鹤岗市城区图", ["行政区域", "街路巷", "民政设施"]),
        ("district", "230402", "向阳区地名图", ["行政区域", "街路巷", "地名"]),
    ],
)
def test_each_sheet_prints_a_readable_pdf(city_data, tmp_path, sheet, county, title, layers):
    order = order_from({"sheet": sheet, "paper": "A3", "county": county})
    printed = print_sheet(order, user=None)
    assert printed.pdf.startswith(b"%PDF")
    _pdf_checks(printed.pdf, tmp_path, title)
    legend = printed.report.legend
    for layer in layers:
        assert any(entry.startswith(layer) for entry in legend), (layer, legend)
    # Nothing in the legend that was not drawn: the staff-only lines were not ordered.
    assert not any(entry.startswith("行政区域界线") for entry in legend)
    assert printed.report.labels_placed > 0


def test_the_public_orders_on_the_page_and_gets_a_pdf(city_data, client):
    form = client.get("/maps/print/")
    assert form.status_code == 200 and "打印标准地图" in form.content.decode()
    assert "绘制界线和界桩" not in form.content.decode()  # a staff option
    r = client.get("/maps/print/", {"sheet": "district", "county": "230402", "paper": "A3"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "attachment" in r["Content-Disposition"] and "%E5%90%91" in r["Content-Disposition"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"sheet": "world"}, "图幅"),
        ({"sheet": "city", "paper": "A5"}, "纸张：不在可选范围内：A5"),
        ({"sheet": "city", "as_of": "yesterday"}, "数据日期"),
        ({"sheet": "city", "scale": "12345"}, "比例尺"),
        ({"sheet": "district"}, "县级区划代码"),
        ({"sheet": "district", "county": "999999"}, "999999"),
        ({"sheet": "city", "county": "230402"}, "不按县"),
        ({"sheet": "city", "as_of": "1900-01-01"}, "最早的记录"),
        ({"sheet": "city", "as_of": "2999-01-01"}, "晚于今天"),
    ],
)
def test_a_bad_order_is_refused_naming_the_field(city_data, client, query, message):
    r = client.get("/maps/print/", query)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert r["Content-Type"].startswith("text/html")


def test_the_public_may_not_print_boundary_lines_but_staff_may(boundary_demo, client, client_as):  # noqa: F811
    r = client.get("/maps/print/", {"sheet": "city", "boundaries": "on"})
    assert r.status_code == 403 and "工作人员" in r.content.decode()
    officer = client_as("jie", "boundary_officer")
    assert "绘制界线和界桩" in officer.get("/maps/print/").content.decode()
    r = officer.get("/maps/print/", {"sheet": "city", "boundaries": "on"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"


def test_a_sheet_as_of_a_past_date_leaves_out_what_came_later(city_data):
    from placenames.addresses.models import Street

    Street.objects.update(named_on=date(2020, 5, 1))  # the street was named in 2020
    today = order_from({"sheet": "district", "county": "230402"})
    now = print_sheet(today, user=None)
    past = order_from({"sheet": "district", "county": "230402", "as_of": date(2001, 1, 1)})
    then = print_sheet(past, user=None)
    # The street was named in 2020: absent from the 2001 sheet.
    assert any(entry == "街路巷" for entry in now.report.legend)
    assert not any(entry == "街路巷" for entry in then.report.legend)
    assert then.filename.endswith("_20010101.pdf")


def test_a_past_sheet_draws_what_was_deleted_since_and_joined_rows_as_they_were(hegang_areas):
    from django.db import connection
    from django.utils import timezone

    from gis_portal.catalogue.registry import CATALOGUE
    from gis_portal.printing.services import _layer_features
    from placenames.addresses.models import DoorPlate, Street

    main = street("新华路")
    _, taken_today, taken_before = (
        plate(main, WEST + (EAST - WEST) * share, LAT + 0.0001, number=n)
        for share, n in ((0.2, 1), (0.5, 3), (0.8, 5))
    )
    lane = street("幸福街", coords=((WEST, LAT - 0.002), (EAST, LAT - 0.002)))
    on_lane = plate(lane, (WEST + EAST) / 2, LAT - 0.0019, number=7)
    DoorPlate.objects.update(installed_on=date(2020, 1, 1))
    with connection.cursor() as cur:  # everything so far was recorded ten days ago
        for events in ("addresses_doorplateevent", "addresses_streetevent"):
            cur.execute(f"UPDATE {events} SET pgh_created_at = now() - interval '10 days'")
    DoorPlate.objects.filter(pk=taken_before.pk).delete()
    with connection.cursor() as cur:  # … and this plate was taken down three days ago
        cur.execute(
            "UPDATE addresses_doorplateevent SET pgh_created_at = now() - interval '3 days' "
            "WHERE pgh_obj_id = %s AND pgh_label = 'delete'",
            [taken_before.pk],
        )
    # Today: one plate taken down, the street renamed, the lane removed with its plate.
    DoorPlate.objects.filter(pk__in=[taken_today.pk, on_lane.pk]).delete()
    Street.objects.filter(pk=lane.pk).delete()
    Street.objects.filter(pk=main.pk).update(name="建设路")

    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    box = (WEST - 0.01, LAT - 0.01, EAST + 0.01, LAT + 0.01)

    def drawn(key, as_of):
        layer = _layer_features(CATALOGUE[key], bbox_4490=box, as_of=as_of, classes=None)
        return sorted(layer.labels)

    # Yesterday the plates taken down today still hung (the lane's too: a plate is read with
    # its street, and the street from its history); the one taken down before did not.
    assert drawn("door-plates", yesterday) == ["1号", "3号", "7号"]
    assert drawn("door-plates", today) == ["1号"]
    assert drawn("door-plates", None) == ["1号"]
    # The street renamed today is named as it was; the lane removed today is still there.
    assert drawn("streets", yesterday) == sorted(["新华路", "幸福街"])
    assert drawn("streets", today) == ["建设路"]


def test_the_command_writes_the_sheet(city_data, tmp_path, capsys):
    out = tmp_path / "区划图.pdf"
    call_command("print_map", "--sheet", "city", "--paper", "A3", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert "图例" in capsys.readouterr().out


def test_scale_fitting_and_order_rules_are_pure():
    # 30 km × 20 km on a 300 mm × 200 mm frame needs 1:100 000 (+ margin → next listed).
    assert scale_to_fit((0, 0, 30_000, 20_000), (300, 200)) == 150_000
    assert scale_to_fit((0, 0, 1_000, 1_000), (300, 200)) == 10_000
    with pytest.raises(PrintOrderError) as err:
        order_check(sheet="city", paper="B4", today=date.today(), first_record=None)
    assert err.value.parameter == "paper"


@needs_poppler
@pytest.mark.django_db(databases=[])
def test_crowded_labels_are_left_out_but_every_feature_is_drawn(tmp_path):
    # Pure rendering, no database: two names on the same spot and one far away, then a
    # crowd of 3,000 named points in 2 km × 2 km of an A3 sheet at 1:25 000.
    from shapely.geometry import Point

    from gis_portal.printing.render import DrawLayer, SheetDrawing, render_pdf

    centre = (598_000.0, 5_250_000.0)

    def sheet(points, names):
        layer = DrawLayer(
            key="placenames", label="地名", symbol="circle", colour="#333333",
            geoms=[Point(x, y) for x, y in points], labels=names,
        )  # fmt: skip
        drawing = SheetDrawing(
            title="测试图", subtitle="", paper_mm=(420.0, 297.0), scale=25_000,
            centre_m=centre, layers=[layer], data_date=date(2026, 12, 1),
        )  # fmt: skip
        return render_pdf(drawing)

    x, y = centre
    pdf, report = sheet([(x, y), (x + 5, y), (x + 2_000, y)], ["甲村", "乙村", "丙村"])
    assert (report.features, report.labels_placed, report.labels_dropped) == (3, 2, 1)
    words = _sheet_text(pdf, tmp_path, "three")
    assert "甲村" in words and "丙村" in words and "乙村" not in words

    rng = random.Random(7)
    crowd = [(x + rng.uniform(-1e3, 1e3), y + rng.uniform(-1e3, 1e3)) for _ in range(3_000)]
    _pdf, report = sheet(crowd, [f"第{i}屯" for i in range(3_000)])
    assert report.features == 3_000
    assert 10 < report.labels_placed < 600
    assert report.labels_placed + report.labels_dropped == 3_000


def _sheet_text(pdf: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([PDFTOTEXT, str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


@needs_poppler
def test_a_renamed_place_prints_under_its_old_name_as_of_before_the_renaming(
    city_data,
    tmp_path,
    make_user,  # noqa: F811 (the fixture)
):
    from django.utils import timezone

    from gis_portal.editing.layers import ApprovedChange
    from placenames.models import PlaceName
    from placenames.services.edit import placename_apply_approved

    lon, lat = district_centre("230402")
    # Away from the district's own label (which would win the place on the sheet).
    named = place("东风小区", division="230402", point_only=(lon + 0.012, lat - 0.008))
    assert PlaceName.objects.filter(pk=named.pk).exists()
    placename_apply_approved(
        ApprovedChange(
            action="update",
            target_id=named.pk,
            expected_version=None,
            proposed={"standard_name": "光明小区"},
            comment="居民申请更名",
            user=make_user("chief", "administrator"),
        )
    )
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    order = {"sheet": "district", "county": "230402"}
    before = print_sheet(order_from({**order, "as_of": yesterday}), user=None)
    after = print_sheet(order_from({**order, "as_of": today}), user=None)
    then = _sheet_text(before.pdf, tmp_path, "before").replace(" ", "")
    now = _sheet_text(after.pdf, tmp_path, "after").replace(" ", "")
    # The sheet of the day before draws the name and spelling in force then, and says so.
    assert "东风小区" in then and "光明小区" not in then
    assert "光明小区" in now and "东风小区" not in now
    assert "GuangmingXiaoqu" in now
    assert f"{yesterday:%Y-%m-%d}" in then
    # The live sheet agrees with the sheet as of today.
    live = _sheet_text(print_sheet(order_from(order), user=None).pdf, tmp_path, "live")
    assert "光明小区" in live.replace(" ", "")


@needs_poppler
def test_the_division_map_labels_areas_with_their_pinyin(city_data, tmp_path):
    sheet = print_sheet(order_from({"sheet": "city"}), user=None)
    text = _sheet_text(sheet.pdf, tmp_path, "city")
    lines = [line.strip() for line in text.splitlines()]
    # Each district's name, its pinyin on the line below (specific and generic apart).
    assert "向阳区" in lines
    assert lines[lines.index("向阳区") + 1] == "Xiangyang Qu"
    assert "Xing'an Qu" in lines  # apostrophe before a syllable starting with a


@needs_poppler
def test_a_renamed_district_prints_under_its_old_name_up_to_the_day_before(city_data, tmp_path):
    from boundaries.adjustments import plan_parse
    from boundaries.services.adjustments import adjustment_apply

    plan = plan_parse(
        {
            "kind": "rename",
            "effective_on": "2020-05-01",
            "approval_ref": "黑政函〔2020〕18号",
            "units": ["230402"],
            "new_units": [{"code": "230402", "name": "朝阳区"}],
        },
        today=date(2026, 12, 1),
    )
    adjustment_apply(plan=plan, user=None, comment="更名", source="test")
    order = {"sheet": "district", "county": "230402"}
    last_day = print_sheet(order_from({**order, "as_of": date(2020, 4, 30)}), user=None)
    first_day = print_sheet(order_from({**order, "as_of": date(2020, 5, 1)}), user=None)
    then = _sheet_text(last_day.pdf, tmp_path, "then").splitlines()
    now = _sheet_text(first_day.pdf, tmp_path, "now").splitlines()
    # On the old name's last day the sheet is still the 向阳区's, polygon and label included.
    assert "向阳区地名图" in then and "朝阳区" not in " ".join(then)
    assert then[then.index("向阳区") + 1] == "Xiangyang Qu"
    assert "朝阳区地名图" in now and now[now.index("朝阳区") + 1] == "Chaoyang Qu"
    assert "数据日期：2020-04-30（按2020-04-30有效的要素）" in "".join(then).replace(" ", "")
