"""Draw a standard map sheet as a vector PDF (matplotlib; pure: no Django, no database).

The sheet is drawn in CGCS2000 3° Gauss-Krüger zone 43 (EPSG:4552, the project's metric
CRS) at a true printed scale: the map frame's millimetres times the scale are its metres.
Around it: title, legend (from the catalogue's styles of the layers drawn), scale bar and
representative fraction, a graticule labelled in CGCS2000 longitude/latitude, a north arrow
pointing to true north (grid convergence applied), the data date, the CRS, the slot for the
map approval number (审图号) and, where demo rows are drawn, a visible demo notice.

Labels are placed in priority order and a label that would overlap one already placed is
left out (greedy collision avoidance on the rendered text boxes). The CJK font (Noto Sans
CJK SC, Debian ``fonts-noto-cjk``) is embedded as a subset with its Unicode map, so the PDF
prints and searches on a machine without it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import shapely
from matplotlib import font_manager, patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrow, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from gis_portal.metric_crs import METRIC_EPSG, to_lonlat, to_metric

CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)
CJK_FAMILY = "Noto Sans CJK SC"
MM_PER_INCH = 25.4
# The lengths of one scale-bar segment (metres); the bar has four.
NICE_BAR_UNITS_M = (100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 25_000, 50_000)
# Pastel fills that tell neighbouring county-level areas apart on a division map.
AREA_FILLS = (
    "#f6e8c3",
    "#dcecc9",
    "#cfe3f0",
    "#f3d9e4",
    "#e6e0f2",
    "#fbe3cf",
    "#d9f0e9",
    "#eeeeda",
)


class FontMissing(RuntimeError):
    """The CJK font is not installed (``apt-get install fonts-noto-cjk``)."""


@dataclass
class DrawLayer:
    """One catalogue layer's features in EPSG:4552, with what its style says."""

    key: str
    label: str
    symbol: str  # "fill" | "line" | "circle" | "icon"
    colour: str
    geoms: list[BaseGeometry]
    labels: list[str | None]
    pinyins: list[str | None] = field(default_factory=list)
    classes: list[str | None] = field(default_factory=list)
    class_colours: dict[str, str] = field(default_factory=dict)
    class_labels: dict[str, str] = field(default_factory=dict)
    label_priority: int = 50
    draw_labels: bool = True
    demo: bool = False  # some of the features are generated demo data


@dataclass
class SheetDrawing:
    title: str
    subtitle: str
    paper_mm: tuple[float, float]
    scale: int
    centre_m: tuple[float, float]
    layers: list[DrawLayer]
    data_date: date
    as_of: date | None = None
    demo: bool = False
    producer: str = "鹤岗市民政局"


@dataclass
class RenderReport:
    """What was drawn: the legend entries and how many labels were placed / left out."""

    legend: list[str]
    labels_placed: int
    labels_dropped: int
    features: int


def _fonts_ready() -> None:
    for path in CJK_FONT_FILES:
        if not Path(path).exists():
            raise FontMissing(f"缺少中文字体 {path}：请安装 fonts-noto-cjk")
        font_manager.fontManager.addfont(path)


# --- geometry to matplotlib ---------------------------------------------------------------


def _ring_codes(n: int) -> list[int]:
    return [MplPath.MOVETO] + [MplPath.LINETO] * (n - 2) + [MplPath.CLOSEPOLY]


def _polygon_path(geom: BaseGeometry) -> MplPath | None:
    polys = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    verts, codes = [], []
    for poly in polys:
        if not isinstance(poly, Polygon) or poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            coords = np.asarray(ring.coords)[:, :2]
            if len(coords) < 4:
                continue
            verts.append(coords)
            codes += _ring_codes(len(coords))
    if not verts:
        return None
    return MplPath(np.concatenate(verts), codes)


def _lines_of(geom: BaseGeometry) -> list[np.ndarray]:
    if isinstance(geom, LineString):
        return [np.asarray(geom.coords)[:, :2]]
    if isinstance(geom, MultiLineString):
        return [np.asarray(g.coords)[:, :2] for g in geom.geoms]
    if isinstance(geom, (Polygon, MultiPolygon)):
        return [np.asarray(r.coords)[:, :2] for r in _rings(geom)]
    return []


def _rings(geom):
    for poly in geom.geoms if isinstance(geom, MultiPolygon) else [geom]:
        yield poly.exterior


# --- the sheet ------------------------------------------------------------------------------


@dataclass
class _Label:
    priority: int
    text: str
    x: float
    y: float
    size: float
    colour: str
    rotation: float = 0.0
    bold: bool = False
    halo: bool = True
    ha: str = "center"
    va: str = "center"


def _graticule_step(span_deg: float) -> float:
    for step in (1.0, 0.5, 1 / 3, 1 / 6, 1 / 12, 1 / 30, 1 / 60):
        if span_deg / step >= 3:
            return step
    return 1 / 60


def _dms(value: float, axis: str) -> str:
    degrees = math.floor(value + 1e-9)
    minutes = round((value - degrees) * 60)
    if minutes == 60:
        degrees, minutes = degrees + 1, 0
    hemi = ("E" if value >= 0 else "W") if axis == "lon" else ("N" if value >= 0 else "S")
    return f"{degrees}°{minutes:02d}′{hemi}"


def _convergence_deg(x: float, y: float) -> float:
    """Angle (degrees, clockwise) from grid north to true north at a point of EPSG:4552."""
    lon, lat = to_lonlat(x, y)
    x2, y2 = to_metric(lon, lat + 0.01)
    return math.degrees(math.atan2(x2 - x, y2 - y))


def _layout(paper_mm: tuple[float, float]) -> tuple[float, float, float, float]:
    """(type factor, margin, title band height, legend column width) in mm for a paper."""
    k = (paper_mm[0] / 420.0) ** 0.6  # type sizes grow with the paper, less than linearly
    return k, 10.0 * k, 24.0 * k, 78.0 * k


def map_frame_mm(paper_mm: tuple[float, float]) -> tuple[float, float, float, float]:
    """The map frame on the page: (x, y, width, height) in millimetres."""
    paper_w, paper_h = paper_mm
    _k, margin, title_h, legend_w = _layout(paper_mm)
    return (margin, margin, paper_w - 2 * margin - legend_w, paper_h - 2 * margin - title_h)


def render_pdf(drawing: SheetDrawing) -> tuple[bytes, RenderReport]:
    """Return the sheet as PDF bytes and what was drawn."""
    _fonts_ready()
    paper_w, paper_h = drawing.paper_mm
    k, margin, title_h, legend_w = _layout(drawing.paper_mm)
    frame = map_frame_mm(drawing.paper_mm)

    fig = Figure(figsize=(paper_w / MM_PER_INCH, paper_h / MM_PER_INCH))
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")

    def axes_mm(x, y, w, h):
        return fig.add_axes((x / paper_w, y / paper_h, w / paper_w, h / paper_h))

    ax = axes_mm(*frame)
    half_w = frame[2] / 1000.0 * drawing.scale / 2
    half_h = frame[3] / 1000.0 * drawing.scale / 2
    cx, cy = drawing.centre_m
    extent = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(1.2 * k)

    labels: list[_Label] = []
    legend_entries: list[tuple[str, str, str]] = []  # (symbol, colour, text)
    features = 0
    county_fill = 0
    thinned = 0
    for layer in drawing.layers:
        classes = layer.classes or [None] * len(layer.geoms)
        pinyins = layer.pinyins or [None] * len(layer.geoms)
        seen_classes: list[str | None] = []
        if layer.symbol in POINT_SYMBOLS:
            points = _point_layer(ax, layer, k, drawing.scale)
            features += points.features
            thinned += points.labels_thinned
            labels += points.labels
            seen_classes = points.classes
            _legend_add(legend_entries, layer, seen_classes)
            continue
        # Lines are drawn as one artist per colour (one matplotlib artist a feature would
        # take gigabytes on a sheet of hundreds of thousands); polygons (the areas, a few
        # hundred) one patch each; point layers above (_point_layer).
        batch = _Batch()
        for geom, text, pinyin, cls in zip(
            layer.geoms, layer.labels, pinyins, classes, strict=True
        ):
            if geom is None or geom.is_empty:
                continue
            features += 1
            colour = layer.class_colours.get(cls or "", layer.colour)
            if cls not in seen_classes:
                seen_classes.append(cls)
            anchor = _draw_feature(ax, layer, geom, cls, colour, k, county_fill, batch)
            if layer.symbol == "fill" and cls == "county":
                county_fill += 1
            if not (layer.draw_labels and text):
                continue
            label_text = f"{text}\n{pinyin}" if pinyin else text
            size, bold, priority = _label_size(layer, cls, k)
            x, y, rotation, ha = anchor
            labels.append(
                _Label(priority, label_text, x, y, size, _label_colour(layer, colour),
                       rotation=rotation, bold=bold, ha=ha)
            )  # fmt: skip
        batch.draw(ax, layer, k)
        _legend_add(legend_entries, layer, seen_classes)

    _graticule(ax, extent, k)
    placed, dropped = _place_labels(fig, ax, labels)
    dropped += thinned

    # Title band, legend column and the marginal notes.
    fig.text(
        (frame[0] + frame[2] / 2) / paper_w, (paper_h - margin - title_h * 0.45) / paper_h,
        drawing.title, ha="center", va="center", fontsize=26 * k, fontfamily=CJK_FAMILY,
        fontweight="bold",
    )  # fmt: skip
    fig.text(
        (frame[0] + frame[2] / 2) / paper_w, (paper_h - margin - title_h * 0.85) / paper_h,
        drawing.subtitle, ha="center", va="center", fontsize=10 * k, fontfamily=CJK_FAMILY,
    )  # fmt: skip
    legend_x = frame[0] + frame[2] + 6 * k
    _legend(fig, (legend_x, margin, legend_w - 6 * k, paper_h - 2 * margin - title_h), legend_entries, k,
            (paper_w, paper_h))  # fmt: skip
    _north_arrow(fig, ax, extent, k, (paper_w, paper_h), frame)
    _scale_bar(
        fig, drawing.scale, k, (paper_w, paper_h), (legend_x, margin + 40 * k), legend_w - 10 * k
    )
    notes = [
        f"比例尺 1:{drawing.scale:,}".replace(",", " "),
        "2000国家大地坐标系（CGCS2000）",
        f"高斯-克吕格投影 3°带（EPSG:{METRIC_EPSG}，中央经线 129°E）",
        f"数据日期：{drawing.data_date:%Y-%m-%d}"
        + (f"（按 {drawing.as_of:%Y-%m-%d} 有效的要素）" if drawing.as_of else ""),
        f"编制单位：{drawing.producer}",
        "审图号：____________",
    ]
    if drawing.demo:
        notes.append("含演示数据，非正式成果")
    for i, note in enumerate(notes):
        fig.text(
            legend_x / paper_w, (margin + 30 * k - i * 4.6 * k) / paper_h + 0.0, note,
            fontsize=7.5 * k, fontfamily=CJK_FAMILY, va="bottom",
            color="#b00020" if note.startswith("含演示") else "#222222",
        )  # fmt: skip

    buffer = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42, "font.family": CJK_FAMILY}):
        fig.savefig(
            buffer, format="pdf", metadata={"Title": drawing.title, "Creator": drawing.producer}
        )
    report = RenderReport(
        legend=[text for _s, _c, text in legend_entries],
        labels_placed=placed,
        labels_dropped=dropped,
        features=features,
    )
    return buffer.getvalue(), report


def _label_size(layer: DrawLayer, cls: str | None, k: float) -> tuple[float, bool, int]:
    if layer.symbol == "fill":
        if cls == "city":
            return 0, False, 0  # the city is the map: its name is the title
        return (13 * k, True, 0) if cls == "county" else (9 * k, False, 5)
    if layer.symbol == "line":
        return 6.5 * k, False, layer.label_priority
    return 6.5 * k, False, layer.label_priority


def _label_colour(layer: DrawLayer, colour: str) -> str:
    return "#333333" if layer.symbol == "fill" else colour


def _legend_add(entries: list, layer: DrawLayer, classes: list[str | None]) -> None:
    for cls in classes:
        text = layer.class_labels.get(cls or "", "") if cls else ""
        entries.append(
            (layer.symbol, layer.class_colours.get(cls or "", layer.colour),
             f"{layer.label}：{text}" if text else layer.label)
        )  # fmt: skip


POINT_SYMBOLS = ("circle", "icon")
# Point symbols are drawn once per cell of the paper as wide as the symbol: two points of a
# colour closer on paper than that print as one blot of ink (800,000 generated place names on
# the A3 city sheet), and each would cost the PDF a marker.
MARKER_MM = {"circle": 2.2 * 25.4 / 72, "icon": 4.0 * 25.4 / 72}  # marker sizes (pt) in mm
# Of the labels of a point layer, only the first whose anchor falls in a cell of this size
# (mm on paper, less than a label's height) is a candidate: any other there would overlap it.
LABEL_CELL_MM = 2.4


@dataclass
class _PointLayer:
    features: int
    classes: list[str | None]
    labels: list[_Label]
    labels_thinned: int


def _first_per_cell(x_m: np.ndarray, y_m: np.ndarray, cell_m: float, group=None) -> np.ndarray:
    """Indices (ascending) of the first point in each cell of ``cell_m`` (per ``group``)."""
    if x_m.size == 0:
        return np.zeros(0, dtype=np.int64)
    cx = np.floor(x_m / cell_m).astype(np.int64)
    cy = np.floor(y_m / cell_m).astype(np.int64)
    keys = np.stack([cx, cy] if group is None else [cx, cy, group])
    _unique, first = np.unique(keys, axis=1, return_index=True)
    return np.sort(first)


def _point_layer(ax, layer: DrawLayer, k: float, scale: int) -> _PointLayer:
    """Draw a point layer (one artist per colour, thinned to what the paper can show) and
    return its label candidates (thinned the same way) and the classes it drew."""
    n = len(layer.geoms)
    classes = layer.classes or [None] * n
    pinyins = layer.pinyins or [None] * n
    geoms = np.array(layer.geoms, dtype=object)
    present = np.array([g is not None and not g.is_empty for g in layer.geoms], dtype=bool)
    index = np.flatnonzero(present)
    anchors = shapely.point_on_surface(geoms[index]) if index.size else np.zeros(0, dtype=object)
    xs, ys = shapely.get_x(anchors), shapely.get_y(anchors)
    colours = [layer.class_colours.get(classes[i] or "", layer.colour) for i in index]
    palette = {c: j for j, c in enumerate(dict.fromkeys(colours))}
    colour_id = np.array([palette[c] for c in colours], dtype=np.int64)
    marker = "^" if layer.symbol == "icon" else "o"
    marker_m = MARKER_MM[layer.symbol] * k * scale / 1000.0
    keep = _first_per_cell(xs, ys, marker_m, colour_id)
    for colour, j in palette.items():
        mine = keep[colour_id[keep] == j]
        ax.plot(
            xs[mine], ys[mine], marker=marker, markersize=(4.0 if marker == "^" else 2.2) * k,
            color=colour, markeredgecolor="white", markeredgewidth=0.3 * k, zorder=6,
            linestyle="none",
        )  # fmt: skip
    seen = list(dict.fromkeys(classes[i] for i in index))
    labelled = np.array([bool(layer.draw_labels and layer.labels[i]) for i in index], dtype=bool)
    candidates = np.flatnonzero(labelled)
    first = candidates[
        _first_per_cell(xs[candidates], ys[candidates], LABEL_CELL_MM * k * scale / 1000.0)
    ]
    labels = []
    size, bold, priority = _label_size(layer, None, k)
    for pos in first:
        i = index[pos]
        text, pinyin = layer.labels[i], pinyins[i]
        labels.append(
            _Label(priority, f"{text}\n{pinyin}" if pinyin else str(text), float(xs[pos]),
                   float(ys[pos]), size, _label_colour(layer, colours[pos]), bold=bold, ha="left")
        )  # fmt: skip
    return _PointLayer(
        features=int(index.size),
        classes=seen,
        labels=labels,
        labels_thinned=int(candidates.size - first.size),
    )


@dataclass
class _Batch:
    """One line layer's lines, gathered by colour and drawn as one artist each (point
    layers: ``_point_layer``)."""

    lines: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def draw(self, ax, layer: DrawLayer, k: float) -> None:
        for colour, segments in self.lines.items():
            ax.add_collection(
                LineCollection(
                    segments, colors=colour, linewidths=1.6 * k, zorder=4, capstyle="round",
                    joinstyle="round",
                )
            )  # fmt: skip


def _draw_feature(
    ax, layer: DrawLayer, geom, cls, colour, k, county_fill, batch: _Batch
) -> tuple[float, float, float, str]:
    """Draw one feature of an area or line layer (a polygon at once, lines into ``batch``);
    return where its label goes (x, y, rotation, alignment)."""
    if layer.symbol == "fill":
        path = _polygon_path(geom)
        if path is not None:
            if cls == "county":
                face, edge, width, style = (
                    AREA_FILLS[county_fill % len(AREA_FILLS)],
                    "#6b6b6b",
                    0.9,
                    "-",
                )
            elif cls == "city":
                face, edge, width, style = "none", "#3a3a3a", 2.2, "-"
            else:
                face, edge, width, style = "none", "#8a8a8a", 0.5, (0, (4, 2))
            ax.add_patch(
                PathPatch(
                    path,
                    facecolor=face,
                    edgecolor=edge,
                    linewidth=width * k,
                    linestyle=style,
                    zorder=1 if face != "none" else 3,
                )
            )
        point = geom.representative_point()
        return point.x, point.y, 0.0, "center"
    if layer.symbol == "line":
        lines = _lines_of(geom)
        batch.lines.setdefault(colour, []).extend(lines)
        longest = max(lines, key=len) if lines else None
        if longest is None or len(longest) < 2:
            return 0, 0, 0, "center"
        line = LineString(longest)
        mid = line.interpolate(0.5, normalized=True)
        before = line.interpolate(0.45, normalized=True)
        after = line.interpolate(0.55, normalized=True)
        angle = math.degrees(math.atan2(after.y - before.y, after.x - before.x))
        if angle > 90:
            angle -= 180
        elif angle < -90:
            angle += 180
        return mid.x, mid.y, angle, "center"
    raise ValueError(f"{layer.symbol!r} layers are drawn by _point_layer")


class _BoxIndex:
    """The placed label boxes (display pixels) on a grid of cells, so a candidate is tested
    against its neighbours only, not against every label already placed."""

    CELL_PX = 64.0

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}

    def _keys(self, box):
        c = self.CELL_PX
        for i in range(int(box[0] // c), int(box[2] // c) + 1):
            for j in range(int(box[1] // c), int(box[3] // c) + 1):
                yield i, j

    def hits(self, box: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = box
        for key in self._keys(box):
            for ox0, oy0, ox1, oy1 in self._cells.get(key, ()):
                if x0 < ox1 and ox0 < x1 and y0 < oy1 and oy0 < y1:
                    return True
        return False

    def add(self, box: tuple[float, float, float, float]) -> None:
        for key in self._keys(box):
            self._cells.setdefault(key, []).append(box)


# Advance widths in ems of Noto Sans CJK: a CJK character is one em, Latin text (the pinyin)
# about 0.55; a line is 1.17 em high. Used to estimate a label's box before it is drawn.
_CJK_FROM = 0x2E80
_LATIN_EM = 0.55
_LINE_EM = 1.17
# The estimate is kept a little smaller than the drawn box, so that it only leaves out a
# label the drawn box would certainly collide with.
_ESTIMATE_SHRINK = 0.9


def _estimated_box(label: _Label, x_px: float, y_px: float, dx_px: float, dpi: float):
    em = label.size * dpi / 72.0
    lines = label.text.split("\n")
    width = max(sum(1.0 if ord(ch) >= _CJK_FROM else _LATIN_EM for ch in line) for line in lines)
    w, h = (
        width * em * 1.04 * _ESTIMATE_SHRINK,
        len(lines) * _LINE_EM * em * 1.08 * _ESTIMATE_SHRINK,
    )
    theta = math.radians(label.rotation)
    bw = abs(w * math.cos(theta)) + abs(h * math.sin(theta))
    bh = abs(w * math.sin(theta)) + abs(h * math.cos(theta))
    cx = x_px + dx_px + (bw / 2 if label.ha == "left" else 0.0)
    return (cx - bw / 2, y_px - bh / 2, cx + bw / 2, y_px + bh / 2)


def _place_labels(fig, ax, labels: Sequence[_Label]) -> tuple[int, int]:
    """Draw labels best first; leave out one that overlaps a label already placed or runs
    out of the frame. Each candidate is first tested with its estimated box (cheap, no
    text drawn); only one that passes is drawn and tested again with its real box."""
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    index = _BoxIndex()
    placed = dropped = 0
    ordered = [lb for lb in sorted(labels, key=lambda lb: lb.priority) if lb.size > 0]
    if not ordered:
        return 0, 0
    anchors_px = ax.transData.transform(np.array([(lb.x, lb.y) for lb in ordered], dtype=float))
    # Beside its symbol, not on it.
    dx = (ax.get_xlim()[1] - ax.get_xlim()[0]) * 0.004
    dx_px = dx * frame.width / (ax.get_xlim()[1] - ax.get_xlim()[0])

    def inside(box) -> bool:
        return (
            box[0] >= frame.x0 and box[2] <= frame.x1 and box[1] >= frame.y0 and box[3] <= frame.y1
        )

    for label, (x_px, y_px) in zip(ordered, anchors_px, strict=True):
        shift = dx if label.ha == "left" else 0.0
        estimate = _estimated_box(label, x_px, y_px, dx_px if shift else 0.0, fig.dpi)
        if not inside(estimate) or index.hits(estimate):
            dropped += 1
            continue
        text = ax.text(
            label.x + shift, label.y, label.text, fontsize=label.size, color=label.colour,
            rotation=label.rotation, rotation_mode="anchor", ha=label.ha, va=label.va,
            fontfamily=CJK_FAMILY, fontweight="bold" if label.bold else "normal", zorder=8,
            multialignment="center", linespacing=1.0, clip_on=True,
        )  # fmt: skip
        drawn = text.get_window_extent(renderer).expanded(1.04, 1.08)
        box = (drawn.x0, drawn.y0, drawn.x1, drawn.y1)
        if not inside(box) or index.hits(box):
            text.remove()
            dropped += 1
            continue
        if label.halo:
            # The halo is a copy drawn as a stroke only, under the label: a path effect on
            # the label itself would turn it into outlines, and the sheet's names would no
            # longer be text (not searchable, not copyable, not read by pdftotext).
            halo = ax.text(
                label.x + shift, label.y, label.text, fontsize=label.size, color="white",
                rotation=label.rotation, rotation_mode="anchor", ha=label.ha, va=label.va,
                fontfamily=CJK_FAMILY, fontweight="bold" if label.bold else "normal",
                zorder=7.9, multialignment="center", linespacing=1.0, clip_on=True,
            )  # fmt: skip
            halo.set_path_effects([patheffects.Stroke(linewidth=2.0, foreground="white")])
        index.add(box)
        placed += 1
    return placed, dropped


def _graticule(ax, extent, k) -> None:
    minx, miny, maxx, maxy = extent
    lons, lats = to_lonlat(
        np.array([minx, maxx, minx, maxx, (minx + maxx) / 2]),
        np.array([miny, miny, maxy, maxy, (miny + maxy) / 2]),
    )
    lon0, lon1, lat0, lat1 = (
        float(np.min(lons)),
        float(np.max(lons)),
        float(np.min(lats)),
        float(np.max(lats)),
    )
    step = _graticule_step(min(lon1 - lon0, lat1 - lat0))
    style = {"color": "#7a9cc6", "linewidth": 0.35 * k, "zorder": 2, "alpha": 0.9}
    font = {"fontsize": 6.5 * k, "fontfamily": CJK_FAMILY, "color": "#2f4f7f"}
    lon = math.ceil(lon0 / step) * step
    while lon <= lon1:
        ys = np.linspace(lat0 - step, lat1 + step, 60)
        xs_m, ys_m = to_metric(np.full_like(ys, lon), ys)
        ax.plot(xs_m, ys_m, **style)
        x_bottom = float(np.interp(miny, ys_m, xs_m))
        if minx < x_bottom < maxx:
            ax.annotate(_dms(lon, "lon"), (x_bottom, miny), xytext=(0, -3 * k), textcoords="offset points",
                        ha="center", va="top", annotation_clip=False, **font)  # fmt: skip
        lon += step
    lat = math.ceil(lat0 / step) * step
    while lat <= lat1:
        xs = np.linspace(lon0 - step, lon1 + step, 60)
        xs_m, ys_m = to_metric(xs, np.full_like(xs, lat))
        ax.plot(xs_m, ys_m, **style)
        y_left = float(np.interp(minx, xs_m, ys_m))
        if miny < y_left < maxy:
            ax.annotate(_dms(lat, "lat"), (minx, y_left), xytext=(-3 * k, 0), textcoords="offset points",
                        ha="right", va="center", rotation=90, annotation_clip=False, **font)  # fmt: skip
        lat += step


def _legend(fig, box_mm, entries, k, paper) -> None:
    x, y, _w, h = box_mm
    paper_w, paper_h = paper
    top = y + h
    fig.text(x / paper_w, (top - 6 * k) / paper_h, "图  例", fontsize=12 * k, fontfamily=CJK_FAMILY,
             fontweight="bold", va="center")  # fmt: skip
    row = 7.0 * k
    for i, (symbol, colour, text) in enumerate(entries):
        cy = top - 15 * k - i * row
        if cy < y + 75 * k:
            break
        sx = x / paper_w
        sw = 9 * k / paper_w
        sh = 4 * k / paper_h
        syc = cy / paper_h
        if symbol == "fill":
            # The city and townships are drawn as outlines, counties filled.
            outline = text.endswith(("地级市", "乡级"))
            fig.patches.append(
                Rectangle(
                    (sx, syc - sh / 2),
                    sw,
                    sh,
                    transform=fig.transFigure,
                    facecolor="none" if outline else AREA_FILLS[0],
                    edgecolor="#3a3a3a" if outline else "#6b6b6b",
                    linewidth=(1.6 if outline else 0.8) * k,
                )
            )
        elif symbol == "line":
            fig.lines.append(
                matplotlib.lines.Line2D(
                    [sx, sx + sw],
                    [syc, syc],
                    transform=fig.transFigure,
                    color=colour,
                    linewidth=1.6 * k,
                )
            )
        else:
            marker = "^" if symbol == "icon" else "o"
            fig.lines.append(
                matplotlib.lines.Line2D(
                    [sx + sw / 2],
                    [syc],
                    transform=fig.transFigure,
                    marker=marker,
                    color=colour,
                    markersize=4 * k,
                    linestyle="none",
                )
            )
        fig.text(
            (x + 12 * k) / paper_w, syc, text, fontsize=8 * k, fontfamily=CJK_FAMILY, va="center"
        )


def _north_arrow(fig, ax, extent, k, paper, frame) -> None:
    paper_w, paper_h = paper
    cx, cy = (extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2
    gamma = math.radians(_convergence_deg(cx, cy))
    length = 14 * k
    base_x = frame[0] + frame[2] - 12 * k
    base_y = frame[1] + frame[3] - 24 * k
    dx, dy = length * math.sin(gamma), length * math.cos(gamma)
    fig.patches.append(
        FancyArrow(
            base_x / paper_w,
            base_y / paper_h,
            dx / paper_w,
            dy / paper_h,
            width=2.2 * k / paper_w,
            head_width=6 * k / paper_w,
            head_length=5 * k / paper_h,
            length_includes_head=True,
            transform=fig.transFigure,
            color="#222222",
            zorder=10,
        )
    )
    fig.text(
        (base_x + dx * 1.15) / paper_w,
        (base_y + dy * 1.12) / paper_h,
        "北",
        fontsize=11 * k,
        fontfamily=CJK_FAMILY,
        ha="center",
        va="bottom",
        fontweight="bold",
    )


def _scale_bar(fig, scale: int, k, paper, origin_mm, max_len_mm) -> None:
    """A bar of round kilometres (or metres) no longer than ``max_len_mm`` on paper."""
    paper_w, paper_h = paper
    ground_per_mm = scale / 1000.0  # metres of ground per millimetre of paper
    max_m = max_len_mm * ground_per_mm
    fitting = [n for n in NICE_BAR_UNITS_M if n * 4 <= max_m]
    unit_m = fitting[-1] if fitting else NICE_BAR_UNITS_M[0]
    x0, y0 = origin_mm
    seg_mm = unit_m / ground_per_mm
    for i in range(4):
        fig.patches.append(
            Rectangle(
                ((x0 + i * seg_mm) / paper_w, y0 / paper_h),
                seg_mm / paper_w,
                2.2 * k / paper_h,
                transform=fig.transFigure,
                facecolor="#222222" if i % 2 == 0 else "white",
                edgecolor="#222222",
                linewidth=0.6 * k,
            )
        )
    for i in range(5):
        metres = i * unit_m
        text = f"{metres / 1000:g}" if unit_m >= 1000 or metres == 0 else f"{metres:g}"
        fig.text(
            (x0 + i * seg_mm) / paper_w,
            (y0 + 3.2 * k) / paper_h,
            text,
            fontsize=6.5 * k,
            fontfamily=CJK_FAMILY,
            ha="center",
            va="bottom",
        )
    unit = "千米" if unit_m >= 1000 else "米"
    fig.text(
        (x0 + 4 * seg_mm + 2 * k) / paper_w,
        y0 / paper_h,
        unit,
        fontsize=6.5 * k,
        fontfamily=CJK_FAMILY,
        va="bottom",
    )
