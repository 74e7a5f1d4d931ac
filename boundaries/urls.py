from django.urls import path

from boundaries.api import areas as api
from boundaries.api import edit as edit_api
from boundaries.api import lines as line_api

urlpatterns = [
    path("areas", api.AreaListView.as_view(), name="area-list"),
    path("areas/at", api.AreaAtPointView.as_view(), name="area-at"),
    path("areas/code-history", api.CodeHistoryView.as_view(), name="area-code-history"),
    path("boundaries/lines", line_api.LineListView.as_view(), name="boundary-line-list"),
    path("boundaries/markers", line_api.MarkerListView.as_view(), name="boundary-marker-list"),
    path("boundaries/lines/<int:pk>", edit_api.LineEditView.as_view(), name="boundary-line"),
    path("boundaries/markers/<int:pk>", edit_api.MarkerEditView.as_view(), name="boundary-marker"),
    path("boundaries/topology", line_api.TopologyView.as_view(), name="boundary-topology"),
]
