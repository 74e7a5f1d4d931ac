"""The admin is a write path too: same geometry rules, no silent overwrite, recorded."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from boundaries.admin_forms import BoundaryMarkerAdminForm
from boundaries.models import BoundaryMarker

pytestmark = pytest.mark.django_db


def form_data(marker, **overrides) -> dict:
    data = {k: v for k, v in model_to_dict(marker).items() if v is not None and k != "photo"}
    data["geom_4490"] = marker.geom_4490.ewkt
    data["seen_version"] = marker.version
    data.update(overrides)
    return data


def test_admin_form_refuses_a_marker_off_its_line(boundary_demo):
    _line, marker = boundary_demo
    x, y = marker.geom_4490.coords
    form = BoundaryMarkerAdminForm(
        data=form_data(marker, geom_4490=f"SRID=4490;POINT({x} {y + 0.01})"), instance=marker
    )
    assert not form.is_valid()
    assert "离界线" in form.errors["geom_4490"][0]


def test_admin_form_opened_before_another_change_cannot_overwrite_it(boundary_demo):
    _line, marker = boundary_demo
    data = form_data(marker, material="后台修改")
    BoundaryMarker.objects.filter(pk=marker.pk).update(material="他人修改")
    form = BoundaryMarkerAdminForm(data=data, instance=BoundaryMarker.objects.get(pk=marker.pk))
    assert not form.is_valid()
    assert "已被他人修改" in form.non_field_errors()[0]


def test_admin_save_is_in_the_history_with_the_user(boundary_demo, client_as):
    _line, marker = boundary_demo
    admin_client = client_as("chief", "administrator")
    r = admin_client.post(
        f"/admin/boundaries/boundarymarker/{marker.pk}/change/",
        form_data(marker, material="后台校正"),
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    timeline = admin_client.get(f"/api/v1/editing/boundary-markers/{marker.pk}/history").json()
    last = timeline["timeline"][-1]
    assert last["username"] == "chief" and last["source"] == "admin"
    assert last["changed"]["material"]["after"] == "后台校正"
