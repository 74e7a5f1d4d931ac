"""Builders of hostile uploads: OGR VRT files that read server files or URLs, disguised as
the formats the importers accept, and zips whose headers lie about their sizes."""

from __future__ import annotations

import io
import re
import socket
import struct
import threading
import zipfile
import zlib
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point

import gis_portal

DEV_SETTINGS = Path(gis_portal.__file__).parent / "settings" / "dev.py"


def vrt(source: str, layer: str, *, column: str, where: str = "") -> bytes:
    """Return an OGR VRT exposing each line of ``source`` (one field: no tab in them) as
    attribute ``column`` of a point in EPSG:4490 — a column the importer echoes back."""
    return (
        "<OGRVRTDataSource><OGRVRTLayer name='leak'>"
        f"<SrcDataSource>{source}</SrcDataSource>"
        "<OpenOptions><OOI key='HEADERS'>NO</OOI><OOI key='SEPARATOR'>TAB</OOI></OpenOptions>"
        f"<SrcSQL>SELECT field_1 AS \"{column}\", 'POINT (130.3 47.3)' AS wkt "
        f'FROM "{layer}" {where}</SrcSQL>'
        "<GeometryField encoding='WKT' field='wkt'/><LayerSRS>EPSG:4490</LayerSRS>"
        "<GeometryType>wkbPoint</GeometryType></OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


def secrets() -> dict[str, str]:
    """Return what must never appear in a report: a line of each file the VRTs target."""
    dev_key = re.search(r'SECRET_KEY = .*default="([^"]+)"', DEV_SETTINGS.read_text())[1]
    first_variable = Path("/proc/self/environ").read_bytes().split(b"\0")[0]
    return {"passwd": "root:", "dev.py": dev_key, "environ": first_variable.decode()}


def local_targets(column: str) -> dict[str, bytes]:
    """Return VRTs reading /etc/passwd, the dev settings' SECRET_KEY line and the process
    environment into ``column``."""
    return {
        "passwd": vrt("CSV:/etc/passwd", "passwd", column=column),
        "dev.py": vrt(
            f"CSV:{DEV_SETTINGS}", "dev", column=column, where="WHERE field_1 LIKE 'SECRET_KEY%'"
        ),
        "environ": vrt("CSV:/proc/self/environ", "environ", column=column),
    }


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def url_vrt(self, column: str) -> bytes:
        return vrt(f"/vsicurl/http://127.0.0.1:{self.port}/leak.csv", "leak", column=column)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def shapefile_parts(folder: Path, *, crs: int = 4490) -> dict[str, bytes]:
    """Return the files (by extension) of a real one-point shapefile."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = gpd.GeoDataFrame({"code": ["X"]}, geometry=[Point(130.3, 47.3)], crs=crs)
    frame.to_file(folder / "names.shp", encoding="UTF-8", engine="pyogrio")
    return {p.suffix: p.read_bytes() for p in folder.glob("names.*")}


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def lying_zip(
    members: dict[str, bytes], *, bomb: str, real_bytes: int, declared_bytes: int
) -> bytes:
    """Return a zip of ``members`` plus ``bomb``: ``real_bytes`` zeros, really deflated,
    whose local and central headers claim ``declared_bytes`` (and the CRC of that many
    zeros, so a reader that stops at the declared size sees nothing wrong)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        with z.open(bomb, "w") as f:  # streamed: the builder's own memory stays small
            zeros = bytes(1 << 20)
            for _ in range(real_bytes >> 20):
                f.write(zeros)
    data = bytearray(buf.getvalue())
    crc = zlib.crc32(bytes(declared_bytes))
    local = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(bomb).header_offset
    struct.pack_into("<I", data, local + 14, crc)
    struct.pack_into("<I", data, local + 22, declared_bytes)
    end = data.rfind(b"PK\x05\x06")
    entry = struct.unpack_from("<I", data, end + 16)[0]
    while data[entry : entry + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, entry + 28)
        if data[entry + 46 : entry + 46 + name_len] == bomb.encode():
            struct.pack_into("<I", data, entry + 16, crc)
            struct.pack_into("<I", data, entry + 24, declared_bytes)
        entry += 46 + name_len + extra_len + comment_len
    return bytes(data)
