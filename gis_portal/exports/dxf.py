"""A streaming DXF R12 writer for surveyors' CAD (pure: no Django, no database).

Why not GDAL's DXF driver: it cannot append (the whole layer would be held in memory) and
writes Chinese layer names as code page 1252 mojibake. R12 (AC1009) is the DXF every CAD
program and GDAL read; the file declares code page ANSI_936 and its text is GBK, a
character outside GBK written as the DXF escape ``\\U+XXXX``.

Entities are streamed to a side file while the layer names are collected; ``close`` writes
the header and the LAYER table, then copies the entities after them (disk to disk, flat
memory). Points are POINTs, lines open POLYLINEs, polygon rings closed POLYLINEs, each
feature's label a TEXT beside it on the same layer; coordinates in metres, 3 decimals.
"""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path
from typing import BinaryIO

import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry, BaseMultipartGeometry

TEXT_HEIGHT_M = 2.0
# AutoCAD colour index per layer, in the order layers appear (red, yellow, green, cyan …).
LAYER_COLOURS = (1, 2, 3, 4, 5, 6, 30, 140, 210, 8)


def _dxf_escape(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    # Past the BMP a character is written as its UTF-16 surrogate pair, two escapes.
    units = bad.encode("utf-16-be", "surrogatepass")
    codes = [int.from_bytes(units[i : i + 2], "big") for i in range(0, len(units), 2)]
    return "".join(f"\\U+{code:04X}" for code in codes), error.end


codecs.register_error("dxf_unicode_escape", _dxf_escape)


def _clean(text: str) -> str:
    # A group value is one line; control characters would end or corrupt it.
    return "".join(ch if ch >= " " else " " for ch in text)


class DxfWriter:
    """Write a DXF R12 drawing at ``path``: ``add`` features, then ``close``."""

    def __init__(self, path: Path, *, text_height_m: float = TEXT_HEIGHT_M) -> None:
        self.path = path
        self.text_height_m = text_height_m
        self.layers: dict[str, int] = {}
        self.extent: list[float] = [float("inf"), float("inf"), float("-inf"), float("-inf")]
        self.count = 0
        self._entities_path = path.with_name(path.name + ".entities")
        self._out: BinaryIO = self._entities_path.open("wb")

    def _w(self, text: str) -> None:
        self._out.write(text.encode("gbk", "dxf_unicode_escape"))

    def _layer(self, name: str) -> str:
        name = _clean(name)
        if name not in self.layers:
            self.layers[name] = LAYER_COLOURS[len(self.layers) % len(LAYER_COLOURS)]
        return name

    def _grow(self, geom: BaseGeometry) -> None:
        x0, y0, x1, y1 = geom.bounds
        e = self.extent
        e[0], e[1], e[2], e[3] = min(e[0], x0), min(e[1], y0), max(e[2], x1), max(e[3], y1)

    def add(self, *, layer: str, geometry: BaseGeometry | None, label: str | None = None) -> None:
        """Add one feature (metric coordinates) on ``layer``, labelled with ``label``."""
        if geometry is None or geometry.is_empty:
            return
        name = self._layer(layer)
        self._grow(geometry)
        self._geometry(name, geometry)
        if label:
            anchor = geometry if isinstance(geometry, Point) else geometry.point_on_surface()
            self._w(
                f"0\nTEXT\n8\n{name}\n10\n{anchor.x + 1:.3f}\n20\n{anchor.y + 1:.3f}\n30\n0.0\n"
                f"40\n{self.text_height_m:g}\n1\n{_clean(label)}\n"
            )
        self.count += 1

    def _geometry(self, name: str, geom: BaseGeometry) -> None:
        if isinstance(geom, Point):
            self._w(f"0\nPOINT\n8\n{name}\n10\n{geom.x:.3f}\n20\n{geom.y:.3f}\n30\n0.0\n")
        elif isinstance(geom, LineString):
            self._polyline(name, shapely.get_coordinates(geom), closed=False)
        elif isinstance(geom, Polygon):
            for ring in (geom.exterior, *geom.interiors):
                # The closing vertex repeats the first: a closed POLYLINE implies it.
                self._polyline(name, shapely.get_coordinates(ring)[:-1], closed=True)
        elif isinstance(geom, BaseMultipartGeometry):
            for part in geom.geoms:
                self._geometry(name, part)

    def _polyline(self, name: str, coords, *, closed: bool) -> None:
        parts = [
            f"0\nPOLYLINE\n8\n{name}\n66\n1\n10\n0.0\n20\n0.0\n30\n0.0\n70\n{1 if closed else 0}\n"
        ]
        parts.extend(
            f"0\nVERTEX\n8\n{name}\n10\n{x:.3f}\n20\n{y:.3f}\n30\n0.0\n" for x, y in coords
        )
        parts.append(f"0\nSEQEND\n8\n{name}\n")
        self._w("".join(parts))

    def close(self) -> int:
        """Write the drawing (header, tables, entities); return the features written."""
        self._out.close()
        x0, y0, x1, y1 = self.extent if self.count else (0.0, 0.0, 0.0, 0.0)
        layers = self.layers or {"0": 7}
        head = [
            "0\nSECTION\n2\nHEADER\n9\n$ACADVER\n1\nAC1009\n9\n$DWGCODEPAGE\n3\nANSI_936\n",
            f"9\n$EXTMIN\n10\n{x0:.3f}\n20\n{y0:.3f}\n30\n0.0\n",
            f"9\n$EXTMAX\n10\n{x1:.3f}\n20\n{y1:.3f}\n30\n0.0\n",
            "0\nENDSEC\n0\nSECTION\n2\nTABLES\n",
            "0\nTABLE\n2\nLTYPE\n70\n1\n0\nLTYPE\n2\nCONTINUOUS\n70\n0\n3\nSolid line\n72\n65\n73\n0\n40\n0.0\n0\nENDTAB\n",
            f"0\nTABLE\n2\nLAYER\n70\n{len(layers)}\n",
            *(f"0\nLAYER\n2\n{n}\n70\n0\n62\n{c}\n6\nCONTINUOUS\n" for n, c in layers.items()),
            "0\nENDTAB\n",
            "0\nTABLE\n2\nSTYLE\n70\n1\n0\nSTYLE\n2\nSTANDARD\n70\n0\n40\n0.0\n41\n1.0\n50\n0.0\n71\n0\n42\n2.5\n3\ntxt\n4\n\n0\nENDTAB\n",
            "0\nENDSEC\n0\nSECTION\n2\nENTITIES\n",
        ]  # fmt: skip
        with self.path.open("wb") as out:
            out.write("".join(head).encode("gbk", "dxf_unicode_escape"))
            with self._entities_path.open("rb") as entities:
                shutil.copyfileobj(entities, out, 1 << 20)
            out.write(b"0\nENDSEC\n0\nEOF\n")
        self._entities_path.unlink()
        return self.count

    def abort(self) -> None:
        """Drop the side file (an export that failed half-way)."""
        self._out.close()
        self._entities_path.unlink(missing_ok=True)
