from django.urls import path

from placenames.addresses import api

urlpatterns = [
    path("geocode", api.GeocodeView.as_view(), name="address-geocode"),
    path("reverse", api.ReverseView.as_view(), name="address-reverse"),
    path("addresses/checks", api.ChecksView.as_view(), name="address-checks"),
]
