"""Township polygons drawn in a surveyor's DXF: closed outlines and their code (no Django).

A DXF carries no coordinate system, so the caller declares one (an EPSG code or
``auto:<datum>``, resolved against the coordinates). Outlines are closed LWPOLYLINE /
POLYLINE entities and the boundary paths of HATCH entities (straight edges only). The
township of an outline is the 9-digit division code (乡级区划代码) found, in this order,

1. in a TEXT / MTEXT, or an ATTRIB of a block INSERT, whose insertion point lies inside
   the outline (the innermost outline holding it), e.g. ``230402001 光明街道``;
2. in the entity's layer name, e.g. layer ``230402001`` or ``230402001_光明街道``.

A text code and a layer code that disagree refuse the file: the drawing contradicts
itself. An outline with no code of its own inside a coded outline is a hole of it; an
outline of another code inside one is an enclave and is cut out of it. A polyline that
does not close is refused naming its handle and layer: guessing the missing edge would
invent a boundary. LINE and ARC entities are not read (a township is delivered as
closed outlines); the count is reported.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

import ezdxf
import shapely
from ezdxf import recover
from ezdxf.entities import DXFGraphic
from ezdxf.math import Vec3
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon

from boundaries.crs import CrsDef, CrsError, crs_resolve
from boundaries.importers.surveys import SurveyFileError
from boundaries.polygons import PolygonDataError, as_multipolygon
from boundaries.townships import RingNotClosed, polygon_from_rings

TOWNSHIP_CODE_RE = re.compile(r"(?<!\d)(\d{9})(?!\d)")
# A vertex this close to the first one closes the ring (the file's units: metres or degrees
# are both far coarser than this; it absorbs only the last digits of a CAD export).
CLOSE_TOLERANCE = 1e-6
MAX_OUTLINES = 5000


@dataclass
class _Outline:
    handle: str
    layer: str
    ring: Polygon
    text_codes: set[str] = field(default_factory=set)
    code: str = ""

    @property
    def where(self) -> str:
        return f"图元 {self.handle}（图层 {self.layer}）"


@dataclass
class DxfTownship:
    code: str
    geometry: MultiPolygon  # in the drawing's (declared) CRS
    handles: list[str]


@dataclass
class DxfTownshipDrawing:
    crs: CrsDef
    townships: list[DxfTownship]
    ignored_entities: int = 0  # LINE, ARC … not read


def _read(data: bytes):
    try:
        doc, _auditor = recover.read(io.BytesIO(data))
    except (OSError, ezdxf.DXFError, UnicodeError, ValueError):
        # ezdxf's messages quote the offending lines of the file.
        raise SurveyFileError("文件内容不是有效的 DXF") from None
    return doc


def _ring(points: list[tuple[float, float]], *, closed_flag: bool, where: str) -> Polygon:
    if len(points) >= 2 and not closed_flag:
        (x0, y0), (x1, y1) = points[0], points[-1]
        if abs(x0 - x1) > CLOSE_TOLERANCE or abs(y0 - y1) > CLOSE_TOLERANCE:
            raise SurveyFileError(
                f"线未闭合：{where} 起点 ({x0:.3f}, {y0:.3f}) 与终点 ({x1:.3f}, {y1:.3f}) 不重合"
            )
        points = points[:-1]
    if len(points) < 3:
        raise SurveyFileError(f"{where} 顶点不足 3 个，不能围成区域")
    return Polygon(points)


def _outlines_of(entity: DXFGraphic) -> list[list[tuple[float, float]]] | None:
    """Return the rings' points of an outline entity (closed), or None if it is none."""
    kind = entity.dxftype()
    where = f"图元 {entity.dxf.handle}（图层 {entity.dxf.layer}）"
    if kind == "LWPOLYLINE":
        if any(b for *_xy, b in entity.get_points("xyb")):
            raise SurveyFileError(f"{where} 含圆弧段：请在 CAD 中将圆弧打断为折线后再导入")
        points = [tuple(p[:2]) for p in entity.get_points("xy")]
        return [_ring(points, closed_flag=entity.closed, where=where).exterior.coords[:-1]]
    if kind == "POLYLINE":
        if entity.is_poly_face_mesh or entity.is_polygon_mesh:
            raise SurveyFileError(f"{where} 是网格面，不是区域轮廓")
        if any(v.dxf.bulge for v in entity.vertices):
            raise SurveyFileError(f"{where} 含圆弧段：请在 CAD 中将圆弧打断为折线后再导入")
        points = [tuple(v.dxf.location[:2]) for v in entity.vertices]
        return [_ring(points, closed_flag=entity.is_closed, where=where).exterior.coords[:-1]]
    if kind == "HATCH":
        rings = []
        for path in entity.paths:
            if hasattr(path, "vertices"):  # a polyline path
                if any(len(v) > 2 and v[2] for v in path.vertices):
                    raise SurveyFileError(f"{where} 的填充边界含圆弧：请改为折线边界")
                points = [tuple(v[:2]) for v in path.vertices]
            else:  # an edge path: straight edges only
                if any(e.type.name != "LINE" for e in path.edges):
                    raise SurveyFileError(f"{where} 的填充边界含曲线：请改为折线边界")
                points = [tuple(e.start[:2]) for e in path.edges]
            # A hatch boundary is closed by definition.
            rings.append(_ring(points, closed_flag=True, where=where).exterior.coords[:-1])
        return rings
    return None


def _labels(msp) -> list[tuple[Point, str]]:
    """Return every text of the model space with its insertion point."""

    def at(insert) -> Point:
        v = Vec3(insert)
        return Point(v.x, v.y)

    out = []
    for entity in msp:
        kind = entity.dxftype()
        if kind == "TEXT":
            out.append((at(entity.dxf.insert), entity.dxf.text))
        elif kind == "MTEXT":
            out.append((at(entity.dxf.insert), entity.plain_text()))
        elif kind == "INSERT":
            for attrib in entity.attribs:
                out.append((at(attrib.dxf.insert), attrib.dxf.text))
    return out


def _code_in(text: str) -> set[str]:
    return set(TOWNSHIP_CODE_RE.findall(text or ""))


def _assign_codes(outlines: list[_Outline], labels: list[tuple[Point, str]]) -> None:
    """Give each outline its code (its innermost text, else its layer, else its host's)."""
    by_size = sorted(outlines, key=lambda o: o.ring.area)
    for point, text in labels:
        codes = _code_in(text)
        if not codes:
            continue
        host = next((o for o in by_size if o.ring.contains(point)), None)
        if host is not None:
            host.text_codes |= codes
    for o in outlines:
        if len(o.text_codes) > 1:
            raise SurveyFileError(
                f"{o.where} 内有多个区划代码标注：{'、'.join(sorted(o.text_codes))}"
            )
        layer_codes = _code_in(o.layer)
        text_code = next(iter(o.text_codes), "")
        if text_code and layer_codes and text_code not in layer_codes:
            raise SurveyFileError(
                f"{o.where} 内的标注为 {text_code}，与图层名中的区划代码 "
                f"{'、'.join(sorted(layer_codes))} 不一致"
            )
        if not text_code and len(layer_codes) > 1:
            raise SurveyFileError(f"{o.where} 的图层名含多个区划代码")
        o.code = text_code or next(iter(layer_codes), "")
    # Largest first, so a host's code is settled before its holes ask for it.
    for o in sorted(outlines, key=lambda o: -o.ring.area):
        if o.code:
            continue
        host = next((h for h in by_size if h is not o and h.code and h.ring.contains(o.ring)), None)
        if host is None:
            raise SurveyFileError(
                f"{o.where}：找不到乡级区划代码（图层名或面内的文字标注应含 9 位区划代码）"
            )
        o.code = host.code


def parse_dxf_townships(data: bytes, *, declared_crs: str) -> DxfTownshipDrawing:
    """Return the township polygons of a DXF drawing in the declared CRS, one per code."""
    if not declared_crs:
        raise SurveyFileError("DXF 不含坐标系信息：请声明坐标系（EPSG 代码）")
    msp = _read(data).modelspace()
    outlines: list[_Outline] = []
    ignored = 0
    for entity in msp:
        rings = _outlines_of(entity)
        if rings is None:
            ignored += entity.dxftype() in ("LINE", "ARC", "SPLINE", "CIRCLE")
            continue
        for points in rings:
            outlines.append(_Outline(entity.dxf.handle, entity.dxf.layer, Polygon(points)))
        if len(outlines) > MAX_OUTLINES:
            raise SurveyFileError(f"DXF 中的闭合轮廓超过 {MAX_OUTLINES} 个")
    if not outlines:
        raise SurveyFileError("DXF 中没有闭合的多段线（LWPOLYLINE / POLYLINE）或填充边界")
    # A drawing often holds an outline twice (the polyline and the hatch filling it).
    unique: list[_Outline] = []
    for o in outlines:
        if not any(u.ring.equals(o.ring) for u in unique):
            unique.append(o)
    coords = shapely.get_coordinates([o.ring for o in unique])
    try:
        crs = crs_resolve(declared_crs, coords[:, 0], coords[:, 1])
    except CrsError as exc:
        raise SurveyFileError(f"DXF 坐标：{exc}") from None
    _assign_codes(unique, _labels(msp))
    by_code: dict[str, list[_Outline]] = defaultdict(list)
    for o in unique:
        by_code[o.code].append(o)
    polygons: dict[str, MultiPolygon] = {}
    for code, group in by_code.items():
        rings = MultiLineString([LineString(o.ring.exterior.coords) for o in group])
        try:
            polygons[code] = polygon_from_rings(rings)
        except (RingNotClosed, PolygonDataError) as exc:
            raise SurveyFileError(f"区划代码 {code} 的轮廓无效：{exc}") from None
    # An enclave of another township is cut out of the one around it.
    for code, polygon in polygons.items():
        for other, enclave in polygons.items():
            if other != code and polygon.contains(enclave):
                polygon = polygon.difference(enclave)
        polygons[code] = as_multipolygon(polygon)
    townships = [
        DxfTownship(code, polygons[code], [o.handle for o in by_code[code]])
        for code in sorted(polygons)
    ]
    return DxfTownshipDrawing(crs=crs, townships=townships, ignored_entities=ignored)
