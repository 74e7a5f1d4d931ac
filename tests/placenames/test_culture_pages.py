"""The public culture pages, the staff pages of sign coverage and culture upkeep."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from gis_portal.history import history_context
from placenames.models import PlaceName, PlaceNameMedia, PlaceSign
from placenames.services.culture import placename_media_add, protected_name_set
from tests.editing.factories import role_user
from tests.placenames.culture_files import jpeg, png_bomb, wav

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PLACENAME_MEDIA_MAX_BYTES = 1024 * 1024
    return tmp_path


@pytest.fixture
def bridge(make_place):
    place = make_place("松鹤桥", category="23400", division="230405", lon=130.26, lat=47.21)
    PlaceName.objects.filter(pk=place.pk).update(
        origin="因桥畔古松得名", meaning="松鹤延年", history="1958年建"
    )
    place.refresh_from_db()
    return place


@pytest.fixture
def officer():
    client = Client()
    client.force_login(role_user("culture-officer", "placename_officer"))
    return client


def test_a_names_culture_page_shows_its_story_media_and_protection(client, bridge, media_root):
    photo = placename_media_add(
        place=bridge, kind="photo", title="桥头旧照", file_name="a.jpg", data=jpeg(), is_demo=True
    )
    voice = placename_media_add(
        place=bridge, kind="pronunciation", title="读音", file_name="a.wav", data=wav()
    )
    protected_name_set(
        place=bridge, reason_kind="historic", reason="见证林区开发", listed_on=dt.date(2025, 1, 1)
    )
    page = client.get(f"/culture/{bridge.place_code}/").content.decode()
    for text in (
        "因桥畔古松得名",
        "松鹤延年",
        "1958年建",
        "已列入地名保护名录",
        "见证林区开发",
        "桥头旧照",
    ):
        assert text in page
    assert f"/culture/media/{photo.pk}/thumb" in page and f"/culture/media/{voice.pk}" in page
    assert "演示数据" in page  # the photo is a demo record, and says so
    thumb = client.get(f"/culture/media/{photo.pk}/thumb")
    assert thumb["Content-Type"] == "image/jpeg" and thumb["X-Content-Type-Options"] == "nosniff"
    audio = client.get(f"/culture/media/{voice.pk}")
    assert audio["Content-Type"] == "audio/wav" and b"".join(audio.streaming_content) == wav()


def test_a_district_page_lists_its_protected_names_and_stories(client, bridge):
    protected_name_set(
        place=bridge, reason_kind="century", reason="清末设渡", in_use_since_year=1900
    )
    page = client.get("/culture/district/230405/").content.decode()
    assert "兴安区地名文化" in page and "松鹤桥" in page and "使用百年以上" in page
    index = client.get("/culture/").content.decode()
    assert "/culture/district/230405/" in index


def test_unknown_codes_get_a_chinese_404(client, hegang_areas):
    response = client.get("/culture/23040500023400999999/")
    assert (
        response.status_code == 404
        and "没有代码为 23040500023400999999 的地名" in response.content.decode()
    )
    assert client.get("/culture/district/999999/").status_code == 404


def test_the_sign_coverage_page_shows_the_rate_and_links_each_missing_sign(
    officer, bridge, make_place
):
    village = make_place("红旗村", category="21610", division="230405", lon=130.25, lat=47.20)
    PlaceSign.objects.create(
        place=village, kind="village", text_zh="红旗村", installed_on=dt.date(2020, 1, 1)
    )
    page = officer.get("/placenames/signs/", {"year": "2024"}).content.decode()
    assert "覆盖率 <strong>50.0%</strong>" in page
    assert f"/placenames/?code={bridge.place_code}" in page
    assert f"/admin/placenames/placesign/add/?place={bridge.pk}&amp;kind=bridge" in page
    assert "桥名牌" in page
    assert (
        officer.get("/placenames/signs/", {"county": "230405", "category": "234"}).status_code
        == 200
    )


def test_a_missing_sign_opens_in_the_editor_for_officers_only(officer, bridge):
    editor_url = f"/editor/?layer=placenames&amp;feature={bridge.pk}&amp;county=230405"
    page = officer.get("/placenames/signs/", {"year": "2024"}).content.decode()
    assert editor_url in page and "在编辑器中打开" in page
    editor = officer.get(f"/editor/?layer=placenames&feature={bridge.pk}&county=230405")
    html = editor.content.decode()
    assert f'data-focus-layer="placenames" data-focus-id="{bridge.pk}"' in html
    picked = re.search(r'<input type="radio" name="layer" value="placenames"[^>]*>', html)
    assert picked and "checked" in picked.group(0)  # the place-name layer is the one edited
    planner = Client()
    planner.force_login(role_user("culture-planner", "planner"))
    page = planner.get("/placenames/signs/", {"year": "2024"}).content.decode()
    assert f"/placenames/?code={bridge.place_code}" in page  # the map, for every staff member
    assert "在编辑器中打开" not in page and "/admin/placenames/placesign/add/" not in page


def test_the_editor_ignores_a_feature_it_cannot_open(officer, hegang_areas):
    html = officer.get("/editor/?layer=nonsense&feature=12").content.decode()
    assert "data-focus-id" not in html
    html = officer.get("/editor/?layer=placenames&feature=x1").content.decode()
    assert "data-focus-id" not in html


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"year": "abc"}, "year"), ({"year": "3000"}, "year"), ({"county": "x"}, "county")],
)
def test_bad_filters_on_the_sign_page_are_a_400_naming_them(
    officer, hegang_areas, params, parameter
):
    response = officer.get("/placenames/signs/", params)
    assert response.status_code == 400 and f"参数 {parameter} 无效" in response.content.decode()


def test_the_sign_page_is_for_staff(client, hegang_areas):
    assert client.get("/placenames/signs/").status_code == 302


def _upload(officer, bridge, name, data, kind="photo"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return officer.post(
        "/placenames/culture/",
        {"action": "media", "place_code": bridge.place_code, "kind": kind, "title": "旧照",
         "file": SimpleUploadedFile(name, data)},
    ).content.decode()  # fmt: skip


def test_the_upkeep_page_stores_a_good_file_and_refuses_bad_ones(officer, bridge, media_root):
    assert "已保存：旧照（JPEG 图片" in _upload(officer, bridge, "a.jpg", jpeg())
    assert "图片炸弹" in _upload(officer, bridge, "b.png", png_bomb())
    assert "文件内容是WAV 音频（文件名声称是 JPEG 图片）" in _upload(
        officer, bridge, "c.jpg", wav()
    )
    assert "超过上限" in _upload(officer, bridge, "d.jpg", b"\xff\xd8\xff" + b"\x00" * 1_100_000)
    assert PlaceNameMedia.objects.count() == 1
    assert (
        len([p for p in media_root.rglob("*") if p.is_file()]) == 2
    )  # the photo and its thumbnail


def test_a_planner_cannot_upload(bridge, media_root):
    planner = Client()
    planner.force_login(role_user("culture-planner", "planner"))
    page = _upload(planner, bridge, "a.jpg", jpeg())
    assert "没有维护地名档案的权限" in page and not PlaceNameMedia.objects.exists()


def test_the_checks_report_lists_a_place_without_its_sign(client, bridge):
    page = client.get("/addresses/checks").content.decode()
    assert "地名没有在用地名标志" in page
    assert "桥梁「松鹤桥」没有在用的桥名牌" in page
    assert "路牌 #" + str(bridge.pk) not in page  # a place is not called a street sign


def test_staff_see_the_history_of_a_names_signs_media_and_protection(
    client, officer, bridge, media_root
):
    with history_context(user=None, username="档案员", comment="补登保护名录", source="test"):
        protected_name_set(
            place=bridge, reason_kind="historic", reason="清代驿站旧名", listed_by="档案员"
        )
    protected_name_set(place=bridge, reason_kind="historic", reason="清代驿站旧名，有碑记")
    placename_media_add(
        place=bridge, kind="photo", title="桥头旧照", file_name="a.jpg", data=jpeg()
    )
    page = officer.get(f"/culture/{bridge.place_code}/").content.decode()
    section = page[page.index('id="culture-changes"') :]
    assert "登记保护名录 · 档案员 · 补登保护名录" in section
    assert "修改保护名录" in section and "登记多媒体" in section
    assert (
        'id="culture-changes"' not in client.get(f"/culture/{bridge.place_code}/").content.decode()
    )
