from django.urls import path

from placenames.addresses.api import addresses as api
from placenames.addresses.api import bulk as api_bulk
from placenames.addresses.api import edit as api_edit

urlpatterns = [
    path("geocode", api.GeocodeView.as_view(), name="address-geocode"),
    path("reverse", api.ReverseView.as_view(), name="address-reverse"),
    path("addresses/checks", api.ChecksView.as_view(), name="address-checks"),
    path("addresses/streets", api.StreetListView.as_view(), name="address-street-list"),
    path("addresses/plates", api_edit.PlateCreateView.as_view(), name="address-plate-create"),
    path("addresses/import", api_bulk.AddressImportView.as_view(), name="address-import"),
    path("addresses/export", api_bulk.AddressExportView.as_view(), name="address-export"),
    path(
        "addresses/signs/<int:sign_id>/inspections",
        api_edit.SignInspectionCreateView.as_view(),
        name="address-sign-inspect",
    ),
    path(
        "addresses/streets/<int:street_id>/propose",
        api_edit.ProposeNumberView.as_view(),
        name="address-propose",
    ),
]
