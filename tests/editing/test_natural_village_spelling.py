"""Natural villages (农村居民点, 222xx) keep the 1984 rules' joined spelling (rule 3) when
they are named or renamed in the editor, as the census import spells them; the spelling
endpoint the editor's form asks follows the category or the officer's choice."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import mapping

from gis_portal.editing.layers import ApprovedChange
from placenames.services import edit as edit_services
from tests.editing.placename_builders import district_centre, place_create, square_around

pytestmark = pytest.mark.django_db


def test_renaming_a_natural_village_keeps_its_syllables_joined(hegang_areas, make_user):
    village = place_create("李家屯", category="22200")
    street_area = place_create("向阳小区", category="21770", serial=2)
    chief = make_user("chief", "administrator")
    for place, new_name, expected in (
        (village, "王家村", "Wangjiacun"),
        (street_area, "王家村小区", "Wangjiacun Xiaoqu"),
    ):
        renamed = edit_services.placename_apply_approved(
            ApprovedChange(
                action="update",
                target_id=place.pk,
                expected_version=None,
                proposed={"standard_name": new_name},
                comment="居民申请更名",
                user=chief,
            )
        )
        renamed.refresh_from_db()
        assert renamed.pinyin == expected
        assert renamed.generic_pinyin == ("" if place is village else "Xiaoqu")


def test_naming_a_natural_village_spells_it_joined(hegang_areas, make_user):
    lon, lat = district_centre()
    place = edit_services.placename_create(
        values={
            "standard_name": "新华村",
            "category": "22200",
            "division": "230403",
            "geometry": mapping(shapely.from_wkt(square_around(lon, lat, 0.001).wkt)),
        },
        comment="新建自然村命名",
        user=make_user("chief", "administrator"),
        source="approval",
    )
    assert place.pinyin == "Xinhuacun"


@pytest.mark.parametrize(
    ("params", "pinyin", "settlement"),
    [
        ({"name": "王家村"}, "Wangjia Cun", False),
        ({"name": "王家村", "category": "22200"}, "Wangjiacun", True),
        ({"name": "王家村", "category": "22100"}, "Wangjia Cun", False),
        # The officer's choice wins over the category (a town settlement filed as 22100).
        ({"name": "王家村", "category": "22100", "settlement": "true"}, "Wangjiacun", True),
        ({"name": "王家村", "category": "22200", "settlement": "false"}, "Wangjia Cun", False),
    ],
)
def test_the_spelling_endpoint_follows_the_category_or_the_choice(
    client, db, params, pinyin, settlement
):
    body = client.get("/api/v1/romanize", params).json()
    assert (body["pinyin"], body["settlement"]) == (pinyin, settlement)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"name": "王家村", "category": "222"}, "category"), ({"name": "王家村", "settlement": "1"}, "settlement")],
)  # fmt: skip
def test_a_bad_category_or_choice_is_a_400_naming_it(client, db, params, parameter):
    response = client.get("/api/v1/romanize", params)
    assert response.status_code == 400 and parameter in response.json()["error"]
