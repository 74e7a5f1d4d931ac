"""maps.print_a3_city_s, maps.print_a0_urban_s: the printed standard maps from the live data.

Each sheet is printed the project's way (one SQL statement a layer, WKB in EPSG:4552 straight
from PostGIS) and, as the baseline in the same run, with the layers read the generic way:
the catalogue's GeoJSON pages (10,000 features a page) parsed and transformed in Python.
The smoke run prints the city sheet at A3 on the demo areas and place names only.
"""

from __future__ import annotations

import json
import time

import shapely
from shapely.geometry import shape

from bench.harness import SMOKE, Result
from gis_portal.catalogue.selectors import layer_features_geojson
from gis_portal.demo import demo_load
from gis_portal.metric_crs import to_metric
from gis_portal.printing import services
from gis_portal.printing.render import DrawLayer
from gis_portal.printing.romanizers import label_pinyin
from gis_portal.printing.services import order_from, print_sheet


def _ensure_data() -> None:
    steps = ["areas", "placenames"] if SMOKE else ["areas", "placenames", "addresses", "facilities"]
    demo_load(only=steps)


def _naive_layer_features(layer, *, bbox_4490, as_of, classes, spell=False) -> DrawLayer:
    """The baseline reader: the catalogue's GeoJSON pages, parsed and projected in Python
    (``spell`` as in the project's reader: missing pinyin from the registered romaniser)."""
    style = layer.style
    # The pages carry choice labels; the drawing keys its classes by code.
    choices = layer.field(style.class_field).choices if style.class_field else None
    code_of = {label: code for code, label in (choices or {}).items()}
    geoms, labels, pinyins, kinds = [], [], [], []
    offset = 0
    while True:
        text, matched = layer_features_geojson(
            layer, user=None, bbox_4490=bbox_4490, limit=10_000, offset=offset
        )
        page = json.loads(text)["features"]
        for feature in page:
            props = feature["properties"]
            cls = props.get(style.class_field) if style.class_field else None
            cls = code_of.get(cls, cls)
            if classes is not None and cls not in classes:
                continue
            geom = shape(feature["geometry"])
            geoms.append(shapely.transform(geom, lambda xy: _metric(xy)))
            labels.append(props.get(style.label_field) if style.label_field else None)
            pinyin = props.get(style.pinyin_field) if style.pinyin_field else None
            label = props.get(style.label_field) if style.label_field else None
            pinyins.append(pinyin if pinyin or not spell else label_pinyin(label))
            kinds.append(cls)
        offset += len(page)
        if not page or offset >= matched:
            break
    return DrawLayer(
        key=layer.key, label=style.legend or layer.label, symbol=style.symbol, colour=style.colour,
        geoms=geoms, labels=labels, pinyins=pinyins, classes=kinds,
        class_colours=dict(style.class_colours), label_priority=style.label_priority,
    )  # fmt: skip


def _metric(xy):
    import numpy as np

    x, y = to_metric(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _timed_print(params: dict) -> tuple[float, object]:
    t0 = time.perf_counter()
    printed = print_sheet(order_from(params), user=None, trusted=True)
    return time.perf_counter() - t0, printed


def _sheet(result_id: str, params: dict) -> Result:
    seconds, printed = _timed_print(params)
    own = services._layer_features
    services._layer_features = _naive_layer_features
    try:
        naive_s, _ = _timed_print(params)
    finally:
        services._layer_features = own
    r = printed.report
    return Result(
        result_id, round(seconds, 2), "s", round(naive_s, 2), r.features,
        note=f"{params['sheet']} {params['paper']} 1:{printed.scale}, {r.features} features, "
        f"{r.labels_placed} labels placed ({r.labels_dropped} left out by collision), "
        f"{len(printed.pdf) / 1e6:.1f} MB; baseline: layers read as catalogue GeoJSON pages",
    )  # fmt: skip


def run() -> list[Result]:
    _ensure_data()
    # Fonts, matplotlib and the catalogue's first queries warm up outside the timings.
    _timed_print({"sheet": "district", "paper": "A3", "county": "230402"})
    results = [_sheet("maps.print_a3_city_s", {"sheet": "city", "paper": "A3"})]
    if SMOKE:
        results.append(
            _sheet(
                "maps.print_a0_urban_s", {"sheet": "district", "paper": "A3", "county": "230402"}
            )
        )
    else:
        results.append(_sheet("maps.print_a0_urban_s", {"sheet": "urban", "paper": "A0"}))
    return results
