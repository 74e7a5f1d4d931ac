"""The URL patterns the /ogc/api document describes: the OGC API alone, at its real paths."""

from django.urls import include, path

urlpatterns = [path("ogc/", include("gis_portal.ogc.urls"))]
