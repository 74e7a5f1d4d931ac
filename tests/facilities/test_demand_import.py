"""Demand import: by point or by division code, all rows or none."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from facilities.models import DemandUnit

pytestmark = pytest.mark.django_db


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_points_and_division_codes_are_imported_with_extra_fields(tmp_path, hegang_areas):
    path = _write(
        tmp_path / "d.csv",
        "code,lon,lat,division_code,population,age_0_14,age_60_plus,age_65_plus,age_80_plus,disabled\n"
        "A1,130.30,47.34,,1000,100,300,200,50,12\n"
        "B1,,,230422,500,40,120,90,20,\n",
    )
    out = StringIO()
    call_command("import_demand", str(path), "--dry-run", stdout=out)
    assert json.loads(out.getvalue())["created"] == 2 and not DemandUnit.objects.exists()
    call_command("import_demand", str(path), stdout=StringIO())
    a = DemandUnit.objects.get(code="A1")
    assert a.age_60_plus == 300 and a.extra == {"disabled": "12"}
    b = DemandUnit.objects.get(code="B1")
    assert b.county.name == "绥滨县" and b.source == "import"


def test_bad_rows_reject_the_whole_file(tmp_path, hegang_areas):
    path = _write(
        tmp_path / "d.csv",
        "code,lon,lat,population,age_0_14,age_60_plus,age_65_plus,age_80_plus\n"
        "A1,130.30,47.34,1000,100,300,200,50\n"
        "A2,130.30,47.34,100,10,30,40,5\n"  # 65+ > 60+
        "A3,126.6,45.7,100,10,30,20,5\n",  # Harbin
    )
    with pytest.raises(CommandError) as err:
        call_command("import_demand", str(path), stdout=StringIO())
    assert "第 3 行" in str(err.value) and "第 4 行" in str(err.value)
    assert not DemandUnit.objects.exists()
