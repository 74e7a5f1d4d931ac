"""Documents and participants of the boundary record: a line's agreement (协议书) and survey,
an inspection's report, and who took part in a joint inspection for which unit."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from boundaries.models import (
    AdministrativeArea,
    BoundaryDocument,
    BoundaryDocumentKind,
    BoundaryLine,
    InspectionParticipant,
    JointInspection,
    ParticipantRole,
)
from gis_portal.editing.scope import Footprint, any_footprint_check
from gis_portal.errors import DomainError

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# The first bytes each declared type must start with: a file named .pdf that is not a PDF
# is refused (a renamed executable would otherwise be served back as a document).
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}


class RecordInvalid(DomainError):
    """A document or participant of the boundary record cannot be filed."""

    code = "record_invalid"


def _sides(line: BoundaryLine) -> list[Footprint]:
    return [Footprint.of(divisions=[pk]) for pk in (line.area_a_id, line.area_b_id) if pk]


def boundary_document_attach(
    *,
    line: BoundaryLine | None = None,
    inspection: JointInspection | None = None,
    kind: str,
    title: str,
    file: UploadedFile,
    user: User | None,
    is_demo: bool = False,
) -> BoundaryDocument:
    """File a document of a line or an inspection after checking its name, size and content."""
    owner_line = line or (inspection.line if inspection else None)
    if owner_line is None:
        raise RecordInvalid("材料应属于一条界线或一次联检")
    any_footprint_check(user, _sides(owner_line))
    if kind not in BoundaryDocumentKind.values:
        raise RecordInvalid(f"材料类型应为 {'、'.join(BoundaryDocumentKind.labels)}")
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise RecordInvalid("请填写标题（200 字以内）")
    return BoundaryDocument.objects.create(
        line=line,
        inspection=inspection,
        kind=kind,
        title=title,
        file=file,
        size_bytes=file.size,
        sha256=_checked_sha256(file),
        uploaded_by=user.get_username() if user else "",
        is_demo=is_demo,
    )


@transaction.atomic
def boundary_document_replace(
    *, document: BoundaryDocument, file: UploadedFile, user: User | None
) -> BoundaryDocument:
    """Replace a filed document's file (a corrected scan), with the same checks.

    The old file leaves the disk once the replacement commits and stays if it rolls back
    (gis_portal/stored_files.py).
    """
    owner_line = document.line or (document.inspection.line if document.inspection else None)
    if owner_line is not None:
        any_footprint_check(user, _sides(owner_line))
    document.sha256 = _checked_sha256(file)
    document.file = file
    document.size_bytes = file.size
    document.uploaded_by = user.get_username() if user else ""
    document.save()
    return document


def _checked_sha256(file: UploadedFile) -> str:
    """Return the hex SHA-256 of an upload whose name, size and first bytes agree."""
    name = (file.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in SIGNATURES:
        raise RecordInvalid(f"文件类型应为 {'、'.join(SIGNATURES)}，收到 {suffix or '无扩展名'}")
    if file.size is None or file.size > DOCUMENT_MAX_BYTES:
        raise RecordInvalid(f"文件超过 {DOCUMENT_MAX_BYTES // 1024 // 1024} MB")
    if file.size == 0:
        raise RecordInvalid("文件为空")
    file.seek(0)
    head = file.read(16)
    if not head.startswith(SIGNATURES[suffix]):
        raise RecordInvalid(f"文件内容不是 {suffix} 格式（与扩展名不符）")
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def inspection_participant_add(
    *,
    inspection: JointInspection,
    person: str,
    organisation: str,
    area_code: str,
    role: str,
    signed: bool,
    signed_on: dt.date | None,
    user: User | None,
) -> InspectionParticipant:
    """Add who took part, for which unit, and whether (and when) they signed the record."""
    any_footprint_check(user, _sides(inspection.line))
    person, organisation = (person or "").strip(), (organisation or "").strip()
    if not person or len(person) > 50:
        raise RecordInvalid("请填写姓名（50 字以内）")
    if not organisation or len(organisation) > 100:
        raise RecordInvalid("请填写单位（部门）（100 字以内）")
    if role not in ParticipantRole.values:
        raise RecordInvalid(f"身份应为 {'、'.join(ParticipantRole.labels)}")
    area = None
    if area_code:
        area = AdministrativeArea.objects.filter(code=area_code, valid_to__isnull=True).first()
        if area is None:
            raise RecordInvalid(f"区划代码 {area_code[:12]} 不存在")
    if role in (ParticipantRole.PARTY, ParticipantRole.NEIGHBOUR):
        sides = {inspection.line.area_a_id, inspection.line.area_b_id}
        if area is None or area.pk not in sides:
            raise RecordInvalid("界线当事方、相邻市应填写界线两侧之一的区划代码")
    if signed and signed_on is None:
        raise RecordInvalid("已签字的应填写签字日期")
    if signed_on is not None and (not signed or signed_on < inspection.inspected_on):
        raise RecordInvalid("签字日期应在联检日期当天或之后，且只填给已签字的")
    with transaction.atomic():
        return InspectionParticipant.objects.create(
            inspection=inspection,
            person=person,
            organisation=organisation,
            area=area,
            role=role,
            signed=signed,
            signed_on=signed_on,
        )
