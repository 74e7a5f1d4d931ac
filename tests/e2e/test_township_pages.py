"""The township, line-record and adjustment pages in chromium, offline, at the three sizes
(desk 1440×900, phone 390×844, portrait wall screen 1080×1920), with screenshots."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from boundaries.adjustments import plan_parse
from boundaries.demo_loader import boundary_demo_load
from boundaries.models import AreaLevel, BoundaryLine
from boundaries.services.adjustments import adjustment_apply
from boundaries.township_demo import neighbour_lines_load, township_demo_load
from gis_portal.accounts import roles_sync, user_create_with_role
from gis_portal.datasets import HEGANG_DATA_DIR
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = ((1440, 900), (390, 844), (1080, 1920))


def _sign_in(page, live_server):
    roles_sync()
    user = user_create_with_role(username="bd_t", password="pw-boundary-1", role="boundary_officer")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_township_line_and_adjustment_pages_at_three_sizes(live_server, hegang_areas, offline_page):
    boundary_demo_load()
    township_demo_load()
    neighbour_lines_load(data_dir=HEGANG_DATA_DIR)
    adjustment_apply(
        plan=plan_parse(
            {
                "kind": "rename",
                "effective_on": "2019-08-01",
                "approval_ref": "鹤政函〔2019〕7号（演示）",
                "units": ["230402001"],
                "new_units": [{"code": "230402001", "name": "光明路街道"}],
            },
            today=dt.date(2026, 12, 1),
        ),
        user=None,
        comment="演示",
        source="test",
        is_demo=True,
    )
    neighbour_line = BoundaryLine.objects.filter(level=AreaLevel.CITY).order_by("code").last()
    page = offline_page
    _sign_in(page, live_server)
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + "/boundaries/townships/")
        page.wait_for_selector("#map[data-loaded]", state="attached", timeout=60_000)
        assert "72 个乡级区域" in page.text_content("#map-status")
        assert page.is_visible("#demo-note")
        page.screenshot(path=str(ARTIFACTS / f"township_page_{width}x{height}.png"))

        page.goto(live_server.url + f"/boundaries/lines/{neighbour_line.code}/")
        assert "佳木斯市民政局" in page.text_content("#party-table")
        page.screenshot(path=str(ARTIFACTS / f"township_line_record_{width}x{height}.png"))

        page.goto(live_server.url + "/boundaries/adjustments/?code=230402001&on=2015-01-01")
        assert "光明街道" in page.text_content("#code-answer")
        assert "光明路街道" in page.text_content("#adjustment-table")
        page.screenshot(path=str(ARTIFACTS / f"township_adjustments_{width}x{height}.png"))
    page.recorder.assert_clean()
