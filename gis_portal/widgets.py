"""An offline geometry widget for the admin: local OpenLayers, areas as the backdrop.

Django's OSMWidget loads OpenLayers from a CDN and tiles from OpenStreetMap, and its
template carries an inline script; none of that works on the intranet or under the CSP.
"""

from __future__ import annotations

from django.contrib.gis.forms.widgets import OpenLayersWidget


class OfflineMapWidget(OpenLayersWidget):
    template_name = "gis/offline_openlayers.html"
    map_srid = 3857

    class Media:
        extend = False  # drop the parent's CDN links
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js", "portal/admin_map_widget.js")
