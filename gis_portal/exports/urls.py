from django.urls import path

from gis_portal.exports import api

urlpatterns = [
    path("layers/<str:layer>/export", api.LayerExportView.as_view(), name="layer-export"),
]
