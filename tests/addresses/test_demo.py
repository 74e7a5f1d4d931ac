"""The generated demo streets, signs and plates, and the checks finding the planted errors."""

from __future__ import annotations

from datetime import date

import pytest

from placenames.addresses.demo_loader import demo_addresses_load
from placenames.addresses.models import DoorPlate, Street, StreetSign
from placenames.addresses.selectors.addresses import address_checks

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(hegang_areas):
    return demo_addresses_load()


def test_the_demo_holds_the_plans_figures_all_marked_demo(demo):
    assert DoorPlate.objects.count() == 18_480
    assert StreetSign.objects.filter(kind="lightbox").count() == 306
    assert StreetSign.objects.filter(kind="single").count() == 115
    assert Street.objects.exclude(named_on=None).count() == 16
    assert Street.objects.filter(former_names__isnull=False).distinct().count() == 8
    assert not DoorPlate.objects.filter(is_demo=False).exists()
    assert not Street.objects.filter(is_demo=False).exists()
    # Every street lies in one of the four urban districts.
    assert set(Street.objects.values_list("county__name", flat=True)) == {
        "向阳区",
        "工农区",
        "南山区",
        "兴山区",
    }


def test_the_checks_find_exactly_the_planted_errors(demo):
    report = address_checks(as_of=date(2026, 11, 29))
    planted = demo["planted_errors"]
    counts = report.counts()
    assert counts["wrong_side"] == planted["wrong_side"]
    assert counts["too_far"] == planted["too_far"]
    assert counts["name_mismatch"] == planted["name_mismatch"]
    assert counts["duplicate_number"] == 2 * planted["duplicate"]  # both plates of a pair
    assert counts["decreasing"] == 2 * planted["decreasing"]  # both plates of a swap
    assert counts["sign_not_replaced"] == planted["sign_not_replaced"]
    assert counts["inspection_overdue"] == planted["inspection_overdue"]
    assert report.plates_checked == 18_480


def test_loading_twice_gives_the_same_records(demo):
    first = sorted(DoorPlate.objects.values_list("street__name", "number", "sub_number"))
    again = demo_addresses_load()
    assert again == demo
    assert sorted(DoorPlate.objects.values_list("street__name", "number", "sub_number")) == first
