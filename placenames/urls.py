from django.urls import path

from placenames import api

urlpatterns = [
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
