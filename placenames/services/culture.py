"""Writes of the archive's culture: 来历/含义/沿革 from census forms, media, the register.

The import is parse → validate (no write) → write in one transaction: a file with any
error changes nothing, and ``dry_run`` gives the same report as a real run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gis_portal.errors import DomainError
from gis_portal.history import history_context
from gis_portal.importing.readers import (
    FileRefused,
    check_size,
    detect_format,
    read_cell_grid,
)
from placenames import culture
from placenames.importers.requests import import_scope, user_may_import
from placenames.models import PlaceName, PlaceNameMedia, ProtectedName

DEFAULT_MEDIA_MAX_BYTES = 20_000_000
MAX_SHEET_ROWS = 200_000


class CultureImportRefused(DomainError):
    code = "culture_import_refused"


class CultureMediaRefused(DomainError):
    code = "culture_media_refused"


class ProtectedNameRefused(DomainError):
    code = "protected_name_refused"


def media_max_bytes() -> int:
    """Return the media size limit: PLACENAME_MEDIA_MAX_BYTES, never above UPLOAD_MAX_BYTES."""
    own = getattr(settings, "PLACENAME_MEDIA_MAX_BYTES", DEFAULT_MEDIA_MAX_BYTES)
    return min(own, settings.UPLOAD_MAX_BYTES)


# ---- the import of 来历 / 含义 / 沿革 -------------------------------------------------------


def culture_grid_read(path: Path) -> list[list[Any]]:
    """Return the first sheet's cells of an xlsx or CSV file, after the file-level checks."""
    check_size(path, max_bytes=settings.UPLOAD_MAX_BYTES)
    fmt = detect_format(path)
    if fmt in ("xlsx", "csv"):
        return read_cell_grid(path, max_rows=MAX_SHEET_ROWS)
    raise FileRefused("地名文化信息只接受 xlsx 或 csv 文件（普查登记表格式）")


@dataclass
class CultureImportReport:
    file_name: str
    layout: str = ""
    dry_run: bool = True
    records: int = 0
    updated: int = 0
    unchanged: int = 0
    fields_written: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(culture.CULTURE_FIELDS, 0)
    )
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"发现 {len(self.errors)} 处错误，未写入任何记录"
        verb = "将更新" if self.dry_run else "已更新"
        written = "，".join(
            f"{culture.FIELD_LABELS[k]} {n} 条" for k, n in self.fields_written.items() if n
        )
        return f"共 {self.records} 条记录，{verb} {self.updated} 条（{written or '无'}），{self.unchanged} 条无变化"


def _scope_filter(user: User | None) -> Q | None:
    scope = import_scope(user) if user is not None else None
    if scope is None:
        return None
    codes = list(scope.area_codes)
    return (
        Q(division__code__in=codes)
        | Q(division__parent__code__in=codes)
        | Q(division__parent__parent__code__in=codes)
    )


def placename_culture_import(
    *, path: Path, file_name: str, user: User | None, dry_run: bool = True
) -> CultureImportReport:
    """Import 地名来历 / 地名含义 / 历史沿革 from a census form or table; all or nothing.

    A non-empty cell replaces the record's text; an empty one leaves it as it is. Refused
    rows (unknown code, another name, outside the officer's scope) are reported by row and
    column and nothing is written.
    """
    if user is not None and not user_may_import(user):
        raise CultureImportRefused("您的账户没有维护地名档案的权限（需“地名管理员”角色）")
    report = CultureImportReport(file_name=file_name, dry_run=dry_run)
    try:
        grid = culture_grid_read(path)
    except FileRefused as exc:
        raise CultureImportRefused(str(exc)) from None
    report.layout, records, errors = culture.culture_records(grid)
    report.records = len(records)
    places = PlaceName.objects.filter(place_code__in=[r.place_code for r in records])
    in_scope = _scope_filter(user)
    allowed = (
        set(places.filter(in_scope).values_list("place_code", flat=True)) if in_scope else None
    )
    by_code = {p.place_code: p for p in places}
    changes: list[tuple[PlaceName, dict[str, str]]] = []
    for record in records:
        column = record.cells.get("place_code", f"{record.row}:A").split(":")[1]
        place = by_code.get(record.place_code)
        if len(record.place_code) != 20 or not record.place_code.isdigit():
            continue  # already reported by culture_records
        if place is None:
            errors.append(
                culture.CultureRowError(
                    record.row, column, "代码", f"地名档案中没有代码 {record.place_code}"
                )
            )
            continue
        if allowed is not None and place.place_code not in allowed:
            errors.append(
                culture.CultureRowError(
                    record.row, column, "代码", f"「{place.standard_name}」不在您的编辑范围内"
                )
            )
            continue
        if record.standard_name and record.standard_name != place.standard_name:
            name_col = record.cells.get("standard_name", f"{record.row}:B").split(":")
            errors.append(
                culture.CultureRowError(
                    int(name_col[0]),
                    name_col[1],
                    "标准名称",
                    f"“{record.standard_name}”与档案中代码 {place.place_code} 的标准名称“{place.standard_name}”不符",
                )
            )
            continue
        changed = {k: v for k, v in record.values.items() if getattr(place, k) != v}
        if changed:
            changes.append((place, changed))
        else:
            report.unchanged += 1
    report.errors = [str(e) for e in sorted(errors, key=lambda e: (e.row, e.column))]
    if report.errors:
        return report
    report.updated = len(changes)
    for _, changed in changes:
        for key in changed:
            report.fields_written[key] += 1
    if dry_run or not changes:
        return report
    with (
        transaction.atomic(),
        history_context(
            user=user, comment=f"导入地名文化信息「{file_name[:100]}」", source="import_culture"
        ),
    ):
        for place, changed in changes:
            for key, value in changed.items():
                setattr(place, key, value)
            place.save(update_fields=[*changed, "updated_at"])
    return report


# ---- media ----------------------------------------------------------------------------------


@transaction.atomic
def placename_media_add(
    *,
    place: PlaceName,
    kind: str,
    title: str,
    file_name: str,
    data: bytes,
    credit: str = "",
    user: User | None = None,
    is_demo: bool = False,
) -> PlaceNameMedia:
    """Store a photo, scan or pronunciation of ``place`` after the size and content checks.

    The stored name is the content's digest with the sniffed type's suffix: the client's
    file name never reaches the file system.
    """
    title = title.strip()
    if not title:
        raise CultureMediaRefused("请填写标题")
    media = PlaceNameMedia(
        place=place, kind=kind, title=title[:100], credit=credit.strip()[:100], is_demo=is_demo
    )
    return _media_store(media, file_name=file_name, data=data, user=user)


@transaction.atomic
def placename_media_replace(
    *, media: PlaceNameMedia, file_name: str, data: bytes, user: User | None = None
) -> PlaceNameMedia:
    """Replace the stored file of ``media`` (same kind, same checks) with a new upload.

    The old file and thumbnail leave the disk once the replacement commits and stay if it
    rolls back (gis_portal/stored_files.py).
    """
    return _media_store(media, file_name=file_name, data=data, user=user)


def _media_store(
    media: PlaceNameMedia, *, file_name: str, data: bytes, user: User | None
) -> PlaceNameMedia:
    """Check ``data`` as ``media.kind``, store it (and its thumbnail) and save the row."""
    try:
        checked = culture.media_check(
            kind=media.kind, file_name=file_name, data=data, max_bytes=media_max_bytes()
        )
    except culture.CultureInputError as exc:
        raise CultureMediaRefused(str(exc)) from None
    digest = hashlib.sha256(data).hexdigest()
    media.content_type = checked.type.content_type
    media.size_bytes = checked.size_bytes
    media.width_px = checked.width_px
    media.height_px = checked.height_px
    media.sha256 = digest
    media.uploaded_by = user.get_username() if user else ""
    if media.pk is not None:
        media.uploaded_at = timezone.now()
    media.file.save(f"{digest[:32]}{checked.type.suffixes[0]}", ContentFile(data), save=False)
    if checked.thumbnail:
        media.thumbnail.save(
            f"{digest[:32]}{checked.thumbnail_suffix}", ContentFile(checked.thumbnail), save=False
        )
    else:
        media.thumbnail = ""
    try:
        media.save()
    except Exception:
        # Written before the row: the save that failed never tied them to the transaction.
        media.file.delete(save=False)
        if media.thumbnail:
            media.thumbnail.delete(save=False)
        raise
    return media


# ---- the register of names to protect --------------------------------------------------------


@transaction.atomic
def protected_name_set(
    *,
    place: PlaceName,
    reason_kind: str,
    reason: str,
    in_use_since_year: int | None = None,
    listed_on: dt.date | None = None,
    listed_by: str = "",
    is_demo: bool = False,
) -> ProtectedName:
    """List ``place`` in the register of names to protect (or update its entry)."""
    listed_on = listed_on or timezone.localdate()
    if reason_kind not in {"historic", "century", "cultural"}:
        raise ProtectedNameRefused(f"未知的保护类别 {reason_kind!r}")
    problem = culture.protection_problem(
        reason_kind=reason_kind,
        reason=reason,
        in_use_since_year=in_use_since_year,
        listed_year=listed_on.year,
    )
    if problem:
        raise ProtectedNameRefused(problem)
    entry, _ = ProtectedName.objects.update_or_create(
        place=place,
        defaults={
            "reason_kind": reason_kind,
            "reason": reason.strip(),
            "in_use_since_year": in_use_since_year,
            "listed_on": listed_on,
            "listed_by": listed_by,
            "is_demo": is_demo,
        },
    )
    return entry
