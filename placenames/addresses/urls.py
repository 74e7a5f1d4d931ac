from django.urls import path

from placenames.addresses import api

urlpatterns = [
    path("geocode", api.GeocodeView.as_view(), name="address-geocode"),
    path("reverse", api.ReverseView.as_view(), name="address-reverse"),
    path("addresses/checks", api.ChecksView.as_view(), name="address-checks"),
    path("addresses/plates", api.PlateCreateView.as_view(), name="address-plate-create"),
    path(
        "addresses/streets/<int:street_id>/propose",
        api.ProposeNumberView.as_view(),
        name="address-propose",
    ),
]
