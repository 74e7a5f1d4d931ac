from django.urls import include, path

from boundaries import api, edit_api, line_api

urlpatterns = [
    path("areas", api.AreaListView.as_view(), name="area-list"),
    path("areas/at", api.AreaAtPointView.as_view(), name="area-at"),
    path("boundaries/lines", line_api.LineListView.as_view(), name="boundary-line-list"),
    path("boundaries/markers", line_api.MarkerListView.as_view(), name="boundary-marker-list"),
    path("boundaries/lines/<int:pk>", edit_api.LineEditView.as_view(), name="boundary-line"),
    path("boundaries/markers/<int:pk>", edit_api.MarkerEditView.as_view(), name="boundary-marker"),
    path("boundaries/topology", line_api.TopologyView.as_view(), name="boundary-topology"),
    # The editor's own API (history, restore, change requests) lives in gis_portal.editing;
    # it is mounted here because the project's urls.py is not this app's to edit.
    path("editing/", include("gis_portal.editing.urls")),
]
