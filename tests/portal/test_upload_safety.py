"""The ground floor every upload passes: GDAL locked down to two drivers and no network,
and zips inflated with their real bytes counted (no database)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pyogrio
import pytest
from django.contrib.gis.gdal import DataSource, Driver, GDALException

from gis_portal.archives import ArchiveRefused, ZipLimits, zip_extract, zip_open, zip_verify
from gis_portal.gdal_safety import (
    GEOPACKAGE,
    SHAPEFILE,
    VectorFileRefused,
    lock_down_gdal,
    vector_frame,
    vector_info,
)
from tests.hostile import Listener, local_targets, lying_zip, secrets, shapefile_parts

LIMITS = ZipLimits(max_members=10, max_total_bytes=8 * 1024 * 1024)
MiB = 1024 * 1024
COLUMN = "name"  # an attribute the importer echoes back in its messages
TARGETS = local_targets(COLUMN)


def test_only_the_shapefile_and_geopackage_drivers_are_left():
    assert set(pyogrio.list_drivers()) == {SHAPEFILE, GEOPACKAGE}
    lock_down_gdal()  # again, as a second AppConfig.ready() would
    assert set(pyogrio.list_drivers()) == {SHAPEFILE, GEOPACKAGE}


def test_a_child_process_inheriting_the_environment_locks_down_too():
    # Commands run as subprocesses get GDAL_SKIP from this process: GDAL skips those
    # drivers at import, and the lock-down must still count them as skipped.
    code = "import pyogrio; from gis_portal.gdal_safety import lock_down_gdal as f; f(); "
    code += "print(sorted(pyogrio.list_drivers()))"
    child = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )
    assert os.environ["GDAL_SKIP"] == "VRT OGR_VRT"
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "['ESRI Shapefile', 'GPKG']"


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_a_vrt_named_shp_is_not_opened(tmp_path, target):
    path = tmp_path / "data.shp"
    path.write_bytes(TARGETS[target])
    for read in (vector_info, vector_frame):
        with pytest.raises(VectorFileRefused) as caught:
            read(path, driver=SHAPEFILE)
        assert str(caught.value) == "文件内容不是有效的 Shapefile"
    # Even with the signature check bypassed, GDAL itself has no VRT driver any more.
    with pytest.raises(pyogrio.errors.DataSourceError) as raw:
        pyogrio.read_info(path)
    assert secrets()[target] not in str(raw.value)


def test_no_gdal_network_file_system_connects():
    listener = Listener()
    try:
        for prefix in ("/vsicurl/", "/vsicurl_streaming/"):
            with pytest.raises(pyogrio.errors.DataSourceError):
                pyogrio.read_info(f"{prefix}http://127.0.0.1:{listener.port}/x.shp")
    finally:
        listener.close()
    assert listener.connections == 0


def test_a_vrt_reading_a_url_is_refused_without_a_connection(tmp_path):
    listener = Listener()
    path = tmp_path / "data.gpkg"
    path.write_bytes(listener.url_vrt(COLUMN))
    try:
        with pytest.raises(VectorFileRefused, match="不是有效的 GeoPackage"):
            vector_info(path, driver=GEOPACKAGE)
        with pytest.raises(pyogrio.errors.DataSourceError):
            pyogrio.read_info(path)
    finally:
        listener.close()
    assert listener.connections == 0


def test_a_geopackage_is_not_read_as_a_shapefile(tmp_path):
    parts = shapefile_parts(tmp_path / "shp")
    (tmp_path / "real.shp").write_bytes(parts[".shp"])
    with pytest.raises(VectorFileRefused, match="不是有效的 GeoPackage"):
        vector_info(tmp_path / "real.shp", driver=GEOPACKAGE)
    assert vector_info(tmp_path / "shp" / "names.shp", driver=SHAPEFILE)["features"] == 1


def test_a_member_inflating_past_its_declared_size_is_refused_in_bounded_memory(tmp_path):
    data = lying_zip({"a.txt": b"ok"}, bomb="big.dbf", real_bytes=256 * MiB, declared_bytes=MiB)
    targets = {}
    tracemalloc.start()
    try:
        with zip_open(io.BytesIO(data), limits=LIMITS) as archive:
            targets = {info: tmp_path / info.filename for info in archive.infolist()}
            with pytest.raises(ArchiveRefused, match="超过其声明的大小（疑似压缩炸弹）"):
                zip_extract(archive, targets, limits=LIMITS)
            with pytest.raises(ArchiveRefused, match="疑似压缩炸弹"):
                zip_verify(archive, limits=LIMITS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * MiB
    assert not (tmp_path / "big.dbf").exists()  # the partly written member is removed


def test_the_limit_counts_inflated_bytes_of_all_members():
    members = {f"m{i}.bin": bytes(3 * MiB) for i in range(3)}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    with pytest.raises(ArchiveRefused, match="超过上限 8 MB"):
        zip_open(io.BytesIO(buf.getvalue()), limits=LIMITS)
    small = ZipLimits(max_members=10, max_total_bytes=9 * MiB + 1)
    with zip_open(io.BytesIO(buf.getvalue()), limits=small) as archive:
        zip_verify(archive, limits=small)


@pytest.mark.parametrize(
    ("method", "reason"),
    [(zipfile.ZIP_BZIP2, "压缩方式不受支持"), (zipfile.ZIP_LZMA, "压缩方式不受支持")],
)
def test_bzip2_and_lzma_members_are_refused(method, reason):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        z.writestr("a.shp", b"x" * 100)
    with pytest.raises(ArchiveRefused, match=reason):
        zip_open(io.BytesIO(buf.getvalue()), limits=LIMITS)


def test_unsafe_names_and_broken_archives_are_refused(tmp_path):
    for name in ("../x.shp", "/etc/x.shp", "C:x.shp", "a/../../x.shp"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(name, b"x")
        with pytest.raises(ArchiveRefused, match="不安全的路径"):
            zip_open(io.BytesIO(buf.getvalue()), limits=LIMITS)
    with pytest.raises(ArchiveRefused, match="已损坏或被截断"):
        zip_open(io.BytesIO(b"PK\x03\x04 not a zip"), limits=LIMITS)
    path = Path(tmp_path / "x.zip")
    path.write_bytes(b"")
    with pytest.raises(ArchiveRefused, match="已损坏或被截断"):
        zip_open(path, limits=LIMITS)


def test_djangos_own_gdal_has_no_vrt_driver_and_no_network(tmp_path):
    # GeoDjango loads Debian's GDAL 3.6, a second GDAL in the process: it never opens
    # uploads, but it reads the same options from the environment.
    path = tmp_path / "leak.vrt"
    path.write_bytes(TARGETS["passwd"])
    listener = Listener()
    try:
        for source in (path, f"/vsicurl/http://127.0.0.1:{listener.port}/x.shp"):
            with pytest.raises(GDALException):
                DataSource(str(source))
    finally:
        listener.close()
    assert listener.connections == 0
    with pytest.raises(GDALException):
        Driver("VRT")
