"""Hostile census files: VRTs disguised as every accepted format read no server file or URL,
and a zip lying about its size is refused in bounded memory, leaving no temporary file."""

from __future__ import annotations

import io
import tempfile
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from placenames.importers.service import ImportRefused, placenames_import
from placenames.services.names import categories_load
from tests.editing.factories import role_user
from tests.hostile import Listener, local_targets, lying_zip, secrets, shapefile_parts, zip_of

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024
COLUMN = "类别"  # an attribute the importer echoes back in its messages
TARGETS = local_targets(COLUMN)


@pytest.fixture
def archive_ready(hegang_areas):
    categories_load()


def _outcome(path: Path) -> str:
    """Return everything an officer would see of an import: the refusal or the report."""
    try:
        return repr(placenames_import(path=path, dry_run=True))
    except ImportRefused as exc:
        return str(exc)


def _assert_nothing_leaked(text: str) -> None:
    for secret in secrets().values():
        assert secret not in text


def _disguised(tmp_path: Path, payload: bytes, where: str) -> Path:
    """Return the payload as a file of kind ``where``: a bare extension, or one part of an
    otherwise real shapefile zip (``zip:.shp``)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    if where.startswith("zip:"):
        parts = shapefile_parts(tmp_path / "shp")
        parts[where[4:]] = payload
        path = tmp_path / "names.zip"
        path.write_bytes(zip_of({f"names{ext}": data for ext, data in parts.items()}))
        return path
    path = tmp_path / f"names{where}"
    path.write_bytes(payload)
    return path


KINDS = [
    ".shp",
    ".dbf",
    ".gpkg",
    ".csv",
    ".txt",
    ".xlsx",
    ".dxf",
    "zip:.shp",
    "zip:.shx",
    "zip:.dbf",
]


def test_a_vrt_disguised_as_any_accepted_file_reads_no_server_file(archive_ready, tmp_path):
    # One test, not one per case: each needs the city's areas loaded.
    for target, payload in TARGETS.items():
        for where in KINDS:
            text = _outcome(_disguised(tmp_path / target / where, payload, where))
            _assert_nothing_leaked(text)
            if where == "zip:.shp":
                assert "文件内容不是有效的 Shapefile" in text


def test_a_vrt_naming_a_url_makes_no_connection(archive_ready, tmp_path):
    listener = Listener()
    try:
        texts = [
            _outcome(_disguised(tmp_path / where, listener.url_vrt(COLUMN), where))
            for where in KINDS
        ]
    finally:
        listener.close()
    assert listener.connections == 0
    assert not any("CURL" in text or "vsicurl" in text for text in texts)


def test_the_import_command_refuses_a_vrt_shapefile_without_showing_the_file(
    archive_ready, tmp_path
):
    path = _disguised(tmp_path, TARGETS["passwd"], "zip:.shp")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="文件内容不是有效的 Shapefile") as caught:
        call_command("import_placenames", str(path), "--dry-run", stdout=out, stderr=err)
    _assert_nothing_leaked(f"{caught.value} {out.getvalue()} {err.getvalue()}")


def test_a_real_shapefile_zip_still_imports_after_the_checks(archive_ready, tmp_path):
    parts = shapefile_parts(tmp_path / "shp")
    path = tmp_path / "ok.zip"
    path.write_bytes(zip_of({f"names{ext}": data for ext, data in parts.items()}))
    report = placenames_import(path=path, dry_run=True)
    assert report.format == "shapefile-zip" and report.rows == 1


def _xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["标准名称", "类别", "所在(跨)行政区", "东经", "北纬"])
    book.active.append(["上传甲路", "23512", "230405001", 130.23, 47.25])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bomb(tmp_path: Path, kind: str) -> Path:
    """Return a shapefile zip or a workbook with one member of 256 MiB of zeros that its
    headers declare as 1 MiB."""
    if kind == "shapefile":
        parts = shapefile_parts(tmp_path / "shp")
        members = {f"names{ext}": data for ext, data in parts.items() if ext != ".dbf"}
        bomb = "names.dbf"
    else:
        with zipfile.ZipFile(io.BytesIO(_xlsx_bytes())) as book:
            members = {i.filename: book.read(i) for i in book.infolist()}
        bomb = "[Content_Types].xml"
        del members[bomb]
    path = tmp_path / ("bomb.zip" if kind == "shapefile" else "bomb.xlsx")
    path.write_bytes(lying_zip(members, bomb=bomb, real_bytes=256 * MiB, declared_bytes=MiB))
    return path


@pytest.mark.parametrize("kind", ["shapefile", "xlsx"])
def test_a_zip_lying_about_its_size_is_refused_in_bounded_memory(
    archive_ready, tmp_path, monkeypatch, kind
):
    path = _bomb(tmp_path, kind)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    tracemalloc.start()
    try:
        with pytest.raises(ImportRefused, match="疑似压缩炸弹"):
            placenames_import(path=path, dry_run=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * MiB
    assert list(scratch.iterdir()) == []  # no extracted member left behind


@pytest.fixture
def officer(db):
    return role_user("officer-hostile", "placename_officer")


def test_the_officer_page_refuses_a_vrt_shapefile_without_showing_the_file(
    client, officer, archive_ready, tmp_path
):
    client.force_login(officer)
    for target, payload in TARGETS.items():
        path = _disguised(tmp_path / target, payload, "zip:.shp")
        upload = SimpleUploadedFile("档案.zip", path.read_bytes())
        page = client.post(
            "/placenames/officer/", {"action": "import", "file": upload, "dry_run": "on"}
        ).content.decode()
        assert "文件内容不是有效的 Shapefile" in page
        _assert_nothing_leaked(page)


def test_the_officer_page_refuses_a_zip_bomb(client, officer, archive_ready, tmp_path):
    client.force_login(officer)
    upload = SimpleUploadedFile("档案.zip", _bomb(tmp_path, "shapefile").read_bytes())
    response = client.post("/placenames/officer/", {"action": "import", "file": upload})
    assert response.status_code == 200
    assert "疑似压缩炸弹" in response.content.decode()
