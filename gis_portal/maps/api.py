"""The base map over HTTP (thin views): style, sprite, tiles, TileJSON, OGC API – Tiles.

Every answer is the reader's: a staff reader's style, tiles and metadata carry the staff
layers and fields, anyone else's do not (and a staff layer is, for them, a 404 in the same
words as an unknown key). Tile addresses are parsed by ``tilegrid.parse_tile``: a part
that is not a number or out of range is a 400 naming it; a level outside a layer's levels
is a 404 (OGC API – Tiles: outside the tile matrix set limits).
"""

from __future__ import annotations

import gzip

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_portal.catalogue.registry import catalogue_layer_for, user_is_staff_reader
from gis_portal.catalogue.spec import CatalogueLayer
from gis_portal.errors import InvalidParameter, NotFound
from gis_portal.maps import selectors
from gis_portal.maps.style import LAYOUTS
from gis_portal.maps.tile_sql import is_mappable
from gis_portal.maps.tilegrid import (
    MAX_ZOOM,
    TMS_ID,
    TMS_URI,
    Tile,
    TileAddressError,
    parse_tile,
    tile_matrix_set,
)
from gis_portal.maps.tiles import basemap_layers, basemap_tile_fetch, layer_tile_fetch
from gis_portal.params import Choice, Int, ParamSet, Text

MVT = "application/vnd.mapbox-vector-tile"
LAYER = Text(
    "layer",
    max_length=40,
    pattern=r"^[a-z][a-z0-9-]{0,39}$",
    pattern_message="应为图层键，如 door-plates",
    description="图层键（见 /api/v1/layers）",
)
TMS = Choice("tms", (TMS_ID,), description="瓦片矩阵集")
ZXY = (
    Int("z", 0, MAX_ZOOM, description="缩放级别"),
    Int("x", 0, 2**MAX_ZOOM - 1, description="列号，小于 2^z"),
    Int("y", 0, 2**MAX_ZOOM - 1, description="行号，小于 2^z"),
)


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _tile(z: str, x: str, y: str) -> Tile:
    try:
        return parse_tile(z, x, y)
    except TileAddressError as exc:
        raise InvalidParameter(exc.parameter, str(exc)) from None


def _mappable_layer(key: str, user) -> CatalogueLayer:
    layer = catalogue_layer_for(key, user)
    if not is_mappable(layer):
        raise NotFound(f"图层 {layer.label}（{layer.key}）没有瓦片")
    return layer


def _check_levels(layer: CatalogueLayer, tile: Tile) -> None:
    assert layer.tiles is not None
    if not layer.tiles.min_zoom <= tile.z <= layer.tiles.max_zoom:
        raise NotFound(
            f"图层 {layer.label} 在第 {tile.z} 级没有瓦片"
            f"（应在 {layer.tiles.min_zoom}–{layer.tiles.max_zoom} 级之间）"
        )


def _mvt_response(request, data: bytes) -> HttpResponse:
    """The tile as stored (gzip) when the client takes gzip, else decompressed."""
    gzipped = bool(data) and "gzip" in request.headers.get("Accept-Encoding", "")
    if data and not gzipped:
        data = gzip.decompress(data)
    response = HttpResponse(data, content_type=MVT)
    if gzipped:
        response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding, Cookie, Authorization"
    staff = user_is_staff_reader(request.user)
    # Tiles change when the data is edited: revalidate after a minute; staff tiles are
    # never kept by a shared cache.
    response["Cache-Control"] = "private, max-age=60" if staff else "public, max-age=60"
    return response


def _json(body: dict, *, content_type: str = "application/json") -> Response:
    response = Response(body, content_type=content_type)
    response["Vary"] = "Cookie, Authorization"
    return response


class _MapView(APIView):
    """A map resource anyone may read (what a layer shows is the user's: ``_mappable_layer``);
    no query parameters unless the view declares them."""

    permission_classes = [AllowAny]
    query_params = ParamSet()

    def layer_entry(self, request, layer: str) -> CatalogueLayer:
        """The layer the path names, once the query has no parameter the view does not take."""
        self.query_params.parse(request.query_params)
        return _mappable_layer(layer, request.user)


class BasemapStyleView(_MapView):
    """The MapLibre style document of the base map (every page's one style), with its legend."""

    query_params = ParamSet(
        Choice(
            "layout",
            LAYOUTS,
            default="desktop",
            description="页面布局：desktop 桌面、phone 手机、kiosk 竖屏自助机（注记放大）",
        )
    )

    @extend_schema(operation_id="basemap_style", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = self.query_params.parse(request.query_params)
        body = selectors.style_for(
            request.user, base_url=_base_url(request), layout=str(params["layout"])
        )
        return _json(body)


class SpriteIndexView(_MapView):
    """The sprite index of the style (symbol name → position in the sprite image)."""

    pixel_ratio = 1

    @extend_schema(operation_id="basemap_sprite_index", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        self.query_params.parse(request.query_params)
        _, index = selectors.sprite_for(request.user, pixel_ratio=self.pixel_ratio)
        return _json(index)


class SpriteImageView(_MapView):
    """The sprite image of the style (PNG)."""

    pixel_ratio = 1

    @extend_schema(
        operation_id="basemap_sprite_image", responses={(200, "image/png"): OpenApiTypes.BINARY}
    )
    def get(self, request):
        self.query_params.parse(request.query_params)
        png, _ = selectors.sprite_for(request.user, pixel_ratio=self.pixel_ratio)
        response = HttpResponse(png, content_type="image/png")
        response["Cache-Control"] = "public, max-age=3600"
        return response


class BasemapTileJSONView(_MapView):
    """TileJSON 3.0 of the base map: every mappable layer the caller may read, one tile set."""

    @extend_schema(operation_id="basemap_tilejson", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        self.query_params.parse(request.query_params)
        body = selectors.tilejson(
            basemap_layers(request.user),
            staff=user_is_staff_reader(request.user),
            name="鹤岗市民政地理信息底图",
            tiles_url=_base_url(request) + "/maps/tiles/{z}/{x}/{y}.pbf",
        )
        return _json(body)


class BasemapTileView(_MapView):
    """One base-map vector tile (every mappable layer the caller may read), XYZ scheme."""

    path_params = ParamSet(*ZXY)

    @extend_schema(operation_id="basemap_tile", responses={(200, MVT): OpenApiTypes.BINARY})
    def get(self, request, z: str, x: str, y: str):
        self.query_params.parse(request.query_params)
        tile = _tile(z, x, y)
        return _mvt_response(request, basemap_tile_fetch(request.user, tile))


class LayerTileJSONView(_MapView):
    """TileJSON 3.0 of one layer's tiles (for a QGIS or MapLibre vector tile connection)."""

    path_params = ParamSet(LAYER)

    @extend_schema(operation_id="layer_tilejson", responses=OpenApiTypes.OBJECT)
    def get(self, request, layer: str):
        entry = self.layer_entry(request, layer)
        body = selectors.tilejson(
            [entry],
            staff=user_is_staff_reader(request.user),
            name=entry.label,
            tiles_url=_base_url(request) + f"/maps/layers/{entry.key}/tiles/{{z}}/{{x}}/{{y}}.pbf",
        )
        return _json(body)


class LayerTileView(_MapView):
    """One layer's vector tile, XYZ scheme (the base map's rendering of that layer alone)."""

    path_params = ParamSet(LAYER, *ZXY)

    @extend_schema(operation_id="layer_tile", responses={(200, MVT): OpenApiTypes.BINARY})
    def get(self, request, layer: str, z: str, x: str, y: str):
        entry = self.layer_entry(request, layer)
        tile = _tile(z, x, y)
        _check_levels(entry, tile)
        return _mvt_response(request, layer_tile_fetch(entry, request.user, tile))


# ---- OGC API – Tiles (Part 1: Core, tilesets-list, tileset, TileMatrixSet) --------------


def _tms_link(base: str) -> dict:
    return {
        "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
        "href": f"{base}/ogc/tileMatrixSets/{TMS_ID}",
        "type": "application/json",
        "title": TMS_ID,
    }


class TileMatrixSetsView(_MapView):
    """OGC API – Tiles: the tile matrix sets offered (WebMercatorQuad)."""

    @extend_schema(operation_id="ogc_tile_matrix_sets", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        self.query_params.parse(request.query_params)
        base = _base_url(request)
        body = {
            "tileMatrixSets": [
                {
                    "id": TMS_ID,
                    "title": "Google Maps Compatible for the World",
                    "uri": TMS_URI,
                    "links": [{**_tms_link(base), "rel": "self"}],
                }
            ]
        }
        return _json(body)


class TileMatrixSetView(_MapView):
    """OGC API – Tiles: one tile matrix set's definition (2D TMS 2.0 JSON)."""

    path_params = ParamSet(TMS)

    @extend_schema(operation_id="ogc_tile_matrix_set", responses=OpenApiTypes.OBJECT)
    def get(self, request, tms: str):
        self.query_params.parse(request.query_params)
        self.path_params.parse({"tms": tms})
        return _json(tile_matrix_set())


def _tileset(layer: CatalogueLayer, *, base: str, staff: bool) -> dict:
    assert layer.tiles is not None
    key = layer.key
    tile_url = f"{base}/ogc/collections/{key}/tiles/{TMS_ID}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"
    levels = range(layer.tiles.min_zoom, min(layer.tiles.max_zoom, MAX_ZOOM) + 1)
    return {
        "title": layer.label,
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": TMS_URI,
        "tileMatrixSetLimits": [
            {
                "tileMatrix": str(z),
                "minTileRow": 0,
                "maxTileRow": 2**z - 1,
                "minTileCol": 0,
                "maxTileCol": 2**z - 1,
            }
            for z in levels
        ],
        "layers": [
            {
                "id": v["id"],
                "dataType": "vector",
                "title": v["description"],
                "minTileMatrix": str(v["minzoom"]),
                "maxTileMatrix": str(v["maxzoom"]),
                "propertiesSchema": {
                    "type": "object",
                    "properties": {
                        name: {"type": "string", "title": label}
                        for name, label in v["fields"].items()
                    },
                },
            }
            for v in selectors.vector_layers([layer], staff=staff)
        ],
        "links": [
            {
                "rel": "self",
                "href": f"{base}/ogc/collections/{key}/tiles/{TMS_ID}",
                "type": "application/json",
            },
            _tms_link(base),
            {"rel": "item", "href": tile_url, "templated": True, "type": MVT},
            {
                "rel": "describedby",
                "href": f"{base}/maps/layers/{key}/tiles.json",
                "type": "application/json",
                "title": "TileJSON",
            },
        ],
    }


class CollectionTilesetsView(_MapView):
    """OGC API – Tiles: the vector tilesets of a collection (one: WebMercatorQuad)."""

    path_params = ParamSet(LAYER)

    @extend_schema(operation_id="ogc_collection_tilesets", responses=OpenApiTypes.OBJECT)
    def get(self, request, layer: str):
        entry = self.layer_entry(request, layer)
        base = _base_url(request)
        full = _tileset(entry, base=base, staff=user_is_staff_reader(request.user))
        summary = {k: full[k] for k in ("title", "dataType", "crs", "tileMatrixSetURI")}
        summary["links"] = [
            {**full["links"][0], "rel": "self"},
            full["links"][1],
            full["links"][2],
        ]
        return _json({"tilesets": [summary]})


class CollectionTilesetView(_MapView):
    """OGC API – Tiles: a collection's tileset in WebMercatorQuad (limits, layers, links)."""

    path_params = ParamSet(LAYER, TMS)

    @extend_schema(operation_id="ogc_collection_tileset", responses=OpenApiTypes.OBJECT)
    def get(self, request, layer: str, tms: str):
        entry = self.layer_entry(request, layer)
        self.path_params.parse({"layer": layer, "tms": tms})
        return _json(
            _tileset(entry, base=_base_url(request), staff=user_is_staff_reader(request.user))
        )


class CollectionTileView(_MapView):
    """OGC API – Tiles: one tile of a collection (``{tileMatrix}/{tileRow}/{tileCol}``)."""

    path_params = ParamSet(
        LAYER,
        TMS,
        Int("tileMatrix", 0, MAX_ZOOM, description="缩放级别"),
        Int("tileRow", 0, 2**MAX_ZOOM - 1, description="行号，小于 2^tileMatrix"),
        Int("tileCol", 0, 2**MAX_ZOOM - 1, description="列号，小于 2^tileMatrix"),
    )

    @extend_schema(operation_id="ogc_collection_tile", responses={(200, MVT): OpenApiTypes.BINARY})
    def get(self, request, layer: str, tms: str, tileMatrix: str, tileRow: str, tileCol: str):
        entry = self.layer_entry(request, layer)
        ParamSet(TMS).parse({"tms": tms})
        try:
            tile = parse_tile(tileMatrix, tileCol, tileRow)
        except TileAddressError as exc:
            names = {"z": "tileMatrix", "x": "tileCol", "y": "tileRow"}
            raise InvalidParameter(names[exc.parameter], str(exc)) from None
        _check_levels(entry, tile)
        return _mvt_response(request, layer_tile_fetch(entry, request.user, tile))


class SpriteIndex2xView(SpriteIndexView):
    """The sprite index for screens of pixel ratio 2."""

    pixel_ratio = 2

    @extend_schema(operation_id="basemap_sprite_index_2x", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return super().get(request)


class SpriteImage2xView(SpriteImageView):
    """The sprite image for screens of pixel ratio 2 (PNG)."""

    pixel_ratio = 2

    @extend_schema(
        operation_id="basemap_sprite_image_2x", responses={(200, "image/png"): OpenApiTypes.BINARY}
    )
    def get(self, request):
        return super().get(request)
