"""HTML pages of this app and the vector tiles (included at the site root)."""

from django.urls import path

from placenames.addresses import views
from placenames.addresses.api import addresses as api

urlpatterns = [
    path("addresses/", views.address_map, name="address-map"),
    path("addresses/checks", views.checks_report, name="address-checks-page"),
    path("addresses/production", views.production_page, name="address-production"),
    path("addresses/production.xlsx", views.production_xlsx, name="address-production-xlsx"),
    path(
        "tiles/<str:layer>/<str:z>/<str:x>/<str:y>.pbf", api.TileView.as_view(), name="address-tile"
    ),
]
