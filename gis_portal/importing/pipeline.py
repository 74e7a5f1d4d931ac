"""Import a file into a layer: parse → validate → stage (COPY) → check → write, or nothing.

One transaction holds everything: rows are validated one by one (no database), checked a
chunk at a time, copied to a staging table, checked together in SQL, then written by the
layer with its history under the file's name. A refused file, a dry run, an error or a
killed process leaves the database as it was: a dry run does the whole write and rolls
it back, so its report is the real run's report.
"""

from __future__ import annotations

import getpass
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction

from gis_portal.errors import DomainError
from gis_portal.importing.columns import HeadingMap, formula_problem, required_missing
from gis_portal.importing.history import import_history
from gis_portal.importing.readers import FileRefused, read_rows
from gis_portal.importing.report import ImportReport, RowError
from gis_portal.importing.spec import ImportContext, LayerSpec, Staged
from gis_portal.importing.staging import StagingCopy, staging_create

# A file already on the server (the command, the benchmark) is not an upload: a
# province's door plates run to gigabytes. Uploads keep settings.UPLOAD_MAX_BYTES.
SERVER_FILE_MAX_BYTES = 20 * 1024**3
# One statement of a large import (the final INSERT of a million plates) outlasts the
# requests' statement timeout (DATABASE_STATEMENT_TIMEOUT_MS); an import is bounded by this
# instead: 10 minutes for an upload, none for a file on the server (``statement_timeout_s=0``).
IMPORT_STATEMENT_TIMEOUT_S = 600


class ImportRefused(DomainError):
    """The file was refused as a whole (unsafe, broken, unsupported); nothing was written."""

    code = "import_refused"


class _RolledBack(Exception):
    """Raised to undo a dry run or a refused file."""


def operator_name() -> str:
    """Return how a load by the server's operator is recorded: 命令行：<system login>."""
    return f"命令行：{getpass.getuser()}"


def layer_import(
    *,
    spec: LayerSpec,
    path: Path,
    user: User | None = None,
    operator: str = "",
    file_name: str = "",
    dry_run: bool = False,
    accept_valid_rows: bool = False,
    max_bytes: int | None = None,
    statement_timeout_s: int = IMPORT_STATEMENT_TIMEOUT_S,
) -> ImportReport:
    """Validate every row of ``path`` for ``spec``'s layer, then write it — or nothing.

    ``user`` None is a system load (a script, the benchmark, the server's operator named by
    ``operator``); a user imports with the layer's role, inside their edit scope. A bad row
    refuses the whole file unless ``accept_valid_rows``. ``file_name``: the name the
    report and the history give the file (an upload is read from a temporary file).
    ``max_bytes``: the file's size limit (default: settings.UPLOAD_MAX_BYTES);
    ``statement_timeout_s``: the limit of each statement (0: none).
    """
    started = time.perf_counter()
    if user is not None and not spec.may_import(user):
        raise ImportRefused(spec.refusal)
    report = ImportReport(
        file_name=(file_name or path.name)[:200],
        layer=spec.label,
        dry_run=dry_run,
        imported_by=user.get_username() if user else (operator or "系统"),
    )
    ctx = spec.context(user=user)
    report.scope = ctx.scope_label
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)", [f"{statement_timeout_s}s"]
            )
            table = staging_create(cursor, spec.staging)
            limit = max_bytes or settings.UPLOAD_MAX_BYTES
            _stage(spec, ctx, path, report, cursor, table, max_bytes=limit)
            if report.rows == 0:
                raise ImportRefused("文件中没有数据行")
            report.add_errors(spec.staging_problems(cursor, table, ctx))
            report.errors.sort(key=lambda e: (e.line, e.column))
            report.valid = report.rows - report.refused_rows
            if report.refused_rows:
                if not accept_valid_rows:
                    report.refused = True
                    raise _RolledBack
                cursor.execute(
                    f'DELETE FROM "{table}" WHERE line = ANY(%s)',  # noqa: S608
                    [sorted(report.error_lines)],
                )
            if report.valid:
                with import_history(
                    source=spec.source,
                    file_name=report.file_name,
                    layer=spec.key,
                    user=user,
                    username=report.imported_by,
                ):
                    report.created, report.updated = spec.write(cursor, table, ctx)
                    # Deferred foreign keys are checked now, inside the import (and its
                    # timing), not at a commit that may come later.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if dry_run:
                raise _RolledBack
        report.written = report.valid > 0
    except _RolledBack:
        pass
    report.seconds = time.perf_counter() - started
    return report


def _stage(
    spec: LayerSpec,
    ctx: ImportContext,
    path: Path,
    report: ImportReport,
    cursor,
    table: str,
    *,
    max_bytes: int,
) -> None:
    """Read, validate and COPY every row; problems go to the report, good rows to staging."""
    headings = HeadingMap.of(spec.columns)
    names = [name for name, _type in spec.staging]
    try:
        report.format, rows = read_rows(path, max_bytes=max_bytes, conversions=ctx.conversions)
        with StagingCopy(cursor, table, names) as copy:
            chunk: list[Staged] = []
            for raw in rows:
                mapped, unknown = headings.map(raw.values)
                if not report.rows:
                    report.ignored_columns = unknown
                report.rows += 1
                problems = [
                    (c, "单元格是公式：请改为数值后再导入（不执行公式）")
                    for c in raw.formula_columns
                ]
                for f, v in mapped.items():
                    if (p := formula_problem(v)) and spec.column_label(
                        f
                    ) not in raw.formula_columns:
                        problems.append((spec.column_label(f), p))
                problems += required_missing(mapped, spec.columns)
                result = spec.validate(raw, mapped, ctx)
                if isinstance(result, Staged) and not problems:
                    result.line = raw.line
                    chunk.append(result)
                    if len(chunk) >= spec.chunk_size:
                        _flush(spec, ctx, chunk, report, copy, names)
                else:
                    problems += [] if isinstance(result, Staged) else result
                    report.add_errors([RowError(raw.line, c, r) for c, r in problems])
            _flush(spec, ctx, chunk, report, copy, names)
    except FileRefused as exc:
        raise ImportRefused(f"文件被拒绝：{exc}") from None


def _flush(
    spec: LayerSpec,
    ctx: ImportContext,
    chunk: list[Staged],
    report: ImportReport,
    copy: StagingCopy,
    names: list[str],
) -> None:
    if not chunk:
        return
    errors = spec.check_chunk(chunk, ctx)
    report.add_errors(errors)
    bad = {e.line for e in errors}
    for row in chunk:
        if row.line in bad:
            continue
        if row.conversion is not None:
            report.count_conversion(row.conversion)
        values = row.values
        copy.write(row.line, [values.get(n) for n in names])
    chunk.clear()
