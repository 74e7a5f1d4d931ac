"""Routes of the base map (/maps/…) and of OGC API – Tiles (/ogc/tileMatrixSets…,
/ogc/collections/<key>/tiles…). Mounted at the root by gis_portal/urls.py, before the OGC
API – Features routes, whose patterns these do not overlap."""

from django.urls import path

from gis_portal.maps import api

urlpatterns = [
    path("maps/style.json", api.BasemapStyleView.as_view(), name="basemap-style"),
    path("maps/sprite.json", api.SpriteIndexView.as_view(), name="basemap-sprite-index"),
    path("maps/sprite.png", api.SpriteImageView.as_view(), name="basemap-sprite-image"),
    path(
        "maps/sprite@2x.json",
        api.SpriteIndex2xView.as_view(),
        name="basemap-sprite-index-2x",
    ),
    path(
        "maps/sprite@2x.png",
        api.SpriteImage2xView.as_view(),
        name="basemap-sprite-image-2x",
    ),
    path("maps/tiles.json", api.BasemapTileJSONView.as_view(), name="basemap-tilejson"),
    path(
        "maps/tiles/<str:z>/<str:x>/<str:y>.pbf", api.BasemapTileView.as_view(), name="basemap-tile"
    ),
    path(
        "maps/layers/<str:layer>/tiles.json", api.LayerTileJSONView.as_view(), name="layer-tilejson"
    ),
    path(
        "maps/layers/<str:layer>/tiles/<str:z>/<str:x>/<str:y>.pbf",
        api.LayerTileView.as_view(),
        name="layer-tile",
    ),
    path("ogc/tileMatrixSets", api.TileMatrixSetsView.as_view(), name="ogc-tile-matrix-sets"),
    path(
        "ogc/tileMatrixSets/<str:tms>", api.TileMatrixSetView.as_view(), name="ogc-tile-matrix-set"
    ),
    path(
        "ogc/collections/<str:layer>/tiles",
        api.CollectionTilesetsView.as_view(),
        name="ogc-collection-tilesets",
    ),
    path(
        "ogc/collections/<str:layer>/tiles/<str:tms>",
        api.CollectionTilesetView.as_view(),
        name="ogc-collection-tileset",
    ),
    path(
        "ogc/collections/<str:layer>/tiles/<str:tms>/<str:tileMatrix>/<str:tileRow>/<str:tileCol>",
        api.CollectionTileView.as_view(),
        name="ogc-collection-tile",
    ),
]
