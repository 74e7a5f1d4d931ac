"""HTML pages of this app (included at the site root)."""

from django.urls import path

from placenames import views

urlpatterns = [
    path("placenames/", views.placename_lookup, name="placename-lookup"),
    path("placenames/officer/", views.placename_officer, name="placename-officer"),
]
