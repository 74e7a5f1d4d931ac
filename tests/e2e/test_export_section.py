"""The 数据下载 section in chromium, offline, at desktop, phone and kiosk sizes."""

from __future__ import annotations

import io
import zipfile

import pytest

from gis_portal.metric_crs import to_metric
from placenames.addresses.numbering import rule_beijing
from placenames.addresses.services.plates import PlateRequest, plates_create
from placenames.addresses.services.streets import street_create
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plates(hegang_areas):
    coords = ((130.280, 47.34), (130.290, 47.34))
    street = street_create(
        name="新华路", coords_4490=coords, rule=rule_beijing([to_metric(*c) for c in coords])
    )
    plates_create(
        street_id=street.pk,
        requests=[PlateRequest(lon=130.282 + 0.002 * i, lat=47.3401) for i in range(3)],
    )


def test_the_portrait_kiosk_offers_no_downloads(live_server, plates, offline_page):
    """A public touch screen has no one to take a file home: the section is not shown."""
    page = offline_page
    page.set_viewport_size({"width": 1080, "height": 1920})
    page.goto(live_server.url + "/placenames/")
    page.wait_for_selector("#map[data-ready]", state="attached", timeout=20_000)
    assert page.evaluate("() => document.documentElement.dataset.layout") == "kiosk"
    assert page.locator("#data-downloads").count() == 1
    assert not page.locator("#data-downloads").is_visible()
    page.recorder.assert_clean()


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_the_section_fits_and_downloads_a_gbk_shapefile(live_server, plates, offline_page, size):
    page = offline_page
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/placenames/")
    page.wait_for_selector("#map[data-ready]", state="attached", timeout=20_000)
    section = page.locator("#data-downloads")
    section.scroll_into_view_if_needed()
    assert section.is_visible()
    box = section.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1
    # Every control of the form lies within the section (nothing overflows at this width).
    for control in page.locator("#data-downloads select, #data-downloads button").all():
        b = control.bounding_box()
        assert b["x"] >= box["x"] - 1 and b["x"] + b["width"] <= box["x"] + box["width"] + 1
    page.select_option("#data-downloads select[name=layer]", "door-plates")
    page.select_option("#data-downloads select[name=format]", "shp")
    page.select_option("#data-downloads select[name=encoding]", "gbk")
    page.select_option("#data-downloads select[name=crs]", "EPSG:4552")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"export-section-{width}x{height}.png"))
    with page.expect_download() as info:
        page.click("#data-downloads button[type=submit]")
    download = info.value
    assert download.suggested_filename == "门牌_EPSG4552.zip"
    archive = zipfile.ZipFile(io.BytesIO(download.path().read_bytes()))
    assert archive.read("door_plates.cpg") == b"GBK"
    assert "字段对照表.csv" in archive.namelist()
    page.recorder.assert_clean()
