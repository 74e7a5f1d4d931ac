"""The table of siting models gives the page, the command and the checks their choices."""

import pytest
from django.core.management import CommandError, call_command

from facilities.errors import SitingRejected
from facilities.services.siting import SitingRequest
from facilities.siting.catalogue import SITING_MODELS
from tests.facilities.factories import user_with_role


@pytest.mark.django_db
def test_the_planner_offers_every_model_by_its_chinese_label(client, hegang_areas):
    user_with_role("planner", "planner", password="pw-for-tests-1")
    client.login(username="planner", password="pw-for-tests-1")
    html = client.get("/facilities/").content.decode()
    for model in SITING_MODELS.values():
        assert f'value="{model.name}" data-p="{model.p}"' in html
        assert model.label in html
    assert 'value="mclp" data-p="needed" selected' in html


def test_the_command_refuses_a_model_not_in_the_table(tmp_path):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command(
            "solve_siting", "--model", "kmeans", "--demand", "d.csv", "--candidates", "c.csv"
        )


@pytest.mark.parametrize(
    ("request_", "parameter"),
    [
        (SitingRequest(model="lscp", p=3, radius_m=500.0), "p"),
        (SitingRequest(model="lscp"), "radius_m"),
        (SitingRequest(model="mclp", radius_m=500.0), "p"),
        (SitingRequest(model="pmedian"), "p"),
    ],
)
def test_a_request_is_checked_against_the_models_parameters(request_, parameter):
    with pytest.raises(SitingRejected) as exc:
        request_.check()
    assert exc.value.details["parameter"] == parameter


def test_a_radius_is_optional_for_the_distance_models():
    SitingRequest(model="pmedian", p=2).check()
    SitingRequest(model="pcenter", p=2, radius_m=800.0).check()
