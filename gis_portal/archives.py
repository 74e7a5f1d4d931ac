"""Zip archives from uploads, with the bytes they really inflate to counted (no Django).

A zip's central directory only *claims* each member's size: 1 GiB of zeros deflates to
about 1 MB and can be declared as 1 MiB, and ``ZipFile.read`` then inflates the whole
member in one call (a web worker went from 0.6 to 2.6 GB). So the declared sizes are
checked first (count, total, ratio), and then every member is inflated in 64 KiB reads,
counting the real bytes and refusing as soon as a member passes its declared size or the
archive its limit. Shapefile zips are extracted that way (``zip_extract``); an Excel
workbook, which openpyxl unzips itself, is inflated once to nowhere (``zip_verify``) so
that openpyxl only ever sees members whose declared sizes are true.

Only stored and deflated members are accepted: Python's bzip2/LZMA readers inflate a
whole compressed chunk per call, however small the read asked for.
"""

from __future__ import annotations

import copy
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

CHUNK_BYTES = 64 * 1024
METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}


# What zipfile raises for a broken member: bad headers or CRC, a cut or corrupt stream.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


class ArchiveRefused(ValueError):
    """The archive is broken, unsafe or inflates beyond a limit (Chinese message)."""


@dataclass(frozen=True)
class ZipLimits:
    max_members: int
    max_total_bytes: int  # inflated, all members together
    max_ratio: int = 200  # inflated / compressed, per member (deflate tops out near 1032)


def _unsafe(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":")


def zip_open(source: Path | BinaryIO, *, limits: ZipLimits) -> zipfile.ZipFile:
    """Return the open archive once its directory passes the checks (nothing inflated):
    member count, safe names (no absolute path, no ../), compression method, no encryption,
    declared ratio and declared total."""
    try:
        archive = zipfile.ZipFile(source)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ArchiveRefused("压缩文件已损坏或被截断") from None
    try:
        if len(infos) > limits.max_members:
            raise ArchiveRefused(f"压缩包内文件过多（{len(infos)} 个，上限 {limits.max_members}）")
        total = 0
        for info in infos:
            name = info.filename
            if _unsafe(name):
                raise ArchiveRefused(f"压缩包含不安全的路径 {name!r}（绝对路径或 ../）")
            if info.flag_bits & 0x1:
                raise ArchiveRefused(f"压缩包内 {name!r} 已加密，无法读取")
            if info.compress_type not in METHODS:
                raise ArchiveRefused(
                    f"压缩包内 {name!r} 的压缩方式不受支持：请使用普通 zip（deflate）压缩"
                )
            if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
                raise ArchiveRefused(f"压缩包内 {name!r} 压缩比异常（疑似压缩炸弹）")
            total += info.file_size
        if total > limits.max_total_bytes:
            raise ArchiveRefused(
                f"压缩包解压后 {total / 1e6:.0f} MB，超过上限 "
                f"{limits.max_total_bytes / 1e6:.0f} MB（疑似压缩炸弹）"
            )
    except ArchiveRefused:
        archive.close()
        raise
    return archive


class _Inflation:
    """Real inflated bytes of one archive, against its limit."""

    def __init__(self, limits: ZipLimits) -> None:
        self.limits = limits
        self.total = 0

    def chunks(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """Yield the member's bytes in bounded reads, refusing past its declared size."""
        broken = ArchiveRefused(f"压缩包内 {info.filename!r} 已损坏或被截断")
        # ZipExtFile stops (and checks the CRC) at the declared size: declare more than
        # one read beyond it, to see the stream go on.
        probe = copy.copy(info)
        probe.file_size = info.file_size + 2 * CHUNK_BYTES
        try:
            member = archive.open(probe)
        except _READ_ERRORS:
            raise broken from None
        size = 0
        with member:
            while True:
                try:
                    chunk = member.read(CHUNK_BYTES)
                except _READ_ERRORS:
                    raise broken from None
                if not chunk:
                    return
                size += len(chunk)
                self.total += len(chunk)
                if size > info.file_size:
                    raise ArchiveRefused(
                        f"压缩包内 {info.filename!r} 解压后超过其声明的大小（疑似压缩炸弹）"
                    )
                if self.total > self.limits.max_total_bytes:
                    raise ArchiveRefused(
                        f"压缩包解压后超过上限 {self.limits.max_total_bytes / 1e6:.0f} MB"
                        "（疑似压缩炸弹）"
                    )
                yield chunk


def zip_verify(archive: zipfile.ZipFile, *, limits: ZipLimits) -> None:
    """Inflate every member to nowhere; refuse if one passes its declared size or all of
    them ``limits.max_total_bytes``."""
    inflation = _Inflation(limits)
    for info in archive.infolist():
        if not info.is_dir():
            for _ in inflation.chunks(archive, info):
                pass


def zip_extract(
    archive: zipfile.ZipFile, targets: Mapping[zipfile.ZipInfo, Path], *, limits: ZipLimits
) -> None:
    """Write each member to its target path, counting inflated bytes as ``zip_verify``;
    on refusal the partly written target is removed (the caller owns the directory)."""
    inflation = _Inflation(limits)
    for info, target in targets.items():
        try:
            with target.open("wb") as out:
                for chunk in inflation.chunks(archive, info):
                    out.write(chunk)
        except ArchiveRefused:
            target.unlink(missing_ok=True)
            raise
