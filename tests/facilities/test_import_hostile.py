"""Hostile facility tables: a VRT named .csv or .xlsx reads no server file, and a workbook
lying about its size is refused in bounded memory (the registry and demand imports)."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import openpyxl
import pytest

from facilities.errors import ImportRejected
from facilities.services.demand import demand_import
from facilities.services.facilities import facilities_import
from tests.hostile import local_targets, lying_zip, secrets

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024
COLUMN = "名称"  # an attribute the importer echoes back in its messages
TARGETS = local_targets(COLUMN)
IMPORTS = {"registry": facilities_import, "demand": demand_import}


@pytest.mark.parametrize("which", sorted(IMPORTS))
def test_a_vrt_named_as_a_table_reads_no_server_file(tmp_path, which):
    for target, payload in TARGETS.items():
        for suffix in (".csv", ".xlsx", ".shp", ".gpkg", ".dxf"):
            path = tmp_path / f"{target}{suffix}"
            path.write_bytes(payload)
            with pytest.raises(ImportRejected) as caught:
                IMPORTS[which](path=path, dry_run=True)
            text = f"{caught.value.message} {caught.value.details}"
            for secret in secrets().values():
                assert secret not in text


def _xlsx_bomb(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["名称", "服务项目", "类型", "经度", "纬度"])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    del members["[Content_Types].xml"]
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(
        lying_zip(members, bomb="[Content_Types].xml", real_bytes=256 * MiB, declared_bytes=MiB)
    )
    return path


def test_a_workbook_lying_about_its_size_is_refused_in_bounded_memory(tmp_path):
    path = _xlsx_bomb(tmp_path)
    tracemalloc.start()
    try:
        with pytest.raises(ImportRejected, match="疑似压缩炸弹"):
            facilities_import(path=path, dry_run=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * MiB
