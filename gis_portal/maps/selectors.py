"""Reads behind the style, the legend and the tile metadata (TileJSON, OGC tilesets)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.db import connection

from gis_portal.catalogue.registry import CATALOGUE, user_is_staff_reader
from gis_portal.catalogue.spec import CatalogueLayer
from gis_portal.catalogue.sql import rows_where
from gis_portal.maps import sprites
from gis_portal.maps.style import basemap_style
from gis_portal.maps.tile_sql import tile_fields
from gis_portal.maps.tilegrid import MAX_ZOOM
from gis_portal.maps.tiles import basemap_layers

# ol-mapbox-style fills in the weight; the unhashed names (collectstatic keeps them) because
# the template is not one file.
WEBFONTS = "vendor/noto-sans-sc/{fontweight}{-fontstyle}.css"
ATTRIBUTION = "鹤岗市民政局"


def class_labels(layers: list[CatalogueLayer]) -> dict[str, dict[str, str]]:
    """{layer key: {class code: name}} of the layers whose classes are data (programmes)."""
    labels: dict[str, dict[str, str]] = {}
    for layer in layers:
        style = layer.style
        if style is None or not style.class_field or not style.class_label_field:
            continue
        code = layer.field(style.class_field).sql
        name = layer.field(style.class_label_field).sql
        sql = (
            f"SELECT DISTINCT ({code})::text, ({name})::text "  # noqa: S608 — declarations only
            f"FROM {layer.source.table} {rows_where(layer)}"
        )
        with connection.cursor() as cur:
            cur.execute(sql)
            labels[layer.key] = {c: n for c, n in cur.fetchall() if c is not None}
    return labels


def raster_base() -> dict | None:
    """The intranet raster base layer of settings.HEGANG_BASEMAP_RASTER, or None (default)."""
    return getattr(settings, "HEGANG_BASEMAP_RASTER", None) or None


def style_for(user, *, base_url: str, layout: str = "desktop") -> dict:
    """The style document ``user`` gets: the layers they may see, local fonts and sprite,
    labels sized for the page ``layout``."""
    layers = basemap_layers(user)
    return basemap_style(
        layers,
        staff=user_is_staff_reader(user),
        tilejson_url=base_url + "/maps/tiles.json",
        sprite_url=base_url + "/maps/sprite",
        webfonts_url=settings.STATIC_URL + WEBFONTS,
        class_labels=class_labels(layers),
        raster=raster_base(),
        centre_4490=tuple(settings.HEGANG_MAP_CENTRE_4490),
        zoom=settings.HEGANG_MAP_ZOOM,
        layout=layout,
    )


def vector_layers(layers: list[CatalogueLayer], *, staff: bool) -> list[dict]:
    """TileJSON ``vector_layers``: each MVT layer's id, fields and zooms."""
    out = []
    for layer in layers:
        assert layer.tiles is not None
        fields = {f.name: f.label for f in tile_fields(layer, staff=staff)}
        entry = {
            "id": layer.key,
            "description": layer.label,
            "minzoom": layer.tiles.min_zoom,
            "maxzoom": layer.tiles.max_zoom,
            "fields": fields,
        }
        out.append(entry)
        if layer.style is not None and layer.style.symbol == "fill" and layer.style.label_field:
            out.append(
                {**entry, "id": f"{layer.key}-labels", "description": layer.label + "注记点"}
            )
    return out


def tilejson(layers: list[CatalogueLayer], *, staff: bool, name: str, tiles_url: str) -> dict:
    """A TileJSON 3.0.0 document of ``layers`` served at ``tiles_url`` ({z}/{x}/{y})."""
    tiled = [layer for layer in layers if layer.tiles is not None]
    minzoom = min((layer.tiles.min_zoom for layer in tiled), default=0)  # type: ignore[union-attr]
    maxzoom = max((layer.tiles.max_zoom for layer in tiled), default=MAX_ZOOM)  # type: ignore[union-attr]
    lon, lat = settings.HEGANG_MAP_CENTRE_4490
    return {
        "tilejson": "3.0.0",
        "name": name,
        "attribution": ATTRIBUTION,
        "scheme": "xyz",
        "format": "pbf",
        "tiles": [tiles_url],
        "minzoom": minzoom,
        "maxzoom": min(maxzoom, MAX_ZOOM),
        "bounds": list(settings.HEGANG_BBOX_4490),
        "center": [lon, lat, max(minzoom, 12)],
        "vector_layers": vector_layers(tiled, staff=staff),
    }


@lru_cache(maxsize=8)
def _sprite_cached(layer_keys: tuple[str, ...], labels_key: tuple, pixel_ratio: int):
    layers = [CATALOGUE[k] for k in layer_keys]
    labels = {k: dict(v) for k, v in labels_key}
    return sprites.sprite_sheet(sprites.sprite_symbols(layers, labels), pixel_ratio=pixel_ratio)


def sprite_for(user, *, pixel_ratio: int) -> tuple[bytes, dict]:
    """(PNG, index) of the sprite of the layers ``user`` sees (drawn once per process)."""
    layers = basemap_layers(user)
    labels = class_labels(layers)
    labels_key = tuple(sorted((k, tuple(sorted(v.items()))) for k, v in labels.items()))
    return _sprite_cached(tuple(layer.key for layer in layers), labels_key, pixel_ratio)
