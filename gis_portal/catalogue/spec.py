"""What a layer of the catalogue declares, as data (pure: no Django, no database).

A ``CatalogueLayer`` says once what every consumer needs of a layer: its key and Chinese
label, the table and SQL expressions it is read from, its geometry, its fields with their
labels (and which of them only staff see), who may read it, its vector-tile and export
specs and the hints a map needs to draw and label it. Editing is one more facet
(``edit``), declared beside it. The consumers (the layer list API, the editor, tiles, maps,
OGC API Features, exports) read these declarations; none of them names a domain app.

Every SQL expression here is a constant of the code, never input: consumers quote only
values as parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The kinds a field's values take (what OGC queryables, exports and forms are typed as).
FIELD_KINDS = ("text", "integer", "number", "boolean", "date", "datetime")
# GeoJSON geometry types (``Geometry``: the layer mixes types, e.g. place names).
GEOMETRY_TYPES = (
    "Point",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "Geometry",
)
# Who may read a staff layer when it names no roles of its own: every signed-in role.
STAFF_READERS = ("placename_officer", "boundary_officer", "planner", "administrator")


class CatalogueSpecError(ValueError):
    """A layer declaration that contradicts itself (raised at start-up, never at a request)."""


@dataclass(frozen=True)
class Field:
    """One attribute of a layer: ``name`` (stable, ASCII), ``label`` (what people read).

    ``sql`` is the expression over the layer's source (alias ``t``); ``choices`` maps stored
    codes to their labels (consumers show the label); ``staff_only`` hides the field from
    the public; ``queryable`` lets filters use it.
    """

    name: str
    label: str
    sql: str
    kind: str = "text"
    choices: Mapping[str, str] | None = None
    staff_only: bool = False
    queryable: bool = True

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise CatalogueSpecError(f"字段 {self.name} 的类型 {self.kind} 不在 {FIELD_KINDS} 中")
        if not self.name.isidentifier():
            raise CatalogueSpecError(f"字段名 {self.name!r} 应为标识符")


@dataclass(frozen=True)
class Source:
    """Where a layer's rows come from: ``table`` (alias ``t``, with joins), geometry, county.

    ``geometry_4490`` is the SQL of the stored EPSG:4490 geometry; ``geometry_3857`` an
    indexed Web Mercator column or expression for tiles when the table has one (else the
    consumer transforms). ``county`` is the SQL of the county-level area id of a row (the
    edit scope and the per-county views read it); ``where`` limits the rows the layer holds
    at all (e.g. current areas only).
    """

    table: str
    geometry_4490: str
    county: str | None = None
    geometry_3857: str | None = None
    where: str = ""
    id: str = "t.id"
    # The rows in force today (e.g. areas not abolished); a view "as of" a past date
    # replaces it with the ``period`` test.
    current: str = ""
    # SQL of the (start, end) dates a row is in force between, either may be NULL (open):
    # what a map "as of" a date shows.
    period: tuple[str, str] | None = None
    # The indexed geometry columns a bbox test runs on, when ``geometry_4490`` is an
    # expression over several (e.g. a place name's shape or else its point); default: it.
    bbox_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class TileSpec:
    """How the layer is cut into vector tiles (``ST_AsMVT``): zooms and tile properties."""

    min_zoom: int
    max_zoom: int = 18
    # Field names carried in each tile feature (beyond its id); the label field first.
    properties: tuple[str, ...] = ()
    # Simplify lines/polygons below this zoom (pixels of tolerance at 4096 extent).
    simplify_below_zoom: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.min_zoom <= self.max_zoom <= 22:
            raise CatalogueSpecError(f"瓦片级别 {self.min_zoom}–{self.max_zoom} 无效")


@dataclass(frozen=True)
class Style:
    """Hints for drawing and labelling the layer on a map (one style for every page).

    ``symbol``: "fill", "line", "circle" or "icon"; ``colour``: CSS hex; ``label_field``: the
    field whose value labels a feature; ``label_priority``: lower wins a label collision;
    ``class_field``: a field whose values get their own legend entry and colour
    (``class_colours``); ``legend``: the legend's text when it is not the layer's label.
    """

    symbol: str
    colour: str
    label_field: str | None = None
    label_priority: int = 50
    class_field: str | None = None
    class_colours: Mapping[str, str] = field(default_factory=dict)
    legend: str | None = None
    min_label_zoom: int = 0
    # The field whose value is written under the label (the name's romanisation).
    pinyin_field: str | None = None
    # The field that holds each class's name when the classes are data, not choices (a
    # facility's programme): what the legend says for a class.
    class_label_field: str | None = None


@dataclass(frozen=True)
class CatalogueLayer:
    """One layer of the catalogue (see the module docstring).

    ``read_roles`` None = the public may read it; a tuple = only those signed-in roles (a
    caller who may not read it is told the layer does not exist). ``datetime_field`` names
    the field that dates a feature (OGC ``datetime``). ``edit`` is the editing facet (the
    editor's ``Layer``), None for a read-only layer; its key, label and model are the
    catalogue's.
    """

    key: str
    label: str
    model: Any
    geometry_type: str
    source: Source
    fields: tuple[Field, ...]
    description: str = ""
    read_roles: tuple[str, ...] | None = None
    datetime_field: str | None = None
    tiles: TileSpec | None = None
    style: Style | None = None
    exportable: bool = True
    # Marks generated demo rows (shown as such by every consumer).
    demo_field: str | None = "is_demo"
    edit: Any = None

    def __post_init__(self) -> None:
        if self.geometry_type not in GEOMETRY_TYPES:
            raise CatalogueSpecError(f"图层 {self.key} 的几何类型 {self.geometry_type} 无效")
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise CatalogueSpecError(f"图层 {self.key} 的字段名重复")
        known = set(names)
        for name in (self.datetime_field, self.demo_field):
            if name is not None and name not in known:
                raise CatalogueSpecError(f"图层 {self.key} 没有字段 {name}")
        if self.tiles is not None:
            missing = set(self.tiles.properties) - known
            if missing:
                raise CatalogueSpecError(f"图层 {self.key} 的瓦片属性 {sorted(missing)} 未声明")
        if self.style is not None:
            for name in (
                self.style.label_field,
                self.style.class_field,
                self.style.pinyin_field,
                self.style.class_label_field,
            ):
                if name is not None and name not in known:
                    raise CatalogueSpecError(f"图层 {self.key} 的样式字段 {name} 未声明")

    @property
    def is_public(self) -> bool:
        return self.read_roles is None

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def fields_for(self, *, staff: bool) -> tuple[Field, ...]:
        """The fields a reader sees: every field for staff, the public ones otherwise."""
        return self.fields if staff else tuple(f for f in self.fields if not f.staff_only)


def choices_of(django_choices) -> dict[str, str]:
    """Return {code: label} of a Django ``TextChoices`` class or a ``choices`` list."""
    pairs = getattr(django_choices, "choices", django_choices)
    return {str(code): str(label) for code, label in pairs}
