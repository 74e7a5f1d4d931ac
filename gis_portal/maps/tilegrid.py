"""The WebMercatorQuad tile grid (OGC 17-083r4 Annex D; the XYZ scheme of web maps), pure.

Tile arithmetic, the validation of a tile address (every failure names the bad part in
Chinese) and the OGC TileMatrixSet document. No Django, no database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The deepest level served; deeper, clients over-zoom the level-MAX_ZOOM tiles.
MAX_ZOOM = 20
TILE_EXTENT = 4096  # MVT units across a tile
TILE_BUFFER = 64  # MVT units drawn beyond each edge (symbols at an edge appear in both tiles)
WEB_MERCATOR_HALF_M = 20037508.342789244
MAX_LAT = 85.0511287798066
TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
# Scale denominator of level 0 at the OGC's standardised 0.28 mm pixel.
_SCALE_0 = 559082264.0287178


class TileAddressError(ValueError):
    """A tile address out of range or not a number; ``parameter`` names the part."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Tile:
    z: int
    x: int
    y: int

    @property
    def size_m(self) -> float:
        """Width of the tile in Web Mercator metres."""
        return 2 * WEB_MERCATOR_HALF_M / 2**self.z

    @property
    def buffer_m(self) -> float:
        """The MVT buffer in Web Mercator metres at this level."""
        return self.size_m * TILE_BUFFER / TILE_EXTENT

    def envelope_3857(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the tile in EPSG:3857 (as PostGIS ST_TileEnvelope)."""
        size = self.size_m
        xmin = -WEB_MERCATOR_HALF_M + self.x * size
        ymax = WEB_MERCATOR_HALF_M - self.y * size
        return xmin, ymax - size, xmin + size, ymax


def parse_tile(z: str, x: str, y: str, *, max_zoom: int = MAX_ZOOM, min_zoom: int = 0) -> Tile:
    """Return the tile of the path parts ``z``/``x``/``y``, or raise TileAddressError."""
    values = {}
    for name, raw in (("z", z), ("x", x), ("y", y)):
        text = str(raw)
        if not text.isascii() or not text.isdigit() or len(text) > 8:
            raise TileAddressError(name, f"应为非负整数，收到 {text[:20]!r}")
        values[name] = int(text)
    zoom = values["z"]
    if not min_zoom <= zoom <= max_zoom:
        raise TileAddressError("z", f"缩放级别应在 {min_zoom}–{max_zoom} 之间，收到 {zoom}")
    limit = 2**zoom
    for name in ("x", "y"):
        if values[name] >= limit:
            raise TileAddressError(
                name, f"第 {zoom} 级的 {name} 应在 0–{limit - 1} 之间，收到 {values[name]}"
            )
    return Tile(zoom, values["x"], values["y"])


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """Return the (x, y) of the tile at level ``z`` holding lon/lat."""
    lat = max(min(lat, MAX_LAT), -MAX_LAT)
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tiles_covering(bbox_lonlat: tuple[float, float, float, float], z: int) -> list[Tile]:
    """Every tile of level ``z`` touching a lon/lat box (west, south, east, north)."""
    west, south, east, north = bbox_lonlat
    x0, y0 = lonlat_to_tile(west, north, z)
    x1, y1 = lonlat_to_tile(east, south, z)
    return [Tile(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def tile_matrix_set(max_zoom: int = MAX_ZOOM) -> dict:
    """The OGC TileMatrixSet document (2D TMS 2.0 JSON) of WebMercatorQuad, levels 0..max."""
    matrices = []
    for z in range(max_zoom + 1):
        n = 2**z
        matrices.append(
            {
                "id": str(z),
                "scaleDenominator": _SCALE_0 / n,
                "cellSize": 2 * WEB_MERCATOR_HALF_M / 256 / n,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-WEB_MERCATOR_HALF_M, WEB_MERCATOR_HALF_M],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": n,
                "matrixHeight": n,
            }
        )
    return {
        "id": TMS_ID,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
    }
