"""Writing streets, plates and signs: numbering, and bad input that must change nothing."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from boundaries.models import AdministrativeArea
from placenames.addresses.errors import (
    DuplicatePlateNumber,
    DuplicateStreetName,
    InvalidPlate,
    InvalidStreetLine,
    StreetNotFound,
)
from placenames.addresses.models import DoorPlate, Street, StreetFormerName, StreetSign
from placenames.addresses.numbering import PER_METRE, NumberingRule
from placenames.addresses.services.plates import PlateRequest, plate_create, plates_create
from placenames.addresses.services.signs import sign_create, sign_inspect
from placenames.addresses.services.streets import street_rename, streets_link_archive
from placenames.models import PlaceCategory, PlaceName

from .conftest import EAST, LAT, NORTH_LAT, SOUTH_LAT, WEST

pytestmark = pytest.mark.django_db


def lon_at(fraction_from_east: float) -> float:
    return EAST - (EAST - WEST) * fraction_from_east


def test_a_new_street_gets_its_pinyin_and_beijing_rule(make_street):
    street = make_street()
    assert street.name_pinyin == "Xinhua Lu"
    assert street.base_end == "end"  # drawn west→east, numbered from the east
    assert street.odd_side == "right"
    assert street.line_4552.srid == 4552
    assert 700 < street.line_4552.length < 800


def test_new_plates_get_numbers_by_the_rule(make_street):
    street = make_street()
    north = [
        plate_create(street_id=street.pk, request=PlateRequest(lon_at(f), NORTH_LAT))
        for f in (0.1, 0.2)
    ]
    south = plate_create(street_id=street.pk, request=PlateRequest(lon_at(0.1), SOUTH_LAT))
    # Beijing: E–W streets from the east, north side odd.
    assert [(p.number, p.side) for p in north] == [(1, "right"), (3, "right")]
    assert (south.number, south.side) == (2, "left")
    between = plate_create(street_id=street.pk, request=PlateRequest(lon_at(0.15), NORTH_LAT))
    assert (between.number, between.sub_number) == (1, 1)
    assert str(between) == "新华路1号之一"


def test_songbei_per_metre_numbering(make_street):
    rule = NumberingRule(base_end="end", odd_side="left", mode=PER_METRE, metres_per_number=2.0)
    street = make_street(name="松北街", rule=rule)
    # ~75 m from the east end on the south side (left facing west) → slot 37 → 75.
    p = plate_create(street_id=street.pk, request=PlateRequest(lon_at(0.1), SOUTH_LAT))
    assert p.side == "left" and p.number % 2 == 1
    assert 71 <= p.number <= 79


def test_a_plate_on_a_street_that_does_not_exist_is_refused():
    with pytest.raises(StreetNotFound, match="不存在"):
        plate_create(street_id=999_999, request=PlateRequest(130.28, 47.34, number=1))
    assert not DoorPlate.objects.exists()


def test_two_plates_given_the_same_number_at_once_write_nothing(make_street):
    street = make_street()
    with pytest.raises(DuplicatePlateNumber, match="5号 已被占用"):
        plates_create(
            street_id=street.pk,
            requests=[
                PlateRequest(lon_at(0.1), NORTH_LAT, number=5),
                PlateRequest(lon_at(0.3), NORTH_LAT, number=5),
            ],
        )
    assert not DoorPlate.objects.exists()


def test_a_number_already_on_the_street_is_refused(make_street):
    street = make_street()
    plate_create(street_id=street.pk, request=PlateRequest(lon_at(0.1), NORTH_LAT, number=7))
    with pytest.raises(DuplicatePlateNumber):
        plate_create(street_id=street.pk, request=PlateRequest(lon_at(0.5), NORTH_LAT, number=7))
    assert DoorPlate.objects.count() == 1


def test_a_plate_on_the_centre_line_or_with_a_bad_number_is_refused(make_street):
    street = make_street()
    with pytest.raises(InvalidPlate, match="中线"):
        plate_create(street_id=street.pk, request=PlateRequest(lon_at(0.5), LAT))
    with pytest.raises(InvalidPlate, match="正整数"):
        plate_create(street_id=street.pk, request=PlateRequest(lon_at(0.5), NORTH_LAT, number=0))
    with pytest.raises(InvalidPlate, match="坐标无效"):
        plate_create(street_id=street.pk, request=PlateRequest(float("nan"), NORTH_LAT))
    assert not DoorPlate.objects.exists()


@pytest.mark.parametrize(
    ("coords", "message"),
    [
        (((WEST, LAT), (WEST, LAT)), "零长度"),
        (((WEST, LAT), (EAST, LAT), (130.285, 47.345), (130.285, 47.335)), "自相交"),
        (((WEST, LAT),), "两个点"),
        (((WEST, 95.0), (EAST, LAT)), "超出"),
        (((WEST, float("nan")), (EAST, LAT)), "无效坐标"),
    ],
)
def test_bad_street_lines_change_nothing(make_street, coords, message):
    with pytest.raises(InvalidStreetLine, match=message):
        make_street(coords=coords)
    assert not Street.objects.exists()


def test_street_names_are_unique_and_renames_keep_the_former_name(make_street):
    street = make_street()
    with pytest.raises(DuplicateStreetName):
        make_street(coords=((WEST, 47.35), (EAST, 47.35)))
    street_rename(street_id=street.pk, new_name="新华大街", on=date(2025, 5, 1))
    street.refresh_from_db()
    assert street.name == "新华大街" and street.name_pinyin == "Xinhua Dajie"
    former = StreetFormerName.objects.get(street=street)
    assert (former.name, former.used_to) == ("新华路", date(2025, 5, 1))


def test_signs_carry_the_street_name_and_inspections_update_the_condition(make_street):
    street = make_street()
    sign = sign_create(street_id=street.pk, kind="lightbox", lon=lon_at(0.0), lat=NORTH_LAT)
    assert (sign.text_zh, sign.text_pinyin) == ("新华路", "Xinhua Lu")
    sign_inspect(
        sign_id=sign.pk, on=date(2026, 5, 1), condition="damaged", user=None, inspector="张三"
    )
    assert StreetSign.objects.get(pk=sign.pk).condition == "damaged"
    with pytest.raises(InvalidPlate):
        sign_create(street_id=street.pk, kind="neon", lon=lon_at(0.0), lat=NORTH_LAT)


def test_the_admin_refuses_a_taken_number_and_sets_the_side(admin_client, make_street):
    street = make_street()
    plate_create(street_id=street.pk, request=PlateRequest(lon_at(0.1), NORTH_LAT, number=1))
    form = {
        "street": street.pk,
        "number": 1,
        "sub_number": 0,
        "name_on_plate": "新华路",
        "point_4490": f"SRID=4490;POINT({lon_at(0.3)} {NORTH_LAT})",
        "status": "installed",
    }
    response = admin_client.post("/admin/addresses/doorplate/add/", form)
    assert response.status_code == 200 and "已被占用" in response.content.decode()
    assert DoorPlate.objects.count() == 1
    form["number"] = 3
    response = admin_client.post("/admin/addresses/doorplate/add/", form)
    assert response.status_code == 302
    assert DoorPlate.objects.get(number=3).side == "right"


def test_the_check_command_prints_the_counts_and_names_a_missing_street(make_street):
    street = make_street()
    out = StringIO()
    call_command("check_addresses", street=street.pk, stdout=out)
    assert "门牌号重复：0" in out.getvalue()
    with pytest.raises(CommandError, match="不存在"):
        call_command("check_addresses", street=999_999)


def test_the_admin_refuses_a_self_intersecting_street(admin_client, db):
    form = {
        "name": "环形路",
        "geom_4490": "SRID=4490;LINESTRING(130.28 47.34, 130.29 47.34, 130.285 47.345, 130.285 47.335)",
        "base_end": "start",
        "odd_side": "right",
        "numbering_mode": "per_door",
        "former_names-TOTAL_FORMS": "0",
        "former_names-INITIAL_FORMS": "0",
    }
    response = admin_client.post("/admin/addresses/street/add/", form)
    assert response.status_code == 200 and "自相交" in response.content.decode()
    assert not Street.objects.exists()
    form["geom_4490"] = "SRID=4490;LINESTRING(130.28 47.34, 130.29 47.34)"
    response = admin_client.post("/admin/addresses/street/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Street.objects.get().name_pinyin == "Huanxing Lu"


def test_streets_link_to_the_archive_record_of_the_same_name_in_their_county(
    hegang_areas, make_street
):
    xiangyang = AdministrativeArea.objects.get(code="230402")
    gongnong = AdministrativeArea.objects.get(code="230403")
    road = PlaceCategory.objects.get(code="23512")
    street = make_street(county=xiangyang)
    other = make_street(name="胜利路", coords=((WEST, 47.35), (EAST, 47.35)), county=xiangyang)
    PlaceName.objects.create(
        place_code="23040200123512900001", standard_name="新华路", category=road, division=xiangyang
    )
    PlaceName.objects.create(
        place_code="23040300123512900002", standard_name="胜利路", category=road, division=gongnong
    )
    dry = streets_link_archive(dry_run=True)
    assert dry.as_dict() == {"linked": 1, "ambiguous": 0, "missing": 1}
    assert Street.objects.filter(place_name__isnull=False).count() == 0
    report = streets_link_archive()
    assert report.linked == [("新华路", "23040200123512900001")]
    street.refresh_from_db()
    other.refresh_from_db()
    assert street.place_name.standard_name == "新华路"
    assert other.place_name is None  # the only 胜利路 on file is in 工农区
