"""The one map style of every page: a MapLibre (Mapbox GL) style document built from the
catalogue's ``Style`` hints, and the legend read from the same document (pure).

Pages draw it with OpenLayers through ol-mapbox-style (docs/decisions/0008); QGIS and other
clients can load the same document. Label collisions: OpenLayers declutters the labels of
one layer in stacking order, the topmost first, so the label layers are stacked above every
geometry, ordered by ``label_priority`` (the lowest number, the most important, on top),
and features within a layer keep the tile's order.

The legend is the ``metadata["hegang:legend"]`` of the document: one entry per catalogue
layer drawn (its legend text, symbol, colour and classes), written by the same function that
writes the layers, so a legend cannot list a layer the style does not draw or miss one.
"""

from __future__ import annotations

from collections.abc import Mapping

from gis_portal.catalogue.spec import CatalogueLayer
from gis_portal.maps.sprites import ICON_PX
from gis_portal.maps.tile_sql import LABEL_LAYER_SUFFIX, tile_fields

SOURCE = "basemap"
RASTER_SOURCE = "intranet-raster"
FONT_REGULAR = ["Noto Sans SC Regular"]
FONT_BOLD = ["Noto Sans SC Bold"]
HALO = "#ffffff"
TEXT = "#1d2733"
BACKGROUND = "#f4f1ea"
# Legend label of a class whose value has no name (e.g. a NULL category).
OTHER = "其他"
# An area's tint by zoom: the city, its counties and their townships are stacked, so a
# tint that tells them apart on the whole city is gone by street zoom, where the outline
# alone says where an area ends and the streets and labels must read on the background.
AREA_FILL_OPACITY = ["interpolate", ["linear"], ["zoom"], 6, 0.06, 11, 0.04, 13, 0]
# The labels' size on each page layout (html[data-layout], static/portal/layout.js): the
# portrait kiosk is read standing, an arm's length away, with 24 px body text; its labels
# are drawn 1.6 times as large (street names 13 → 21 px), and its point symbols and
# facility icons 1.5 times (a finger must find them). Adding a layout is adding a row.
LAYOUT_TEXT_SCALE = {"desktop": 1.0, "phone": 1.0, "kiosk": 1.6}
LAYOUT_SYMBOL_SCALE = {"desktop": 1.0, "phone": 1.0, "kiosk": 1.5}
LAYOUTS = tuple(LAYOUT_TEXT_SCALE)


def class_colour_expression(layer: CatalogueLayer) -> object:
    style = layer.style
    assert style is not None
    if not style.class_field or not style.class_colours:
        return style.colour
    expression: list = ["match", ["get", style.class_field]]
    for code, colour in style.class_colours.items():
        expression += [code, colour]
    return [*expression, style.colour]


def _label_text(layer: CatalogueLayer, *, staff: bool) -> object:
    style = layer.style
    assert style is not None and style.label_field is not None
    names = {f.name for f in tile_fields(layer, staff=staff)}
    name = ["coalesce", ["get", style.label_field], ""]
    if style.pinyin_field and style.pinyin_field in names:
        # The romanisation under the name once there is room for it (GB 17733 signs too).
        with_pinyin = ["concat", name, "\n", ["coalesce", ["get", style.pinyin_field], ""]]
        return ["step", ["zoom"], name, max(style.min_label_zoom + 2, 15), with_pinyin]
    return name


def _icon_name(layer: CatalogueLayer) -> object:
    style = layer.style
    assert style is not None
    if style.class_field and style.class_colours:
        expression: list = ["match", ["get", style.class_field]]
        for code in style.class_colours:
            expression += [code, f"{layer.key}-{code}"]
        return [*expression, layer.key]
    return layer.key


def _geometry_layers(layer: CatalogueLayer, *, symbol_scale: float = 1.0) -> list[dict]:
    style = layer.style
    assert style is not None and layer.tiles is not None
    base = {"source": SOURCE, "source-layer": layer.key, "minzoom": layer.tiles.min_zoom}
    colour = class_colour_expression(layer)
    key = layer.key
    if style.symbol == "fill":
        return [
            {
                **base,
                "id": key,
                "type": "fill",
                "paint": {"fill-color": colour, "fill-opacity": AREA_FILL_OPACITY},
            },
            {
                **base,
                "id": f"{key}-outline",
                "type": "line",
                "paint": {
                    "line-color": colour,
                    "line-width": ["interpolate", ["linear"], ["zoom"], 8, 1, 16, 2.5],
                },
            },
        ]
    if style.symbol == "line":
        paint: dict = {
            "line-color": colour,
            "line-width": ["interpolate", ["exponential", 1.6], ["zoom"], 11, 1.5, 18, 14],
        }
        if not layer.is_public:
            # A boundary drawn as a boundary: dash-dot, fixed width.
            paint = {"line-color": colour, "line-width": 2, "line-dasharray": [4, 1.5, 1, 1.5]}
        layers = [{**base, "id": key, "type": "line", "paint": paint}]
        if layer.is_public:
            casing = {
                **base,
                "id": f"{key}-casing",
                "type": "line",
                "paint": {
                    "line-color": "#9c7f35",
                    "line-width": ["interpolate", ["exponential", 1.6], ["zoom"], 11, 2.5, 18, 16],
                },
            }
            layers.insert(0, casing)
        return layers
    if style.symbol == "circle":
        shapes: list[dict] = []
        if layer.geometry_type == "Geometry":
            # A layer of mixed shapes (place names: points, lines, areas) draws each as itself.
            shapes = [
                {
                    **base,
                    "id": f"{key}-areas",
                    "type": "line",
                    "filter": ["==", ["geometry-type"], "Polygon"],
                    "paint": {"line-color": colour, "line-width": 1, "line-opacity": 0.6},
                },
                {
                    **base,
                    "id": f"{key}-lines",
                    "type": "line",
                    "filter": ["==", ["geometry-type"], "LineString"],
                    # Faint: a place name's line (a river, a road of the archive) is a
                    # reference under the streets, not a street.
                    "paint": {"line-color": colour, "line-width": 1, "line-opacity": 0.35},
                },
            ]
        return [
            *shapes,
            {
                **base,
                "id": key,
                "type": "circle",
                "filter": ["==", ["geometry-type"], "Point"],
                "paint": {
                    "circle-color": colour,
                    "circle-radius": _by_zoom(
                        (10, _px(2, symbol_scale)), (18, _px(5, symbol_scale))
                    ),
                    "circle-stroke-color": HALO,
                    "circle-stroke-width": 1,
                },
            },
        ]
    # "icon": a sprite symbol per class (programme symbols), collision-free among icons.
    return [
        {
            **base,
            "id": key,
            "type": "symbol",
            "layout": {
                "icon-image": _icon_name(layer),
                "icon-size": _by_zoom(
                    (10, _px(0.6, symbol_scale)), (16, _px(ICON_MAX_SIZE, symbol_scale))
                ),
                "icon-allow-overlap": False,
            },
        }
    ]


def _by_zoom(*stops: tuple[float, float]) -> list:
    """A value interpolated linearly between (zoom, value) stops."""
    return ["interpolate", ["linear"], ["zoom"], *(v for stop in stops for v in stop)]


def _px(size: float, scale: float) -> float:
    return round(size * scale, 1)


# The largest icon-size of an icon layer (at street zoom) and the gap between an icon and
# its name below it: the name starts below the icon, so that decluttering (which leaves out
# a label that overlaps another symbol) does not drop the icon or its name.
ICON_MAX_SIZE = 1.0
ICON_LABEL_GAP_PX = 4


def _label_layer(
    layer: CatalogueLayer, *, staff: bool, text_scale: float, symbol_scale: float = 1.0
) -> dict | None:
    style = layer.style
    assert style is not None and layer.tiles is not None
    if style.label_field is None:
        return None
    area = style.symbol == "fill"
    source_layer = layer.key + LABEL_LAYER_SUFFIX if area else layer.key
    size: object = _px(13, text_scale)
    if area and style.class_field and style.class_colours:
        # Bigger names for bigger areas: the first class is the largest.
        sizes = [20, 16, 13, 12]
        by_class: list[object] = ["match", ["get", style.class_field]]
        for i, code in enumerate(style.class_colours):
            by_class += [code, _px(sizes[min(i, len(sizes) - 1)], text_scale)]
        by_class.append(_px(12, text_scale))
        size = by_class
    layout: dict = {
        "text-field": _label_text(layer, staff=staff),
        "text-font": FONT_BOLD if area else FONT_REGULAR,
        "text-size": size,
    }
    paint = {"text-color": TEXT, "text-halo-color": HALO, "text-halo-width": _px(2, text_scale)}
    if style.symbol == "line":
        layout.update({"symbol-placement": "line", "text-max-angle": 30, "symbol-spacing": 300})
        paint["text-color"] = "#5a4310"
    elif not area:
        text_px = _px(12, text_scale)
        offset_em = 0.9
        if style.symbol == "icon":
            icon_half_px = ICON_PX / 2 * ICON_MAX_SIZE * symbol_scale
            offset_em = round((icon_half_px + ICON_LABEL_GAP_PX) / text_px, 2)
        layout.update({"text-offset": [0, offset_em], "text-anchor": "top", "text-size": text_px})
    if area:
        paint["text-color"] = "#2e3f52"
    return {
        "id": f"{layer.key}-label",
        "type": "symbol",
        "source": SOURCE,
        "source-layer": source_layer,
        "minzoom": max(layer.tiles.min_zoom, style.min_label_zoom),
        "layout": layout,
        "paint": paint,
    }


def legend_entry(layer: CatalogueLayer, class_labels: Mapping[str, str]) -> dict:
    style = layer.style
    assert style is not None and layer.tiles is not None
    classes = []
    if style.class_field and style.class_colours:
        field = layer.field(style.class_field)
        names = dict(field.choices or {}) | dict(class_labels)
        classes = [
            {"code": code, "label": names.get(code, OTHER), "colour": colour}
            for code, colour in style.class_colours.items()
            # Classes named by the data (programmes) are listed when the data has them.
            if code in names or not style.class_label_field
        ]
    return {
        "layer": layer.key,
        "label": style.legend or layer.label,
        "symbol": style.symbol,
        "colour": style.colour,
        "classes": classes,
        "staff_only": not layer.is_public,
        "min_zoom": layer.tiles.min_zoom,
    }


def basemap_style(
    layers: list[CatalogueLayer],
    *,
    staff: bool,
    tilejson_url: str,
    sprite_url: str,
    webfonts_url: str,
    class_labels: Mapping[str, Mapping[str, str]],
    raster: Mapping | None = None,
    centre_4490: tuple[float, float] = (130.2903, 47.3473),
    zoom: float = 8,
    layout: str = "desktop",
) -> dict:
    """The style document of ``layers`` (the mappable ones the reader may see).

    ``class_labels`` {layer key: {code: label}} names classes that are data, not choices
    (a facility's programme); ``raster`` the optional intranet base layer (settings);
    ``layout`` the page layout the labels and symbols are sized for (``LAYOUT_TEXT_SCALE``,
    ``LAYOUT_SYMBOL_SCALE``).
    """
    text_scale = LAYOUT_TEXT_SCALE[layout]
    drawn = [layer for layer in layers if layer.tiles is not None and layer.style is not None]
    style_layers: list[dict] = [
        {"id": "background", "type": "background", "paint": {"background-color": BACKGROUND}}
    ]
    sources: dict = {
        SOURCE: {"type": "vector", "url": tilejson_url},
    }
    if raster:
        sources[RASTER_SOURCE] = {
            "type": "raster",
            "tiles": list(raster["tiles"]),
            "tileSize": int(raster.get("tile_size", 256)),
            "maxzoom": int(raster.get("max_zoom", 18)),
            "attribution": str(raster.get("attribution", "")),
        }
        style_layers.append({"id": RASTER_SOURCE, "type": "raster", "source": RASTER_SOURCE})
    # Areas under lines under points, each in the catalogue's order within its kind.
    rank = {"fill": 0, "line": 1, "circle": 2, "icon": 3}
    for layer in sorted(drawn, key=lambda item: rank.get(item.style.symbol, 4)):  # type: ignore[union-attr]
        style_layers += _geometry_layers(layer, symbol_scale=LAYOUT_SYMBOL_SCALE[layout])
    labelled = sorted(drawn, key=lambda item: -item.style.label_priority)  # type: ignore[union-attr]
    for layer in labelled:
        label = _label_layer(
            layer, staff=staff, text_scale=text_scale, symbol_scale=LAYOUT_SYMBOL_SCALE[layout]
        )
        if label is not None:
            style_layers.append(label)
    return {
        "version": 8,
        "name": "鹤岗市民政地理信息底图",
        "metadata": {
            "ol:webfonts": webfonts_url,
            "hegang:layout": layout,
            "hegang:legend": [
                legend_entry(layer, class_labels.get(layer.key, {})) for layer in drawn
            ],
        },
        "center": list(centre_4490),
        "zoom": zoom,
        "sprite": sprite_url,
        "sources": sources,
        "layers": style_layers,
    }
