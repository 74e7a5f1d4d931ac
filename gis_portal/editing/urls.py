"""The editor's API under /api/v1/editing/."""

from django.urls import path, re_path

from gis_portal.editing import api, request_api

urlpatterns = [
    path("save", api.BatchSaveView.as_view(), name="editing-save"),
    path("requests", request_api.ChangeRequestListView.as_view(), name="change-request-list"),
    path(
        "requests/<int:pk>",
        request_api.ChangeRequestDetailView.as_view(),
        name="change-request-detail",
    ),
    re_path(
        r"^requests/(?P<pk>\d+)/(?P<action>review|approve|reject|publish)$",
        request_api.ChangeRequestActionView.as_view(),
        name="change-request-action",
    ),
    path(
        "requests/<int:pk>/documents",
        request_api.ChangeDocumentView.as_view(),
        name="change-request-documents",
    ),
    # (The place-name layer's own feature view, /editing/placenames/<pk>, is routed by
    # placenames/urls.py, ahead of these.)
    path("<str:layer>/<int:pk>/history", api.HistoryView.as_view(), name="editing-history"),
    path("<str:layer>/<int:pk>/restore", api.RestoreView.as_view(), name="editing-restore"),
    # Streets, signs, door plates, facilities: the county's features, create, one feature.
    path("<str:layer>", api.LayerCollectionView.as_view(), name="editing-layer"),
    path("<str:layer>/form", api.LayerFormView.as_view(), name="editing-layer-form"),
    path("<str:layer>/<int:pk>", api.LayerFeatureView.as_view(), name="editing-feature"),
]
