"""Writes to the place-name app."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pghistory
import shapely
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import connection, transaction
from django.utils import timezone

from boundaries.models import AdministrativeArea
from gis_portal.errors import DomainError
from placenames import romanize as rz
from placenames.codes import place_code_build, place_code_prefix, read_categories
from placenames.demo_archive import ARCHIVE_SIZE, DemoArea, demo_archive
from placenames.gazetteer import read_geonames_tsv
from placenames.models import AliasKind, GeoNamesPlace, PlaceCategory, PlaceName, PlaceNameAlias

GEONAMES_SOURCE = "GeoNames cities1000 (CC-BY 4.0)"
# Serials 900001–999999 of every prefix are reserved for the demo archive, so a reload
# of the demo never overwrites a record an officer registered or imported.
DEMO_SERIAL_FROM = "900000"


def geonames_load(*, path: Path) -> int:
    """Upsert the GeoNames points of ``path``; return how many rows were loaded."""
    rows = read_geonames_tsv(path)
    with transaction.atomic():
        for row in rows:
            GeoNamesPlace.objects.update_or_create(
                geonames_id=row.geonames_id,
                defaults={
                    "name": row.name,
                    "name_zh": row.name_zh,
                    "alternate_names": row.alternate_names,
                    "feature_code": row.feature_code,
                    "population": row.population,
                    "geom_4490": Point(row.lon, row.lat, srid=4490),
                    "source": GEONAMES_SOURCE,
                },
            )
    return len(rows)


def categories_load() -> int:
    """Upsert the category code table from placenames/data/categories.csv."""
    by_code: dict[str, PlaceCategory] = {}
    with transaction.atomic():
        for row in read_categories():
            category, _ = PlaceCategory.objects.update_or_create(
                code=row.code,
                defaults={
                    "name": row.name,
                    "parent": by_code.get(row.parent_code),
                    "census_class": row.census_class,
                    "confidence": row.confidence,
                },
            )
            by_code[row.code] = category
    return len(by_code)


@dataclass
class AliasInput:
    name: str
    kind: str = AliasKind.ALIAS
    valid_from: date | None = None
    valid_to: date | None = None
    note: str = ""


@dataclass
class PlaceNameInput:
    """One validated census record, ready to write (geometry in EPSG:4490)."""

    standard_name: str
    category_code: str
    division_code: str
    place_code: str = ""
    pinyin: str = ""
    geom_4490: GEOSGeometry | None = None
    aliases: list[AliasInput] = field(default_factory=list)
    other_division_codes: list[str] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)  # the other census fields, by model field name


def search_keys(*, standard_name: str, alias_names: list[str], abbreviation: str = "") -> dict:
    """Return the search columns of a record (bigram text, pinyin key, initials, fuzzy keys)."""
    names = [standard_name, *alias_names, *([abbreviation] if abbreviation else [])]
    return {
        "search_names": "\n".join(n.lower() for n in names),
        "pinyin_key": rz.pinyin_key(standard_name),
        "pinyin_initials": rz.pinyin_initials(standard_name),
        "fuzzy_keys": sorted({k for n in names for k in rz.fuzzy_keys(n)}),
    }


def place_code_next(*, division_code: str, category_code: str) -> str:
    """Return the next free 20-digit code of a division and category (in a transaction)."""
    prefix = place_code_prefix(division_code=division_code, category_code=category_code)
    _codes_lock([prefix])
    serial = _serial_next(prefix)
    return place_code_build(division_code=division_code, category_code=category_code, serial=serial)


def _codes_lock(prefixes: Iterable[str], *, bulk: bool = False) -> None:
    """Hold the serials of these 14-digit prefixes to the end of the transaction (the serial
    is the last one + 1). The editor's single name and a bulk import take the same lock per
    prefix, so they never pick one serial twice, and a name whose prefix an import is not
    allocating does not wait for it. A bulk import first takes the one import lock: it locks
    prefixes batch by batch, in no overall order, so two imports at once could deadlock."""
    with connection.cursor() as cursor:
        if bulk:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('placename_codes'))")
        for prefix in sorted(set(prefixes)):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [prefix])


def _serial_next(prefix: str) -> int:
    """The serial after the last real (non-demo) code of a 14-digit prefix; 1 for the first."""
    last = (
        PlaceName.objects.filter(
            place_code__startswith=prefix, place_code__lt=prefix + DEMO_SERIAL_FROM
        )
        .order_by("-place_code")
        .values_list("place_code", flat=True)
        .first()
    )
    return int(last[14:]) + 1 if last else 1


def representative_point(geom: GEOSGeometry | None) -> Point | None:
    """The point a place name is labelled and searched at: the point itself, or a point on
    the surface of a line or polygon (EPSG:4490); None without a geometry. Every write of a
    place name's geometry (import, editor, admin) sets ``point_4490`` with this."""
    if geom is None or geom.empty:
        return None
    point = geom if geom.geom_type == "Point" else geom.point_on_surface
    point.srid = 4490
    return point


def placename_register(*, record: PlaceNameInput, is_demo: bool = False) -> tuple[PlaceName, bool]:
    """Create or update one place name by its code through the bulk write; return (place, created).

    For a single record written in code (fixtures, scripts): the same path as every import
    (``placenames_bulk_upsert``: code allocation, romanisation, search keys, aliases, other
    divisions, history). Its category and divisions must exist (``DoesNotExist`` otherwise).
    """
    category = PlaceCategory.objects.get(code=record.category_code)
    codes = {record.division_code, *record.other_division_codes}
    divisions = {
        a.code: a for a in AdministrativeArea.objects.filter(code__in=codes, valid_to__isnull=True)
    }
    missing = sorted(codes - divisions.keys())
    if missing:
        raise AdministrativeArea.DoesNotExist(f"没有行政区划 {'、'.join(missing)}")
    with transaction.atomic():
        report = placenames_bulk_upsert(
            records=[record],
            categories={category.code: category},
            divisions=divisions,
            is_demo=is_demo,
        )
    return PlaceName.objects.get(place_code=record.place_code), report.created == 1


def division_code_basis(area: AdministrativeArea) -> str:
    """Return the division code a place code is built on (a village uses its township's)."""
    if area.level == "village" and area.parent is not None:
        return area.parent.code
    return area.code


@dataclass
class BulkReport:
    created: int = 0
    updated: int = 0
    aliases: int = 0


# The census fields a record carries in PlaceNameInput.attrs (an upsert replaces them all).
CENSUS_ATTR_FIELDS = (
    "abbreviation",
    "ethnic_script",
    "status",
    "named_on",
    "established_year",
    "abolished_on",
    "origin",
    "meaning",
    "history",
    "description",
    "coordinate_system",
    "survey_method",
    "media_note",
    "source",
    "remarks",
    "registered_on",
    "registrar",
    "registering_unit",
)

_UPDATE_FIELDS = [
    "standard_name",
    "pinyin",
    "generic_pinyin",
    "pinyin_needs_check",
    "category",
    "division",
    "geom_4490",
    "point_4490",
    "is_demo",
    "search_names",
    "pinyin_key",
    "pinyin_initials",
    "fuzzy_keys",
    "updated_at",
]


_COPY_FIELDS = [
    f for f in PlaceName._meta.concrete_fields if not f.primary_key and f.attname != "created_at"
]
_COPY_COLUMNS = [f.attname for f in _COPY_FIELDS]
_UPDATE_COLUMNS = [
    PlaceName._meta.get_field(name).attname for name in (*_UPDATE_FIELDS, *CENSUS_ATTR_FIELDS)
]


def _copy_defaults() -> dict:
    """Return every column's default as the model gives it (Django's, not the table's)."""
    defaults = {f.attname: f.get_default() for f in _COPY_FIELDS}
    defaults["updated_at"] = timezone.now()
    return defaults


def _copy_upsert(rows: list[list], report: BulkReport) -> dict[str, int]:
    """COPY rows into a staging table, upsert them by place code; return their ids by code.

    COPY skips the ORM's per-value SQL assembly, the bulk of a large import's time. The
    INSERT … SELECT fires the table's triggers (history, version) like any other write.
    """
    columns = ", ".join(_COPY_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _UPDATE_COLUMNS)
    # A savepoint inside the caller's transaction, or a transaction of its own: the
    # staging table lives until the commit either way.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS placename_staging ON COMMIT DROP AS"  # noqa: S608
            f" SELECT {columns} FROM placenames_placename WITH NO DATA"
        )
        cursor.execute("TRUNCATE placename_staging")
        with cursor.cursor.copy(f"COPY placename_staging ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO placenames_placename ({columns}, created_at)"  # noqa: S608
            f" SELECT {columns}, now() FROM placename_staging"
            f" ON CONFLICT (place_code) DO UPDATE SET {updates}"
            " RETURNING place_code, id, (xmax = 0) AS inserted"
        )
        returned = cursor.fetchall()
    report.created = sum(1 for r in returned if r[2])
    report.updated = len(returned) - report.created
    return {code: pk for code, pk, _ in returned}


def placenames_bulk_upsert(
    *,
    records: list[PlaceNameInput],
    categories: dict[str, PlaceCategory],
    divisions: dict[str, AdministrativeArea],
    is_demo: bool = False,
) -> BulkReport:
    """Upsert validated records by place code: COPY, then one INSERT … ON CONFLICT per batch.

    Records without a code get the next free serials of their division and category.
    The caller holds the transaction; records must already be validated.
    """
    report = BulkReport()
    if not records:
        return report
    # The history triggers read the pghistory context in a PL/pgSQL EXCEPTION block. With
    # no context set, every row raises and rolls back that block's subtransaction, and
    # PostgreSQL's subtransaction abort scans the transaction's whole queue of deferred
    # after-trigger events (Django's FK checks, one per written row): the cost per row
    # grew with every batch of a long import (2,000 rows: 0.34 s of trigger time in batch
    # 2, 1.32 s in batch 15). With a context set no row raises, and the events name it.
    with pghistory.context(operation="placenames_bulk_upsert"):
        _bulk_upsert(
            report, records=records, categories=categories, divisions=divisions, is_demo=is_demo
        )
    return report


def _bulk_upsert(
    report: BulkReport,
    *,
    records: list[PlaceNameInput],
    categories: dict[str, PlaceCategory],
    divisions: dict[str, AdministrativeArea],
    is_demo: bool,
) -> None:
    allocating = [
        place_code_prefix(
            division_code=division_code_basis(divisions[r.division_code]),
            category_code=categories[r.category_code].code,
        )
        for r in records
        if not r.place_code
    ]
    _codes_lock(allocating, bulk=True)
    next_serial: dict[str, int] = {}
    places: list[list] = []
    defaults = _copy_defaults()
    for record in records:
        division = divisions[record.division_code]
        category = categories[record.category_code]
        code = record.place_code
        if not code:
            basis = division_code_basis(division)
            prefix = place_code_prefix(division_code=basis, category_code=category.code)
            if prefix not in next_serial:
                next_serial[prefix] = _serial_next(prefix)
            code = place_code_build(
                division_code=basis, category_code=category.code, serial=next_serial[prefix]
            )
            next_serial[prefix] += 1
            record.place_code = code
        roman = rz.romanize(
            record.standard_name, settlement=rz.is_settlement_category(record.category_code)
        )
        point = representative_point(record.geom_4490)
        row = {
            **defaults,
            **record.attrs,
            **search_keys(
                standard_name=record.standard_name,
                alias_names=[a.name for a in record.aliases],
                abbreviation=record.attrs.get("abbreviation", ""),
            ),
            "place_code": code,
            "standard_name": record.standard_name,
            "pinyin": record.pinyin or roman.pinyin,
            "generic_pinyin": roman.generic_pinyin,
            "pinyin_needs_check": roman.needs_check and not record.pinyin,
            "category_id": category.pk,
            "division_id": division.pk,
            "geom_4490": record.geom_4490.hexewkb.decode() if record.geom_4490 else None,
            "point_4490": point.hexewkb.decode() if point else None,
            "is_demo": is_demo,
        }
        places.append([row[c] for c in _COPY_COLUMNS])
    id_by_code = _copy_upsert(places, report)
    place_ids = list(id_by_code.values())
    with connection.cursor() as cursor:
        # Plain DELETEs: the ORM's delete() would first load every row it removes.
        cursor.execute(
            "DELETE FROM placenames_placenamealias WHERE place_id = ANY(%s)", [place_ids]
        )
        cursor.execute(
            "DELETE FROM placenames_placename_other_divisions WHERE placename_id = ANY(%s)",
            [place_ids],
        )
    aliases = [
        PlaceNameAlias(
            place_id=id_by_code[r.place_code],
            name=a.name,
            kind=a.kind,
            pinyin=rz.romanize(a.name).pinyin,
            valid_from=a.valid_from,
            valid_to=a.valid_to,
            note=a.note,
        )
        for r in records
        for a in r.aliases
    ]
    PlaceNameAlias.objects.bulk_create(aliases)
    report.aliases = len(aliases)
    crossing = PlaceName.other_divisions.through
    crossing.objects.bulk_create(
        crossing(placename_id=id_by_code[r.place_code], administrativearea_id=divisions[c].pk)
        for r in records
        for c in r.other_division_codes
    )


def placenames_load_demo(*, size: int = ARCHIVE_SIZE) -> dict:
    """Load the demo archive (real names + generated demo records) idempotently."""
    areas = list(
        AdministrativeArea.objects.filter(valid_to__isnull=True)
        .select_related("parent")
        .order_by("code")
    )
    if not areas:
        raise DomainError("尚未加载行政区划，请先运行 load_hegang_demo 的 areas 步骤")
    demo_areas = [
        DemoArea(
            code=a.code,
            name=a.name,
            level=a.level,
            kind=a.kind,
            parent_code=a.parent.code if a.parent else "",
            geom_4490=shapely.from_wkb(bytes(a.geom_4490.wkb)) if a.geom_4490 else None,
        )
        for a in areas
    ]
    records = demo_archive(demo_areas, size=size)
    categories_load()
    categories = {c.code: c for c in PlaceCategory.objects.all()}
    divisions = {a.code: a for a in areas}
    report = BulkReport()
    with transaction.atomic():
        for start in range(0, len(records), 1000):
            batch = [
                PlaceNameInput(
                    standard_name=r.standard_name,
                    category_code=r.category_code,
                    division_code=r.division_code,
                    place_code=r.place_code,
                    geom_4490=GEOSGeometry(memoryview(shapely.to_wkb(r.geom_4490)), srid=4490)
                    if r.geom_4490 is not None
                    else None,
                    aliases=[
                        AliasInput(name=n, kind=AliasKind.FORMER, valid_from=f, valid_to=t)
                        for n, f, t in r.former_names
                    ],
                    attrs=r.attrs,
                )
                for r in records[start : start + 1000]
            ]
            demo_flags = {r.place_code: r.is_demo for r in records[start : start + 1000]}
            for is_demo in (False, True):
                part = [b for b in batch if demo_flags[b.place_code] is is_demo]
                step = placenames_bulk_upsert(
                    records=part, categories=categories, divisions=divisions, is_demo=is_demo
                )
                report.created += step.created
                report.updated += step.updated
                report.aliases += step.aliases
    return {
        "records": len(records),
        "real": sum(not r.is_demo for r in records),
        "generated": sum(r.is_demo for r in records),
        **report.__dict__,
    }


def placename_search_keys_refresh(*, place: PlaceName) -> None:
    """Recompute a record's search keys (and pinyin when blank) after an edit elsewhere."""
    roman = rz.romanize(place.standard_name)
    if not place.pinyin:
        place.pinyin = roman.pinyin
        place.pinyin_needs_check = roman.needs_check
    place.generic_pinyin = roman.generic_pinyin
    for key, value in search_keys(
        standard_name=place.standard_name,
        alias_names=list(place.aliases.values_list("name", flat=True)),
        abbreviation=place.abbreviation,
    ).items():
        setattr(place, key, value)
    place.point_4490 = representative_point(place.geom_4490) or place.point_4490
    place.save()
