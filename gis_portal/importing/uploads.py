"""An uploaded file on disk for the readers, under a name the client does not choose."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from gis_portal.error_types import InvalidParameter

# What the readers open (detect_format then checks the content against the extension).
UPLOAD_SUFFIXES = (".xlsx", ".csv", ".zip", ".gpkg")


def upload_problem(upload: UploadedFile, *, max_bytes: int) -> str | None:
    """Return why an upload is refused before it is read (type, size), else None."""
    if Path(upload.name or "").suffix.lower() not in UPLOAD_SUFFIXES:
        return "只接受 xlsx、csv、zip（Shapefile）或 gpkg 文件"
    if upload.size > max_bytes:
        return f"文件超过上限 {max_bytes / 1e6:.0f} MB，请分批导入"
    return None


def required_upload(files, *, missing: str, field: str = "file") -> UploadedFile:
    """Return the request's uploaded ``field``; InvalidParameter naming it (``missing`` in
    Chinese when absent, ``upload_problem`` when refused) otherwise."""
    upload = files.get(field)
    if upload is None:
        raise InvalidParameter(field, missing)
    problem = upload_problem(upload, max_bytes=settings.UPLOAD_MAX_BYTES)
    if problem:
        raise InvalidParameter(field, problem)
    return upload


@contextmanager
def upload_saved(upload: UploadedFile) -> Iterator[Path]:
    """Yield the upload written to a temporary file of a fixed name (deleted afterwards):
    the client's file name never reaches the file system, only the report and the history."""
    suffix = Path(upload.name or "").suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix if suffix in UPLOAD_SUFFIXES else "") as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        yield Path(tmp.name)
