"""The start view of the shared map script (static/portal/map_kernel.js), in one place.

Every page's map starts on the city centre and zoom of ``settings.HEGANG_MAP_CENTRE_4490``
and ``settings.HEGANG_MAP_ZOOM``. The base template writes them into one ``data-map-view``
attribute on ``<body>``; the admin's
geometry widget, which Django's admin templates render, carries the same attribute on its
own element (gis_portal/widgets.py).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static

from gis_portal.catalogue.registry import user_is_staff_reader

# The one style document of the base map every page draws (gis_portal/maps).
BASEMAP_STYLE_URL = "/maps/style.json"


def map_view_config(*, staff: bool = False) -> dict:
    """Return the map script's start view: the centre (lon/lat, EPSG:4490) and the zoom,
    the base map's style, and ``staff`` (the pointer's coordinates are shown to staff)."""
    lon, lat = settings.HEGANG_MAP_CENTRE_4490
    return {
        "centre": [lon, lat],
        "zoom": settings.HEGANG_MAP_ZOOM,
        "basemap": BASEMAP_STYLE_URL,
        # What the map script loads on first use (hashed names under the manifest storage).
        "assets": {
            "olms": static("vendor/ol-mapbox-style/olms.js"),
            "css": static("portal/map_furniture.css"),
        },
        "staff": staff,
    }


def map_view_json(*, staff: bool = False) -> str:
    """Return the start view as the JSON text of the ``data-map-view`` attribute."""
    return json.dumps(map_view_config(staff=staff), separators=(",", ":"))


def map_view_context(request: HttpRequest) -> dict:
    """Template context processor: ``map_view_json`` for the base template."""
    return {
        "map_view_json": map_view_json(staff=user_is_staff_reader(getattr(request, "user", None)))
    }
