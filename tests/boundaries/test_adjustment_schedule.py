"""An adjustment approved before its effective day changes nothing until that day; the daily
command applies it on the day, once."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from boundaries.models import AdministrativeArea, DivisionAdjustment
from gis_portal.editing.errors import InvalidEdit
from tests.boundaries.test_adjustments import _approve, _plan, _state, _submit
from tests.editing.factories import role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(hegang_areas):
    return role_user("bd_officer", "boundary_officer"), role_user("bd_admin", "administrator")


def _run(day: dt.date) -> str:
    out = StringIO()
    call_command("apply_due_adjustments", "--today", day.isoformat(), stdout=out)
    return out.getvalue()


def test_an_adjustment_approved_for_tomorrow_waits_and_is_applied_on_the_day_once(people, client):
    officer, admin = people
    client.force_login(admin)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    before = _state()
    request = _submit(_plan(day=tomorrow.isoformat()), officer)
    _approve(request, officer, admin)
    assert _state() == before  # approved, but nothing changes before the day
    waiting = DivisionAdjustment.objects.get()
    assert waiting.get_status_display() == "已批准，待生效"
    assert waiting.effective_on == tomorrow and waiting.change_request_id == request.pk
    page = client.get("/boundaries/adjustments/").content.decode()
    assert f"已批准，待生效（{tomorrow.year}年{tomorrow.month}月{tomorrow.day}日起）" in page

    assert "0 项" in _run(tomorrow - dt.timedelta(days=1))
    assert _state() == before

    assert "1 项区划调整按期生效" in _run(tomorrow)
    new = AdministrativeArea.objects.get(code="230402001", valid_to__isnull=True)
    old = AdministrativeArea.objects.get(code="230402001", valid_to=tomorrow - dt.timedelta(1))
    assert (new.name, new.valid_from, old.name) == ("光明路街道", tomorrow, "光明街道")
    applied = DivisionAdjustment.objects.get()  # the scheduled record, now applied
    assert applied.pk == waiting.pk and applied.get_status_display() == "已生效"
    assert "待生效" not in client.get("/boundaries/adjustments/").content.decode()
    assert sorted(applied.units.values_list("role", flat=True)) == ["created", "ended"]

    after = _state()
    assert "0 项" in _run(tomorrow)
    assert _state() == after and DivisionAdjustment.objects.count() == 1


def test_a_second_adjustment_of_a_unit_already_waiting_is_refused(people):
    officer, admin = people
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    _approve(_submit(_plan(day=tomorrow.isoformat()), officer), officer, admin)
    later = (tomorrow + dt.timedelta(days=30)).isoformat()
    with pytest.raises(InvalidEdit, match="已有一项待生效的区划调整"):
        _approve(
            _submit(_plan(day=later, approval_ref="黑政函〔2027〕1号"), officer), officer, admin
        )


def _scheduled_row(page: str) -> list[str]:
    """The cells of the scheduled adjustment's row on the adjustments page, as text."""
    row = re.search(r'<tr data-status="scheduled">(.*?)</tr>', page, re.S).group(1)
    return [
        re.sub(r"<[^>]+>", " ", cell).split()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_a_waiting_adjustment_names_its_units_on_the_page_and_in_the_command(people, client):
    officer, admin = people
    client.force_login(admin)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    _approve(_submit(_plan(day=tomorrow.isoformat()), officer), officer, admin)
    cells = _scheduled_row(client.get("/boundaries/adjustments/").content.decode())
    assert cells[-2:] == [["光明街道（230402001）"], ["光明路街道（230402001）"]]

    before_the_day = _run(tomorrow - dt.timedelta(days=1))
    assert "已批准，待生效：更名" in before_the_day
    assert "光明街道（230402001） → 光明路街道（230402001）" in before_the_day
    on_the_day = _run(tomorrow)
    assert "已生效：更名" in on_the_day
    assert "光明街道（230402001） → 光明路街道（230402001）" in on_the_day
    assert "待生效" not in on_the_day
