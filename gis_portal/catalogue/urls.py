from django.urls import path

from gis_portal.catalogue import api

urlpatterns = [
    path("layers", api.CatalogueListView.as_view(), name="catalogue-layers"),
    path("layers/<str:layer>", api.CatalogueLayerView.as_view(), name="catalogue-layer"),
    path(
        "layers/<str:layer>/features",
        api.CatalogueFeaturesView.as_view(),
        name="catalogue-layer-features",
    ),
]
