"""Which import rows need approval, and the edit scope's rule — without the database."""

from __future__ import annotations

import datetime as dt

import shapely

from placenames.importers.approvals import CurrentRecord, RequestPlan, row_plan
from placenames.importers.scope import EditScope, scope_problems
from placenames.importers.validation import CleanRow, Division, RowError

DIVISIONS = {
    "230400": Division("230400", "鹤岗市", "city", ""),
    "230402": Division("230402", "向阳区", "county", "230400"),
    "230402001": Division("230402001", "红军街道", "township", "230402"),
    "230403": Division("230403", "工农区", "county", "230400"),
    "230403001": Division("230403001", "红旗街道", "township", "230403"),
}
SQUARE = shapely.box(130.0, 47.0, 130.1, 47.1)


def _row(name="向阳路", code="23040200023512000001", **attrs) -> CleanRow:
    return CleanRow(
        line=7,
        place_code=code,
        standard_name=name,
        category_code="23512",
        division_code="230402",
        other_division_codes=[],
        pinyin="",
        geometry=shapely.Point(130.05, 47.05),
        aliases=[],
        attrs=attrs,
    )


CURRENT = CurrentRecord(
    place_id=41,
    version=3,
    standard_name="向阳路",
    status="in_use",
    named_on=dt.date(1990, 1, 1),
    abolished_on=None,
    division_code="230402",
)


def test_a_new_place_is_a_naming_with_the_editor_fields():
    plan = row_plan(_row(code="", origin="因向阳区得名", registrar="张三"), None)
    assert isinstance(plan, RequestPlan) and plan.kind == "naming" and plan.target_id is None
    assert plan.proposed["geometry"] == {"type": "Point", "coordinates": (130.05, 47.05)}
    assert plan.proposed["origin"] == "因向阳区得名"
    assert "registrar" not in plan.proposed  # not a field a naming request carries


def test_a_new_historical_place_is_refused():
    assert isinstance(row_plan(_row(status="historical"), None), RowError)


def test_the_same_name_fields_apply_directly_and_absent_ones_are_unchanged():
    assert row_plan(_row(origin="新来历"), CURRENT) is None
    assert row_plan(_row(named_on=dt.date(1990, 1, 1)), CURRENT) is None


def test_a_new_standard_name_is_a_renaming_of_the_record():
    plan = row_plan(_row(name="朝阳路"), CURRENT)
    assert (plan.kind, plan.target_id, plan.base_version) == ("renaming", 41, 3)
    assert plan.proposed == {"standard_name": "朝阳路"}


def test_abolished_status_is_an_abolishing_with_its_date():
    plan = row_plan(_row(status="abolished", abolished_on=dt.date(2024, 5, 1)), CURRENT)
    assert plan.kind == "abolishing"
    assert plan.proposed == {"status": "abolished", "abolished_on": "2024-05-01"}


def test_other_name_field_changes_are_refused():
    error = row_plan(_row(status="historical"), CURRENT)
    assert isinstance(error, RowError) and error.column == "使用状态"


def test_scope_holds_its_townships_and_names_the_district_outside():
    scope = EditScope(area_codes=frozenset({"230402"}), names="向阳区", outlines_4490=[SQUARE])
    assert scope.holds_division("230402001", DIVISIONS)
    assert not scope.holds_division("230403001", DIVISIONS)
    [(column, reason)] = scope_problems(scope, DIVISIONS, division_code="230403001", geometry=None)
    assert column == "所在(跨)行政区"
    assert "工农区红旗街道（230403001）" in reason and "向阳区" in reason
    [(column, _)] = scope_problems(
        scope, DIVISIONS, division_code="230402", geometry=shapely.Point(131, 47)
    )
    assert column == "几何"
    assert not scope_problems(
        scope, DIVISIONS, division_code="230402001", geometry=shapely.Point(130.05, 47.05)
    )
