"""The demo archive: every real Hegang name plus generated records, 5,611 in all."""

from __future__ import annotations

import pytest

from placenames.models import PlaceName
from placenames.services.names import placenames_load_demo

pytestmark = pytest.mark.django_db


def test_demo_archive_holds_the_real_names_and_reaches_5611(hegang_areas):
    report = placenames_load_demo()
    assert report["records"] == 5611
    assert report["real"] == 532  # 1 city, 8 counties, 72 townships, 446 villages, 5 facilities
    real = PlaceName.objects.filter(is_demo=False)
    assert set(real.values_list("standard_name", flat=True)) >= {
        "鹤岗市",
        "兴安区",
        "萝北县",
        "绥滨县",
        "东明朝鲜族乡",
        "五福园",
        "十里河公墓",
        "卧龙岗公墓",
    }
    city = PlaceName.objects.get(standard_name="鹤岗市")
    assert city.place_code == "23040000021300900001"
    assert city.pinyin == "Hegang Shi"
    assert city.geom_4490.geom_type == "MultiPolygon"
    generated = PlaceName.objects.filter(is_demo=True)
    assert generated.count() == 5079
    assert all("演示数据" in s for s in generated.values_list("source", flat=True)[:50])
    assert all(c[14:] >= "900001" for c in PlaceName.objects.values_list("place_code", flat=True))


def test_demo_archive_reload_is_idempotent_and_deterministic(hegang_areas):
    placenames_load_demo(size=700)
    first = dict(PlaceName.objects.values_list("place_code", "standard_name"))
    again = placenames_load_demo(size=700)
    assert again["created"] == 0 and again["updated"] == 700
    assert dict(PlaceName.objects.values_list("place_code", "standard_name")) == first
