"""The survey import page taking a township DXF, and a waiting adjustment named by its units,
in chromium, offline, at the desk and phone sizes, with screenshots."""

from __future__ import annotations

import datetime as dt

import ezdxf
import pytest
from django.test import Client
from django.utils import timezone
from pyproj import Transformer

from boundaries.adjustments import plan_parse
from boundaries.models import AdministrativeArea
from boundaries.services.adjustments import adjustment_schedule
from gis_portal.accounts import roles_sync, user_create_with_role
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = ((1440, 900), (390, 844))
TO_GK43 = Transformer.from_crs(4490, 4552, always_xy=True)


def _sign_in(page, live_server):
    roles_sync()
    user = user_create_with_role(username="bd_dxf", password="pw-boundary-1", role="administrator")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _drawing(path, code: str, county: str) -> None:
    p = AdministrativeArea.objects.get(
        code=county, valid_to__isnull=True
    ).geom_4490.point_on_surface
    x, y = TO_GK43.transform(p.x, p.y)
    doc = ezdxf.new("R2010")
    ring = [(x - 250, y - 250), (x + 250, y - 250), (x + 250, y + 250), (x - 250, y + 250)]
    doc.modelspace().add_lwpolyline(ring, close=True, dxfattribs={"layer": code})
    doc.saveas(path)


def test_a_township_dxf_on_the_import_page_and_a_waiting_adjustment(
    live_server, hegang_areas, offline_page, tmp_path
):
    township = AdministrativeArea.objects.filter(
        parent__code="230402", level="township", valid_to__isnull=True
    ).order_by("code")[0]
    drawing = tmp_path / "乡镇界.dxf"
    _drawing(drawing, township.code, "230402")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    adjustment_schedule(
        plan=plan_parse(
            {
                "kind": "rename",
                "effective_on": tomorrow.isoformat(),
                "approval_ref": "鹤政函〔2027〕1号（演示）",
                "units": [township.code],
                "new_units": [{"code": township.code, "name": "新名街道"}],
            },
            today=timezone.localdate(),
            scheduled_ok=True,
        ),
        user=None,
        comment="演示",
        source="test",
        is_demo=True,
    )
    page = offline_page
    _sign_in(page, live_server)
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + "/boundaries/import/")
        page.select_option("select[name=kind]", "townships_dxf")
        page.select_option("select[name=declared_crs]", "EPSG:4552")
        page.set_input_files("input[name=survey_file]", str(drawing))
        page.click("#import-form button[type=submit]")
        page.wait_for_selector("#areas-report")
        report = page.text_content("#areas-report")
        assert "检查结果（未写入）" in report and "将更新 1 条" in report
        page.screenshot(
            path=str(ARTIFACTS / f"township_dxf_import_{width}x{height}.png"), full_page=True
        )

        page.goto(live_server.url + "/boundaries/adjustments/")
        row = page.text_content("#adjustment-table tr[data-status=scheduled]")
        assert (
            f"{township.name}（{township.code}）" in row and f"新名街道（{township.code}）" in row
        )
        page.screenshot(path=str(ARTIFACTS / f"adjustments_waiting_{width}x{height}.png"))
    page.recorder.assert_clean()
