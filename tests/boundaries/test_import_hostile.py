"""Hostile survey files: VRTs disguised as a shapefile part, a DXF or a marker table read no
server file or URL, and a zip lying about its size is refused in bounded memory."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from boundaries.importers.surveys import (
    SurveyFileError,
    parse_dxf,
    parse_marker_table,
    parse_shapefile_zip,
)
from gis_portal.accounts import roles_sync, user_create_with_role
from tests.hostile import Listener, local_targets, lying_zip, secrets, shapefile_parts, zip_of

MiB = 1024 * 1024
COLUMN = "number"  # an attribute the importer echoes back in its messages
TARGETS = local_targets(COLUMN)
# The test shapefile is in CGCS2000 lon/lat, as its own .prj says.
CRS = "EPSG:4490"


def _parse(payload: bytes, where: str, tmp_path: Path) -> str:
    """Return what the import page would show for ``payload`` uploaded as ``where``."""
    try:
        if where.startswith("zip:"):
            parts = shapefile_parts(tmp_path / "shp")
            parts[where[4:]] = payload
            data = zip_of({f"成果/names{ext}": content for ext, content in parts.items()})
            return repr(parse_shapefile_zip(data, declared_crs=CRS))
        if where == ".dxf":
            return repr(parse_dxf(payload, declared_crs="EPSG:2440", line_code="04020403"))
        if where == "raw-zip":
            return repr(parse_shapefile_zip(payload, declared_crs=CRS))
        return repr(parse_marker_table(payload, filename=f"m{where}", declared_crs="EPSG:2440"))
    except SurveyFileError as exc:
        return str(exc)


KINDS = [
    "zip:.shp",
    "zip:.shx",
    "zip:.dbf",
    "zip:.prj",
    ".dxf",
    ".csv",
    ".xlsx",
    ".gpkg",
    "raw-zip",
]


@pytest.mark.parametrize("where", KINDS)
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_a_vrt_disguised_as_any_accepted_file_reads_no_server_file(tmp_path, target, where):
    text = _parse(TARGETS[target], where, tmp_path)
    for secret in secrets().values():
        assert secret not in text
    if where == "zip:.shp":
        assert text == "文件内容不是有效的 Shapefile"
    if where == ".dxf":  # ezdxf's recovery mode reads some XML as an empty drawing
        assert text in (
            "文件内容不是有效的 DXF",
            "DXF 中没有线图元（LINE / LWPOLYLINE / POLYLINE）",
        )


def test_a_vrt_naming_a_url_makes_no_connection(tmp_path):
    listener = Listener()
    try:
        texts = [_parse(listener.url_vrt(COLUMN), where, tmp_path / where) for where in KINDS]
    finally:
        listener.close()
    assert listener.connections == 0
    assert not any("CURL" in text or "vsicurl" in text for text in texts)


def _xlsx_bomb() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["界桩编号", "东坐标", "北坐标"])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        members = {
            i.filename: z.read(i) for i in z.infolist() if i.filename != "[Content_Types].xml"
        }
    return lying_zip(members, bomb="[Content_Types].xml", real_bytes=256 * MiB, declared_bytes=MiB)


def _shapefile_bomb(tmp_path: Path) -> bytes:
    parts = shapefile_parts(tmp_path / "shp")
    return lying_zip(
        {f"names{ext}": data for ext, data in parts.items() if ext != ".dbf"},
        bomb="names.dbf",
        real_bytes=256 * MiB,
        declared_bytes=MiB,
    )


@pytest.mark.parametrize("kind", ["shapefile", "xlsx"])
def test_a_zip_lying_about_its_size_is_refused_in_bounded_memory(tmp_path, kind):
    data = _shapefile_bomb(tmp_path) if kind == "shapefile" else _xlsx_bomb()
    tracemalloc.start()
    try:
        with pytest.raises(SurveyFileError, match="疑似压缩炸弹"):
            if kind == "shapefile":
                parse_shapefile_zip(data, declared_crs=CRS)
            else:
                parse_marker_table(data, filename="m.xlsx", declared_crs="EPSG:2440")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # The upload itself is in memory (a few hundred KB); nothing near the 256 MiB.
    assert peak < 32 * MiB


@pytest.fixture
def officer(client, db):
    roles_sync()
    user = user_create_with_role(username="bd-h", password="pw-boundary-1", role="boundary_officer")
    client.force_login(user)
    return user


def test_the_import_page_refuses_hostile_files_without_showing_them(client, officer, tmp_path):
    for target, payload in TARGETS.items():
        parts = shapefile_parts(tmp_path / target)
        parts[".shp"] = payload
        upload = SimpleUploadedFile("成果.zip", zip_of({f"x{e}": d for e, d in parts.items()}))
        page = client.post(
            "/boundaries/import/",
            {"kind": "shapefile", "survey_file": upload, "declared_crs": CRS, "dry_run": "on"},
        ).content.decode()
        assert "文件内容不是有效的 Shapefile" in page
        for secret in secrets().values():
            assert secret not in page
    upload = SimpleUploadedFile("成果.zip", _shapefile_bomb(tmp_path))
    response = client.post(
        "/boundaries/import/",
        {"kind": "shapefile", "survey_file": upload, "declared_crs": CRS, "dry_run": "on"},
    )
    assert response.status_code == 200 and "疑似压缩炸弹" in response.content.decode()
