"""The downloadable coverage report: one standalone HTML file with a folium map, and Excel.

folium's pages load Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. The report uses
only Leaflet (circle markers and GeoJSON; no icon markers, no Bootstrap popups), and the
Leaflet 1.9.3 script and stylesheet shipped in the django-leaflet package are written into
the file itself, with the stylesheet's images as data: URIs. The file opens with no
network at all; there is no base map (no tiles), only the district outlines.

The file is opened from disk, where no server policy protects it, so every name in it is
data, never markup or code: text in the page is HTML-escaped; text folium writes into its
script (a tooltip sits in a JS template literal, where ``${…}`` would run) goes through
``map_text``; GeoJSON properties are JSON with ``<`` escaped (folium's ``tojson``) and
escaped as HTML too, because the tooltip shows them as HTML. As a second wall, a
Content-Security-Policy ``<meta>`` allows only the page's own scripts, by hash: Leaflet,
folium's settings line and the map script. An injected ``<script>``, an ``onerror=`` or a
script cut short by an injected ``</script>`` does not match and does not run; nothing may
be fetched (images only as data: URIs, as Leaflet's are embedded). Inline styles are
allowed: Leaflet and folium need them, and with nothing to fetch CSS cannot send data out.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from functools import lru_cache
from pathlib import Path

import folium
import leaflet as django_leaflet
from branca.element import MacroElement
from jinja2 import Template

from facilities.exporters import as_xlsx
from facilities.selectors.scenarios import allocation_rows, comparison_rows, load_rows

LEAFLET_DIR = Path(django_leaflet.__file__).parent / "static" / "leaflet"
_JS_MARK = "EMBED_LEAFLET_JS"
_CSS_MARK = "EMBED_LEAFLET_CSS"
# The first child of every branca Figure's header; the policy and the title follow it.
_CHARSET_META = '<meta http-equiv="content-type" content="text/html; charset=UTF-8" />'
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
# branca's Figure ends the page with the map script; its text between the tags is this.
_MAIN_SCRIPT = re.compile(r"</body>\n<script>(.*)</script>\n</html>\n?\Z", re.S)


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


def map_text(value: object) -> str:
    """Return ``value`` as HTML text that is also inert inside a JS template literal.

    folium writes tooltip text between backticks in the page script and Leaflet shows it as
    HTML, so besides the HTML escapes, ` $ and \\ become character references (the browser
    shows them as typed; the script sees no ``${``, no closing backtick, no escape).
    """
    text = html.escape(str(value))
    return text.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def _escaped_properties(collection: dict, *keys: str) -> dict:
    """Return a copy of a FeatureCollection with the ``keys`` properties through map_text."""
    return {
        **collection,
        "features": [
            {
                **f,
                "properties": {
                    k: map_text(v) if k in keys else v for k, v in f["properties"].items()
                },
            }
            for f in collection["features"]
        ],
    }


def _sha256_source(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return f"'sha256-{digest}'"


def _policy(scripts: list[str]) -> str:
    """Return the report's Content-Security-Policy: these scripts, inline styles, data: images."""
    hashes = " ".join(sorted({_sha256_source(s) for s in scripts}))
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


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


class MetricScale(MacroElement):
    """Leaflet's scale bar in metres and kilometres only (its default adds miles and feet)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )


def report_html(
    *,
    report: dict,
    targets: list[dict],
    facilities_geojson: dict,
    outlines_geojson: dict,
    demand_points: list[list[float]],
    generated_at: str,
    has_demo: bool,
    scenarios: list | tuple = (),
) -> str:
    """Return the standalone HTML report of one programme's coverage and its scenarios.

    Each scenario is a map layer (its new sites and the demand it newly reaches, off at
    first; the current-coverage layer is the "before") and a column of the comparison table.
    """
    m = folium.Map(
        location=[47.35, 130.3],
        zoom_start=9,
        tiles=None,
        width="100%",
        height="520px",
        # folium's own scale bar is Leaflet's default, metric and imperial: the bureau
        # measures in metres and kilometres only (MetricScale below).
        control_scale=False,
    )
    m.default_js = [("leaflet", _JS_MARK)]
    m.default_css = [("leaflet_css", _CSS_MARK)]
    folium.GeoJson(
        _escaped_properties(outlines_geojson, "name"),
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
            # Grey and light, as on the planner page: the demand points stay readable.
            style_function=lambda f: {
                "color": "#566573",
                "weight": 1.5,
                "fillColor": "#566573",
                "fillOpacity": 0.12,
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
            tooltip=map_text(f"{props['name']}（{props['status_label']}）"),
        ).add_to(sites)
    for k, scenario in enumerate(scenarios[:5]):
        _scenario_layer(scenario, show=k == 0).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    MetricScale().add_to(m)
    share = f"{report['served_share']:.1%}" if report.get("served_share") is not None else "—"
    demo = (
        '<p class="demo">演示数据：设施位置与人口分布为按规划和普查数生成的演示数据。</p>'
        if has_demo
        else ""
    )

    def e(value: object) -> str:
        return html.escape(str(value))

    parts = [
        "<style>body{font-family:sans-serif;margin:16px}table{border-collapse:collapse;margin:8px 0 20px}"
        "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}.demo{color:#a04000;font-weight:bold}"
        "h1{font-size:20px}h2{font-size:16px;margin-top:24px}</style>",
        f"<h1>{e(report['name'])} 覆盖分析报告</h1>",
        demo,
        f"<p>服务对象：{e(report['target_label'])} {e(report['target_population'])} 人；"
        f"服务距离 {e(report['service_distance_m'])} 米（{e(report['distance_note'])}）；"
        f"服务 {e(report['served'])} 人（{e(share)}），容量溢出 {e(report['overflow'])} 人。"
        f"生成时间：{e(generated_at)}</p>",
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
    if scenarios:
        tables.append(("选址方案比较（实施前 / 实施后）", comparison_rows(list(scenarios))))
        tables.append(("方案站点负荷", load_rows(list(scenarios))))
    body = "".join(f"<h2>{html.escape(t)}</h2>{_table(*rows)}" for t, rows in tables)
    m.get_root().html.add_child(folium.Element(body))
    figure = m.get_root()
    page = _embed(figure.render())
    main = _MAIN_SCRIPT.search(page)
    if main is None or _CHARSET_META not in page:
        raise RuntimeError("branca's page template changed: the report's CSP cannot be built")
    # Only scripts whose text is known: Leaflet, the header folium writes (no user value
    # goes there; the title is added below) and the whole map script as rendered.
    scripts = [
        leaflet_assets()[0],
        *_INLINE_SCRIPT.findall(figure.header.render()),
        main.group(1),
    ]
    policy = f'<meta http-equiv="Content-Security-Policy" content="{_policy(scripts)}" />'
    title = f"<title>{html.escape(report['name'])} 覆盖分析报告</title>"
    page = page.replace(_CHARSET_META, f"{_CHARSET_META}\n    {policy}\n    {title}", 1)
    return page.replace("<html>", '<html lang="zh-CN">', 1)


def report_xlsx(*, report: dict, targets: list[dict], scenarios: list | tuple = ()) -> bytes:
    sheets = {
        "规划目标": target_rows(targets),
        "按区域": area_rows(report),
        "设施负荷": facility_rows(report),
    }
    if report.get("unit_rule"):
        sheets["缺少设施的单元"] = lacking_rows(report)
    if scenarios:
        sheets["选址方案比较"] = comparison_rows(list(scenarios))
        sheets["方案站点负荷"] = load_rows(list(scenarios))
        sheets["方案需求分配"] = allocation_rows(list(scenarios))
    return as_xlsx(sheets)


def scenario_allocation_xlsx(scenarios: list) -> bytes:
    """Return the scenarios' figures, site loads and demand → site allocation as Excel."""
    return as_xlsx(
        {
            "方案指标": comparison_rows(scenarios),
            "站点负荷": load_rows(scenarios),
            "需求分配": allocation_rows(scenarios),
        }
    )


def _scenario_layer(scenario, *, show: bool = False) -> folium.FeatureGroup:
    """Return a layer with a scenario's new sites and the demand only they reach (after)."""
    group = folium.FeatureGroup(
        name=map_text(f"方案“{scenario.name}”：新增站点（紫）与新增覆盖（绿）"), show=show
    )
    for lon, lat, _weight, state in scenario.result.get("coverage_points", []):
        if state == 2:
            folium.CircleMarker(
                [lat, lon], radius=2, weight=0, fill=True, fill_color="#27ae60", fill_opacity=0.9
            ).add_to(group)
    for site in scenario.new_sites:
        folium.CircleMarker(
            [site["lat"], site["lon"]],
            radius=7,
            color="#ffffff",
            weight=1,
            fill=True,
            fill_color="#8e44ad",
            fill_opacity=0.95,
            tooltip=map_text(f"{scenario.name}：{site['label']}"),
        ).add_to(group)
    return group
