"""Import a census archive file: parse → validate all (no DB writes) → write, or refuse."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pghistory
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from pyproj.exceptions import ProjError

from boundaries.conversion import ParameterSpec, convert_coordinates, spec_check
from boundaries.crs import BEIJING1954, CRS_TABLE, CrsDef, CrsError
from boundaries.models import AdministrativeArea, TransformationParameterSet
from boundaries.transform_fit import MODEL_4P, MODEL_7P, FitError, pipeline_transformer
from gis_portal.errors import DomainError
from placenames.importers.readers import DatumConversion, FileRefused, read_rows
from placenames.importers.validation import (
    CleanRow,
    Division,
    RowError,
    Vocabulary,
    map_columns,
    validate_row,
)
from placenames.models import PlaceCategory, PlaceName
from placenames.services import AliasInput, PlaceNameInput, placenames_bulk_upsert

BATCH_SIZE = 2000
EXISTING_CHUNK = 10_000


class ImportRefused(DomainError):
    """The file was refused as a whole (unsafe, broken, unsupported); nothing was written."""

    code = "import_refused"


@dataclass
class ImportReport:
    file_name: str
    format: str = ""
    rows: int = 0
    valid: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    dry_run: bool = False
    written: bool = False
    # Beijing 1954 rows: the approved parameter set used per source system, and the rows.
    conversions: dict[str, dict] = field(default_factory=dict)

    def count_conversion(self, conversion: DatumConversion) -> None:
        key = f"EPSG:{conversion.source_epsg}"
        entry = self.conversions.setdefault(
            key,
            {
                "source_crs": key,
                "parameter_set_id": conversion.set_id,
                "parameter_set": conversion.set_name,
                "rows": 0,
            },
        )
        entry["rows"] += 1

    @property
    def refused_rows(self) -> int:
        return len({e.line for e in self.errors})

    def as_dict(self) -> dict:
        return {
            "file_name": self.file_name,
            "format": self.format,
            "rows": self.rows,
            "valid": self.valid,
            "refused_rows": self.refused_rows,
            "errors": [
                {"line": e.line, "column": e.column, "reason": e.reason} for e in self.errors
            ],
            "ignored_columns": self.ignored_columns,
            "created": self.created,
            "updated": self.updated,
            "dry_run": self.dry_run,
            "written": self.written,
            "conversions": list(self.conversions.values()),
        }


def beijing1954_conversions() -> dict[int, DatumConversion]:
    """Return, per Beijing 1954 system, the approved parameter set that converts it.

    A set fitted for that very system comes first, else a 7-parameter set (a datum change,
    valid for every Beijing 1954 system); the most recently approved wins. A 4-parameter
    set is a plane fit and converts only the grid it was fitted in.
    """
    approved = [
        ps
        for ps in TransformationParameterSet.objects.filter(approved_at__isnull=False).order_by(
            "-approved_at", "-pk"
        )
        if _usable(ps)
    ]
    conversions = {}
    for crs in CRS_TABLE.values():
        if crs.datum != BEIJING1954:
            continue
        own = [ps for ps in approved if ps.source_crs == crs.code]
        datum_wide = [ps for ps in approved if ps.model == MODEL_7P]
        chosen = (own or datum_wide or [None])[0]
        if chosen is not None:
            conversions[crs.epsg] = DatumConversion(
                source_epsg=crs.epsg,
                set_id=chosen.pk,
                set_name=chosen.name,
                convert=partial(_convert, _spec(chosen), crs),
            )
    return conversions


def _spec(ps: TransformationParameterSet) -> ParameterSpec:
    return ParameterSpec(ps.model, ps.parameters, ps.source_crs, ps.target_crs, ps.pipeline)


def _usable(ps: TransformationParameterSet) -> bool:
    try:
        spec_check(_spec(ps))
        if ps.model == MODEL_4P:  # applied through its stored pipeline
            pipeline_transformer(ps.pipeline)
    except (FitError, CrsError, ProjError):
        return False
    return True


def _convert(spec: ParameterSpec, source: CrsDef, x, y) -> tuple[np.ndarray, np.ndarray]:
    converted = convert_coordinates(spec, source, x, y)
    return converted.lon, converted.lat


def import_vocabulary() -> Vocabulary:
    """Return the category and division tables, the city outline and the approved Beijing
    1954 conversions for validation."""
    areas = AdministrativeArea.objects.filter(valid_to__isnull=True).select_related("parent")
    divisions = {
        a.code: Division(a.code, a.name, a.level, a.parent.code if a.parent else "")
        for a in areas.defer("geom_4490", "parent__geom_4490")
    }
    city = areas.filter(level="city", geom_4490__isnull=False).first()
    return Vocabulary(
        categories=dict(PlaceCategory.objects.values_list("code", "name")),
        divisions=divisions,
        city_outline_4490=shapely.from_wkb(bytes(city.geom_4490.wkb)) if city else None,
        beijing1954=beijing1954_conversions(),
    )


def _clean_rows(path: Path, vocab: Vocabulary, report: ImportReport, *, collect: bool):
    """Yield (line, CleanRow or errors) for every row, checking duplicate codes."""
    try:
        fmt, rows = read_rows(
            path, max_bytes=settings.UPLOAD_MAX_BYTES, conversions=vocab.beijing1954
        )
        report.format = fmt
        # Every code seen, for duplicates: as integers (20 digits), half the memory of text.
        first_line_of_code: dict[int | str, int] = {}
        for raw in rows:
            if collect and not report.rows:
                report.ignored_columns = map_columns(raw.values)[1]
            if collect:
                report.rows += 1
            result = validate_row(raw, vocab)
            if isinstance(result, CleanRow) and result.place_code:
                code = result.place_code
                key = int(code) if code.isdigit() else code
                first = first_line_of_code.setdefault(key, raw.line)
                if first != raw.line:
                    result = [RowError(raw.line, "代码", f"与第 {first} 行的地名代码重复")]
            yield result
    except FileRefused as exc:
        raise ImportRefused(f"文件被拒绝：{exc}") from None


def _to_input(row: CleanRow) -> PlaceNameInput:
    return PlaceNameInput(
        standard_name=row.standard_name,
        category_code=row.category_code,
        division_code=row.division_code,
        place_code=row.place_code,
        pinyin=row.pinyin,
        geom_4490=GEOSGeometry(memoryview(shapely.to_wkb(row.geometry)), srid=4490)
        if row.geometry is not None
        else None,
        aliases=[
            AliasInput(name=n, kind=k, valid_from=f, valid_to=t) for n, k, f, t in row.aliases
        ],
        other_division_codes=row.other_division_codes,
        attrs=row.attrs,
    )


def placenames_import(
    *, path: Path, dry_run: bool = False, accept_valid_rows: bool = False
) -> ImportReport:
    """Validate every row of a census file, then upsert by place code — or write nothing.

    Rows with problems refuse the whole file unless ``accept_valid_rows``; the report
    lists every problem with its line. A dry run reports exactly what a real run would.
    Memory stays flat: the file is streamed twice (validate, then write in batches of
    BATCH_SIZE inside one transaction); only the codes seen (for duplicates) are kept.
    """
    report = ImportReport(file_name=path.name, dry_run=dry_run)
    vocab = import_vocabulary()
    pending: list[str] = []  # codes whose existence is counted a chunk at a time

    def count_existing() -> None:
        report.updated += PlaceName.objects.filter(place_code__in=pending).count()
        pending.clear()

    for result in _clean_rows(path, vocab, report, collect=True):
        if isinstance(result, CleanRow):
            report.valid += 1
            if result.converted_with is not None:
                report.count_conversion(result.converted_with)
            if result.place_code:
                pending.append(result.place_code)
                if len(pending) >= EXISTING_CHUNK:
                    count_existing()
        else:
            report.errors.extend(result)
    count_existing()
    if report.rows == 0:
        raise ImportRefused("文件中没有数据行")
    report.created = report.valid - report.updated
    if report.errors and not accept_valid_rows:
        report.created = report.updated = 0  # refused: nothing would be written
        return report
    if dry_run or report.valid == 0:
        return report
    categories = {c.code: c for c in PlaceCategory.objects.all()}
    divisions = {
        a.code: a
        for a in AdministrativeArea.objects.filter(valid_to__isnull=True)
        .select_related("parent")
        .defer("geom_4490", "parent__geom_4490")
    }
    # The history events of every written row name this import (and keep its triggers
    # off their slow no-context path: see placenames_bulk_upsert).
    with transaction.atomic(), pghistory.context(source="import_placenames", file=path.name):
        batch: list[PlaceNameInput] = []
        for result in _clean_rows(path, vocab, ImportReport(path.name), collect=False):
            if isinstance(result, CleanRow):
                batch.append(_to_input(result))
            if len(batch) >= BATCH_SIZE:
                placenames_bulk_upsert(records=batch, categories=categories, divisions=divisions)
                batch = []
        placenames_bulk_upsert(records=batch, categories=categories, divisions=divisions)
    report.written = True
    return report
