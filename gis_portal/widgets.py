"""An offline geometry widget for the admin: local OpenLayers, areas as the backdrop.

Django's OSMWidget loads OpenLayers from a CDN and tiles from OpenStreetMap, and its
template carries an inline script; none of that works on the intranet or under the CSP.
"""

from __future__ import annotations

from django.contrib.gis.forms.widgets import OpenLayersWidget

from gis_portal.map_view import map_view_json


class OfflineMapWidget(OpenLayersWidget):
    template_name = "gis/offline_openlayers.html"
    map_srid = 3857

    class Media:
        extend = False  # drop the parent's CDN links
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = (
            "vendor/ol/ol.js",
            "portal/map_kernel.js",
            "gis/js/OLMapWidget.js",
            "portal/admin_map_widget.js",
        )

    def get_context(self, name, value, attrs):
        """Add the shared map script's configuration (the admin has no portal base template)."""
        context = super().get_context(name, value, attrs)
        context["map_view_json"] = map_view_json()
        return context
