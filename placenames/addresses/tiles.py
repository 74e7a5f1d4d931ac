"""Web-Mercator tile arithmetic for the address vector tiles (no Django)."""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_ZOOM = 20
# Layers served as vector tiles and the zooms they appear at ("street zoom levels"): below
# the minimum a tile is empty, so the whole city never travels in one response.
LAYERS: dict[str, tuple[int, int]] = {
    "doorplates": (14, MAX_ZOOM),
    "signs": (12, MAX_ZOOM),
    "streets": (11, MAX_ZOOM),
}
MAX_LAT = 85.0511287798066


class TileError(ValueError):
    """A tile address out of range (message in Chinese; ``parameter`` names the part)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class TileAddress:
    layer: str
    z: int
    x: int
    y: int


def validate_tile(layer: str, z: int, x: int, y: int) -> TileAddress:
    """Return the tile address, or raise TileError naming the bad part."""
    if layer not in LAYERS:
        raise TileError("layer", f"图层应为 {'、'.join(LAYERS)} 之一")
    if not 0 <= z <= MAX_ZOOM:
        raise TileError("z", f"缩放级别应在 0..{MAX_ZOOM} 之间")
    limit = 2**z
    if not 0 <= x < limit:
        raise TileError("x", f"第 {z} 级的 x 应在 0..{limit - 1} 之间")
    if not 0 <= y < limit:
        raise TileError("y", f"第 {z} 级的 y 应在 0..{limit - 1} 之间")
    return TileAddress(layer, z, x, y)


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """Return the (x, y) of the XYZ tile at zoom ``z`` containing lon/lat."""
    lat = max(min(lat, MAX_LAT), -MAX_LAT)
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_ranges(
    bbox_lonlat: tuple[float, float, float, float], zooms: range
) -> list[tuple[int, int, int, int, int]]:
    """Return (z, x_min, x_max, y_min, y_max) of the tiles touching a lon/lat box per zoom.

    A point symbol drawn near a tile edge is also carried by the neighbouring tile (the
    MVT buffer), so each range is widened by one tile.
    """
    min_lon, min_lat, max_lon, max_lat = bbox_lonlat
    out = []
    for z in zooms:
        x0, y0 = lonlat_to_tile(min_lon, max_lat, z)
        x1, y1 = lonlat_to_tile(max_lon, min_lat, z)
        top = 2**z - 1
        out.append((z, max(x0 - 1, 0), min(x1 + 1, top), max(y0 - 1, 0), min(y1 + 1, top)))
    return out
