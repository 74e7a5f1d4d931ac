"""The downloadable coverage report: one standalone HTML file with a folium map, and Excel.

folium's pages load Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. The report uses
only Leaflet (circle markers and GeoJSON; no icon markers, no Bootstrap popups), and the
Leaflet 1.9.3 script and stylesheet shipped in the django-leaflet package are written into
the file itself, with the stylesheet's images as data: URIs. The file opens with no
network at all; there is no base map (no tiles), only the district outlines.
"""

from __future__ import annotations

import base64
import html
import re
from functools import lru_cache
from pathlib import Path

import folium
import leaflet as django_leaflet

from facilities.exporters import as_xlsx

LEAFLET_DIR = Path(django_leaflet.__file__).parent / "static" / "leaflet"
_JS_MARK = "EMBED_LEAFLET_JS"
_CSS_MARK = "EMBED_LEAFLET_CSS"


@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Return (leaflet.js, leaflet.css with its images inlined)."""
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        path = LEAFLET_DIR / match.group(1)
        data = base64.b64encode(path.read_bytes()).decode()
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[\w@.-]+\.png)\)", inline, css)
    return js, css


def _embed(page: str) -> str:
    js, css = leaflet_assets()
    # The script is placed as text: "</script>" cannot occur in the minified library.
    page = page.replace(f'<script src="{_JS_MARK}"></script>', f"<script>{js}</script>")
    page = re.sub(
        rf'<link rel="stylesheet" href="{_CSS_MARK}"\s*/?>', f"<style>{css}</style>", page
    )
    if _JS_MARK in page or _CSS_MARK in page:
        raise RuntimeError("folium's template changed: Leaflet could not be embedded")
    return page


def _table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def area_rows(report: dict) -> tuple[list[str], list[list]]:
    header = ["级别", "代码", "名称", "服务对象", "服务人数", "覆盖率", "可达人数"]
    levels = {"city": "市", "county": "县（区）", "township": "乡镇（街道）"}
    rows = [
        [
            levels[r["level"]],
            r["code"],
            r["name"],
            r["target"],
            r["served"],
            f"{r['served'] / r['target']:.1%}" if r["target"] else "—",
            r["covered"],
        ]
        for r in report["by_area"]
    ]
    return header, rows


def facility_rows(report: dict) -> tuple[list[str], list[list]]:
    header = ["设施", "容量", "可服务人数", "分配人数", "是否满员"]
    rows = [
        [
            f["name"],
            f["capacity"] or "",
            f["capacity_persons"] or "不限",
            f["load"],
            "是" if f["full"] else "",
        ]
        for f in report["facilities"]
    ]
    return header, rows


def target_rows(targets: list[dict]) -> tuple[list[str], list[list]]:
    header = ["规划目标", "现状", "目标值", "是否达到", "依据"]
    met = {True: "达到", False: "未达到", None: "—"}
    return header, [
        [t["label"], t["figure"], t["goal"], met[t["met"]], t["source"]] for t in targets
    ]


def lacking_rows(report: dict) -> tuple[list[str], list[list]]:
    rule = report.get("unit_rule") or {"lacking": []}
    return ["代码", "名称", "上级"], [[u["code"], u["name"], u["parent"]] for u in rule["lacking"]]


def report_html(
    *,
    report: dict,
    targets: list[dict],
    facilities_geojson: dict,
    outlines_geojson: dict,
    demand_points: list[list[float]],
    generated_at: str,
    has_demo: bool,
) -> str:
    """Return the standalone HTML report of one programme's coverage."""
    m = folium.Map(
        location=[47.35, 130.3],
        zoom_start=9,
        tiles=None,
        width="100%",
        height="520px",
        control_scale=True,
    )
    m.default_js = [("leaflet", _JS_MARK)]
    m.default_css = [("leaflet_css", _CSS_MARK)]
    folium.GeoJson(
        outlines_geojson,
        name="县（区）界",
        style_function=lambda f: {"color": "#555", "weight": 1, "fillOpacity": 0.03},
        tooltip=folium.GeoJsonTooltip(["name"], labels=False),
    ).add_to(m)
    if report.get("gaps_4490"):
        folium.GeoJson(
            {
                "type": "Feature",
                "properties": {"name": "未覆盖区域"},
                "geometry": report["gaps_4490"],
            },
            name="未覆盖区域",
            style_function=lambda f: {
                "color": "#c0392b",
                "weight": 0.5,
                "fillColor": "#e74c3c",
                "fillOpacity": 0.35,
            },
        ).add_to(m)
    colours = {"served": "#2e86c1", "partly": "#e67e22", "unserved": "#c0392b"}
    points = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "state": "served"
                    if got >= target - 0.5
                    else "partly"
                    if got > 0
                    else "unserved"
                },
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
            for lon, lat, target, got in demand_points
        ],
    }
    folium.GeoJson(
        points,
        name="需求点（蓝：已服务；橙：部分；红：未服务）",
        marker=folium.CircleMarker(radius=2, weight=0, fill=True, fill_opacity=0.7),
        style_function=lambda f: {
            "fillColor": colours[f["properties"]["state"]],
            "color": colours[f["properties"]["state"]],
        },
    ).add_to(m)
    sites = folium.FeatureGroup(name="设施").add_to(m)
    for f in facilities_geojson["features"]:
        lon, lat = f["geometry"]["coordinates"]
        props = f["properties"]
        folium.CircleMarker(
            [lat, lon],
            radius=6,
            color="#1b4f72",
            weight=2,
            fill=True,
            fill_color="#f1c40f",
            fill_opacity=0.9,
            tooltip=f"{props['name']}（{props['status_label']}）",
        ).add_to(sites)
    folium.LayerControl(collapsed=False).add_to(m)
    share = f"{report['served_share']:.1%}" if report.get("served_share") is not None else "—"
    demo = (
        '<p class="demo">演示数据：设施位置与人口分布为按规划和普查数生成的演示数据。</p>'
        if has_demo
        else ""
    )
    parts = [
        "<style>body{font-family:sans-serif;margin:16px}table{border-collapse:collapse;margin:8px 0 20px}"
        "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}.demo{color:#a04000;font-weight:bold}"
        "h1{font-size:20px}h2{font-size:16px;margin-top:24px}</style>",
        f"<h1>{html.escape(report['name'])} 覆盖分析报告</h1>",
        demo,
        f"<p>服务对象：{html.escape(report['target_label'])} {report['target_population']} 人；"
        f"服务距离 {report['service_distance_m']} 米（{html.escape(report['distance_note'])}）；"
        f"服务 {report['served']} 人（{share}），容量溢出 {report['overflow']} 人。生成时间：{generated_at}</p>",
    ]
    head = folium.Element("\n".join(parts))
    m.get_root().html.add_child(head, index=0)
    tables = [
        ("规划目标", target_rows(targets)),
        ("按区域", area_rows(report)),
        ("设施负荷", facility_rows(report)),
    ]
    if report.get("unit_rule"):
        tables.append((f"缺少设施的单元（{report['unit_rule']['label']}）", lacking_rows(report)))
    body = "".join(f"<h2>{html.escape(t)}</h2>{_table(*rows)}" for t, rows in tables)
    m.get_root().html.add_child(folium.Element(body))
    page = m.get_root().render()
    page = page.replace("<html>", '<html lang="zh-CN">', 1)
    page = page.replace(
        "<head>", f"<head><title>{html.escape(report['name'])} 覆盖分析报告</title>", 1
    )
    return _embed(page)


def report_xlsx(*, report: dict, targets: list[dict]) -> bytes:
    sheets = {
        "规划目标": target_rows(targets),
        "按区域": area_rows(report),
        "设施负荷": facility_rows(report),
    }
    if report.get("unit_rule"):
        sheets["缺少设施的单元"] = lacking_rows(report)
    return as_xlsx(sheets)
