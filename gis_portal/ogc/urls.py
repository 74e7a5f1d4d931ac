"""/ogc/…: OGC API – Features (mounted by gis_portal.urls)."""

from django.urls import path

from gis_portal.ogc import views

urlpatterns = [
    path("", views.LandingView.as_view(), name="ogc-landing"),
    path("conformance", views.ConformanceView.as_view(), name="ogc-conformance"),
    path("collections", views.CollectionsView.as_view(), name="ogc-collections"),
    path(
        "collections/<str:collection_id>",
        views.CollectionView.as_view(),
        name="ogc-collection",
    ),
    path(
        "collections/<str:collection_id>/queryables",
        views.QueryablesView.as_view(),
        name="ogc-queryables",
    ),
    path(
        "collections/<str:collection_id>/items",
        views.ItemsView.as_view(),
        name="ogc-items",
    ),
    path(
        "collections/<str:collection_id>/items/<str:item_id>",
        views.ItemView.as_view(),
        name="ogc-item",
    ),
    path("api", views.OgcApiDocumentView.as_view(), name="ogc-api"),
]
