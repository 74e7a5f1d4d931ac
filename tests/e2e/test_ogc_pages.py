"""The OGC API's HTML pages in chromium at desktop, phone and portrait-screen sizes:
Chinese labels, working links, nothing wider than the screen, no request leaving the host."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.ogc.factories import street_with_plates

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SIZES = ((1440, 900), (390, 844), (1080, 1920))


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_department_browses_collections_items_and_one_plate(
    live_server, offline_page, width, height
):
    street_with_plates(4)
    page = offline_page
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/ogc/")
    assert "共享服务" in page.locator("h1").inner_text()
    page.get_by_role("link", name="图层列表").first.click()
    page.get_by_role("link", name="门牌", exact=True).click()
    assert page.locator("h1").inner_text() == "门牌"
    assert "所在街路巷" in page.locator("table").inner_text()
    page.get_by_role("link", name="浏览要素").click()
    table = page.locator("table").inner_text()
    assert "新华路" in table and "门牌地址" in table and "共 4 个要素" in page.inner_text("main")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ogc_items_{width}x{height}.png"), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the page is wider than the screen"
    page.locator("table a").first.click()
    assert "要素" in page.locator("h1").inner_text()
    assert "新华路" in page.locator("table").inner_text()
    page.recorder.assert_clean()
