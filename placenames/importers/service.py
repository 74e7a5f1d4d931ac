"""Import a census archive file: parse → validate all (no DB writes) → write, or refuse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pghistory
import shapely
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from boundaries.models import AdministrativeArea
from boundaries.selectors.areas import beijing1954_conversions
from gis_portal.errors import DomainError
from gis_portal.importing.readers import FileRefused, read_rows
from placenames.importers.approvals import (
    FIELD_COLUMNS,
    CurrentRecord,
    RequestPlan,
    direct_update_attrs,
    row_plan,
)
from placenames.importers.report import ImportReport, ImportRequest
from placenames.importers.requests import (
    current_records,
    import_scope,
    request_submit,
    requests_batch,
    user_may_import,
    user_may_load_archive,
)
from placenames.importers.scope import EditScope, scope_problems
from placenames.importers.validation import (
    CleanRow,
    Division,
    RowError,
    Vocabulary,
    map_columns,
    validate_row,
)
from placenames.models import PlaceCategory, PlaceName
from placenames.services.names import AliasInput, PlaceNameInput, placenames_bulk_upsert

BATCH_SIZE = 2000
EXISTING_CHUNK = 10_000
# Each request is checked by a trial application (~40 ms a naming on the shared 2-core
# machine): a file that would file more is an archive, for a 系统管理员 to load directly.
MAX_REQUESTS = 500


class ImportRefused(DomainError):
    """The file was refused as a whole (unsafe, broken, unsupported); nothing was written."""

    code = "import_refused"


def import_vocabulary(*, scope: EditScope | None = None) -> Vocabulary:
    """Return the category and division tables, the city outline, the approved Beijing
    1954 conversions and the importer's edit scope for validation."""
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
        scope=scope,
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


def _valid_rows(path: Path, vocab: Vocabulary, report: ImportReport) -> Iterator[CleanRow]:
    """Yield the file's valid rows, counting them and their datum conversions in ``report``
    and listing the others' errors there; a file without data rows is refused."""
    for result in _clean_rows(path, vocab, report, collect=True):
        if isinstance(result, CleanRow):
            report.valid += 1
            if result.converted_with is not None:
                report.count_conversion(result.converted_with)
            yield result
        else:
            report.errors.extend(result)
    if report.rows == 0:
        raise ImportRefused("文件中没有数据行")


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


def _history_context(report: ImportReport, user: User | None):
    # The history events of every written row name this import and who ran it (and keep
    # the triggers off their slow no-context path: see placenames_bulk_upsert).
    return pghistory.context(
        source="import_placenames",
        file=report.file_name,
        user=user.pk if user else None,
        username=report.imported_by,
        archive_load=report.archive_load,
    )


def placenames_import(
    *,
    path: Path,
    user: User | None = None,
    archive_load: bool = False,
    operator: str = "",
    file_name: str = "",
    dry_run: bool = False,
    accept_valid_rows: bool = False,
) -> ImportReport:
    """Validate every row of a census file, then write it — or write nothing.

    ``user`` None is a load by the system (a script, the benchmark, or the server's
    operator through the command, named by ``operator``): every row is upserted by place
    code. A user imports with a place-name role inside their edit scope: rows outside it
    are refused, a new place, a new standard name or 已废止 becomes a naming, renaming or
    abolishing request (one batch per file) and only the other updates are written. With
    ``archive_load`` a 系统管理员 registers the archive directly (recorded as such).

    Rows with problems refuse the whole file unless ``accept_valid_rows``; the report
    lists every problem with its line. A dry run reports exactly what a real run would.
    ``file_name``: the name the report, the history and the requests give the file (an
    upload is read from a temporary file of another name).
    """
    if user is not None:
        if archive_load and not user_may_load_archive(user):
            raise ImportRefused("只有系统管理员可以直接登记普查档案（不经命名、更名、销名审批）")
        if not user_may_import(user):
            raise ImportRefused("您的账户没有导入地名的权限（需“地名管理员”角色）")
    direct = user is None or archive_load
    report = ImportReport(
        file_name=file_name[:200] or path.name,
        dry_run=dry_run,
        imported_by=user.get_username() if user else (operator or "系统"),
        archive_load=direct,
    )
    scope = None if direct else import_scope(user)
    report.scope = scope.names if scope else "全市"
    vocab = import_vocabulary(scope=scope)
    if direct:
        return _import_directly(path, vocab, report, user=user, accept_valid_rows=accept_valid_rows)
    return _import_with_requests(
        path, vocab, report, user=user, accept_valid_rows=accept_valid_rows
    )


def _import_directly(
    path: Path, vocab: Vocabulary, report: ImportReport, *, user, accept_valid_rows: bool
) -> ImportReport:
    """Upsert every valid row by place code. Memory stays flat: the file is streamed twice
    (validate, then write in batches of BATCH_SIZE inside one transaction); only the codes
    seen (for duplicates) are kept."""
    pending: list[str] = []  # codes whose existence is counted a chunk at a time

    def count_existing() -> None:
        report.updated += PlaceName.objects.filter(place_code__in=pending).count()
        pending.clear()

    for row in _valid_rows(path, vocab, report):
        if row.place_code:
            pending.append(row.place_code)
            if len(pending) >= EXISTING_CHUNK:
                count_existing()
    count_existing()
    report.created = report.valid - report.updated
    if report.errors and not accept_valid_rows:
        report.created = report.updated = 0  # refused: nothing would be written
        return report
    if report.dry_run or report.valid == 0:
        return report
    with transaction.atomic(), _history_context(report, user):
        _write_rows(path, vocab, skip=set(), keep_names=False)
    report.written = True
    return report


def _write_rows(path: Path, vocab: Vocabulary, *, skip: set[int], keep_names: bool) -> None:
    """Stream the file again and upsert its valid rows, but those in ``skip``, in batches.

    ``keep_names``: every row updates a record, whose name fields stay as archived.
    """
    categories = {c.code: c for c in PlaceCategory.objects.all()}
    divisions = {
        a.code: a
        for a in AdministrativeArea.objects.filter(valid_to__isnull=True)
        .select_related("parent")
        .defer("geom_4490", "parent__geom_4490")
    }

    def write(rows: list[CleanRow]) -> None:
        records = [_to_input(row) for row in rows]
        if keep_names:
            current = current_records([r.place_code for r in rows], with_geometry=False)
            if len(current) != len(rows):  # an update's record is gone: never create it here
                raise ImportRefused("导入期间档案被修改（有记录已不存在），请重新导入")
            for record in records:
                kept = current[record.place_code]
                record.standard_name = kept.standard_name
                record.attrs = direct_update_attrs(record.attrs, kept)
        placenames_bulk_upsert(records=records, categories=categories, divisions=divisions)

    batch: list[CleanRow] = []
    for result in _clean_rows(path, vocab, ImportReport(path.name), collect=False):
        if isinstance(result, CleanRow) and result.line not in skip:
            batch.append(result)
        if len(batch) >= BATCH_SIZE:
            write(batch)
            batch = []
    if batch:
        write(batch)


class _RolledBack(Exception):
    """Raised to undo the requests of a dry run or a refused file."""


def _import_with_requests(
    path: Path, vocab: Vocabulary, report: ImportReport, *, user: User, accept_valid_rows: bool
) -> ImportReport:
    """An officer's import: scope checked per row, name changes filed as requests.

    The requests are checked (and, in a real run, filed) before any row is written, so a
    dry run — which files them and rolls back — meets exactly the state a real run meets.
    """
    plans: dict[int, RequestPlan] = {}
    not_written: set[int] = set()  # valid rows refused after validation
    chunk: list[CleanRow] = []

    def refuse(error: RowError) -> None:
        report.errors.append(error)
        report.valid -= 1
        not_written.add(error.line)

    def plan(row: CleanRow, current: CurrentRecord | None) -> None:
        if current is not None and vocab.scope is not None:
            problems = scope_problems(
                vocab.scope,
                vocab.divisions,
                division_code=current.division_code,
                geometry=current.geometry,
                what=f"该代码在档案中的「{current.standard_name}」：",
            )
            if problems:
                refuse(RowError(row.line, "代码", problems[0][1]))
                return
        outcome = row_plan(row, current)
        if isinstance(outcome, RowError):
            refuse(outcome)
        elif isinstance(outcome, RequestPlan):
            plans[row.line] = outcome
        else:
            report.updated += 1

    def plan_chunk() -> None:
        current = current_records(
            [r.place_code for r in chunk], with_geometry=vocab.scope is not None
        )
        for row in chunk:
            plan(row, current.get(row.place_code))
        chunk.clear()

    for row in _valid_rows(path, vocab, report):
        if not row.place_code:
            plan(row, None)
            continue
        chunk.append(row)
        if len(chunk) >= BATCH_SIZE:
            plan_chunk()
    plan_chunk()
    report.errors.sort(key=lambda e: e.line)
    if report.errors and not accept_valid_rows:
        report.updated = 0  # refused: nothing would be written or filed
        return report
    if len(plans) > MAX_REQUESTS:
        raise ImportRefused(
            f"此文件有 {len(plans)} 行须提交命名、更名或销名申请，一次最多 {MAX_REQUESTS} 行："
            "请分批导入；整批普查档案由系统管理员直接登记"
        )
    if not plans and not report.updated:
        return report
    try:
        with transaction.atomic(), _history_context(report, user):
            for line in sorted(plans):
                try:
                    with transaction.atomic():
                        request = request_submit(plans[line], user=user, file_name=report.file_name)
                except DomainError as exc:
                    field_name = exc.details.get("field") or ""
                    column = FIELD_COLUMNS.get(field_name, "审批申请")
                    refuse(RowError(line, column, exc.message))
                    continue
                report.requests.append(ImportRequest.of(plans[line], request.pk))
            report.errors.sort(key=lambda e: e.line)
            if report.errors and not accept_valid_rows:
                raise _RolledBack
            if report.dry_run:
                raise _RolledBack
            if report.updated:
                _write_rows(path, vocab, skip=not_written | set(plans), keep_names=True)
            batch = requests_batch([r.request_id for r in report.requests])
            report.batch = str(batch) if batch else ""
    except _RolledBack:
        if report.errors and not accept_valid_rows:
            report.updated = 0
            report.requests = []
        for entry in report.requests:
            entry.request_id = None  # not filed: a dry run
        return report
    report.written = True
    return report
