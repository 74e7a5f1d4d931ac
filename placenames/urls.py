from django.urls import path

from placenames.api import edit as edit_api
from placenames.api import names as api

urlpatterns = [
    # The place-name layer's feature view in the editor's API (ahead of its generic routes).
    path(
        "editing/placenames/<int:pk>",
        edit_api.PlaceNameEditView.as_view(),
        name="editing-placename",
    ),
    path("romanize", api.RomanizeView.as_view(), name="romanize"),
    path("placenames", api.PlaceNameListView.as_view(), name="placename-list"),
    path("placenames/suggest", api.PlaceNameSuggestView.as_view(), name="placename-suggest"),
    path("placenames/export", api.PlaceNameExportView.as_view(), name="placename-export"),
    path("placenames/review", api.PlaceNameReviewView.as_view(), name="placename-review"),
    path("placenames/near", api.PlaceNameNearView.as_view(), name="placename-near"),
    path(
        "placenames/<str:place_code>",
        api.PlaceNameDetailView.as_view(),
        name="placename-detail",
    ),
]
