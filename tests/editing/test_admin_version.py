"""The admin change form of every versioned model refuses to overwrite a newer version."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.db.models.fields.files import FieldFile

from boundaries.models import BoundaryLine, BoundaryMarker
from placenames.addresses.models import DoorPlate
from tests.editing.test_layers_addresses_builders import (
    NORTH_LAT,
    SOUTH_LAT,
    facility,
    plate,
    sign,
    street,
)

pytestmark = pytest.mark.django_db


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, GEOSGeometry):
        return value.ewkt
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _form_fields(form, prefix: str = "") -> dict:
    data = {}
    for name in form.fields:
        key = f"{prefix}{name}"
        value = form[name].value()
        if value is True:
            data[key] = "on"
        elif value is False:
            continue
        elif not isinstance(value, FieldFile):  # files are not re-posted
            data[key] = _plain(value)
    return data


def opened_change_form(client, url: str) -> dict:
    """What the browser would post back from the change page, unchanged."""
    r = client.get(url)
    assert r.status_code == 200, r.content[:500]
    data = _form_fields(r.context["adminform"].form)
    for inline in r.context["inline_admin_formsets"]:
        fs = inline.formset
        for k, v in fs.management_form.initial.items():
            data[f"{fs.prefix}-{k}"] = v
        for f in fs.forms:
            data.update(_form_fields(f, f"{f.prefix}-"))
    return data


def _objects(kind: str):
    if kind == "boundaryline":
        return BoundaryLine.objects.filter(markers__isnull=False).order_by("code").first(), "name"
    if kind == "boundarymarker":
        return BoundaryMarker.objects.order_by("pk").first(), "material"
    s = street()
    if kind == "street":
        return s, "start_description"
    if kind == "streetsign":
        return sign(s, 130.2855, SOUTH_LAT), "text_pinyin"
    if kind == "doorplate":
        return plate(s, 130.2850, NORTH_LAT, number=1), "building"
    return facility(), "address"


APP = {
    "boundaryline": "boundaries",
    "boundarymarker": "boundaries",
    "street": "addresses",
    "streetsign": "addresses",
    "doorplate": "addresses",
    "facility": "facilities",
}


@pytest.mark.parametrize("kind", list(APP))
def test_the_second_save_from_the_same_opened_version_is_refused(kind, boundary_demo, client_as):
    obj, field = _objects(kind)
    url = f"/admin/{APP[kind]}/{kind}/{obj.pk}/change/"
    first, second = client_as("chief", "administrator"), client_as("deputy", "administrator")
    data_first = opened_change_form(first, url)
    data_second = opened_change_form(second, url)
    assert data_first["seen_version"] == obj.version

    r = first.post(url, {**data_first, field: "甲的修改"})
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    r = second.post(url, {**data_second, field: "乙的修改"})
    assert r.status_code == 200
    assert "已被他人修改" in r.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == "甲的修改"
    assert obj.version == data_first["seen_version"] + 1


def test_a_form_without_a_version_is_refused(hegang_areas, client_as):
    p = plate(street(), 130.2850, NORTH_LAT, number=1)
    url = f"/admin/addresses/doorplate/{p.pk}/change/"
    admin = client_as("chief", "administrator")
    data = opened_change_form(admin, url)
    del data["seen_version"]
    r = admin.post(url, {**data, "building": "乙"})
    assert r.status_code == 200 and "页面未带版本号" in r.content.decode()
    assert DoorPlate.objects.get(pk=p.pk).building == ""
