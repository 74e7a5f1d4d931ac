"""Which rows of an officer's import need approval, and the change request each becomes.

As in the editor, a name changes only through an approved request: a new place is a naming
(action ``create``), a new standard name a renaming, 使用状态 已废止 an abolishing. Such a
row writes nothing itself; the request carries what the editor's request would carry (a
naming: the fields of ``CREATE_RULES``; a renaming or abolishing: the changed name fields),
and the other columns of the row are not written. Every other row is an attribute update
that applies directly, but never changes the name fields (``NAME_FIELDS``). No database
access here: the current records are passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from placenames.importers.validation import CleanRow, RowError
from placenames.models import PlaceNameStatus
from placenames.services.edit import CREATE_RULES

# The fields a direct import update keeps as the archive has them (NAME_RULES' fields).
NAME_FIELDS = ("standard_name", "status", "named_on", "abolished_on")
REQUEST_LABELS = {"naming": "命名申请", "renaming": "更名申请", "abolishing": "销名申请"}
# A request's field → the census column an officer sees in the report.
FIELD_COLUMNS = {
    "standard_name": "标准名称",
    "status": "使用状态",
    "named_on": "命名时间",
    "abolished_on": "废止时间",
    "category": "类别",
    "division": "所在(跨)行政区",
    "geometry": "几何",
    "pinyin": "罗马字母拼写",
}


@dataclass(frozen=True)
class CurrentRecord:
    """What the archive holds of a record a row's code names."""

    place_id: int
    version: int
    standard_name: str
    status: str
    named_on: dt.date | None
    abolished_on: dt.date | None
    division_code: str
    geometry: BaseGeometry | None = None

    def name_fields(self) -> dict:
        return {name: getattr(self, name) for name in NAME_FIELDS}


@dataclass(frozen=True)
class RequestPlan:
    """A row to submit as a change request (``target_id`` None: a naming)."""

    line: int
    kind: str  # naming | renaming | abolishing
    standard_name: str
    place_code: str
    target_id: int | None = None
    base_version: int | None = None
    proposed: dict = field(default_factory=dict)


def _jsonable(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def naming_proposal(row: CleanRow) -> dict:
    """Return the naming request's fields of a new place (as the editor's form sends them)."""
    values = {
        "standard_name": row.standard_name,
        "category": row.category_code,
        "division": row.division_code,
        **{k: _jsonable(v) for k, v in row.attrs.items() if k in CREATE_RULES},
    }
    if row.pinyin:
        values["pinyin"] = row.pinyin
    if row.geometry is not None:
        values["geometry"] = mapping(row.geometry)
    return values


def row_plan(row: CleanRow, current: CurrentRecord | None) -> RequestPlan | RowError | None:
    """Return the request a row needs, the reason it is refused, or None (applies directly)."""
    if current is None:
        status = row.attrs.get("status", PlaceNameStatus.IN_USE)
        if status != PlaceNameStatus.IN_USE:
            return RowError(
                row.line,
                "使用状态",
                "新地名经命名申请登记，使用状态应为现今；历史或已废止地名的档案由系统管理员登记",
            )
        return RequestPlan(
            line=row.line,
            kind="naming",
            standard_name=row.standard_name,
            place_code=row.place_code,
            proposed=naming_proposal(row),
        )
    given = {"standard_name": row.standard_name}
    given |= {name: row.attrs[name] for name in NAME_FIELDS[1:] if name in row.attrs}
    old = current.name_fields()
    changed = {name: value for name, value in given.items() if value != old[name]}
    if not changed:
        return None
    abolishing = (
        changed.get("status") == PlaceNameStatus.ABOLISHED
        and current.status != PlaceNameStatus.ABOLISHED
    )
    if abolishing and "abolished_on" in given:
        changed["abolished_on"] = given["abolished_on"]
    if not abolishing and "standard_name" not in changed:
        names = "、".join(FIELD_COLUMNS[name] for name in changed)
        return RowError(
            row.line,
            FIELD_COLUMNS[next(iter(changed))],
            f"{names}与档案不同：只能经更名或销名申请修改，导入不能直接修改",
        )
    return RequestPlan(
        line=row.line,
        kind="abolishing" if abolishing else "renaming",
        standard_name=current.standard_name,
        place_code=row.place_code,
        target_id=current.place_id,
        base_version=current.version,
        proposed={name: _jsonable(value) for name, value in changed.items()},
    )


def direct_update_attrs(row_attrs: dict, current: CurrentRecord) -> dict:
    """Return a direct update's attributes with the name fields as the archive has them."""
    kept = current.name_fields()
    del kept["standard_name"]
    return {**row_attrs, **kept}
