"""What a layer declares to be imported and exported, and the registry of layers.

The kernel knows no domain app: each app declares its layers in its own ``bulk_io.py``
(``register(PlateSpec())``), discovered at start-up like ``admin.py``. A spec says

- ``columns``: the Chinese headings (import, errors, export header);
- ``staging``: the validated values as (column, SQL type), in COPY order;
- ``context(user=)``: what validation needs from the database, read once (lookups, the
  officer's scope, approved Beijing 1954 conversions);
- ``validate(raw, mapped, ctx)``: one row, no database → a ``Staged`` row or problems;
- ``check_chunk(rows, ctx)``: checks over a chunk of valid rows at once (vectorised
  geometry), which may fill staged values (a door's side);
- ``staging_problems(cursor, table, ctx)``: set-based checks in SQL (duplicates, rows
  that meet existing records);
- ``write(cursor, table, ctx)``: staging → the layer's tables, returning (created, updated);
- ``export_query(...)``: what an export selects, columns labelled as the import reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import autodiscover_modules
from shapely.geometry.base import BaseGeometry

from gis_portal.importing.columns import Column
from gis_portal.importing.crs import Conversions, DatumConversion
from gis_portal.importing.readers import RawRow
from gis_portal.importing.report import RowError

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DISCOVERED_MODULE = "bulk_io"


@dataclass
class Staged:
    """A row that passed ``validate``: its staging values by column, and its geometry."""

    line: int
    values: dict[str, Any]
    geometry: BaseGeometry | None = None  # EPSG:4490, for check_chunk
    conversion: DatumConversion | None = None  # the Beijing 1954 set that converted it


@dataclass
class ImportContext:
    """What a layer's validation reads from the database once, before the first row."""

    user: User | None
    scope_label: str = "全市"
    conversions: Conversions = field(default_factory=dict)


@dataclass(frozen=True)
class ExportQuery:
    """An export's SELECT: the label columns in order, then (when ``geometry``) the
    geometry as EPSG:4490 WKB in a last column."""

    sql: str
    params: Sequence[Any]
    columns: tuple[str, ...]
    geometry: bool = True
    layer_name: str = "layer"


class LayerSpec:
    """A layer's import and export declaration (see the module docstring)."""

    key: str = ""
    label: str = ""
    columns: tuple[Column, ...] = ()
    staging: tuple[tuple[str, str], ...] = ()
    source: str = "import"  # the history's source: import_addresses …
    chunk_size: int = 5000
    refusal: str = "您的账户没有导入此图层的权限"

    def may_import(self, user: User) -> bool:
        raise NotImplementedError

    def context(self, *, user: User | None) -> ImportContext:
        return ImportContext(user=user)

    def validate(
        self, raw: RawRow, mapped: dict[str, Any], ctx: ImportContext
    ) -> Staged | list[tuple[str, str]]:
        raise NotImplementedError

    def check_chunk(self, rows: list[Staged], ctx: ImportContext) -> list[RowError]:
        return []

    def staging_problems(self, cursor, table: str, ctx: ImportContext) -> list[RowError]:
        return []

    def write(self, cursor, table: str, ctx: ImportContext) -> tuple[int, int]:
        raise NotImplementedError

    def export_query(self, **filters: Any) -> ExportQuery:
        raise NotImplementedError

    def column_label(self, field_name: str) -> str:
        return next((c.label for c in self.columns if c.field == field_name), field_name)


_REGISTRY: dict[str, LayerSpec] = {}


def register(spec: LayerSpec) -> LayerSpec:
    """Add a layer's spec to the registry (called from an app's ``bulk_io.py``)."""
    if not spec.key or (spec.key in _REGISTRY and _REGISTRY[spec.key] is not spec):
        raise ValueError(f"import layer key {spec.key!r} is empty or registered twice")
    _REGISTRY[spec.key] = spec
    return spec


def autodiscover() -> None:
    """Import every installed app's ``bulk_io`` module (done once at start-up)."""
    autodiscover_modules(DISCOVERED_MODULE)


def spec_get(key: str) -> LayerSpec:
    """Return a registered layer's spec; KeyError for an unknown key."""
    return _REGISTRY[key]


def specs() -> dict[str, LayerSpec]:
    return dict(_REGISTRY)
