"""Choice fields of a place name follow the editor's one choice rule (value or label)."""

import pytest

from gis_portal.editing.errors import InvalidEdit
from placenames.services.edit import PLACENAME_WRITES
from tests.editing.placename_builders import place_create

pytestmark = pytest.mark.django_db


def _survey_method_set(place, value):
    place = PLACENAME_WRITES.update(
        pk=place.pk,
        expected_version=place.version,
        changes={"survey_method": value, "comment": "补录测量方法"},
        user=None,
    )
    place.refresh_from_db()
    return place


def test_survey_method_takes_the_value_or_the_label_and_may_be_blank(hegang_areas):
    place = _survey_method_set(place_create(), "图解")
    assert place.survey_method == "graphical"
    place = _survey_method_set(place, " surveyed ")
    assert place.survey_method == "surveyed"
    assert _survey_method_set(place, "").survey_method == ""


def test_an_unknown_survey_method_is_refused_naming_the_choices(hegang_areas):
    place = place_create()
    with pytest.raises(InvalidEdit) as exc:
        _survey_method_set(place, "卫星")
    assert exc.value.field == "survey_method" and "实测、图解" in exc.value.message


def test_the_placename_form_offers_the_survey_methods(hegang_areas, client_as):
    officer = client_as("pn", "placename_officer")
    form = officer.get("/api/v1/editing/placenames/form").json()
    field = {f["name"]: f for f in form["fields"]}["survey_method"]
    assert field["type"] == "choice" and ["graphical", "图解"] in field["choices"]
