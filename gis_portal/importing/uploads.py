"""An uploaded file on disk for the readers, under a name the client does not choose.

Every import takes its file the same way, whichever app it belongs to: the API's multipart
body through ``import_request`` (unknown fields, true|false flags, the file's presence, type
and size, each refused with a 400 naming the field), a page's form through
``ImportUploadForm`` (the same type and size checks, as form errors), and then
``upload_saved`` for the readers.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from gis_portal.error_types import InvalidParameter
from gis_portal.params import parse_choice, reject_unknown

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


def import_request(
    data: Mapping,
    files: Mapping,
    *,
    missing: str,
    flags: Iterable[str] = ("dry_run",),
    fields: Iterable[str] = (),
) -> tuple[UploadedFile, dict[str, bool]]:
    """Return the file and the true|false ``flags`` of an import endpoint's multipart body.

    ``fields`` are its other fields, which the caller reads; any field outside those, the
    flags and ``file`` is refused, as is a flag that is neither true nor false (absent is
    false) and a missing (``missing``, in Chinese), mistyped or oversized file.
    """
    flags = tuple(flags)
    reject_unknown(data, {"file", *flags, *fields})
    values = {name: parse_choice(data, name, ["true", "false"]) == "true" for name in flags}
    return required_upload(files, missing=missing), values


class ImportUploadForm(forms.Form):
    """A page's import form: the file, refused as the API refuses it, and the dry run."""

    file = forms.FileField(label="文件（xlsx / csv / shp 压缩包 / gpkg）")
    dry_run = forms.BooleanField(label="只校验，不写入（试运行）", required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = upload_problem(upload, max_bytes=settings.UPLOAD_MAX_BYTES)
        if problem:
            raise forms.ValidationError(problem)
        return upload


class RowsImportUploadForm(ImportUploadForm):
    """An import form whose file may be written without its refused rows, when asked."""

    accept_valid_rows = forms.BooleanField(label="有错误行时仍导入其余正确的行", required=False)
