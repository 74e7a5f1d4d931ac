from django.urls import path

from boundaries import api

urlpatterns = [
    path("areas", api.AreaListView.as_view(), name="area-list"),
    path("areas/at", api.AreaAtPointView.as_view(), name="area-at"),
]
